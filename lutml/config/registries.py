"""Which class reads a block whose keys differ by variant: `model` by `model.name`, `train` by the
model's kind (look estimator or pair-trained GAN)."""

from __future__ import annotations

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

#: model.name -> its config class (every name of lutml.models.MODELS).
MODEL_CONFIGS: dict[str, type[ModelConfig]] = {
    "look_encoder": LookEncoderConfig,
    "pix2pix": Pix2PixConfig,
    "asymmetric": Pix2PixConfig,
    "lut_gan": LutGanConfig,
    "lut_gan_3d": LutGan3dConfig,
}


def model_config(mapping: Any, where: str = "model") -> ModelConfig:
    """The `model` block as the config class of its `name`."""
    mapping = plain(mapping)
    name = mapping.get("name") if isinstance(mapping, Mapping) else None
    if name not in MODEL_CONFIGS:
        valid = ", ".join(sorted(MODEL_CONFIGS))
        raise ConfigError(f"{where}.name: unknown model.name {name!r}; valid names: {valid}")
    return MODEL_CONFIGS[name].from_mapping(mapping, where)


def train_config(
    mapping: Any, model: ModelConfig, where: str = "train"
) -> LookTrainConfig | GanTrainConfig:
    """The `train` block of `model`'s kind."""
    cls = LookTrainConfig if isinstance(model, LookEncoderConfig) else GanTrainConfig
    return cls.from_mapping(mapping, where)
