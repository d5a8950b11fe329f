"""Models: pix2pix (any power-of-two size), asymmetric, LUT-GANs, the look encoder.

The models are declared once, in `lutml.config.registries.MODELS` (name -> config class, kind,
generator builder); this package reads it. Its `__init__` stays TensorFlow-free so a model's kind
can be told, and `lutml.models.inference` imported, by the CLI and web app cheaply; TensorFlow loads
when a model is built or loaded (`generator_builder` imports the builder's module).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from lutml.config.registries import MODELS

#: Valid `model.name` values -> kind ("image", "lut" or "look"; a view of `MODELS`).
MODEL_KINDS = {name: spec.kind for name, spec in MODELS.items()}


def _unknown(name: Any) -> ValueError:
    return ValueError(f"unknown model.name {name!r}; valid names: {', '.join(sorted(MODELS))}")


def model_kind(name: str) -> str:
    """ "image", "lut" or "look" for a `model.name`; unknown names raise listing the valid ones."""
    if name not in MODELS:
        raise _unknown(name)
    return MODELS[name].kind


def generator_builder(name: str) -> Callable[[Any], Any]:
    """The generator builder of `name` (it takes the typed `model` config), imported now (this
    imports TensorFlow)."""
    if name not in MODELS:
        raise _unknown(name)
    path = MODELS[name].builder
    if path is None:
        raise ValueError(
            f"model {name!r} has no generator builder (it is trained by lutml.train.look_trainer)"
        )
    module, function = path.split(":")
    return getattr(importlib.import_module(module), function)
