"""Shared test set-up: the TensorFlow environment (before any test imports it).

The sample builders (asymmetric LUT, photos, fake corpus, tiny look model) are in sample_helpers.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any test imports TensorFlow

#: The longest modules (docs/training-speed.md, "Test suite"), run first: under `make test`'s
#: `-n 2 --dist loadscope --no-loadscope-reorder` each goes to a worker early, so neither worker is
#: left with one at the end.
LONGEST_FIRST = (
    "tests/pipeline/test_pipeline_e2e.py",
    "tests/train/test_train_sweep.py",
    "tests/train/test_train_pipeline.py",
    "tests/train/test_train_multiworker.py",
    "tests/train/test_look_distributed.py",
    "tests/train/test_palette_training.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable
