"""A look split into the parts a colourist names: tone, saturation and colour cast.

A LUT table ``[r, g, b, 3]`` on [0, 1] moves every colour x to T(x). In CIELAB that move is split
three ways, node by node:

- **tone**: the change of lightness, ``L*(T(x)) - L*(x)``;
- **saturation**: the change of chroma along the colour's own hue direction (a chroma gain or
  loss; undefined on neutrals, so it fades out below ~5 C*);
- **cast**: what is left of the a*b* move - hue turns and tints, including the tint of greys.

``scale_components(table, tone=..., saturation=..., cast=...)`` rebuilds the table with each part
scaled (0 = leave it out, 1 = as measured, up to 2 = exaggerate); all 1 returns the table
unchanged. ``component_fields`` gives the three move fields; ``component_summary`` gives a few
numbers per part that a colourist reads (mid-grey lightness change, chroma gain, grey tint).

NumPy only (no TensorFlow): the CLI, the web UI and the trust model use it.
"""

from __future__ import annotations

import numpy as np

from lutml.color import lab_to_srgb, srgb_to_lab
from lutml.lut.lut3d import identity_table

COMPONENTS = ("tone", "saturation", "cast")
_CHROMA_FADE = 5.0  # C* below which a colour is too grey for a chroma gain to mean anything


def component_fields(table: np.ndarray) -> dict[str, np.ndarray]:
    """The move of each lattice node split into parts, in CIELAB.

    Returns ``{"lab_in": (n,n,n,3), "tone": (n,n,n) ΔL*, "saturation": (n,n,n,2) Δa*b*,
    "cast": (n,n,n,2) Δa*b*}``; ``lab_in + [tone, saturation + cast]`` is the table's output.
    """
    t = np.asarray(table, np.float64)
    n = t.shape[0]
    lab_in = srgb_to_lab(identity_table(n).astype(np.float64))
    lab_out = srgb_to_lab(np.clip(t, 0.0, 1.0))
    ab, ab_out = lab_in[..., 1:], lab_out[..., 1:]
    c_in = np.hypot(ab[..., 0], ab[..., 1])
    c_out = np.hypot(ab_out[..., 0], ab_out[..., 1])
    unit = ab / np.maximum(c_in, 1e-9)[..., None]
    fade = (c_in**2 / (c_in**2 + _CHROMA_FADE**2))[..., None]
    # the radial part of the move, kept where the input has a hue to scale along
    saturation = fade * unit * (c_out - c_in)[..., None]
    cast = (ab_out - ab) - saturation
    return {
        "lab_in": lab_in,
        "tone": lab_out[..., 0] - lab_in[..., 0],
        "saturation": saturation,
        "cast": cast,
    }


def _check_strength(name: str, value: float) -> float:
    v = float(value)
    if not np.isfinite(v) or v < 0.0 or v > 2.0:
        raise ValueError(f"{name} strength must be between 0 and 2, got {value}")
    return v


def scale_components(
    table: np.ndarray, tone: float = 1.0, saturation: float = 1.0, cast: float = 1.0
) -> np.ndarray:
    """`table` (n, n, n, 3) with its tone, saturation and cast moves scaled: float32 on [0, 1].

    All three at 1 return the table as it is (float32). Scaling happens in CIELAB and the result
    is clipped to the sRGB cube, so a part taken out (0) leaves the others exactly as measured
    wherever they stay in gamut.
    """
    s = {
        "tone": _check_strength("tone", tone),
        "saturation": _check_strength("saturation", saturation),
        "cast": _check_strength("cast", cast),
    }
    t = np.asarray(table, np.float32)
    if t.ndim != 4 or t.shape[-1] != 3 or len(set(t.shape[:3])) != 1:
        raise ValueError(f"expected a LUT table of shape (n, n, n, 3), got {t.shape}")
    if all(v == 1.0 for v in s.values()):
        return t.copy()
    f = component_fields(t)
    lab = f["lab_in"].copy()
    lab[..., 0] += s["tone"] * f["tone"]
    lab[..., 1:] += s["saturation"] * f["saturation"] + s["cast"] * f["cast"]
    return np.clip(lab_to_srgb(lab), 0.0, 1.0).astype(np.float32)


def component_summary(table: np.ndarray, weights: np.ndarray | None = None) -> dict[str, float]:
    """Numbers a colourist reads off a look (from its table):

    - ``tone_mid``: the lightness change of mid grey (ΔL* at L* ~ 50), ``tone_shadow`` at L* ~ 25,
      ``tone_highlight`` at L* ~ 80; ``tone_rms``: RMS ΔL* over colours (weighted);
    - ``saturation_gain``: chroma out / chroma in over saturated colours (1 = unchanged);
    - ``cast_a``, ``cast_b``: the a*/b* tint of mid grey; ``cast_rms``: RMS of the cast move.

    `weights` (n^3,) weigh lattice nodes (e.g. how often natural photos hold each colour).
    """
    t = np.asarray(table, np.float64)
    n = t.shape[0]
    f = component_fields(t)
    w = np.ones(n**3) if weights is None else np.asarray(weights, np.float64).reshape(-1)
    w = w / w.sum()
    grey_in = f["lab_in"][np.arange(n), np.arange(n), np.arange(n)]  # (n, 3) the grey axis
    grey_tone = f["tone"][np.arange(n), np.arange(n), np.arange(n)]
    grey_cast = f["cast"][np.arange(n), np.arange(n), np.arange(n)]

    def at(level: float, values: np.ndarray) -> np.ndarray:
        return np.array(
            [np.interp(level, grey_in[:, 0], values[:, j]) for j in range(values.shape[1])]
        )

    c_in = np.hypot(f["lab_in"][..., 1], f["lab_in"][..., 2]).reshape(-1)
    sat_out = c_in + np.sum(
        f["saturation"].reshape(-1, 2) * f["lab_in"][..., 1:].reshape(-1, 2), axis=1
    ) / np.maximum(c_in, 1e-9)
    coloured = w * (c_in > 15.0)
    gain = (
        float(np.sum(coloured * sat_out) / np.sum(coloured * c_in)) if coloured.sum() > 0 else 1.0
    )
    cast_mid = at(50.0, grey_cast)
    return {
        "tone_shadow": float(at(25.0, grey_tone[:, None])[0]),
        "tone_mid": float(at(50.0, grey_tone[:, None])[0]),
        "tone_highlight": float(at(80.0, grey_tone[:, None])[0]),
        "tone_rms": float(np.sqrt(np.sum(w * f["tone"].reshape(-1) ** 2))),
        "saturation_gain": gain,
        "saturation_rms": float(
            np.sqrt(np.sum(w * np.sum(f["saturation"].reshape(-1, 2) ** 2, 1)))
        ),
        "cast_a": float(cast_mid[0]),
        "cast_b": float(cast_mid[1]),
        "cast_rms": float(np.sqrt(np.sum(w * np.sum(f["cast"].reshape(-1, 2) ** 2, 1)))),
    }
