"""The `split` block (conf/split/): the train/validation split."""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class SplitConfig(Block):
    test_fraction: float
