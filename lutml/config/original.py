"""The `original` block (conf/original/): the original project's pix2pix baseline."""

from __future__ import annotations

import dataclasses

from lutml.config.model import Pix2PixConfig
from lutml.config.synth import OpsCount
from lutml.config.train import GanTrainConfig
from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class OriginalConfig(Block):
    pairs: int
    size: int
    ops: OpsCount
    test_fraction: float
    model: Pix2PixConfig
    train: GanTrainConfig
