"""The `train` block (conf/train/): one class per model kind (`lutml.config.registries.train_config`
picks it from the model)."""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class LookTrainConfig(Block):
    """`train` for the look estimator (conf/train/look.yaml)."""

    epochs: int
    steps_per_epoch: int
    batch_size: int
    learning_rate: float
    noise: float
    val_batches: int
    mlflow: bool
    ema: float | None
    crops_per_batch: int | None
    mosaic: float | None
    key: float | None
    content_sets: float | None
    trust_sets: int | None
    tone_sets: int | None
    tone_l2: float
    palette: int | None
    full_epochs: int | None
    strategy: str


@dataclasses.dataclass(frozen=True)
class GanTrainConfig(Block):
    """`train` for the pair-trained models (conf/train/gan.yaml, `original.train`)."""

    epochs: int
    batch_size: int
    steps_per_epoch: int | None
    jitter: float
    flip: bool
    learning_rate: float
    beta_1: float
    checkpoint_every: int
    validate_every: int
    val_pairs: int
    val_lut_size: int
    strategy: str
    mixed_precision: bool
    jit_compile: bool
    mlflow: bool
