"""Plain-NumPy LUT application: the slow, obvious version `apply_lut` is checked and timed against.

Written independently of the numba kernels (vectorised float64, explicit 6-case tetrahedral
masks, `np.interp` for the shaper) so a shared mistake is unlikely.
"""

from __future__ import annotations

import numpy as np

from lutml.lut.lut3d import LUT3D

_CHUNK = 1 << 20  # pixels per step: bounds the float64 temporaries to a few tens of MB


def apply_lut_numpy(
    lut: LUT3D, image: np.ndarray, interpolation: str = "tetrahedral"
) -> np.ndarray:
    """Float64 result of `lut` on `image` (..., 3) given as floats in the LUT's input units.

    Integer images must be normalised by the caller (``x / 255``). Inputs outside the domain
    are clamped to it; NaN counts as the domain minimum.
    """
    rgb = np.asarray(image, dtype=np.float64).reshape(-1, 3)
    out = np.empty_like(rgb)
    for start in range(0, len(rgb), _CHUNK):
        out[start : start + _CHUNK] = _apply_chunk(lut, rgb[start : start + _CHUNK], interpolation)
    return out.reshape(np.shape(image))


def _apply_chunk(lut: LUT3D, rgb: np.ndarray, interpolation: str) -> np.ndarray:
    rgb = np.nan_to_num(rgb, nan=-np.inf)
    if lut.shaper is not None:
        s = lut.shaper
        shaped = np.empty_like(rgb)
        for c in range(3):
            nodes = np.linspace(float(s.domain_min[c]), float(s.domain_max[c]), s.size)
            shaped[:, c] = np.interp(rgb[:, c], nodes, s.table[:, c].astype(np.float64))
        rgb = shaped
    n = lut.size
    lo, hi = lut.domain_min.astype(np.float64), lut.domain_max.astype(np.float64)
    x = np.clip((rgb - lo) / (hi - lo) * (n - 1), 0, n - 1)
    i = np.minimum(np.floor(x).astype(np.intp), n - 2)
    f = x - i
    flat = lut.table.astype(np.float64).reshape(-1, 3)  # row (r * n + g) * n + b
    base = (i[:, 0] * n + i[:, 1]) * n + i[:, 2]
    stride = {(1, 0, 0): n * n, (0, 1, 0): n, (0, 0, 1): 1}

    def node(d: tuple[int, int, int], sel: np.ndarray | slice = slice(None)) -> np.ndarray:
        step = d[0] * stride[(1, 0, 0)] + d[1] * stride[(0, 1, 0)] + d[2]
        return flat[base[sel] + step]

    fr, fg, fb = (f[:, k : k + 1] for k in range(3))
    if interpolation == "trilinear":
        c00 = node((0, 0, 0)) * (1 - fr) + node((1, 0, 0)) * fr
        c10 = node((0, 1, 0)) * (1 - fr) + node((1, 1, 0)) * fr
        c01 = node((0, 0, 1)) * (1 - fr) + node((1, 0, 1)) * fr
        c11 = node((0, 1, 1)) * (1 - fr) + node((1, 1, 1)) * fr
        return (c00 * (1 - fg) + c10 * fg) * (1 - fb) + (c01 * (1 - fg) + c11 * fg) * fb
    if interpolation != "tetrahedral":
        raise ValueError(f"unknown interpolation {interpolation!r}")
    out = np.empty_like(rgb)
    # (condition, one-axis vertex, two-axis vertex, weights of c000/va/vb/c111)
    cases = [
        ((fr > fg) & (fg > fb), (1, 0, 0), (1, 1, 0), (1 - fr, fr - fg, fg - fb, fb)),
        ((fr > fb) & (fb >= fg), (1, 0, 0), (1, 0, 1), (1 - fr, fr - fb, fb - fg, fg)),
        ((fb >= fr) & (fr > fg), (0, 0, 1), (1, 0, 1), (1 - fb, fb - fr, fr - fg, fg)),
        ((fb > fg) & (fg >= fr), (0, 0, 1), (0, 1, 1), (1 - fb, fb - fg, fg - fr, fr)),
        ((fg >= fb) & (fb > fr), (0, 1, 0), (0, 1, 1), (1 - fg, fg - fb, fb - fr, fr)),
        ((fg >= fr) & (fr >= fb), (0, 1, 0), (1, 1, 0), (1 - fg, fg - fr, fr - fb, fb)),
    ]
    done = np.zeros(len(rgb), dtype=bool)
    for cond, va, vb, weights in cases:
        sel = np.flatnonzero(cond[:, 0] & ~done)
        done[sel] = True
        w0, w1, w2, w3 = (w[sel] for w in weights)
        out[sel] = (
            w0 * node((0, 0, 0), sel)
            + w1 * node(va, sel)
            + w2 * node(vb, sel)
            + w3 * node((1, 1, 1), sel)
        )
    assert done.all(), "tetrahedral cases must cover every fraction order"
    return out
