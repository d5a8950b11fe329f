"""Apply a `LUT3D` to images: tetrahedral or trilinear, compiled with numba.

Two kernels share one lattice lookup:

- float images (float32/float64, any shape ``(..., 3)``): each pixel is shaped (optional 1D
  shaper), scaled into lattice coordinates, clamped to the domain as OpenColorIO does, looked up.
  Arithmetic is in the image's precision (float32 like OpenColorIO, or float64).
- integer images (uint8/uint16): a pixel can only take 256 (65536) values per channel, so the
  shaper, the domain scaling, the clamping, the lattice offset and the fraction of every code
  value are computed once per channel in a small table; the per-pixel work is the lookup alone.
  Results are rounded to the nearest code value (half up) and clamped. uint8 is computed in
  float32 (error ~1e-5 code values), uint16 in float64.

`strength` blends the graded result with the input: ``input + strength * (graded - input)``;
`lut_at_strength` bakes the same blend into a LUT.
The only frame-sized allocation is the output (plus a contiguous copy of a non-contiguous input).
Kernels are compiled on first use per dtype and cached on disk (``cache=True``). The kernels are
generic in their compute type: every constant is derived from the ``one`` argument, so a
float32 call never silently promotes to float64. The tetrahedron is picked with integer masks
rather than nested ifs, which mispredict on noisy images. The lattice
is padded to 4 floats per node so that the node arithmetic runs on all channels at once
(`lutml.lut._simd`).
"""

from __future__ import annotations

import numba
import numpy as np

from lutml.lut._simd import trilinear_nodes, weighted_nodes
from lutml.lut.lut3d import LUT3D, identity_table

INTERPOLATIONS = ("tetrahedral", "trilinear")
MAX_STRENGTH = 2.0


def apply_lut(
    lut: LUT3D,
    image: np.ndarray,
    interpolation: str = "tetrahedral",
    strength: float = 1.0,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Grade `image` with `lut`.

    Parameters
    ----------
    lut : LUT3D
        The look; its shaper (if any) is applied first, inputs outside the domain are clamped.
    image : ndarray, shape (..., 3), RGB in the last axis
        float32/float64 (any range; the LUT's domain is the meaningful one) or uint8/uint16
        (code values, full range ``0..2**bits - 1`` maps to [0, 1]).
    interpolation : {"tetrahedral", "trilinear"}
        Tetrahedral matches OpenColorIO, Resolve and ffmpeg's ``interp=tetrahedral``.
    strength : float in [0, 2]
        0 returns the input, 1 the fully graded image, in between a linear blend; above 1
        the look is exaggerated (extrapolated), as `lutml grade --strength` allows.
    out : ndarray, optional
        C-contiguous array of the same shape and dtype to write the result into (may be
        `image` itself: each pixel is read before it is written). Saves allocating and
        faulting in a frame per call when grading many frames.

    Returns
    -------
    ndarray
        Same shape and dtype as `image`; integer results are rounded to the nearest code value.
        NaN inputs count as the domain minimum.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if not 0.0 <= float(strength) <= MAX_STRENGTH:
        raise ValueError(f"strength must be between 0 and {MAX_STRENGTH:g}, got {strength}")
    image = np.asarray(image)
    if image.ndim < 1 or image.shape[-1] != 3:
        raise ValueError(f"image must have RGB in its last axis, shape (..., 3); got {image.shape}")
    if image.dtype not in _COMPUTE:
        raise ValueError(
            f"image dtype must be float32, float64, uint8 or uint16; got {image.dtype}"
        )
    pixels = np.ascontiguousarray(image).reshape(-1, 3)
    result = _output_for(image, out)
    flat_out = result.reshape(-1, 3)  # a view: `result` is C-contiguous
    ftype = _COMPUTE[image.dtype]
    one, tetra = ftype(1.0), interpolation == "tetrahedral"
    table, n = _padded_nodes(lut.table), lut.size
    if image.dtype in _INT_MAX:
        offsets, fracs, inputs = _code_tables(lut, _INT_MAX[image.dtype], ftype)
        _apply_int(pixels, flat_out, table, n, offsets, fracs, inputs, ftype(strength), tetra, one)
    else:
        lo, scale = _domain_scale(lut, ftype)
        s_table, s_lo, s_scale, has_shaper = _shaper_args(lut, ftype)
        _apply_float(
            pixels,
            flat_out,
            table,
            n,
            lo,
            scale,
            s_table,
            s_lo,
            s_scale,
            has_shaper,
            ftype(strength),
            tetra,
            one,
        )
    return result


def lut_at_strength(lut: LUT3D, strength: float) -> LUT3D:
    """The LUT whose output is ``src + strength * (lut(src) - src)``: `apply_lut`'s `strength`
    baked into the table (for a file, a preview, a download).

    Blending the table with the identity lattice gives exactly that for trilinear and tetrahedral
    interpolation (both reproduce the identity and are linear in the node values), so
    ``apply_lut(lut_at_strength(lut, s), img)`` equals ``apply_lut(lut, img, strength=s)``.

    Parameters
    ----------
    lut : the LUT at full strength; without a 1D shaper unless `strength` is 1
    strength : float in [0, 2]; 0 is the identity, 1 returns `lut` itself, above 1 exaggerates

    Returns
    -------
    A new LUT3D (float32 table ``grid + strength * (table - grid)``, grid = the identity lattice
    on `lut`'s domain), title kept, a ``strength 0.50`` comment added. ValueError for a strength
    out of range or a LUT with a shaper.
    """
    if not 0.0 <= float(strength) <= MAX_STRENGTH:
        raise ValueError(f"strength must be between 0 and {MAX_STRENGTH:g}, got {strength}")
    if strength == 1.0:
        return lut
    if lut.shaper is not None:
        raise ValueError("a strength other than 100% is not supported for LUTs with a 1D shaper")
    grid = identity_table(lut.size) * (lut.domain_max - lut.domain_min) + lut.domain_min
    table = grid + np.float32(strength) * (lut.table - grid)
    comments = [*lut.comments, f"strength {strength:.2f}"]
    return LUT3D(table, lut.domain_min, lut.domain_max, lut.title, None, comments)


def _output_for(image: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """A fresh C-contiguous array like `image`, or `out` once checked to fit."""
    if out is None:
        return np.empty(image.shape, image.dtype)
    if out.shape != image.shape or out.dtype != image.dtype:
        raise ValueError(
            f"out must have the image's shape {image.shape} and dtype {image.dtype}, "
            f"got {out.shape} {out.dtype}"
        )
    if not (out.flags.c_contiguous and out.flags.writeable):
        raise ValueError("out must be a writeable C-contiguous array")
    return out


def _padded_nodes(table: np.ndarray) -> np.ndarray:
    """The (n, n, n, 3) table as flat float32 rows of 4 (R, G, B, 0): one node = one vector."""
    padded = np.zeros(table.shape[:3] + (4,), np.float32)
    padded[..., :3] = table
    return padded.reshape(-1)


def _domain_scale(lut: LUT3D, ftype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(domain_min, (n - 1) / (domain_max - domain_min)) as 3-vectors of `ftype`."""
    lo = lut.domain_min.astype(np.float64)
    scale = (lut.size - 1) / (lut.domain_max.astype(np.float64) - lo)
    return lo.astype(ftype), scale.astype(ftype)


def _shaper_args(
    lut: LUT3D, ftype: type = np.float64
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """(table (m, 3), domain_min, index scale, present) of the shaper; a dummy when absent."""
    if lut.shaper is None:
        return np.zeros((2, 3), np.float32), np.zeros(3, ftype), np.ones(3, ftype), False
    s = lut.shaper
    lo = s.domain_min.astype(np.float64)
    scale = (s.size - 1) / (s.domain_max.astype(np.float64) - lo)
    return s.table, lo.astype(ftype), scale.astype(ftype), True


def _code_tables(
    lut: LUT3D, max_code: int, ftype: type
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code value and channel: flat lattice offset, fraction, and the input in [0, 1].

    Returns ``offsets`` int64 (K, 3) with ``offsets[v, c]`` = lower node index of code ``v`` on
    axis ``c`` times that axis's stride in the flat padded ``[r, g, b, 4]`` table, ``fracs``
    (K, 3) and ``inputs`` (K,) of `ftype`, K = max_code + 1. Computed in float64.
    """
    inputs = np.arange(max_code + 1, dtype=np.float64) / max_code
    values = np.repeat(inputs[:, None], 3, axis=1)
    if lut.shaper is not None:
        shaped = np.empty_like(values)
        _shape_rows(values, shaped, *_shaper_args(lut)[:3], 1.0)
        values = shaped
    lo, scale = _domain_scale(lut)
    n = lut.size
    x = np.clip((values - lo) * scale, 0.0, n - 1)  # clamp to the domain, like OpenColorIO
    index = np.minimum(np.floor(x), n - 2)
    strides = np.array([n * n * 4, n * 4, 4], dtype=np.int64)
    return index.astype(np.int64) * strides, (x - index).astype(ftype), inputs.astype(ftype)


_INT_MAX = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}
# Arithmetic type per image dtype: float32 keeps OpenColorIO's precision at its speed; 16-bit
# code values need float64 to round correctly.
_COMPUTE = {
    np.dtype(np.float32): np.float32,
    np.dtype(np.float64): np.float64,
    np.dtype(np.uint8): np.float32,
    np.dtype(np.uint16): np.float64,
}


@numba.njit(cache=True, fastmath=False)
def _shape_rows(values, out, shaper, lo, scale, one):  # pragma: no cover - compiled
    for p in range(values.shape[0]):
        for c in range(3):
            out[p, c] = _shape(shaper, c, values[p, c], lo[c], scale[c], one)


@numba.njit(cache=True, fastmath=False)
def _clamped_cell(v, lo, scale, top, one):  # pragma: no cover - compiled
    """Lower node (as a float) and fraction of `v` on an axis with nodes 0..top+1, clamped.

    NaN lands on node 0 (``not x > 0``), as in OpenColorIO.
    """
    zero = one - one
    x = (v - lo) * scale
    x = x if x > zero else zero
    x = x if x < top + one else top + one
    i = np.floor(x)
    i = i if i < top else top
    return i, x - i


@numba.njit(cache=True, fastmath=False)
def _shape(shaper, c, v, lo, scale, one):  # pragma: no cover - compiled
    """Linear interpolation of shaper channel `c` at `v`, clamped to its domain."""
    i, f = _clamped_cell(v, lo, scale, (shaper.shape[0] - 2) * one, one)
    k = int(i)
    a = shaper[k, c] * one  # exact promotion to the compute type before differencing
    return a + f * (shaper[k + 1, c] * one - a)


@numba.njit(cache=True, fastmath=False)
def _lookup(t, base, sr, sg, sb, fr, fg, fb, tetra, one):  # pragma: no cover - compiled
    """Interpolate the flat padded [r, g, b, 4] table `t` in the cell at `base` (strides
    sr, sg, sb), fractions fr, fg, fb in the compute type."""
    if tetra:
        # The cell splits into 6 tetrahedra along its grey diagonal, one per order of the
        # fractions: walk from node 000 along the axis of the largest fraction (offset `a`),
        # then the middle one (node 111 minus the axis of the smallest, `drop`), to node 111.
        # The axes are picked with 0/1 integer masks, not branches or selects, which the
        # compiler turns into jumps that mispredict on noisy images (~2x slower there).
        # Ties may pick either axis: the weights of the tied vertices are then 0.
        rg, gb, rb = np.int64(fr > fg), np.int64(fg > fb), np.int64(fr > fb)
        a = sr * (rg & rb) + sg * ((1 - rg) & gb) + sb * ((1 - rb) & (1 - gb))
        drop = sr * ((1 - rg) & (1 - rb)) + sg * (rg & (1 - gb)) + sb * (rb & gb)
        hi = max(fr, max(fg, fb))
        lo = min(fr, min(fg, fb))
        mid = fr + fg + fb - hi - lo
        full = sr + sg + sb
        return weighted_nodes(
            t, base, base + a, base + full - drop, base + full, one - hi, hi - mid, mid - lo, lo
        )
    return trilinear_nodes(t, base, sr, sg, sb, fr, fg, fb)


@numba.njit(parallel=True, cache=True, fastmath=False)
def _apply_float(
    pixels, out, t, n, lo, scale, shaper, s_lo, s_scale, has_shaper, strength, tetra, one
):  # pragma: no cover - compiled
    sr, sg, sb = n * n * 4, n * 4, 4
    top = (n - 2) * one
    for p in numba.prange(pixels.shape[0]):
        r, g, b = pixels[p, 0] * one, pixels[p, 1] * one, pixels[p, 2] * one
        if has_shaper:
            r = _shape(shaper, 0, r, s_lo[0], s_scale[0], one)
            g = _shape(shaper, 1, g, s_lo[1], s_scale[1], one)
            b = _shape(shaper, 2, b, s_lo[2], s_scale[2], one)
        ir, fr = _clamped_cell(r, lo[0], scale[0], top, one)
        ig, fg = _clamped_cell(g, lo[1], scale[1], top, one)
        ib, fb = _clamped_cell(b, lo[2], scale[2], top, one)
        base = int(ir) * sr + int(ig) * sg + int(ib) * sb
        o0, o1, o2 = _lookup(t, base, sr, sg, sb, fr, fg, fb, tetra, one)
        if strength != one:
            o0 = pixels[p, 0] + strength * (o0 - pixels[p, 0])
            o1 = pixels[p, 1] + strength * (o1 - pixels[p, 1])
            o2 = pixels[p, 2] + strength * (o2 - pixels[p, 2])
        out[p, 0] = o0
        out[p, 1] = o1
        out[p, 2] = o2


@numba.njit(cache=True, fastmath=False)
def _to_code(v, max_code, one):  # pragma: no cover - compiled
    """Round a [0, 1] value to the nearest code value (half up), clamped to [0, max_code]."""
    x = v * max_code + one / 2
    x = x if x > one - one else one - one
    x = x if x < max_code else max_code
    return int(x)


@numba.njit(parallel=True, cache=True, fastmath=False)
def _apply_int(
    pixels, out, t, n, offsets, fracs, inputs, strength, tetra, one
):  # pragma: no cover - compiled
    sr, sg, sb = n * n * 4, n * 4, 4
    max_code = (inputs.shape[0] - 1) * one
    for p in numba.prange(pixels.shape[0]):
        r, g, b = pixels[p, 0], pixels[p, 1], pixels[p, 2]
        base = offsets[r, 0] + offsets[g, 1] + offsets[b, 2]
        o0, o1, o2 = _lookup(t, base, sr, sg, sb, fracs[r, 0], fracs[g, 1], fracs[b, 2], tetra, one)
        if strength != one:
            o0 = inputs[r] + strength * (o0 - inputs[r])
            o1 = inputs[g] + strength * (o1 - inputs[g])
            o2 = inputs[b] + strength * (o2 - inputs[b])
        out[p, 0] = _to_code(o0, max_code, one)
        out[p, 1] = _to_code(o1, max_code, one)
        out[p, 2] = _to_code(o2, max_code, one)
