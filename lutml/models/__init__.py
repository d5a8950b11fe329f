"""Models: pix2pix (any power-of-two size), asymmetric, LUT-GANs, the look encoder.

`MODELS` is the one table of model names: what each saved model outputs and where its generator
builder lives (a "module:function" path, imported only when a model is built, by
`lutml.models.builders`). This package's `__init__` stays TensorFlow-free so a model's kind can be
told, and `lutml.models.inference` imported, by the CLI and web app cheaply; TensorFlow loads
when a model is built or loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

#: model.name -> (kind, generator builder). The kind is what the saved model outputs: "image",
#: "lut" (a LUT table) or "look" (look coefficients). The builder takes the typed `model` config
#: (lutml.config.model) and returns the Keras generator; None for the look encoder, which
#: lutml.train.look_trainer builds and trains whole.
MODELS: dict[str, tuple[str, str | None]] = {
    "look_encoder": ("look", None),
    "pix2pix": ("image", "lutml.models.builders:unet_generator"),
    "asymmetric": ("image", "lutml.models.builders:unet_generator"),
    "lut_gan": ("lut", "lutml.models.builders:basis_lut_generator"),
    "lut_gan_3d": ("lut", "lutml.models.builders:conv3d_lut_generator"),
}

#: Valid `model.name` values -> kind (a view of `MODELS`).
MODEL_KINDS = {name: kind for name, (kind, _) in MODELS.items()}


def _unknown(name: Any) -> ValueError:
    return ValueError(f"unknown model.name {name!r}; valid names: {', '.join(sorted(MODELS))}")


def model_kind(name: str) -> str:
    """ "image", "lut" or "look" for a `model.name`; unknown names raise listing the valid ones."""
    if name not in MODELS:
        raise _unknown(name)
    return MODELS[name][0]


def generator_builder(name: str) -> Callable[[Any], Any]:
    """The generator builder of `name` (it takes the typed `model` config), imported now (this
    imports TensorFlow)."""
    if name not in MODELS:
        raise _unknown(name)
    path = MODELS[name][1]
    if path is None:
        raise ValueError(
            f"model {name!r} has no generator builder (it is trained by lutml.train.look_trainer)"
        )
    module, function = path.split(":")
    return getattr(importlib.import_module(module), function)


def check_mode(model_name: str, synth_mode: str) -> str:
    """The model kind, after checking that the synthesize mode makes the data it learns from."""
    kind = model_kind(model_name)
    if (kind == "look") != (synth_mode == "looks"):
        want = "looks" if kind == "look" else "grade or neutralize"
        raise ValueError(
            f"model {model_name!r} learns from synth.mode={want}, but synth.mode={synth_mode!r} "
            "(use `-S experiment=pix2pix` for the pair-trained models)"
        )
    return kind
