"""The tone of a look read from local contrast: a content-robust tone curve for the look estimator.

The estimator reads a look from its frames' colour statistics, and a set of dark frames reads as a
darkening look: how much of a frame is dark is content, not look (issue 21). A tone curve leaves a
second trace that content does not: it stretches or squeezes *local* contrast. Where a curve's slope
(in log luminance) is s, the luminance steps between neighbouring pixels at that level are s times
those of the ungraded scene, whatever the scene shows; a darker scene only has more of its pixels at
low levels, each with natural steps. So the mean log step between neighbours, per band of lightness,
measures the curve's slope level by level; a ridge regression from these statistics to the look's
grey-axis lightness change (ΔL* at each grey node of the lattice), fitted on training crops under
the random looks, reads the tone curve (docs/trust.md, "The tone read from local contrast").

`ToneHead` replaces the estimator's grey tone curve by that reading: every lattice node's lightness
move is shifted by (read curve - estimated curve) at its input lightness; the saturation and cast
moves (`lutml.look_components`) stay the estimator's. NumPy only (no TensorFlow); the weights are
plain arrays in ``look_encoder.npz`` ("tone.*").
"""

from __future__ import annotations

import numpy as np

from lutml.color import lab_to_srgb, srgb_to_lab, srgb_to_linear
from lutml.look_components import component_fields
from lutml.lut.lut3d import identity_table

BANDS = 12  # lightness bands of the step statistics (by the mean L* of the two pixels)
#: neighbours at the tile's resolution and at half of it (2 x 2 means in linear light)
SCALES = (1, 2)
_Y_EPS = 0.005  # log(Y + eps): steps in the deepest shadows are noise, not slope
_LUMA = np.array([0.2126, 0.7152, 0.0722])
KEYS = ("tone.mu", "tone.sd", "tone.W", "tone.ym", "tone.grey_l")


def _lightness(y: np.ndarray) -> np.ndarray:
    """CIE L* of relative luminance Y (white 1)."""
    f = np.where(
        y > 216.0 / 24389.0, np.cbrt(np.maximum(y, 1e-12)), (24389.0 / 27.0 * y + 16.0) / 116.0
    )
    return 116.0 * f - 16.0


def tile_step_stats(tiles: np.ndarray) -> np.ndarray:
    """Per-tile sums of the neighbour-step statistics: (t, len(SCALES), 4, BANDS) float64 - per band
    the number of neighbour pairs, the sum of log(|d ln Y| + 0.01), of log(|d L*| + 0.3) and of
    |d ln Y|. Tiles (t, S, S, 3) sRGB in [0, 1]. Sums pool exactly: a set's statistics are the sum
    over its tiles (`step_features`)."""
    t = np.asarray(tiles)
    if t.ndim != 4 or t.shape[-1] != 3:
        raise ValueError(f"expected tiles of shape (t, S, S, 3), got {t.shape}")
    y = srgb_to_linear(np.clip(t, 0.0, 1.0)) @ _LUMA  # (t, S, S) relative luminance
    out = np.zeros((len(t), len(SCALES), 4, BANDS))
    rows = np.arange(len(t))[:, None]
    for si, s in enumerate(SCALES):
        ys = y
        if s > 1:
            h, w = y.shape[1] // s, y.shape[2] // s
            ys = y[:, : h * s, : w * s].reshape(len(t), h, s, w, s).mean(axis=(2, 4))
        ln, lab_l = np.log(ys + _Y_EPS), _lightness(ys)
        mids, g1, g2 = [], [], []
        for a, b in (
            ((slice(None), slice(None), slice(0, -1)), (slice(None), slice(None), slice(1, None))),
            ((slice(None), slice(0, -1)), (slice(None), slice(1, None))),
        ):
            mids.append((0.5 * (lab_l[a] + lab_l[b])).reshape(len(t), -1))
            g1.append(np.abs(ln[b] - ln[a]).reshape(len(t), -1))
            g2.append(np.abs(lab_l[b] - lab_l[a]).reshape(len(t), -1))
        mid, d1, d2 = (np.concatenate(v, axis=1) for v in (mids, g1, g2))
        band = np.clip((mid / 100.0 * BANDS).astype(np.int64), 0, BANDS - 1)
        flat = (band + rows * BANDS).ravel()
        for j, v in enumerate((np.ones_like(d1), np.log(d1 + 0.01), np.log(d2 + 0.3), d1)):
            out[:, si, j] = np.bincount(flat, v.ravel(), len(t) * BANDS).reshape(len(t), BANDS)
    return out


def step_features(stats: np.ndarray) -> np.ndarray:
    """Pooled statistics (..., len(SCALES), 4, BANDS) (summed over a set's tiles) -> features
    (..., len(SCALES) * 4 * BANDS) float64: per band the mean log steps, the log mean step and the
    log share of pairs."""
    s = np.asarray(stats, np.float64)
    cnt = s[..., 0, :] + 1.0
    feats = [
        s[..., 1, :] / cnt,
        s[..., 2, :] / cnt,
        np.log(s[..., 3, :] / cnt + 0.01),
        np.log(cnt / cnt.sum(axis=-1, keepdims=True)),
    ]
    f = np.stack(feats, axis=-2)  # (..., scales, 4, bands)
    return f.reshape(*f.shape[:-3], -1)


def grey_levels(n: int) -> np.ndarray:
    """L* of the `n` grey nodes of an n^3 lattice."""
    i = np.arange(n)
    return srgb_to_lab(identity_table(n)[i, i, i].astype(np.float64))[:, 0]


def grey_curve(table: np.ndarray) -> np.ndarray:
    """A table's lightness change along its grey axis: ΔL* at each grey node (n,)."""
    t = np.asarray(table, np.float64)
    n = t.shape[0]
    i = np.arange(n)
    return srgb_to_lab(np.clip(t[i, i, i], 0.0, 1.0))[:, 0] - grey_levels(n)


def fit_ridge(features: np.ndarray, curves: np.ndarray, l2: float) -> dict[str, np.ndarray]:
    """Ridge regression of grey curves (m, n) on step features (m, F), standardised features:
    the "tone.*" arrays of `ToneHead`."""
    x = np.asarray(features, np.float64)
    y = np.asarray(curves, np.float64)
    if len(x) != len(y) or len(x) < 2:
        raise ValueError(f"need matching rows of features and curves, got {len(x)} and {len(y)}")
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mu) / sd
    ym = y.mean(axis=0)
    w = np.linalg.solve(z.T @ z + float(l2) * np.eye(z.shape[1]), z.T @ (y - ym))
    n = y.shape[1]
    return {
        "tone.mu": mu.astype(np.float32),
        "tone.sd": sd.astype(np.float32),
        "tone.W": w.astype(np.float32),
        "tone.ym": ym.astype(np.float32),
        "tone.grey_l": grey_levels(n).astype(np.float32),
    }


def with_tone_curve(table: np.ndarray, curve: np.ndarray) -> np.ndarray:
    """`table` (n, n, n, 3) with its grey tone curve replaced by `curve` (ΔL* at the grey nodes'
    lightness): each node's lightness move is shifted by the two curves' difference at its input
    lightness; its saturation and cast moves are kept. float32, clipped to [0, 1]."""
    t = np.asarray(table, np.float64)
    n = t.shape[0]
    levels = grey_levels(n)
    f = component_fields(t)
    light = f["lab_in"][..., 0]
    shift = np.interp(light, levels, np.asarray(curve, np.float64)) - np.interp(
        light, levels, grey_curve(t)
    )
    lab = f["lab_in"].copy()
    lab[..., 0] += f["tone"] + shift
    lab[..., 1:] += f["saturation"] + f["cast"]
    return np.clip(lab_to_srgb(lab), 0.0, 1.0).astype(np.float32)


class ToneHead:
    """The fitted ridge (``tone.*`` arrays): step statistics -> grey curve -> the table's tone."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        missing = [k for k in KEYS if k not in arrays]
        if missing:
            raise KeyError(f"tone head lacks {', '.join(missing)}")
        self.mu, self.sd = (np.asarray(arrays[k], np.float64) for k in ("tone.mu", "tone.sd"))
        self.w = np.asarray(arrays["tone.W"], np.float64)
        self.ym = np.asarray(arrays["tone.ym"], np.float64)
        # how much of the read curve replaces the estimator's, by the number of tiles read
        # (fitted on held-out photos, `lutml.tone_fit`; absent: all of it)
        self.weight = np.asarray(arrays.get("tone.weight", [1.0]), np.float64).reshape(-1)
        tiles = np.asarray(arrays.get("tone.weight_tiles", [1.0]), np.float64).reshape(-1)
        self.weight_tiles = np.rint(tiles).astype(np.int64)
        if self.weight.shape != self.weight_tiles.shape or self.weight_tiles[0] != 1:
            raise ValueError("tone head weights need one value per tile count, from 1 tile")
        if np.any(np.diff(self.weight_tiles) <= 0):
            raise ValueError("tone head weight tile counts must increase")
        if not np.all((self.weight >= 0.0) & (self.weight <= 1.0)):
            raise ValueError(f"tone head weights must be in [0, 1], got {self.weight}")
        f, n = self.w.shape
        if self.mu.shape != (f,) or self.sd.shape != (f,) or self.ym.shape != (n,):
            raise ValueError(f"tone head arrays disagree in shape (W {self.w.shape})")
        if f != len(SCALES) * 4 * BANDS:
            raise ValueError(
                f"tone head expects {f} features, this code computes {len(SCALES) * 4 * BANDS}"
            )
        if not all(np.all(np.isfinite(a)) for a in (self.mu, self.sd, self.w, self.ym)):
            raise ValueError("tone head arrays hold NaN or infinite values")

    @classmethod
    def from_weights(cls, weights: dict[str, np.ndarray]) -> ToneHead | None:
        """The head stored in a weights dict, or None for weights without one (older models)."""
        return cls(weights) if KEYS[0] in weights else None

    def curves(self, stats: np.ndarray) -> np.ndarray:
        """Pooled step statistics (..., scales, 4, bands) -> read grey curves (..., n)."""
        return ((step_features(stats) - self.mu) / self.sd) @ self.w + self.ym

    def gap(self, table: np.ndarray, stats: np.ndarray) -> float:
        """RMS ΔL* between the grey curve read from `stats` and `table`'s own: two independent
        readings of the tone (local contrast, colour statistics); the trust model's "tone_gap"."""
        return float(np.sqrt(np.mean((self.curves(stats) - grey_curve(table)) ** 2)))

    def weight_for(self, n_tiles: int) -> float:
        """The share of the read curve in the tone of a set of `n_tiles` tiles."""
        at = np.searchsorted(self.weight_tiles, max(int(n_tiles), 1), "right") - 1
        return float(self.weight[at])

    def apply(self, table: np.ndarray, stats: np.ndarray, n_tiles: int) -> np.ndarray:
        """`table` with the tone curve read from pooled `stats` (the summed statistics of one set's
        `n_tiles` tiles), blended with the table's own by `weight_for(n_tiles)`."""
        if self.w.shape[1] != table.shape[0]:
            raise ValueError(
                f"tone head reads {self.w.shape[1]} grey nodes, the table has {table.shape[0]}"
            )
        w = self.weight_for(n_tiles)
        if w == 0.0:
            return np.asarray(table, np.float32)
        read = self.curves(stats)
        if w < 1.0:
            read = w * read + (1.0 - w) * grey_curve(table)
        return with_tone_curve(table, read)
