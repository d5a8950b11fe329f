"""Degradation operations: the "messing up" that turns a graded frame into a model input.

An op is a JSON-serialisable dict ``{"op": family, **params}`` (recorded verbatim in the pairs
manifest); `apply_op` applies it to a float32 (..., 3) sRGB-encoded image in [0, 1] and always
returns values in [0, 1] with no NaN. Every colour op is smooth and monotone where it can be, and
most have an exact inverse in their own family (tests/test_data_degrade.py checks it) so that "the
opposite direction" is a valid op too: the sampler in `lutml.data.sampling` draws both directions
equally often.

Families (parameters as stored):
- exposure        stops; gain 2**stops in linear light
- white_balance   temperature, tint (log2 gains R/B and G), gains (linear RGB, luminance-normalised)
- contrast        factor, pivot: power curves meeting at `pivot` with slope `factor` (0, 1 fixed)
- gamma           gamma: x ** gamma
- saturation      factor: chroma around Rec.709 luma scaled (clipped to the cube)
- vibrance        amount: saturation change weighted by (1 - current chroma)
- hue             degrees: rotation about the grey axis
- curves          knots (3, K): per-channel monotone curves through y at x = linspace(0, 1, K)
- lift_gamma_gain lift, gamma, gain (per channel): (lift + (gain - lift) x) ** (1 / gamma)
- lut             knots (K, 3) colour offsets on the grey axis, sigma, scale: a smooth 3D warp
- look            name, strength: a built-in look blended in (neutralise mode)
- jpeg_noise      quality, sigma, seed: JPEG round trip then Gaussian noise (input only)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

from lutml.color import linear_to_srgb, srgb_to_linear
from lutml.data.looks import get_look, luma

Op = dict[str, Any]

_TABLE = np.linspace(0.0, 1.0, 1025)  # dense abscissa for curve evaluation and inversion


def _clip01(x: np.ndarray) -> np.ndarray:
    # NaN would pass through np.clip; none of the ops makes one, and synthesize asserts it.
    return np.clip(x, 0.0, 1.0).astype(np.float32, copy=False)


def _in_linear(x: np.ndarray, gains: np.ndarray) -> np.ndarray:
    return linear_to_srgb(np.clip(srgb_to_linear(x) * gains, 0.0, 1.0))


def exposure(x: np.ndarray, stops: float) -> np.ndarray:
    return _in_linear(x, np.float64(2.0**stops))


def white_balance(x: np.ndarray, gains: list[float], **_: Any) -> np.ndarray:
    return _in_linear(x, np.asarray(gains, dtype=np.float64))


def wb_gains(temperature: float, tint: float) -> list[float]:
    """Linear RGB gains for a temperature/tint shift (log2 units), keeping white's luminance."""
    g = 2.0 ** np.array([temperature, tint, -temperature])
    return (g / (g @ np.array([0.2126, 0.7152, 0.0722]))).tolist()


def contrast(x: np.ndarray, factor: float, pivot: float) -> np.ndarray:
    # Two power curves glued at the pivot: slope `factor` there, 0 and 1 fixed, smooth, monotone.
    x = np.clip(x, 0.0, 1.0)
    lo = pivot * (x / pivot) ** factor
    hi = 1.0 - (1.0 - pivot) * ((1.0 - x) / (1.0 - pivot)) ** factor
    return np.where(x < pivot, lo, hi)


def gamma(x: np.ndarray, gamma: float) -> np.ndarray:
    return np.clip(x, 0.0, 1.0) ** gamma


def saturation(x: np.ndarray, factor: float) -> np.ndarray:
    y = luma(x)[..., None]
    return y + factor * (x - y)


def vibrance(x: np.ndarray, amount: float) -> np.ndarray:
    # Muted colours move most; already saturated ones barely (protects skin and skies).
    y = luma(x)[..., None]
    chroma = x.max(axis=-1, keepdims=True) - x.min(axis=-1, keepdims=True)
    return y + (1.0 + amount * (1.0 - chroma)) * (x - y)


def hue_matrix(degrees: float) -> np.ndarray:
    """Rotation about the grey axis (1, 1, 1)/sqrt(3) (Rodrigues), shape (3, 3)."""
    t = np.deg2rad(degrees)
    k = np.full(3, 1.0 / np.sqrt(3.0))
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.cos(t) * np.eye(3) + np.sin(t) * kx + (1.0 - np.cos(t)) * np.outer(k, k)


def hue(x: np.ndarray, degrees: float) -> np.ndarray:
    return x @ hue_matrix(degrees).T


def curves(x: np.ndarray, knots: list[list[float]], invert: bool = False) -> np.ndarray:
    """Per-channel monotone PCHIP curves; `invert` evaluates the exact inverse curves."""
    from scipy.interpolate import PchipInterpolator

    k = np.asarray(knots, dtype=np.float64)
    xs = np.linspace(0.0, 1.0, k.shape[1])
    out = np.empty_like(x, dtype=np.float64)
    for c in range(3):  # three channels, each a vectorised table lookup
        table = np.clip(PchipInterpolator(xs, k[c])(_TABLE), 0.0, 1.0)
        src, dst = (table, _TABLE) if invert else (_TABLE, table)
        out[..., c] = np.interp(x[..., c], src, dst)
    return out


def lift_gamma_gain(
    x: np.ndarray, lift: list[float], gamma: list[float], gain: list[float], invert: bool = False
) -> np.ndarray:
    lo, g, hi = (np.asarray(v, dtype=np.float64) for v in (lift, gamma, gain))
    if invert:
        return (np.clip(x, 0.0, 1.0) ** g - lo) / (hi - lo)
    return np.clip(lo + (hi - lo) * x, 0.0, 1.0) ** (1.0 / g)


def lut_warp(x: np.ndarray, knots: list[list[float]], sigma: float, scale: float) -> np.ndarray:
    """Smooth 3D warp: offsets at K points of the grey axis spread by normalised Gaussian weights.

    The original notebook spread its knots by inverse-distance weighting, which divides 0 by 0
    on a knot (white turned black, NaN in ~30% of its LUTs); Gaussian weights are positive
    everywhere, computed relative to the nearest knot so the normaliser never underflows.
    """
    off = np.asarray(knots, dtype=np.float64)  # (K, 3)
    t = np.linspace(0.0, 1.0, off.shape[0])  # knot positions (t, t, t) on the grey axis
    x64 = x.astype(np.float64)
    # |x - t(1,1,1)|^2 = |x|^2 - 2 t sum(x) + 3 t^2, without a (..., K, 3) temporary
    d2 = (x64**2).sum(-1)[..., None] - 2.0 * x64.sum(-1)[..., None] * t + 3.0 * t**2
    w = np.exp(-(d2 - d2.min(axis=-1, keepdims=True)) / (2.0 * sigma**2))
    return x + scale * (w @ off) / w.sum(axis=-1, keepdims=True)


def look(x: np.ndarray, name: str, strength: float = 1.0) -> np.ndarray:
    return x + strength * (get_look(name)(x) - x)


def jpeg_noise(x: np.ndarray, quality: int, sigma: float, seed: int) -> np.ndarray:
    from PIL import Image

    if x.ndim == 3:  # JPEG needs an image; flat colour lists (tests) get noise only
        buf = io.BytesIO()
        Image.fromarray(np.rint(np.clip(x, 0, 1) * 255).astype(np.uint8)).save(
            buf, format="JPEG", quality=int(quality)
        )
        x = np.asarray(Image.open(buf).convert("RGB"), dtype=np.float32) / 255.0
    noise = np.random.default_rng(seed).standard_normal(x.shape, dtype=np.float32)
    return x + sigma * noise


OPS: dict[str, Callable[..., np.ndarray]] = {
    "exposure": exposure,
    "white_balance": white_balance,
    "contrast": contrast,
    "gamma": gamma,
    "saturation": saturation,
    "vibrance": vibrance,
    "hue": hue,
    "curves": curves,
    "lift_gamma_gain": lift_gamma_gain,
    "lut": lut_warp,
    "look": look,
    "jpeg_noise": jpeg_noise,
}


def apply_op(image: np.ndarray, op: Op) -> np.ndarray:
    """Apply one op to a float (..., 3) image in [0, 1]; result float32 in [0, 1], no NaN."""
    params = {k: v for k, v in op.items() if k != "op"}
    try:
        fn = OPS[op["op"]]
    except KeyError as exc:
        raise ValueError(f"unknown degradation op {op.get('op')!r}; known: {sorted(OPS)}") from exc
    return _clip01(fn(np.asarray(image, dtype=np.float32), **params))


def apply_ops(image: np.ndarray, ops: list[Op]) -> np.ndarray:
    """Apply ops in order (see `apply_op`)."""
    out = np.asarray(image, dtype=np.float32)
    for op in ops:
        out = apply_op(out, op)
    return out
