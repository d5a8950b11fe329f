"""The `corpus` block (conf/corpus/): where the photos are and how many of each role."""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class CorpusConfig(Block):
    root: str
    eval: int
    look: int
