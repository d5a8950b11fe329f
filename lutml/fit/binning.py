"""Colour binning: reduce any number of pixel pairs to at most ``bins**3`` weighted samples.

A fine 3D histogram over the source colour keeps, per occupied bin, the total weight and the
weighted mean source and target colours. Fitting the LUT to bin means instead of pixels makes the
cost depend on the lattice and the bin count, not on megapixels, and loses almost nothing: the mean
source of a bin is kept exactly, so only the grade's curvature inside one bin (1/64 of the range by
default) is averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Binned:
    """Weighted colour samples, one per occupied histogram bin.

    Attributes
    ----------
    source, target : float64 (M, 3)
        Weighted mean source / target colour of the bin's pixels.
    weight : float64 (M,)
        Total pixel weight of the bin (the pixel count when unweighted), > 0.
    bin_index : int64 (M,)
        Flat index ``(r * bins + g) * bins + b`` of the bin.
    bins : int
        Bins per axis.
    """

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    bin_index: np.ndarray
    bins: int


def bin_index(rgb: np.ndarray, bins: int) -> np.ndarray:
    """Flat histogram bin ``(r * bins + g) * bins + b`` of colours (N, 3) in [0, 1] (clamped)."""
    q = np.clip((np.asarray(rgb, np.float32) * bins).astype(np.int64), 0, bins - 1)
    return (q[:, 0] * bins + q[:, 1]) * bins + q[:, 2]


def bin_pairs(
    source: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None, bins: int = 64
) -> Binned:
    """Histogram pixel pairs by source colour.

    Parameters
    ----------
    source, target : float arrays (N, 3)
        Pixel colours, source in [0, 1] (the target may leave it).
    weight : float array (N,) or None
        Non-negative pixel weights; pixels of weight 0 are ignored. None means all 1.
    bins : int
        Bins per axis (at most 256, so the histogram holds at most 16.8 M cells).

    Returns
    -------
    Binned
        Occupied bins only, in increasing bin order.
    """
    idx = bin_index(source, bins)
    n_cells = bins**3
    w = None if weight is None else np.asarray(weight, np.float64)
    total = np.bincount(idx, weights=w, minlength=n_cells)
    occupied = np.flatnonzero(total > 0)
    wsum = total[occupied]

    def _mean(values: np.ndarray) -> np.ndarray:
        cols = []
        for c in range(3):
            vc = values[:, c].astype(np.float64) if w is None else values[:, c] * w
            cols.append(np.bincount(idx, weights=vc, minlength=n_cells)[occupied] / wsum)
        return np.stack(cols, axis=1)

    return Binned(_mean(source), _mean(target), wsum, occupied, bins)


def merge_binned(parts: list[Binned]) -> Binned:
    """Combine the bins of several frames (same ``bins``) into one weighted sample set."""
    if len(parts) == 1:
        return parts[0]
    bins = parts[0].bins
    idx = np.concatenate([p.bin_index for p in parts])
    w = np.concatenate([p.weight for p in parts])
    uniq, inv = np.unique(idx, return_inverse=True)
    wsum = np.bincount(inv, weights=w)

    def _mean(name: str) -> np.ndarray:
        vals = np.concatenate([getattr(p, name) for p in parts])
        return np.stack(
            [np.bincount(inv, weights=vals[:, c] * w) / wsum for c in range(3)], axis=1
        )

    return Binned(_mean("source"), _mean("target"), wsum, uniq, bins)
