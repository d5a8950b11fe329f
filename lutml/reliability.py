"""How far to trust a look learned from graded frames: too few frames, mixed looks, no look at all.

All three are measured on a palette of natural colours (pixels of the held-out neutral photos), as
mean CIEDE2000 between what two LUTs make of it:

- ``neutral_de00``: the learned look vs no grade. Neutral frames still give a "look" (their
  content differs from the average photo the estimator knows: 1.4-3.9 dE00 for 30 neutral
  corpus photos); below `neutral_max` the learned look is no stronger than that, so the frames
  may be neutral or their look too subtle to tell from content.
- ``mixed_de00``: the frames are split in two by their own per-frame looks (2-means); each half's
  look is estimated as a set, and the two are compared. Frames of one look give halves that
  agree up to content noise; frames of two looks give two different looks. Above `mixed_max`
  the frames are reported as mixed. Content noise is large (one-look sets of 30 frames: 4.7-7.7
  dE00), so only very different looks are caught.
- ``n_frames`` below `min_frames`: too little evidence to separate look from content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lutml.color import delta_e_2000, srgb_to_lab
from lutml.lut import LUT3D, apply_lut


def natural_palette(photos: Sequence[np.ndarray], n: int = 20000, seed: int = 0) -> np.ndarray:
    """`n` pixels drawn evenly from `photos`: float32 (n, 3)."""
    rng = np.random.default_rng(seed)
    per = max(1, n // len(photos))
    px = [p.reshape(-1, 3)[rng.choice(p.shape[0] * p.shape[1], per)] for p in photos]
    return np.concatenate(px).astype(np.float32)


def lut_distance(a: LUT3D | np.ndarray, b: LUT3D | np.ndarray, palette: np.ndarray) -> float:
    """Mean ΔE00 between two LUTs (or tables) applied to the palette."""
    la = a if isinstance(a, LUT3D) else LUT3D(np.asarray(a, np.float32))
    lb = b if isinstance(b, LUT3D) else LUT3D(np.asarray(b, np.float32))
    pa = np.clip(apply_lut(la, palette), 0.0, 1.0)
    pb = np.clip(apply_lut(lb, palette), 0.0, 1.0)
    return float(delta_e_2000(srgb_to_lab(pa), srgb_to_lab(pb)).mean())


@dataclass
class Reliability:
    n_frames: int
    neutral_de00: float
    mixed_de00: float | None
    cluster_sizes: list[int] | None
    warnings: list[str] = field(default_factory=list)

    @property
    def reliable(self) -> bool:
        return not self.warnings

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reliable": self.reliable}


def assess(
    model: Any,
    frames: Sequence[np.ndarray],
    look: LUT3D,
    palette: np.ndarray,
    min_frames: int,
    neutral_max: float,
    mixed_max: float,
    seed: int = 0,
    trust: Any = None,
) -> Reliability:
    """Reliability of `look`, learned by the look model `model` from `frames` (see module doc).

    With the model's trust report (`lutml.trust.TrustReport`), "no look" and "mixed looks" are
    its calibrated verdicts instead of the fixed `neutral_max` / `mixed_max` thresholds.
    """
    from sklearn.cluster import KMeans

    n = len(frames)
    identity = LUT3D.identity(look.size)
    neutral = lut_distance(look, identity, palette)
    mixed, sizes = None, None
    if n >= 4 and trust is None:
        own = model.frame_tables(frames)  # (n, m, m, m, 3)
        small = palette[:: max(1, len(palette) // 2000)]
        feats = np.stack([np.clip(apply_lut(LUT3D(t), small), 0.0, 1.0).ravel() for t in own])
        labels = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(feats)
        sizes = sorted(int(np.sum(labels == k)) for k in (0, 1))
        if sizes[0] >= 2:
            halves = [
                model.predict_table(
                    [f for f, lab in zip(frames, labels, strict=True) if lab == k], refine=0
                )
                for k in (0, 1)
            ]
            mixed = lut_distance(halves[0], halves[1], palette)
    warnings = []
    if n < min_frames:
        warnings.append(
            f"only {n} usable frame(s): at least {min_frames} are needed to tell a look from the "
            "content of the frames; the learned look is unreliable"
        )
    if trust is not None:
        warnings.extend(trust.warnings)
    elif neutral < neutral_max:
        warnings.append(
            f"the learned look differs from no grade by only {neutral:.2f} dE00 (< {neutral_max}), no "
            "more than neutral footage gives: the frames may be neutral, or their look too subtle to "
            "tell from their content"
        )
    if mixed is not None and mixed > mixed_max:
        warnings.append(
            f"the frames look like more than one look: two groups of {sizes[0]} and {sizes[1]} frames "
            f"whose looks differ by {mixed:.2f} dE00 (frames of one look stay below {mixed_max}); "
            "learn each look from its own frames"
        )
    return Reliability(
        n, round(neutral, 4), None if mixed is None else round(mixed, 4), sizes, warnings
    )
