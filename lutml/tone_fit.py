"""Fitting the tone head of the look estimator (`lutml.models.tone_edges`): the ridge from local-
contrast statistics to a look's grey tone curve, on sets of training crops under the random looks, and
how much of its reading to use per set size, on sets of held-out photos. Called by the train stage
(`lutml.train.look_trainer`, ``train.tone_sets``); NumPy only (no TensorFlow). Kept apart from the
head itself so that reading a look never imports the trust model's fitting code."""

from __future__ import annotations

import numpy as np

from lutml.models.tone_edges import (
    ToneHead,
    fit_ridge,
    grey_curve,
    step_features,
    tile_step_stats,
)
from lutml.trust_fit import as_stills, graded_sets

NO_LOOK_SHARE = 0.08  # of the sets: ungraded (the tone head must read "no look" too)


def _graded_sets(crops: np.ndarray, groups: np.ndarray, tables: np.ndarray, rng, n_sets: int):
    """`n_sets` sets of all `crops` drawn and graded as the trust model's (`graded_sets`),
    8 % without a look: yields (crop ids, the true table, the graded 8-bit stills)."""
    pool = np.arange(len(crops))
    for _, ids, _, true, _, graded in graded_sets(
        crops, groups, pool, tables, n_sets, rng, NO_LOOK_SHARE
    ):
        yield ids, true, as_stills(graded)


def fit_tone_head(
    crops: np.ndarray,
    groups: np.ndarray,
    tables: np.ndarray,
    seed: int,
    n_sets: int,
    l2: float,
    progress: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Fit the tone head on sets of training crops (uint8 (N, S, S, 3), their photos `groups`)
    graded with random looks `tables` (m, n, n, n, 3): sets drawn as the trust model's (1-32 crops,
    by content - dark, bright, one hue, exposure moved - or at random), some without a look; the
    answer is each look's grey curve. Returns (the "tone.*" arrays, figures: the fit's residual
    ΔL* RMS on its last fifth of sets, fitted on the rest, against the mean curve's)."""
    from tqdm import tqdm

    rng = np.random.default_rng([seed, 53])
    feats, curves = [], []
    sets = _graded_sets(crops, groups, tables, rng, n_sets)
    for _, true, graded in tqdm(
        sets, total=n_sets, desc="tone sets", disable=not progress, mininterval=5
    ):
        feats.append(step_features(tile_step_stats(graded).sum(axis=0)))
        curves.append(grey_curve(true))
    x, y = np.stack(feats), np.stack(curves)
    cut = int(len(x) * 0.8)
    held = fit_ridge(x[:cut], y[:cut], l2)
    head = ToneHead(held)
    z = (x[cut:] - head.mu) / head.sd
    resid = y[cut:] - (z @ head.w + head.ym)
    figures = {
        "sets": int(n_sets),
        "held_out_rms": float(np.sqrt(np.mean(resid**2))),
        "mean_curve_rms": float(np.sqrt(np.mean((y[cut:] - y[:cut].mean(axis=0)) ** 2))),
    }
    return fit_ridge(x, y, l2), figures


WEIGHT_TILES = (1, 2, 4, 8, 16)  # tile-count buckets of the blend weights (a frame gives 1-3 tiles)


def fit_tone_weights(
    net,
    head: ToneHead,
    crops: np.ndarray,
    groups: np.ndarray,
    tables: np.ndarray,
    seed: int,
    n_sets: int,
) -> tuple[dict[str, np.ndarray], dict[str, list[float]]]:
    """How much of the read tone curve to use, by the number of tiles: least-squares blend
    weights of (read curve, the estimator's own) against the true grey curve, on sets of crops of
    photos neither the estimator nor the head trained on (the split's held-out photos, each crop one
    tile, graded with held-out looks; sets drawn as the trust model's). Returns the
    "tone.weight" / "tone.weight_tiles" arrays and per-bucket figures (sets, weight, ΔL* RMS of
    the estimator's curve, the read one and the blend)."""
    rng = np.random.default_rng([seed, 59])
    rows = []
    for ids, true, graded in _graded_sets(crops, groups, tables, rng, n_sets):
        own = grey_curve(np.clip(net.table(net.coefficients(graded)), 0.0, 1.0))
        read = head.curves(tile_step_stats(graded).sum(axis=0))
        rows.append((len(ids), own, read, grey_curve(true)))
    k = np.array([r[0] for r in rows])
    own, read, true = (np.stack([r[i] for r in rows]) for i in (1, 2, 3))
    bucket = np.searchsorted(WEIGHT_TILES, k, "right") - 1
    weights, figures = (
        [],
        {"sets": [], "weight": [], "own_rms": [], "read_rms": [], "blend_rms": []},
    )
    for b in range(len(WEIGHT_TILES)):
        m = bucket == b
        d, e = (read - own)[m], (true - own)[m]
        w = float(np.clip(np.sum(d * e) / max(np.sum(d * d), 1e-9), 0.0, 1.0)) if m.any() else 1.0
        weights.append(w)
        rms = lambda v: float(np.sqrt(np.mean(v**2))) if v.size else None  # noqa: E731
        figures["sets"].append(int(m.sum()))
        figures["weight"].append(round(w, 3))
        for key, v in (("own_rms", e), ("read_rms", (true - read)[m]), ("blend_rms", e - w * d)):
            figures[key].append(None if rms(v) is None else round(rms(v), 3))
    arrays = {
        "tone.weight": np.array(weights, np.float32),
        "tone.weight_tiles": np.array(WEIGHT_TILES, np.float32),  # float: the weights file's rule
    }
    return arrays, figures
