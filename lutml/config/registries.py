"""The one table of models (`MODELS`), and which class reads a block whose keys differ by variant:
`model` by `model.name`, `train` by the model's kind (look estimator or pair-trained GAN).

`MODELS` is the only place a model name is declared in code: the schema reads its config class,
`lutml.models` its kind and generator builder; each name is chosen by a `conf/model/*.yaml` option
(`name:`), which a test keeps equal to this table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from lutml.config.model import (
    LookEncoderConfig,
    LutGan3dConfig,
    LutGanConfig,
    ModelConfig,
    Pix2PixConfig,
)
from lutml.config.train import GanTrainConfig, LookTrainConfig
from lutml.config.validators import ConfigError, plain


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A model: the class that reads its `model` block; its kind, what the saved model outputs
    ("image", "lut" - a LUT table - or "look" - look coefficients); its generator builder, a
    "module:function" path imported only when a model is built (it takes the typed `model` config
    and returns the Keras generator; None for the look encoder, which lutml.train.look_trainer builds
    and trains whole)."""

    config: type[ModelConfig]
    kind: str
    builder: str | None


#: model.name -> its spec.
MODELS: dict[str, ModelSpec] = {
    "look_encoder": ModelSpec(LookEncoderConfig, "look", None),
    "pix2pix": ModelSpec(Pix2PixConfig, "image", "lutml.models.builders:unet_generator"),
    "asymmetric": ModelSpec(Pix2PixConfig, "image", "lutml.models.builders:unet_generator"),
    "lut_gan": ModelSpec(LutGanConfig, "lut", "lutml.models.builders:basis_lut_generator"),
    "lut_gan_3d": ModelSpec(LutGan3dConfig, "lut", "lutml.models.builders:conv3d_lut_generator"),
}


def model_config(mapping: Any, where: str = "model") -> ModelConfig:
    """The `model` block as the config class of its `name`."""
    mapping = plain(mapping)
    name = mapping.get("name") if isinstance(mapping, Mapping) else None
    if name not in MODELS:
        valid = ", ".join(sorted(MODELS))
        raise ConfigError(f"{where}.name: unknown model.name {name!r}; valid names: {valid}")
    return MODELS[name].config.from_mapping(mapping, where)


def train_config(
    mapping: Any, model: ModelConfig, where: str = "train"
) -> LookTrainConfig | GanTrainConfig:
    """The `train` block of `model`'s kind."""
    cls = LookTrainConfig if MODELS[model.name].kind == "look" else GanTrainConfig
    return cls.from_mapping(mapping, where)
