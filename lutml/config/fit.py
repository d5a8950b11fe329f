"""The `fit` block (conf/fit/): the lattice fit of a LUT and the look basis."""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class BasisConfig(Block):
    n_components: int
    floor: float
    blur: float


@dataclasses.dataclass(frozen=True)
class FitConfig(Block):
    method: str
    size: int
    smoothness: float | None
    interpolation: str
    robust: bool
    gt_robust: bool
    workers: int
    basis: BasisConfig
