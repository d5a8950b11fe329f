"""Apply a `LUT3D` to images: tetrahedral or trilinear, compiled with numba.

Two kernels share one lattice lookup:

- float images (float32/float64, any shape ``(..., 3)``): each pixel is shaped (optional 1D
  shaper), scaled into lattice coordinates, clamped to the domain as OpenColorIO does, looked up;
  arithmetic in float64, result in the image's dtype.
- integer images (uint8/uint16): a pixel can only take 256 (65536) values per channel, so the
  shaper, the domain scaling, the clamping, the lattice offset and the fraction of every code
  value are computed once per channel in a small table; the per-pixel work is the lookup alone.
  Results are rounded to the nearest code value (half up) and clamped.

`strength` blends the graded result with the input: ``input + strength * (graded - input)``.
The only frame-sized allocation is the output (plus a contiguous copy of a non-contiguous input).
Kernels are compiled on first use per dtype and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numba
import numpy as np

from lutml.lut.lut3d import LUT3D

INTERPOLATIONS = ("tetrahedral", "trilinear")
_INT_MAX = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}


def apply_lut(
    lut: LUT3D,
    image: np.ndarray,
    interpolation: str = "tetrahedral",
    strength: float = 1.0,
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
    strength : float in [0, 1]
        0 returns the input, 1 the fully graded image; in between, a linear blend.

    Returns
    -------
    ndarray
        Same shape and dtype as `image`; integer results are rounded to the nearest code value.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if not 0.0 <= float(strength) <= 1.0:
        raise ValueError(f"strength must be between 0 and 1, got {strength}")
    image = np.asarray(image)
    if image.ndim < 1 or image.shape[-1] != 3:
        raise ValueError(f"image must have RGB in its last axis, shape (..., 3); got {image.shape}")
    pixels = np.ascontiguousarray(image).reshape(-1, 3)
    out = np.empty_like(pixels)
    tetra = interpolation == "tetrahedral"
    table = lut.table.reshape(-1)
    if image.dtype in _INT_MAX:
        offsets, fracs, inputs = _code_tables(lut, _INT_MAX[image.dtype])
        _apply_int(pixels, out, table, lut.size, offsets, fracs, inputs, float(strength), tetra)
    elif image.dtype in (np.float32, np.float64):
        _apply_float(pixels, out, table, lut.size, *_domain_scale(lut), *_shaper_args(lut),
                     float(strength), tetra)
    else:
        raise ValueError(f"image dtype must be float32, float64, uint8 or uint16; got {image.dtype}")
    return out.reshape(image.shape)


def _domain_scale(lut: LUT3D) -> tuple[np.ndarray, np.ndarray]:
    """(domain_min, (n - 1) / (domain_max - domain_min)) as float64 3-vectors."""
    lo = lut.domain_min.astype(np.float64)
    return lo, (lut.size - 1) / (lut.domain_max.astype(np.float64) - lo)


def _shaper_args(lut: LUT3D) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """(table (m, 3), domain_min, index scale, present) of the shaper; a dummy when absent."""
    if lut.shaper is None:
        return np.zeros((2, 3), np.float32), np.zeros(3), np.ones(3), False
    s = lut.shaper
    lo = s.domain_min.astype(np.float64)
    return s.table, lo, (s.size - 1) / (s.domain_max.astype(np.float64) - lo), True


def _code_tables(lut: LUT3D, max_code: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code value and channel: flat lattice offset (int64), fraction, and input in [0, 1].

    Returns ``offsets`` (K, 3) with ``offsets[v, c]`` = lower node index of code ``v`` on axis
    ``c`` times that axis's stride in the flattened ``[r, g, b, 3]`` table, ``fracs`` (K, 3)
    float64 and ``inputs`` (K,) float64, K = max_code + 1.
    """
    inputs = np.arange(max_code + 1, dtype=np.float64) / max_code
    values = np.repeat(inputs[:, None], 3, axis=1)
    if lut.shaper is not None:
        shaped = np.empty_like(values)
        _shape_rows(values, shaped, *_shaper_args(lut)[:3])
        values = shaped
    lo, scale = _domain_scale(lut)
    n = lut.size
    x = np.clip((values - lo) * scale, 0.0, n - 1)  # clamp to the domain, like OpenColorIO
    index = np.minimum(x.astype(np.int64), n - 2)
    strides = np.array([n * n * 3, n * 3, 3], dtype=np.int64)
    return index * strides, x - index, inputs


@numba.njit(cache=True, fastmath=False)
def _shape_rows(values, out, shaper, lo, scale):  # pragma: no cover - compiled
    for p in range(values.shape[0]):
        for c in range(3):
            out[p, c] = _shape(shaper, c, values[p, c], lo[c], scale[c])


@numba.njit(cache=True, fastmath=False)
def _shape(shaper, c, v, lo, scale):  # pragma: no cover - compiled
    """Linear interpolation of shaper channel `c` at `v`, clamped to its domain."""
    m = shaper.shape[0]
    x = (v - lo) * scale
    if not x > 0.0:  # also catches NaN
        x = 0.0
    if x > m - 1:
        x = float(m - 1)
    i = min(int(x), m - 2)
    f = x - i
    a = np.float64(shaper[i, c])
    return a + f * (np.float64(shaper[i + 1, c]) - a)


@numba.njit(cache=True, fastmath=False)
def _axis(v, lo, scale, n):  # pragma: no cover - compiled
    """Lower node index and fraction of value `v` on one lattice axis (clamped)."""
    x = (v - lo) * scale
    if not x > 0.0:  # also catches NaN: OpenColorIO maps it to the domain minimum too
        x = 0.0
    if x > n - 1:
        x = float(n - 1)
    i = min(int(x), n - 2)
    return i, x - i


@numba.njit(cache=True, fastmath=False)
def _lookup(t, base, sr, sg, sb, fr, fg, fb, tetra):  # pragma: no cover - compiled
    """Interpolate the flat [r, g, b, 3] table `t` in the cell at `base` (strides sr, sg, sb)."""
    c111 = base + sr + sg + sb
    if tetra:
        # The cell splits into 6 tetrahedra along its grey diagonal; the order of the fractions
        # picks one. Written with selects rather than nested ifs so the compiler can avoid
        # branches, which mispredict on noisy images.
        hi = max(fr, max(fg, fb))
        lo = min(fr, min(fg, fb))
        mid = fr + fg + fb - hi - lo
        a = sr if fr == hi else (sg if fg == hi else sb)  # one-axis vertex: largest fraction
        b = sr + sg + sb - (sb if fb == lo else (sg if fg == lo else sr))  # drop the smallest
        w0, w1, w2, w3 = 1.0 - hi, hi - mid, mid - lo, lo
        ca = base + a
        cb = base + b
        o0 = w0 * t[base] + w1 * t[ca] + w2 * t[cb] + w3 * t[c111]
        o1 = w0 * t[base + 1] + w1 * t[ca + 1] + w2 * t[cb + 1] + w3 * t[c111 + 1]
        o2 = w0 * t[base + 2] + w1 * t[ca + 2] + w2 * t[cb + 2] + w3 * t[c111 + 2]
        return o0, o1, o2
    return (_trilinear(t, base, sr, sg, sb, fr, fg, fb),
            _trilinear(t, base + 1, sr, sg, sb, fr, fg, fb),
            _trilinear(t, base + 2, sr, sg, sb, fr, fg, fb))


@numba.njit(cache=True, fastmath=False)
def _trilinear(t, c, sr, sg, sb, fr, fg, fb):  # pragma: no cover - compiled
    """One output channel: lerp along red, then green, then blue (in float64: the float32
    differences of neighbouring nodes would round)."""
    c000, c100 = np.float64(t[c]), np.float64(t[c + sr])
    c010, c110 = np.float64(t[c + sg]), np.float64(t[c + sr + sg])
    c001, c101 = np.float64(t[c + sb]), np.float64(t[c + sr + sb])
    c011, c111 = np.float64(t[c + sg + sb]), np.float64(t[c + sr + sg + sb])
    x00 = c000 + fr * (c100 - c000)
    x10 = c010 + fr * (c110 - c010)
    x01 = c001 + fr * (c101 - c001)
    x11 = c011 + fr * (c111 - c011)
    y0 = x00 + fg * (x10 - x00)
    y1 = x01 + fg * (x11 - x01)
    return y0 + fb * (y1 - y0)


@numba.njit(parallel=True, cache=True, fastmath=False)
def _apply_float(pixels, out, t, n, lo, scale, shaper, s_lo, s_scale, has_shaper, strength,
                 tetra):  # pragma: no cover - compiled
    sr, sg, sb = n * n * 3, n * 3, 3
    for p in numba.prange(pixels.shape[0]):
        r, g, b = pixels[p, 0], pixels[p, 1], pixels[p, 2]
        if has_shaper:
            r = _shape(shaper, 0, r, s_lo[0], s_scale[0])
            g = _shape(shaper, 1, g, s_lo[1], s_scale[1])
            b = _shape(shaper, 2, b, s_lo[2], s_scale[2])
        ir, fr = _axis(r, lo[0], scale[0], n)
        ig, fg = _axis(g, lo[1], scale[1], n)
        ib, fb = _axis(b, lo[2], scale[2], n)
        o0, o1, o2 = _lookup(t, ir * sr + ig * sg + ib * sb, sr, sg, sb, fr, fg, fb, tetra)
        if strength != 1.0:
            o0 = pixels[p, 0] + strength * (o0 - pixels[p, 0])
            o1 = pixels[p, 1] + strength * (o1 - pixels[p, 1])
            o2 = pixels[p, 2] + strength * (o2 - pixels[p, 2])
        out[p, 0] = o0
        out[p, 1] = o1
        out[p, 2] = o2


@numba.njit(cache=True, fastmath=False)
def _to_code(v, max_code):  # pragma: no cover - compiled
    """Round a [0, 1] value to the nearest integer code (half up), clamped to [0, max_code]."""
    x = v * max_code + 0.5
    if not x > 0.0:
        return 0
    if x >= max_code:
        return max_code
    return int(x)


@numba.njit(parallel=True, cache=True, fastmath=False)
def _apply_int(pixels, out, t, n, offsets, fracs, inputs, strength,
               tetra):  # pragma: no cover - compiled
    sr, sg, sb = n * n * 3, n * 3, 3
    max_code = inputs.shape[0] - 1
    for p in numba.prange(pixels.shape[0]):
        r, g, b = pixels[p, 0], pixels[p, 1], pixels[p, 2]
        base = offsets[r, 0] + offsets[g, 1] + offsets[b, 2]
        o0, o1, o2 = _lookup(t, base, sr, sg, sb, fracs[r, 0], fracs[g, 1], fracs[b, 2], tetra)
        if strength != 1.0:
            o0 = inputs[r] + strength * (o0 - inputs[r])
            o1 = inputs[g] + strength * (o1 - inputs[g])
            o2 = inputs[b] + strength * (o2 - inputs[b])
        out[p, 0] = _to_code(o0, max_code)
        out[p, 1] = _to_code(o1, max_code)
        out[p, 2] = _to_code(o2, max_code)
