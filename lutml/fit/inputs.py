"""Checking and flattening the image pairs a fit is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ArrayOrList = np.ndarray | Sequence[np.ndarray]


@dataclass
class PixelPairs:
    """All pixels of all pairs, flattened.

    Attributes
    ----------
    source, target : float32 (N, 3)
        Source colours clamped to [0, 1]; target colours as given (finite).
    weight : float64 (N,) or None
        Per-pixel weights >= 0 (mask and weights combined); None means all 1.
    frames : list of (H, W, 3) arrays per pair, unflattened, for methods that resample frames
    frame_weights : list of (H, W) arrays or None per pair
    """

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray | None
    frames: list[tuple[np.ndarray, np.ndarray]]
    frame_weights: list[np.ndarray | None]


def _as_list(x: object, what: str) -> list:
    if x is None:
        return []
    if isinstance(x, np.ndarray):
        return [x]
    if isinstance(x, Sequence) and not isinstance(x, str):
        return list(x)
    raise ValueError(f"{what} must be an image array (H, W, 3) or a list of them, got {type(x).__name__}")


def _as_image(x: object, what: str) -> np.ndarray:
    """float32 (H, W, 3) from float in [0, 1] or uint8/uint16 images."""
    arr = np.asarray(x)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"{what} must be an RGB image of shape (H, W, 3), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape})")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255.0)
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / np.float32(65535.0)
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{what} must be float in [0, 1] or uint8/uint16, got dtype {arr.dtype}")
    arr = arr.astype(np.float32, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or infinite values")
    return arr


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


def _pixel_weight(weights: object, mask: object, shape: tuple[int, int], label: str) -> np.ndarray | None:
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
    """Validate image pairs (one, or lists of equal length) and flatten their pixels.

    Raises
    ------
    ValueError
        No pairs, list lengths differ, a pair's images differ in size, an image is not RGB
        (H, W, 3) or has NaN/inf, weights/mask have the wrong shape, everything is masked out,
        or the source pixels are all one colour (a flat frame says nothing about a grade).
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
        s = _as_image(sources[i], f"{label} source")
        t = _as_image(targets[i], f"{label} target")
        if s.shape != t.shape:
            raise ValueError(
                f"{label}: source is {s.shape[1]}x{s.shape[0]} but target is {t.shape[1]}x{t.shape[0]};"
                " a pair must show the same frame at the same size"
            )
        frames.append((np.clip(s, 0.0, 1.0), t))
        frame_weights.append(_pixel_weight(weight_list[i], mask_list[i], s.shape[:2], label))

    src = np.concatenate([f[0].reshape(-1, 3) for f in frames])
    tgt = np.concatenate([f[1].reshape(-1, 3) for f in frames])
    weight = None
    if any(w is not None for w in frame_weights):
        weight = np.concatenate([
            np.ones(f[0].shape[0] * f[0].shape[1]) if w is None else w.ravel()
            for f, w in zip(frames, frame_weights, strict=True)
        ])
        if not np.any(weight > 0):
            raise ValueError("the mask/weights exclude every pixel: nothing left to fit")
    used = src if weight is None else src[weight > 0]
    if np.all(np.ptp(used, axis=0) < 1e-6):
        raise ValueError(
            "the source image is flat (every used pixel has the same colour): a single colour "
            "cannot determine a grade"
        )
    return PixelPairs(src, tgt, weight, frames, frame_weights)
