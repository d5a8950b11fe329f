"""The `eval` block (conf/eval/): scoring the learned look on held-out photos."""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class EvalConfig(Block):
    score_size: int
    refine: int
    preview_photos: int
    min_frames: int
    neutral_max: float
    mixed_max: float
    families: list[str]
    single_refs: int
