"""Colour maths used to score grades: sRGB transfer, CIELAB (D65) and CIEDE2000.

All functions are vectorised over leading axes: inputs are float arrays (..., 3).
Computed in float64 internally because ΔE2000's hue terms are ill-conditioned near neutral.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# sRGB (IEC 61966-2-1) primaries, D65 white: linear RGB -> XYZ.
_RGB_TO_XYZ = np.array(
    [
        [0.4123907992659595, 0.3575843393838780, 0.1804807884018343],
        [0.2126390058715104, 0.7151686787677559, 0.0721923153607337],
        [0.0193308187155918, 0.1191947797946259, 0.9505321522496608],
    ]
)
_D65_WHITE = _RGB_TO_XYZ.sum(axis=1)  # XYZ of RGB (1, 1, 1), Y = 1


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB-encoded values -> linear light (piecewise IEC curve); extends linearly below 0."""
    x = np.asarray(rgb, dtype=np.float64)
    return np.where(x <= 0.04045, x / 12.92, ((np.maximum(x, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    """Linear light -> sRGB-encoded values (inverse of `srgb_to_linear`)."""
    x = np.asarray(lin, dtype=np.float64)
    return np.where(
        x <= 0.0031308, x * 12.92, 1.055 * np.maximum(x, 0.0031308) ** (1.0 / 2.4) - 0.055
    )


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in [0, 1] -> CIELAB (..., 3): L in [0, 100], D65 reference white."""
    xyz = srgb_to_linear(rgb) @ _RGB_TO_XYZ.T / _D65_WHITE
    eps, kappa = 216.0 / 24389.0, 24389.0 / 27.0
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16.0) / 116.0)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)


def delta_e_2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1.

    Parameters
    ----------
    lab1, lab2 : arrays (..., 3), CIELAB

    Returns
    -------
    array (...), float64, >= 0
    """
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, np.float64), -1, 0)
    c_bar7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2.0) ** 7
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360.0

    dLp, dCp = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    chroma_zero = (c1p * c2p) == 0
    dh = np.where(chroma_zero, 0.0, dh)
    dHp = 2.0 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2.0)

    Lp_bar, Cp_bar = (L1 + L2) / 2.0, (c1p + c2p) / 2.0
    hsum = h1p + h2p
    hp_bar = np.where(
        np.abs(h1p - h2p) <= 180.0,
        hsum / 2.0,
        np.where(hsum < 360.0, (hsum + 360.0) / 2.0, (hsum - 360.0) / 2.0),
    )
    hp_bar = np.where(chroma_zero, hsum, hp_bar)
    t = (
        1.0
        - 0.17 * np.cos(np.radians(hp_bar - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * hp_bar))
        + 0.32 * np.cos(np.radians(3.0 * hp_bar + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * hp_bar - 63.0))
    )
    d_theta = 30.0 * np.exp(-(((hp_bar - 275.0) / 25.0) ** 2))
    cp_bar7 = Cp_bar**7
    r_c = 2.0 * np.sqrt(cp_bar7 / (cp_bar7 + 25.0**7))
    s_l = 1.0 + 0.015 * (Lp_bar - 50.0) ** 2 / np.sqrt(20.0 + (Lp_bar - 50.0) ** 2)
    s_c = 1.0 + 0.045 * Cp_bar
    s_h = 1.0 + 0.015 * Cp_bar * t
    r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c
    dl, dc, dhh = dLp / s_l, dCp / s_c, dHp / s_h
    return np.sqrt(np.maximum(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh, 0.0))


def delta_e_image(
    rgb1: np.ndarray, rgb2: np.ndarray | None = None, *, lab2: np.ndarray | None = None
) -> np.ndarray:
    """Per-pixel CIEDE2000 between two sRGB images (..., 3) in [0, 1] (values clipped to [0, 1]).

    The second image may be passed as its CIELAB instead, ``lab2=srgb_to_lab(np.clip(rgb2, 0, 1))``:
    scoring many candidates against one reference converts the reference once. The Lab conversion
    is `srgb_to_lab` (NumPy's SIMD transcendentals beat a scalar kernel there), the difference
    `delta_e_2000_fast` (equal to `delta_e_2000` to ~1e-12 ΔE). Returns float64 (...).
    """
    a = np.asarray(rgb1)
    if (rgb2 is None) == (lab2 is None):
        raise ValueError("pass either rgb2 or lab2")
    b = np.asarray(rgb2 if lab2 is None else lab2)
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    if lab2 is None:
        b = srgb_to_lab(np.clip(b, 0.0, 1.0))
    return delta_e_2000_fast(srgb_to_lab(np.clip(a, 0.0, 1.0)), b)


def delta_e_2000_fast(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """`delta_e_2000` (same arguments, same result to ~1e-12 ΔE) as one compiled pass over the
    pixels: no array temporaries and three transcendental calls a pixel instead of eleven (3x
    faster on one core; `_de00`). `delta_e_2000` stays the reference the tests hold this to."""
    a, b = np.broadcast_arrays(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64))
    if a.ndim < 1 or a.shape[-1] != 3:
        raise ValueError(f"Lab arrays must have L, a, b in their last axis; got {a.shape}")
    out = np.empty(a.shape[:-1], np.float64)
    _de00_pixels(
        np.ascontiguousarray(a.reshape(-1, 3)),
        np.ascontiguousarray(b.reshape(-1, 3)),
        out.reshape(-1),
    )
    return out


# The compiled kernels (float64). `_de00_ref` follows `delta_e_2000` operation by operation.
_P25_7 = 25.0**7


@numba.njit(cache=True)
def _de00_ref(L1, a1, b1, L2, a2, b2):
    """`delta_e_2000` for one pair, operation by operation (the fallback of `_de00`)."""
    c_bar7 = ((math.hypot(a1, b1) + math.hypot(a2, b2)) / 2.0) ** 7
    g = 0.5 * (1.0 - math.sqrt(c_bar7 / (c_bar7 + _P25_7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360.0
    dLp, dCp = L2 - L1, c2p - c1p
    chroma_zero = (c1p * c2p) == 0
    dh = h2p - h1p
    if chroma_zero:
        dh = 0.0
    elif dh > 180.0:
        dh -= 360.0
    elif dh < -180.0:
        dh += 360.0
    dHp = 2.0 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2.0)
    Lp_bar, Cp_bar = (L1 + L2) / 2.0, (c1p + c2p) / 2.0
    hsum = h1p + h2p
    if chroma_zero:
        hp_bar = hsum
    elif abs(h1p - h2p) <= 180.0:
        hp_bar = hsum / 2.0
    elif hsum < 360.0:
        hp_bar = (hsum + 360.0) / 2.0
    else:
        hp_bar = (hsum - 360.0) / 2.0
    t = (
        1.0
        - 0.17 * math.cos(math.radians(hp_bar - 30.0))
        + 0.24 * math.cos(math.radians(2.0 * hp_bar))
        + 0.32 * math.cos(math.radians(3.0 * hp_bar + 6.0))
        - 0.20 * math.cos(math.radians(4.0 * hp_bar - 63.0))
    )
    d_theta = 30.0 * math.exp(-(((hp_bar - 275.0) / 25.0) ** 2))
    cp_bar7 = Cp_bar**7
    r_c = 2.0 * math.sqrt(cp_bar7 / (cp_bar7 + _P25_7))
    s_l = 1.0 + 0.015 * (Lp_bar - 50.0) ** 2 / math.sqrt(20.0 + (Lp_bar - 50.0) ** 2)
    s_c = 1.0 + 0.045 * Cp_bar
    s_h = 1.0 + 0.015 * Cp_bar * t
    r_t = -math.sin(math.radians(2.0 * d_theta)) * r_c
    dl, dc, dhh = dLp / s_l, dCp / s_c, dHp / s_h
    return math.sqrt(max(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh, 0.0))


_COS30, _SIN30 = math.cos(math.radians(30.0)), math.sin(math.radians(30.0))
_COS6, _SIN6 = math.cos(math.radians(6.0)), math.sin(math.radians(6.0))
_COS63, _SIN63 = math.cos(math.radians(63.0)), math.sin(math.radians(63.0))
_COS99 = math.cos(math.radians(99.0))


@numba.njit(cache=True, inline="always")
def _de00(L1, a1, b1, L2, a2, b2):
    """CIEDE2000 with three transcendental calls instead of eleven (none for mean hues below 99
    degrees, where the rotation term is below 1e-20), equal to `_de00_ref` to ~1e-12.

    The hues enter as unit vectors u1, u2: the hue difference term 2 sqrt(C1'C2') sin(dh'/2) is
    sqrt(C1'C2') |u2 - u1| with the sign of u1 x u2, the mean hue is the direction of u1 + u2 (the
    shorter arc, as the formula's case analysis picks it), and the cosines of T are multiple-angle
    polynomials of that direction. Zero chroma (the hue terms vanish) and near-opposite hues (the
    formula's discontinuity, |dh'| within ~0.006 deg of 180) take `_de00_ref` itself.
    """
    c_bar = (math.sqrt(a1 * a1 + b1 * b1) + math.sqrt(a2 * a2 + b2 * b2)) / 2.0
    c_bar2 = c_bar * c_bar
    c_bar7 = c_bar2 * c_bar2 * c_bar2 * c_bar
    g = 0.5 * (1.0 - math.sqrt(c_bar7 / (c_bar7 + _P25_7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p, c2p = math.sqrt(a1p * a1p + b1 * b1), math.sqrt(a2p * a2p + b2 * b2)
    if c1p * c2p == 0:
        return _de00_ref(L1, a1, b1, L2, a2, b2)
    i1, i2 = 1.0 / c1p, 1.0 / c2p
    u1x, u1y, u2x, u2y = a1p * i1, b1 * i1, a2p * i2, b2 * i2
    sx, sy = u1x + u2x, u1y + u2y
    s2 = sx * sx + sy * sy
    if s2 < 1e-8:
        return _de00_ref(L1, a1, b1, L2, a2, b2)
    dx, dy = u2x - u1x, u2y - u1y
    dHp = math.sqrt(c1p * c2p * (dx * dx + dy * dy))
    if u1x * u2y - u1y * u2x < 0.0:
        dHp = -dHp
    i_s = 1.0 / math.sqrt(s2)
    ch, sh = sx * i_s, sy * i_s  # cos and sin of the mean hue
    c2h, s2h = ch * ch - sh * sh, 2.0 * ch * sh
    c3h, s3h = ch * (4.0 * ch * ch - 3.0), sh * (3.0 - 4.0 * sh * sh)
    c4h, s4h = 2.0 * c2h * c2h - 1.0, 2.0 * s2h * c2h
    t = (
        1.0
        - 0.17 * (ch * _COS30 + sh * _SIN30)
        + 0.24 * c2h
        + 0.32 * (c3h * _COS6 - s3h * _SIN6)
        - 0.20 * (c4h * _COS63 + s4h * _SIN63)
    )
    Lp_bar, Cp_bar = (L1 + L2) / 2.0, (c1p + c2p) / 2.0
    r_t = 0.0
    if sh < 0.0 or ch <= _COS99:  # mean hue >= 99 deg; below, d_theta < 1e-20 and R_T ~ 1e-21:
        hp_bar = math.degrees(math.atan2(sy, sx))  # (-180, 180]; no change to the sum below
        if hp_bar < 0.0:
            hp_bar += 360.0  # as % 360 does
        d_theta = 30.0 * math.exp(-(((hp_bar - 275.0) / 25.0) ** 2))
        cp2 = Cp_bar * Cp_bar
        cp_bar7 = cp2 * cp2 * cp2 * Cp_bar
        r_c = 2.0 * math.sqrt(cp_bar7 / (cp_bar7 + _P25_7))
        r_t = -math.sin(math.radians(2.0 * d_theta)) * r_c
    dl50 = (Lp_bar - 50.0) ** 2
    s_l = 1.0 + 0.015 * dl50 / math.sqrt(20.0 + dl50)
    s_c = 1.0 + 0.045 * Cp_bar
    s_h = 1.0 + 0.015 * Cp_bar * t
    dl, dc, dhh = (L2 - L1) / s_l, (c2p - c1p) / s_c, dHp / s_h
    return math.sqrt(max(dl * dl + dc * dc + dhh * dhh + r_t * dc * dhh, 0.0))


@numba.njit(parallel=True, cache=True)
def _de00_pixels(x, y, out):
    for p in numba.prange(x.shape[0]):
        out[p] = _de00(x[p, 0], x[p, 1], x[p, 2], y[p, 0], y[p, 1], y[p, 2])


def mean_delta_e(rgb1: np.ndarray, rgb2: np.ndarray) -> float:
    """Mean CIEDE2000 between two sRGB images (..., 3) in [0, 1]."""
    return float(np.mean(delta_e_image(rgb1, rgb2)))


def lut_delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIEDE2000 from LUT table(s) `a` to `b` at each lattice node: sRGB tables (..., n, n, n, 3),
    values clipped to [0, 1], broadcast against each other. Returns float64 (..., n^3)."""
    d = delta_e_2000(srgb_to_lab(np.clip(a, 0, 1)), srgb_to_lab(np.clip(b, 0, 1)))
    return d.reshape(*d.shape[:-3], -1)


def weighted_lut_delta_e(a: np.ndarray, b: np.ndarray, node_weights: np.ndarray) -> float:
    """Mean `lut_delta_e` from table `a` to `b` (n, n, n, 3) over the lattice, weighted by
    `node_weights` (n^3,): how often natural photos hold each node's colour."""
    w = np.asarray(node_weights, np.float64).reshape(-1)
    d = lut_delta_e(a, b)
    return float(np.sum(w * d) / np.sum(w))


def psnr(rgb1: np.ndarray, rgb2: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1] (inf when identical)."""
    mse = float(np.mean((np.asarray(rgb1, np.float64) - np.asarray(rgb2, np.float64)) ** 2))
    return float("inf") if mse == 0.0 else float(10.0 * np.log10(1.0 / mse))


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """CIELAB (..., 3), D65 -> sRGB-encoded (..., 3) (inverse of `srgb_to_lab`; not clipped)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    eps, kappa = 216.0 / 24389.0, 24389.0 / 27.0
    xyz = np.where(f**3 > eps, f**3, (116.0 * f - 16.0) / kappa) * _D65_WHITE
    return linear_to_srgb(xyz @ np.linalg.inv(_RGB_TO_XYZ).T)


def _sqrtm_sym(c: np.ndarray, inverse: bool = False) -> np.ndarray:
    """Square root (or inverse square root) of a symmetric positive definite 3x3 matrix."""
    w, v = np.linalg.eigh(c)
    w = np.maximum(w, 1e-12)
    return (v * (w ** (-0.5 if inverse else 0.5))) @ v.T


Moments = tuple[np.ndarray, np.ndarray]


def colour_moments(image: np.ndarray) -> Moments:
    """Mean (3,) and covariance (3, 3, with the 1e-6 ridge) of an image's pixels, as
    `mkl_transfer` computes them: pass them in to transfer many images to or from one image."""
    x = np.asarray(image, dtype=np.float64).reshape(-1, 3)
    return x.mean(axis=0), np.cov(x, rowvar=False) + 1e-6 * np.eye(3)


def mkl_transfer(
    image: np.ndarray,
    reference: np.ndarray,
    *,
    image_moments: Moments | None = None,
    reference_moments: Moments | None = None,
) -> np.ndarray:
    """Colour transfer by the Monge-Kantorovich linear map (Pitié & Kokaram 2007): the affine map
    that gives `image`'s colours `reference`'s mean and covariance with the least displacement.

    The classic statistics transfer users have when they want "the look of this still"; it copies
    the reference's *content* colours too, which is why lutml scores it beside its look estimator
    (story 3). Inputs float (H, W, 3) sRGB-encoded on [0, 1]; returns float32 (H, W, 3) clipped to
    [0, 1]. A small ridge (1e-6) keeps flat images solvable. `image_moments` /
    `reference_moments` are `colour_moments` of the images, when already known (same result).
    """
    x = np.asarray(image, dtype=np.float64).reshape(-1, 3)
    mx, cx = colour_moments(x) if image_moments is None else image_moments
    mr, cr = colour_moments(reference) if reference_moments is None else reference_moments
    half = _sqrtm_sym(cx)
    inv_half = _sqrtm_sym(cx, inverse=True)
    t = inv_half @ _sqrtm_sym(half @ cr @ half) @ inv_half
    out = (x - mx) @ t + mr
    return np.clip(out, 0.0, 1.0).reshape(np.shape(image)).astype(np.float32)
