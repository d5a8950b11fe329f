"""The `frames` block (conf/config.yaml): the frames of the look the user gives."""

from __future__ import annotations

import dataclasses

from lutml.config.validators import Block


@dataclasses.dataclass(frozen=True)
class VideoConfig(Block):
    fps: float
    max_frames: int
    duplicate_threshold: float
    shot_threshold: float


@dataclasses.dataclass(frozen=True)
class FramesConfig(Block):
    source: str
    path: str | None
    graded: bool
    colour_space: str | None
    per_photo: int
    crop: list[float]
    min_size: int
    max_size: int
    video: VideoConfig
