"""Colour binning: reduce any number of pixel pairs to at most ``bins**3`` weighted samples.

A fine 3D histogram over the source colour keeps, per occupied bin, the total weight and the
weighted mean source and target colours. Fitting the LUT to bin means instead of pixels makes the
cost depend on the lattice and the bin count, not on megapixels, and loses almost nothing: the
mean source of a bin is kept exactly, so only the grade's curvature inside one bin (1/96 of the
range in `lutml.fit`, 1/64 here by default) is averaged. One compiled pass over the pixels also counts the pixel weight
per LUT cell (the coverage) and checks that every value is finite.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numba
import numpy as np


@dataclass
class Binned:
    """Weighted colour samples, one per occupied histogram bin.

    Attributes
    ----------
    source, target : float64 (M, 3)
        Weighted mean source / target colour of the bin's pixels (source clamped to [0, 1]).
    weight : float64 (M,)
        Total pixel weight of the bin (the pixel count when unweighted), > 0.
    bins : int
        Bins per axis.
    cell_weight : float64 (c, c, c) or None
        Pixel weight per LUT cell, axes [r, g, b], when counted for a lattice of c + 1 nodes.
    """

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    bins: int
    cell_weight: np.ndarray | None = None


@numba.njit(cache=True)
def _accumulate(src, tgt, w, has_w, bins, cells, acc, cov):  # pragma: no cover - compiled
    """Add pixels (N, 3) into acc (bins^3, 7) = [weight, sum w*s (3), sum w*t (3)] and cov.

    Returns the number of non-finite source and target values seen (the pixels are skipped).
    """
    bad_src = 0
    bad_tgt = 0
    for i in range(src.shape[0]):
        wi = w[i] if has_w else 1.0
        if not wi > 0.0:
            continue
        r, g, b = src[i, 0], src[i, 1], src[i, 2]
        if not (np.isfinite(r) and np.isfinite(g) and np.isfinite(b)):
            bad_src += 1
            continue
        tr, tg, tb = tgt[i, 0], tgt[i, 1], tgt[i, 2]
        if not (np.isfinite(tr) and np.isfinite(tg) and np.isfinite(tb)):
            bad_tgt += 1
            continue
        r = min(max(r, 0.0), 1.0)
        g = min(max(g, 0.0), 1.0)
        b = min(max(b, 0.0), 1.0)
        k = (min(int(r * bins), bins - 1) * bins + min(int(g * bins), bins - 1)) * bins + min(
            int(b * bins), bins - 1
        )
        acc[k, 0] += wi
        acc[k, 1] += wi * r
        acc[k, 2] += wi * g
        acc[k, 3] += wi * b
        acc[k, 4] += wi * tr
        acc[k, 5] += wi * tg
        acc[k, 6] += wi * tb
        if cells > 0:
            cov[
                min(int(r * cells), cells - 1),
                min(int(g * cells), cells - 1),
                min(int(b * cells), cells - 1),
            ] += wi
    return bad_src, bad_tgt


def bin_pixels(
    chunks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    bins: int = 64,
    cells: int = 0,
) -> Binned:
    """Histogram pixel pairs by source colour.

    Parameters
    ----------
    chunks : iterable of (source (N, 3), target (N, 3), weight (N,) or None)
        Pixel colours (float32/float64; sources clamped to [0, 1], targets as given) and
        non-negative weights (None = all 1). Pixels of weight 0 are ignored.
    bins : int
        Bins per axis (at most 256).
    cells : int
        Also count pixel weight per cell of a lattice with ``cells + 1`` nodes (0: don't).

    Returns
    -------
    Binned
        Occupied bins only, in increasing bin order.

    Raises
    ------
    ValueError
        A chunk holds NaN or infinite values (message says which chunk and side).
    """
    acc = np.zeros((bins**3, 7))
    cov = np.zeros((max(cells, 1),) * 3)
    for index, (src, tgt, w) in enumerate(chunks):
        s = np.ascontiguousarray(src).reshape(-1, 3)
        t = np.ascontiguousarray(tgt).reshape(-1, 3)
        ww = np.zeros(1) if w is None else np.ascontiguousarray(w, dtype=np.float64).reshape(-1)
        bad_s, bad_t = _accumulate(s, t, ww, w is not None, bins, cells, acc, cov)
        if bad_s or bad_t:
            side = "source" if bad_s else "target"
            raise ValueError(f"pair {index + 1} {side} contains NaN or infinite values")
    occupied = np.flatnonzero(acc[:, 0] > 0)
    used = acc[occupied]
    wsum = used[:, 0]
    return Binned(
        used[:, 1:4] / wsum[:, None],
        used[:, 4:7] / wsum[:, None],
        wsum,
        bins,
        cov if cells > 0 else None,
    )


def bin_pairs(
    source: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None, bins: int = 64
) -> Binned:
    """`bin_pixels` for one set of pixels (N, 3), (N, 3), weight (N,) or None."""
    return bin_pixels([(source, target, weight)], bins)
