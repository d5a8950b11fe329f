"""Shared test set-up: the TensorFlow environment (before any test imports it).

The sample builders (asymmetric LUT, photos, fake corpus, tiny look model) are in sample_helpers.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any test imports TensorFlow
