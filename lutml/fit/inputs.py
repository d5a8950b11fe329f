"""Checking and flattening the image pairs a fit is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ArrayOrList = np.ndarray | Sequence[np.ndarray]


@dataclass
class PixelPairs:
    """Validated image pairs (not concatenated: a 4K pair is never copied).

    Attributes
    ----------
    frames : list of (source, target), (H, W, 3) each, float or uint8/uint16 as given
        Kept in their own dtype (8-bit frames stay 4x smaller than float32) and converted one
        pair at a time by `as_float`; finite-checked while binning; sources clamped where used.
    frame_weights : list of float64 (H, W) or None per pair
        Per-pixel weights >= 0 (mask and weights combined); None means all 1.
    """

    frames: list[tuple[np.ndarray, np.ndarray]]
    frame_weights: list[np.ndarray | None]

    def chunks(self, extra: list[np.ndarray] | None = None):
        """(source (N, 3), target (N, 3), weight (N,) or None) per pair, weights times `extra`."""
        for i, ((s, t), w) in enumerate(zip(self.frames, self.frame_weights, strict=True)):
            if extra is not None:
                w = extra[i] if w is None else w.ravel() * extra[i]
            yield (
                as_float(s).reshape(-1, 3),
                as_float(t).reshape(-1, 3),
                None if w is None else w.reshape(-1),
            )

    @property
    def n_pixels(self) -> int:
        """Pixels of non-zero weight over all pairs."""
        return int(
            sum(
                s.shape[0] * s.shape[1] if w is None else np.count_nonzero(w)
                for (s, _), w in zip(self.frames, self.frame_weights, strict=True)
            )
        )


def _as_list(x: object, what: str) -> list:
    if x is None:
        return []
    if isinstance(x, np.ndarray):
        return [x]
    if isinstance(x, Sequence) and not isinstance(x, str):
        return list(x)
    raise ValueError(
        f"{what} must be an image array (H, W, 3) or a list of them, got {type(x).__name__}"
    )


def as_float(arr: np.ndarray) -> np.ndarray:
    """float32 in [0, 1] from uint8/uint16 (scaled by the maximum code) or float images."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255.0)
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / np.float32(65535.0)
    return arr.astype(np.float32, copy=False)


def _check_image(x: object, what: str) -> np.ndarray:
    """The image as an array (its own dtype) after checking shape (H, W, 3) and dtype."""
    arr = np.asarray(x)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"{what} must be an RGB image of shape (H, W, 3), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape})")
    if arr.dtype not in (np.uint8, np.uint16) and not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{what} must be float in [0, 1] or uint8/uint16, got dtype {arr.dtype}")
    return arr  # NaN/inf are caught by the binning pass


def _per_pair(x: object, n: int, what: str) -> list:
    """One entry per pair: None, a single array for a single pair, or a list of n."""
    if x is None:
        return [None] * n
    if isinstance(x, list | tuple):
        if len(x) != n:
            raise ValueError(f"{what}: got {len(x)} arrays for {n} pairs")
        return list(x)
    if n == 1:
        return [x]
    raise ValueError(f"{what}: give a list with one (H, W) array per pair ({n} pairs)")


def _pixel_weight(
    weights: object, mask: object, shape: tuple[int, int], label: str
) -> np.ndarray | None:
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != shape:
            raise ValueError(f"{label}: weights must have shape {shape} (H, W), got {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"{label}: weights must be finite and >= 0")
    if mask is not None:
        m = np.asarray(mask)
        if m.shape != shape:
            raise ValueError(f"{label}: mask must have shape {shape} (H, W), got {m.shape}")
        w = m.astype(np.float64) if w is None else w * (m != 0)
    return w


def gather_pairs(
    source: ArrayOrList, target: ArrayOrList, weights: object = None, mask: object = None
) -> PixelPairs:
    """Validate image pairs (one, or lists of equal length).

    Raises
    ------
    ValueError
        No pairs, list lengths differ, a pair's images differ in size, an image is not RGB
        (H, W, 3), weights/mask have the wrong shape. (NaN/inf, an empty mask and a flat
        frame are found by the binning pass, see `lutml.fit.fit_lut_report`.)
    """
    sources, targets = _as_list(source, "source"), _as_list(target, "target")
    if not sources:
        raise ValueError("no image pairs to fit")
    if len(sources) != len(targets):
        raise ValueError(f"got {len(sources)} source images but {len(targets)} target images")
    n = len(sources)
    weight_list = _per_pair(weights, n, "weights")
    mask_list = _per_pair(mask, n, "mask")

    frames, frame_weights = [], []
    for i in range(n):
        label = "pair" if n == 1 else f"pair {i + 1}"
        src = _check_image(sources[i], f"{label} source")
        tgt = _check_image(targets[i], f"{label} target")
        if src.shape != tgt.shape:
            raise ValueError(
                f"{label}: source is {src.shape[1]}x{src.shape[0]} but target is "
                f"{tgt.shape[1]}x{tgt.shape[0]}; a pair must show the same frame at the same size"
            )
        frames.append((src, tgt))
        frame_weights.append(_pixel_weight(weight_list[i], mask_list[i], src.shape[:2], label))
    return PixelPairs(frames, frame_weights)
