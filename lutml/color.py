"""Colour maths used to score grades: sRGB transfer, CIELAB (D65) and CIEDE2000.

All functions are vectorised over leading axes: inputs are float arrays (..., 3).
Computed in float64 internally because ΔE2000's hue terms are ill-conditioned near neutral.
"""

from __future__ import annotations

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


def delta_e_image(rgb1: np.ndarray, rgb2: np.ndarray) -> np.ndarray:
    """Per-pixel CIEDE2000 between two sRGB images (..., 3) in [0, 1] (values clipped to [0, 1])."""
    a, b = np.asarray(rgb1), np.asarray(rgb2)
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    return delta_e_2000(srgb_to_lab(np.clip(a, 0.0, 1.0)), srgb_to_lab(np.clip(b, 0.0, 1.0)))


def mean_delta_e(rgb1: np.ndarray, rgb2: np.ndarray) -> float:
    """Mean CIEDE2000 between two sRGB images (..., 3) in [0, 1]."""
    return float(np.mean(delta_e_image(rgb1, rgb2)))


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


def mkl_transfer(image: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Colour transfer by the Monge-Kantorovich linear map (Pitié & Kokaram 2007): the affine map
    that gives `image`'s colours `reference`'s mean and covariance with the least displacement.

    The classic statistics transfer users have when they want "the look of this still"; it copies
    the reference's *content* colours too, which is why lutml scores it beside its look estimator
    (story 3). Inputs float (H, W, 3) sRGB-encoded on [0, 1]; returns float32 (H, W, 3) clipped to
    [0, 1]. A small ridge (1e-6) keeps flat images solvable.
    """
    x = np.asarray(image, dtype=np.float64).reshape(-1, 3)
    r = np.asarray(reference, dtype=np.float64).reshape(-1, 3)
    mx, mr = x.mean(axis=0), r.mean(axis=0)
    cx = np.cov(x, rowvar=False) + 1e-6 * np.eye(3)
    cr = np.cov(r, rowvar=False) + 1e-6 * np.eye(3)
    half = _sqrtm_sym(cx)
    inv_half = _sqrtm_sym(cx, inverse=True)
    t = inv_half @ _sqrtm_sym(half @ cr @ half) @ inv_half
    out = (x - mx) @ t + mr
    return np.clip(out, 0.0, 1.0).reshape(np.shape(image)).astype(np.float32)
