"""Random looks: the prior over colour grades that the look estimator learns to recognise.

A random look is a *recipe*: a JSON-serialisable list of colour operations in the order a
colourist applies them (camera balance in linear light, tone, per-channel balance, saturation,
split-toning, hue work, a free 3D warp). `sample_recipe` draws one from seeded ranges;
`apply_recipe` applies it to float (..., 3) sRGB-encoded RGB in [0, 1]; `look_bank` evaluates
many recipes on a LUT lattice, which is how training uses them (a 17^3 lattice represents every
op here to ~0.1 dE00).

The family is generic on purpose: none of the built-in looks of `lutml.data.looks` (teal_orange,
bleach_bypass, ...) is one of its members, so every built-in look is a look the estimator has
never seen; only their ingredients (S-curves, saturation, split-toning, hue rotation, ...) are
the ordinary vocabulary of grading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lutml.color import linear_to_srgb, srgb_to_linear
from lutml.config.synth import PriorConfig
from lutml.data.degrade import OPS as DEGRADE_OPS
from lutml.data.degrade import hue_matrix, wb_gains
from lutml.data.looks import luma, s_curve
from lutml.lut.lut3d import identity_table

Recipe = list[dict[str, Any]]

# Orthonormal chroma plane of encoded RGB: offsets along these keep Rec.709 luma unchanged.
_LUMA = np.array([0.2126, 0.7152, 0.0722])


def _chroma_basis() -> np.ndarray:
    """(2, 3) unit vectors u, v with u.luma = v.luma = 0: a 'red-cyan' and a 'yellow-blue' axis."""
    # Subtracting a grey (g, g, g) with g = luma(u) makes an offset luma-neutral (luma of grey 1 is 1).
    u = np.array([1.0, -0.5, -0.5])  # red vs cyan
    u = u - (u @ _LUMA)
    v = np.array([0.5, 0.5, -1.0])  # yellow vs blue
    v = v - (v @ _LUMA)
    v = v - (v @ u) / (u @ u) * u
    return np.stack([u / np.linalg.norm(u), v / np.linalg.norm(v)])


_CHROMA = _chroma_basis()


def chroma_offset(angle_deg: float, amount: float) -> np.ndarray:
    """An RGB offset of length `amount` in the luma-neutral chroma plane at hue angle `angle_deg`."""
    t = np.deg2rad(angle_deg)
    return amount * (np.cos(t) * _CHROMA[0] + np.sin(t) * _CHROMA[1])


# ----------------------------------------------------------------------------- grading primitives
def camera(x: np.ndarray, stops: float, gains: list[float], mixer: list[list[float]]) -> np.ndarray:
    """Exposure, white balance and a channel mixer in linear light (rows of `mixer` sum to 1)."""
    lin = srgb_to_linear(x) * (2.0**stops) * np.asarray(gains, np.float64)
    lin = lin @ np.asarray(mixer, np.float64).T
    return linear_to_srgb(np.clip(lin, 0.0, 1.0))


def filmic(
    x: np.ndarray,
    stops: float,
    black: float,
    white: float,
    contrast: float,
    grey: float,
    per_channel: bool,
) -> np.ndarray:
    """A log-domain sigmoid tone mapper (the family of AgX, Filmic, ACES-like view transforms).

    Linear light is pushed `stops`, mapped to log2 stops around scene grey 0.18 on the range
    [-black, +white] stops, bent by an S-curve (`contrast`) pivoting at grey, and shaped so that
    scene grey lands on the encoded value `grey`. `per_channel` maps R, G and B separately (bright
    saturated colours skew towards the primaries' secondaries and bleach, like film); otherwise the
    curve scales all channels by the ratio of their maximum (hue-preserving).
    """
    lin = np.maximum(srgb_to_linear(np.clip(x, 0.0, 1.0)) * 2.0**stops, 0.0)
    pivot = black / (black + white)
    shape = np.log(grey) / np.log(pivot)

    def curve(v: np.ndarray) -> np.ndarray:
        u = np.clip((np.log2(np.maximum(v, 2.0**-16) / 0.18) + black) / (black + white), 0.0, 1.0)
        return s_curve(u, contrast, pivot) ** shape

    if per_channel:
        return curve(lin)
    peak = lin.max(axis=-1, keepdims=True)
    out_peak = srgb_to_linear(curve(peak))
    return linear_to_srgb(lin * out_peak / np.maximum(peak, 1e-6))


def tone(
    x: np.ndarray, black: float, white: float, contrast: float, pivot: float, gamma: float
) -> np.ndarray:
    """Gamma, S-curve (amount `contrast` at `pivot`), then output levels [black, white] per channel."""
    y = s_curve(np.clip(x, 0.0, 1.0) ** gamma, contrast, pivot)
    return black + (white - black) * y


def band_saturation(x: np.ndarray, shadows: float, mid: float, highlights: float) -> np.ndarray:
    """Scale chroma around luma by a factor that moves from `shadows` through `mid` to `highlights`."""
    y = luma(x)[..., None]
    t = np.clip(y, 0.0, 1.0)
    s = mid + (shadows - mid) * (1.0 - t) ** 2 + (highlights - mid) * t**2
    return y + s * (x - y)


def split_tone(
    x: np.ndarray, shadows: list[float], highlights: list[float], balance: float
) -> np.ndarray:
    """Add RGB offsets (luma-neutral) in the shadows and highlights; `balance` moves the crossover."""
    y = np.clip(luma(x)[..., None], 0.0, 1.0)
    k = np.log(0.5) / np.log(balance)  # y**k == 0.5 at y == balance
    t = y**k
    return x + (1.0 - t) ** 2 * np.asarray(shadows) + t**2 * np.asarray(highlights)


def hue_selective(
    x: np.ndarray, centre: float, width: float, degrees: float, saturation: float
) -> np.ndarray:
    """Rotate (and rescale the chroma of) hues near `centre` degrees, fading out over `width` degrees.

    Hue is the angle in the luma-neutral chroma plane of `chroma_offset`; greys are untouched
    because the weight also fades with chroma.
    """
    y = luma(x)[..., None]
    c = x - y
    u, v = c @ _CHROMA[0], c @ _CHROMA[1]
    chroma = np.hypot(u, v)
    h = np.degrees(np.arctan2(v, u))
    d = (h - centre + 180.0) % 360.0 - 180.0
    w = np.exp(-0.5 * (d / width) ** 2) * np.clip(chroma / 0.05, 0.0, 1.0)
    t = np.deg2rad(degrees * w)
    s = 1.0 + (saturation - 1.0) * w
    u2 = s * (np.cos(t) * u - np.sin(t) * v)
    v2 = s * (np.sin(t) * u + np.cos(t) * v)
    return (
        y
        + u2[..., None] * _CHROMA[0]
        + v2[..., None] * _CHROMA[1]
        + (c - u[..., None] * _CHROMA[0] - v[..., None] * _CHROMA[1])
    )


def hue(x: np.ndarray, degrees: float) -> np.ndarray:
    return x @ hue_matrix(degrees).T


OPS: dict[str, Callable[..., np.ndarray]] = {
    "camera": camera,
    "filmic": filmic,
    "tone": tone,
    "channel_tone": DEGRADE_OPS["lift_gamma_gain"],
    "saturation": band_saturation,
    "vibrance": DEGRADE_OPS["vibrance"],
    "split_tone": split_tone,
    "hue": hue,
    "hue_selective": hue_selective,
    "warp": DEGRADE_OPS["lut"],
}


def apply_recipe(image: np.ndarray, recipe: Recipe) -> np.ndarray:
    """Apply a look recipe to float (..., 3) sRGB-encoded RGB; float32 in [0, 1]."""
    x = np.asarray(image, dtype=np.float64)
    for op in recipe:
        params = {k: v for k, v in op.items() if k != "op"}
        try:
            fn = OPS[op["op"]]
        except KeyError as exc:
            raise ValueError(f"unknown look op {op.get('op')!r}; known: {sorted(OPS)}") from exc
        x = np.clip(fn(x, **params), 0.0, 1.0)
    return x.astype(np.float32)


# ----------------------------------------------------------------------------- sampling
def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(rng.uniform(lo, hi)), 5)


def _logu(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), 5)


def sample_recipe(rng: np.random.Generator, c: PriorConfig) -> Recipe:
    """One random look from the ranges of the random-look prior (`synth.prior`, conf/synth).

    Each op is present with its probability `c.<op>.p`; a fraction `c.identity` of looks is the
    identity (no op), so that "no look at all" is a look the estimator knows.
    """
    if rng.random() < float(c.identity):
        return []
    r: Recipe = []

    def on(name: str) -> bool:
        return bool(rng.random() < float(getattr(c, name).p))

    if on("camera"):
        k = c.camera
        stops = _u(rng, -k.stops, k.stops)
        t, g = _u(rng, -k.temperature, k.temperature), _u(rng, -k.tint, k.tint)
        m = np.eye(3)
        if rng.random() < float(k.mixer_p):
            m = m + rng.uniform(-k.mixer, k.mixer, (3, 3)) * (1.0 - np.eye(3))
            m = m / m.sum(axis=1, keepdims=True)  # rows sum to 1: greys stay grey
        r.append(
            {
                "op": "camera",
                "stops": stops,
                "gains": np.round(wb_gains(t, g), 5).tolist(),
                "mixer": np.round(m, 5).tolist(),
            }
        )
    if on("filmic"):
        k = c.filmic
        r.append(
            {
                "op": "filmic",
                "stops": _u(rng, *k.stops),
                "black": _u(rng, *k.black),
                "white": _u(rng, *k.white),
                "contrast": _u(rng, *k.contrast),
                "grey": _u(rng, *k.grey),
                "per_channel": bool(rng.random() < k.per_channel_p),
            }
        )
    if on("tone"):
        k = c.tone
        black = _u(rng, 0.0, k.black) if rng.random() < k.fade_p else 0.0
        white = _u(rng, k.white, 1.0) if rng.random() < k.fade_p else 1.0
        r.append(
            {
                "op": "tone",
                "black": black,
                "white": white,
                "contrast": _u(rng, *k.contrast),
                "pivot": _u(rng, *k.pivot),
                "gamma": _logu(rng, 1.0 / k.gamma, k.gamma),
            }
        )
    if on("channel_tone"):
        k = c.channel_tone
        r.append(
            {
                "op": "channel_tone",
                "lift": np.round(rng.uniform(-1, 1, 3) * k.lift, 5).tolist(),
                "gamma": np.round(np.exp(rng.uniform(-1, 1, 3) * np.log(k.gamma)), 5).tolist(),
                "gain": np.round(np.exp(rng.uniform(-1, 1, 3) * np.log(k.gain)), 5).tolist(),
            }
        )
    if on("saturation"):
        k = c.saturation
        mid = _logu(rng, *k.mid)
        spread = float(k.spread)
        r.append(
            {
                "op": "saturation",
                "mid": mid,
                "shadows": round(mid * _logu(rng, 1 / spread, spread), 5),
                "highlights": round(mid * _logu(rng, 1 / spread, spread), 5),
            }
        )
    if on("vibrance"):
        r.append({"op": "vibrance", "amount": _u(rng, -c.vibrance.amount, c.vibrance.amount)})
    if on("split_tone"):
        k = c.split_tone
        sh = chroma_offset(rng.uniform(0, 360), rng.uniform(0, k.amount))
        hl = chroma_offset(rng.uniform(0, 360), rng.uniform(0, k.amount))
        r.append(
            {
                "op": "split_tone",
                "shadows": np.round(sh, 5).tolist(),
                "highlights": np.round(hl, 5).tolist(),
                "balance": _u(rng, *k.balance),
            }
        )
    if on("hue"):
        r.append({"op": "hue", "degrees": _u(rng, -c.hue.degrees, c.hue.degrees)})
    if on("hue_selective"):
        k = c.hue_selective
        r.append(
            {
                "op": "hue_selective",
                "centre": _u(rng, -180, 180),
                "width": _u(rng, *k.width),
                "degrees": _u(rng, -k.degrees, k.degrees),
                "saturation": _logu(rng, *k.saturation),
            }
        )
    if on("warp"):
        k = c.warp
        r.append(
            {
                "op": "warp",
                "knots": np.round(rng.uniform(-1, 1, (int(k.knots), 3)), 5).tolist(),
                "sigma": float(k.sigma),
                "scale": _u(rng, -k.scale, k.scale),
            }
        )
    return r


def look_bank(
    n: int, seed: int, c: PriorConfig, size: int = 17, progress: bool = False
) -> tuple[np.ndarray, list[Recipe]]:
    """`n` random looks as LUT tables float32 (n, size, size, size, 3) plus their recipes.

    Seeded: look i depends only on (seed, i), so growing `n` keeps the first looks.
    """
    from tqdm import tqdm

    nodes = identity_table(size).reshape(-1, 3)
    tables = np.empty((n, size, size, size, 3), np.float32)
    recipes = []
    for i in tqdm(
        range(n), desc="random looks", unit="look", disable=not progress, mininterval=2.0
    ):
        recipe = sample_recipe(np.random.default_rng([seed, i]), c)
        tables[i] = apply_recipe(nodes, recipe).reshape(size, size, size, 3)
        recipes.append(recipe)
    return tables, recipes
