"""The `model` block (conf/model/): the keys every model has and each model family's own.

Which class reads a `model` block is picked by its `name` (`lutml.config.registries`).
"""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class ModelConfig(Block):
    """Keys every `model` block has; `model_config` picks the subclass by `name`."""

    name: str
    variant: str


@dataclasses.dataclass(frozen=True)
class LookEncoderConfig(ModelConfig):
    width: int
    set_max: int
    single_fraction: float


@dataclasses.dataclass(frozen=True)
class Pix2PixConfig(ModelConfig):
    size: int
    output_size: int | None
    width: int
    max_mult: int
    bottleneck_mult: int
    dropout_layers: int
    disc_width: int
    disc_last_mult: int
    bn_momentum: float
    residual: bool
    lambda_l1: float
    lambda_gan: float
    reverse: bool


@dataclasses.dataclass(frozen=True)
class LutGanConfig(Pix2PixConfig):
    lut_size: int
    n_basis: int
    lambda_lut: float
    lambda_smooth: float
    lambda_mono: float


@dataclasses.dataclass(frozen=True)
class LutGan3dConfig(LutGanConfig):
    head_width: int
