"""Fitting the trust model (`lutml.trust`) on held-out photos (the train stage calls `fit_trust`).

Calibration sets are drawn from crops of the photos the estimator did not train on, graded with
held-out random looks (and, in a share of the sets, with no look at all). The set contents are
drawn typical and atypical on purpose - a user's stills are not a random sample of the corpus:

============  ===========================================================================
random        crops drawn at random
dark          crops from the darkest quarter (low-key: night, studio on black)
bright        crops from the brightest quarter (high-key, snow, sky)
one hue       crops whose colour lies in one hue family (forest, sea, desert)
exposure      random crops with the set's exposure moved by -1.5..+1 stop (per-crop jitter)
============  ===========================================================================

The held-out photos are split in two by photo: the shrink and spread models are fitted on sets
from one half; the 80 % interval scale and the figures reported are measured on the other half.
NumPy only: the estimator runs as `NumpyLookNet`, as `lutml grade` runs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize

from lutml.color import weighted_lut_delta_e
from lutml.data.content import crop_stats, mode_candidates
from lutml.look_components import COMPONENTS, scale_components
from lutml.lut import LUT3D, apply_lut
from lutml.lut.lut3d import identity_table
from lutml.trust import (
    FEATURES,
    QUANTITIES,
    S_MAX,
    SURE_MAX_WORSE,
    TRUST_VERSION,
    TrustModel,
    _design,
    _sigmoid,
    _summary_vec,
    frame_subset,
    level_of,
    novelty_model,
    set_features,
)

MODES = ("random", "dark", "bright", "one_hue", "exposure")
MODE_P = (0.35, 0.15, 0.15, 0.2, 0.15)
SET_SIZES = (1, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
NO_LOOK_SHARE = 0.12
MIXED_SHARE = 0.15  # of the sets of 4+ frames: half the frames under a second look
MIXED_FPR = 0.02  # the share of one-look sets (of 4+ frames) the mixed verdict may wrongly flag


def draw_set(
    rng: np.random.Generator,
    pool: np.ndarray,
    stats: tuple[np.ndarray, np.ndarray, np.ndarray],
    groups: np.ndarray,
) -> tuple[str, np.ndarray, np.ndarray | None]:
    """(mode, crop ids, per-crop exposure in stops or None) of one calibration set from `pool`."""
    k = int(rng.choice(SET_SIZES))
    mode = MODES[int(rng.choice(len(MODES), p=MODE_P))]
    cand = mode_candidates(rng, mode, pool, stats, k)
    ids = _distinct_photos(rng, cand, groups, k)
    exposure = None
    if mode == "exposure":
        exposure = rng.uniform(-1.5, 1.0) + 0.3 * rng.standard_normal(k)
    return mode, ids, exposure


def _distinct_photos(rng: np.random.Generator, cand: np.ndarray, groups: np.ndarray, k: int):
    """`k` crop ids from `cand`, from as many different photos as there are (a user's stills
    are different shots), then at random."""
    order = rng.permutation(cand)
    first = order[np.unique(groups[order], return_index=True)[1]]
    first = rng.permutation(first)
    if len(first) >= k:
        return first[:k]
    rest = np.setdiff1d(order, first)
    more = rng.choice(
        rest if len(rest) else cand, k - len(first), replace=len(rest) < k - len(first)
    )
    return np.concatenate([first, more])


def _expose(x: np.ndarray, stops: np.ndarray) -> np.ndarray:
    from lutml.color import linear_to_srgb, srgb_to_linear

    lin = srgb_to_linear(x) * (2.0**stops)[:, None, None, None]
    return np.clip(linear_to_srgb(lin), 0.0, 1.0).astype(np.float32)


S_GRID = (0.0, 0.5, 1.0, 1.2)


def fit_shrink(X: np.ndarray, E: np.ndarray, C: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Weights theta of s(x) = S_MAX * sigmoid(X @ theta) minimising mean(E s^2 - 2 C s).

    E = <est, est>, C = <est, true> per set: the shrunk estimate's squared error up to a constant.
    """
    scale = max(float(np.mean(E)), 1e-12)

    def loss(theta):
        g = _sigmoid(X @ theta)
        s = S_MAX * g
        r = (E * s * s - 2.0 * C * s) / scale
        ds = (2.0 * E * s - 2.0 * C) / scale * S_MAX * g * (1.0 - g)
        grad = X.T @ ds / len(X) + 2 * l2 * theta
        return float(np.mean(r) + l2 * theta @ theta), grad

    res = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B")
    return res.x


def fit_shrink_curves(
    X: np.ndarray, grid: np.ndarray, errs: np.ndarray, l2: float = 1e-3
) -> np.ndarray:
    """Weights theta of s(x) = S_MAX * sigmoid(X @ theta) minimising the mean of each set's error
    curve at s(x): `errs` (N, G) the error of set i at strength grid[g], linearly interpolated."""
    grid = np.asarray(grid, np.float64)
    slopes = np.diff(errs, axis=1) / np.diff(grid)  # (N, G - 1)
    rows = np.arange(len(errs))

    def loss(theta):
        g = _sigmoid(X @ theta)
        s = S_MAX * g
        seg = np.clip(np.searchsorted(grid, s, side="right") - 1, 0, len(grid) - 2)
        value = errs[rows, seg] + slopes[rows, seg] * (s - grid[seg])
        ds = slopes[rows, seg] * S_MAX * g * (1.0 - g)
        return float(np.mean(value) + l2 * theta @ theta), X.T @ ds / len(X) + 2 * l2 * theta

    return minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B").x


def fit_spread(X: np.ndarray, r: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Weights phi of log sigma(x) = X @ phi, by the Gaussian likelihood of the residuals r."""

    def nll(phi):
        z = X @ phi
        q = r * r * np.exp(-2.0 * z)
        grad = X.T @ (1.0 - q) / len(X) + 2 * l2 * phi
        return float(np.mean(z + 0.5 * q) + l2 * phi @ phi), grad

    phi0 = np.zeros(X.shape[1])
    phi0[-1] = np.log(max(float(np.std(r)), 1e-3))
    return minimize(nll, phi0, jac=True, method="L-BFGS-B").x


def _error_curves(raw: np.ndarray, true: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """Per part: the error to the true look at each strength of `S_GRID` for that part (the others
    at 1) - the curve `fit_shrink_curves` interpolates.

    The error is the mean dE00 over the lattice weighted by natural colours, divided by no grade's
    (at least 1 dE00): what the benchmarks score, as a ratio to identity; where there is no look
    to find, divided by the raw estimate's error (so such sets weigh like one bad look, not more).
    """
    # every other lattice node: the curves' shape, at an eighth of the cost
    n = raw.shape[0]
    raw, true = raw[::2, ::2, ::2], true[::2, ::2, ::2]
    w = w.reshape(n, n, n)[::2, ::2, ::2].reshape(-1)
    ident = identity_table(raw.shape[0])
    raw_error = weighted_lut_delta_e(raw, true, w)
    no_grade = weighted_lut_delta_e(ident, true, w)
    # a look's error as a ratio to no grade's; with no look to find, as a ratio to the raw error
    scale = max(no_grade if no_grade > 0.5 else raw_error, 1.0)
    at_one = raw_error / scale
    out = {}
    for c in COMPONENTS:
        errs = [
            at_one
            if s == 1.0
            else weighted_lut_delta_e(scale_components(raw, **{c: s}), true, w) / scale
            for s in S_GRID
        ]
        out[c] = np.asarray(errs, np.float64)
    return out


def graded_sets(
    crops: np.ndarray,
    groups: np.ndarray,
    pool: np.ndarray,
    tables: np.ndarray,
    n_sets: int,
    rng: np.random.Generator,
    no_look_share: float,
):
    """`n_sets` sets of crop ids from `pool` (`draw_set`: 1-32 crops, by content or at random,
    exposure moved for some), each graded with a random look of `tables` or, `no_look_share` of
    them, with none: yields (mode, crop ids, the crops as shot (float32), the true table, whether
    it is no look, the graded crops in [0, 1] before 8-bit quantisation, `as_stills`). The trust
    model's calibration and the tone head (`lutml.tone_fit`) draw their sets here."""
    stats = crop_stats(crops)
    ident = identity_table(tables.shape[1])
    for _ in range(n_sets):
        mode, ids, exposure = draw_set(rng, pool, stats, groups)
        no_look = rng.random() < no_look_share
        true = ident if no_look else tables[int(rng.integers(len(tables)))].astype(np.float32)
        x = crops[ids].astype(np.float32) / 255.0
        if exposure is not None:
            x = _expose(x, exposure)
        yield mode, ids, x, true, no_look, np.clip(apply_lut(LUT3D(true), x), 0.0, 1.0)


def as_stills(graded: np.ndarray) -> np.ndarray:
    """Graded crops as 8-bit stills hold them (float32 in [0, 1])."""
    return (np.rint(graded * 255.0) / 255.0).astype(np.float32)


def calibration_records(
    net: Any,
    crops: np.ndarray,
    groups: np.ndarray,
    pool: np.ndarray,
    tables: np.ndarray,
    n_sets: int,
    rng: np.random.Generator,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """Draw `n_sets` sets from crop ids `pool`, grade them, read them with `net`, record all."""
    from tqdm import tqdm

    w = np.asarray(net.basis.node_weights, np.float64).reshape(-1)
    w = w / w.sum()
    records = []
    sets = graded_sets(crops, groups, pool, tables, n_sets, rng, NO_LOOK_SHARE)
    for mode, ids, x, true, no_look, graded in tqdm(
        sets, total=n_sets, desc="trust sets", disable=not progress, mininterval=5
    ):
        mixed = len(ids) >= 4 and rng.random() < MIXED_SHARE
        if mixed:  # the second half of the frames under another look
            other = tables[int(rng.integers(len(tables)))].astype(np.float32)
            h = len(ids) // 2
            graded[h:] = np.clip(apply_lut(LUT3D(other), x[h:]), 0.0, 1.0)
        graded = as_stills(graded)
        raw, own, gap = net.set_and_frame_tables(
            graded, np.arange(len(graded)), frame_subset(len(graded))
        )
        own = list(own)
        records.append(
            {
                "mode": mode,
                "mixed": bool(mixed),
                "no_look": bool(no_look),
                "k": len(ids),
                "x": set_features(raw, graded, np.arange(len(graded)), own, w, gap),
                "inner": _error_curves(raw, true, w),
                "raw": raw,
                "true_q": _summary_vec(true),
                "true": true,
            }
        )
    return records


def fit_trust(
    net: Any,
    crops: np.ndarray,
    groups: np.ndarray,
    tables: np.ndarray,
    seed: int,
    n_sets: int,
    progress: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit the trust model; returns (the ``model.json`` "trust" block, held-out figures)."""
    rng = np.random.default_rng([seed, 31])
    photos = np.unique(groups)
    half = rng.permutation(photos)[: len(photos) // 2]
    in_a = np.isin(groups, half)
    pool_a, pool_b = np.flatnonzero(in_a), np.flatnonzero(~in_a)
    n_a = int(round(n_sets * 2 / 3))
    all_a = calibration_records(net, crops, groups, pool_a, tables, n_a, rng, progress)
    all_b = calibration_records(net, crops, groups, pool_b, tables, n_sets - n_a, rng, progress)
    return fit_from_records(all_a, all_b, np.asarray(net.basis.node_weights, np.float64))


def fit_from_records(
    all_a: list[dict[str, Any]], all_b: list[dict[str, Any]], node_weights: np.ndarray
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The trust block and its held-out figures from the calibration records of two halves of
    the held-out photos (`calibration_records`): fitted on `all_a`, measured on `all_b`, then
    refitted on both."""
    rec_a = [r for r in all_a if not r["mixed"]]  # one look: what the shrinkage is fitted on
    rec_b = [r for r in all_b if not r["mixed"]]
    w = np.asarray(node_weights, np.float64).reshape(-1)

    xa = np.stack([r["x"] for r in rec_a])
    mu, sd = xa.mean(0), np.maximum(xa.std(0), 1e-6)
    X = _design(xa, mu, sd)
    theta = {}
    for c in COMPONENTS:
        theta[c] = fit_shrink_curves(
            X, np.asarray(S_GRID), np.stack([r["inner"][c] for r in rec_a])
        )
    block: dict[str, Any] = {
        "version": TRUST_VERSION,
        "features": list(FEATURES),
        "mu": mu.tolist(),
        "sd": sd.tolist(),
        "lo": xa.min(0).tolist(),
        "hi": xa.max(0).tolist(),
        "theta": {c: theta[c].tolist() for c in COMPONENTS},
        "phi": {},
        "k80": {},
        "no_look_de00": 1.5,
    }

    def shrunk(records, model_theta):
        out = []
        for r in records:
            z = _design(r["x"][None], mu, sd)
            s = {
                c: float(S_MAX / (1.0 + np.exp(-np.clip(z @ model_theta[c], -30, 30)))[0])
                for c in COMPONENTS
            }
            out.append(scale_components(r["raw"], **s))
        return out

    tab_a = shrunk(rec_a, theta)
    res_a = np.stack([r["true_q"] - _summary_vec(t) for r, t in zip(rec_a, tab_a, strict=True)])
    for i, q in enumerate(QUANTITIES):
        block["phi"][q] = fit_spread(X, res_a[:, i]).tolist()

    # held-out half: interval scale (split conformal) and the figures
    tab_b = shrunk(rec_b, theta)
    xb = np.stack([r["x"] for r in rec_b])
    Xb = _design(xb, mu, sd)
    res_b = np.stack([r["true_q"] - _summary_vec(t) for r, t in zip(rec_b, tab_b, strict=True)])
    figures: dict[str, Any] = {
        "sets_fit": len(rec_a),
        "sets_held_out": len(rec_b),
        "coverage_gaussian_80": {},
    }
    for i, q in enumerate(QUANTITIES):
        sig = np.exp(Xb @ np.asarray(block["phi"][q]))
        z = np.abs(res_b[:, i]) / sig
        level = min(1.0, np.ceil(0.8 * (len(z) + 1)) / len(z))
        block["k80"][q] = float(np.quantile(z, level))
        figures["coverage_gaussian_80"][q] = round(float(np.mean(z <= 1.2816)), 4)
    # how much the trust model helps on the held-out half (LUT error over natural colours)
    err_raw, err_trust, err_id = [], [], []
    for r, t in zip(rec_b, tab_b, strict=True):
        err_raw.append(weighted_lut_delta_e(r["raw"], r["true"], w))
        err_trust.append(weighted_lut_delta_e(t, r["true"], w))
        err_id.append(weighted_lut_delta_e(identity_table(t.shape[0]), r["true"], w))
    err_raw, err_trust, err_id = map(np.asarray, (err_raw, err_trust, err_id))
    looked = (
        err_id > 0.5
    )  # sets with a look to find (not the no-look ones, nor near-identity looks)
    modes = np.array([r["mode"] for r in rec_b])
    figures["held_out"] = {
        "mean_ratio_raw": round(float(np.mean(err_raw[looked] / err_id[looked])), 4),
        "mean_ratio_trust": round(float(np.mean(err_trust[looked] / err_id[looked])), 4),
        "worse_than_identity_raw": int(np.sum(err_raw[looked] > err_id[looked])),
        "worse_than_identity_trust": int(np.sum(err_trust[looked] > err_id[looked])),
        "sets_with_look": int(looked.sum()),
        # (None where the held-out half drew no set without a look: tiny calibrations)
        "no_look_strength_raw": _mean(err_raw[~looked]),
        "no_look_strength_trust": _mean(err_trust[~looked]),
        "per_mode_ratio_trust": {
            m: round(
                float(np.mean(err_trust[looked & (modes == m)] / err_id[looked & (modes == m)])), 4
            )
            for m in MODES
            if np.any(looked & (modes == m))
        },
        "per_mode_ratio_raw": {
            m: round(
                float(np.mean(err_raw[looked & (modes == m)] / err_id[looked & (modes == m)])), 4
            )
            for m in MODES
            if np.any(looked & (modes == m))
        },
    }
    block["mixed"], figures["mixed"] = _fit_mixed(all_a, all_b, mu, sd)
    block["sure_min_frames"], figures["sure"] = _sure_min_frames(rec_b, Xb, theta)
    # The model kept is refitted on both halves (twice the content); the interval scale k80 and
    # the figures above are those of the half-fitted model on the other half (cross-fitting).
    both = rec_a + rec_b
    x_all = np.stack([r["x"] for r in both])
    X_all = _design(x_all, mu, sd)
    for c in COMPONENTS:
        curves = np.stack([r["inner"][c] for r in both])
        block["theta"][c] = fit_shrink_curves(X_all, np.asarray(S_GRID), curves).tolist()
    final = {c: np.asarray(block["theta"][c]) for c in COMPONENTS}
    res_all = np.stack(
        [r["true_q"] - _summary_vec(t) for r, t in zip(both, shrunk(both, final), strict=True)]
    )
    for i, q in enumerate(QUANTITIES):
        block["phi"][q] = fit_spread(X_all, res_all[:, i]).tolist()
    block["lo"], block["hi"] = x_all.min(0).tolist(), x_all.max(0).tolist()
    block["novelty"] = novelty_model(x_all)
    TrustModel(block)  # validates what was written
    return block, figures


SURE_BUCKETS = ((1, 1), (2, 3), (4, 10**6))  # frames: one still, a few, a set


def _sure_min_frames(
    records: list[dict[str, Any]], X: np.ndarray, theta: dict[str, np.ndarray]
) -> tuple[int, dict[str, Any]]:
    """The fewest stills from which "sure" (`level_of`) is right: on the held-out half `records`
    (design rows `X`, strengths of the half-fitted `theta`), a part called sure made the look worse
    than leaving that part out in at most `SURE_MAX_WORSE` of the sets of that many stills and of
    every larger size bucket. Buckets with no part called sure do not decide."""
    k = np.array([r["k"] for r in records])
    worse = {b: [] for b in SURE_BUCKETS}
    for c in COMPONENTS:
        s = S_MAX * _sigmoid(X @ theta[c])
        for i, r in enumerate(records):
            if level_of(float(s[i])) != "sure":
                continue
            curve = r["inner"][c]
            bucket = next(b for b in SURE_BUCKETS if b[0] <= k[i] <= b[1])
            worse[bucket].append(float(np.interp(s[i], S_GRID, curve)) > float(curve[0]))
    rates = {b: (float(np.mean(v)) if v else None) for b, v in worse.items()}
    min_frames = 10**6  # never sure, unless a bucket qualifies
    for b in reversed(SURE_BUCKETS):
        if rates[b] is not None and rates[b] > SURE_MAX_WORSE:
            break
        min_frames = b[0]
    figures = {
        f"{lo}-{hi}" if hi < 10**6 else f"{lo}+": {
            "sure_parts": len(worse[(lo, hi)]),
            "worse_than_without": None if rates[(lo, hi)] is None else round(rates[(lo, hi)], 4),
        }
        for lo, hi in SURE_BUCKETS
    }
    return int(min_frames), {"min_frames": int(min_frames), "buckets": figures}


def _fit_mixed(all_a, all_b, mu, sd) -> tuple[dict[str, Any], dict[str, Any]]:
    """A logistic model of "these frames hold two looks" from the same features (sets of 4+
    frames); its threshold flags at most `MIXED_FPR` of the one-look sets of the held-out half."""
    from sklearn.linear_model import LogisticRegression

    a = [r for r in all_a if r["k"] >= 4]
    b = [r for r in all_b if r["k"] >= 4]
    ya, yb = (np.array([r["mixed"] for r in rs]) for rs in (a, b))
    if ya.sum() < 3 or (~ya).sum() < 3 or yb.sum() < 1 or (~yb).sum() < 3:
        return {"coef": [0.0] * (len(FEATURES) + 1), "threshold": 1.0}, {"fitted": False}
    Xa = _design(np.stack([r["x"] for r in a]), mu, sd)
    Xb = _design(np.stack([r["x"] for r in b]), mu, sd)
    clf = LogisticRegression(C=1.0, class_weight="balanced", fit_intercept=False, max_iter=2000)
    clf.fit(Xa, ya)
    coef = clf.coef_[0]
    pb = 1.0 / (1.0 + np.exp(-Xb @ coef))
    threshold = float(max(0.5, np.quantile(pb[~yb], 1.0 - MIXED_FPR)))
    return {"coef": coef.tolist(), "threshold": threshold}, {
        "fitted": True,
        "threshold": round(threshold, 4),
        "flagged_one_look": round(float(np.mean(pb[~yb] > threshold)), 4),
        "flagged_mixed": round(float(np.mean(pb[yb] > threshold)), 4),
        "held_out_sets": int(len(yb)),
    }


def _mean(values: np.ndarray) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


def main(argv: list[str] | None = None) -> None:
    """`python -m lutml.trust_fit MODEL_DIR [--pairs data/pairs] [--split data/split]`: (re)fit the
    trust model of a trained look model and write it into MODEL_DIR/model.json."""
    import argparse
    import json
    from pathlib import Path

    from lutml.atomic import write_text_atomic
    from lutml.data.looksynth import load_looks
    from lutml.data.split import read_look_split
    from lutml.models.files import META_FILE
    from lutml.models.look_inference import load_look_model

    ap = argparse.ArgumentParser(prog="python -m lutml.trust_fit", description=main.__doc__)
    ap.add_argument("model", type=Path)
    ap.add_argument("--pairs", type=Path, default=Path("data/pairs"))
    ap.add_argument("--split", type=Path, default=Path("data/split"))
    ap.add_argument("--sets", type=int, default=None, help="default: params.yaml train.trust_sets")
    ap.add_argument("--seed", type=int, default=None, help="default: params.yaml seed")
    ap.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    a = ap.parse_args(argv)
    from lutml.config.params import load_params

    params = load_params()
    sets = a.sets or int(params["train"]["trust_sets"] or 0)
    seed = params["seed"] if a.seed is None else a.seed
    if sets < 20:
        raise SystemExit("lutml.trust_fit: --sets (or train.trust_sets) must be at least 20")
    model = load_look_model(a.model)
    crops, groups, tables, _ = load_looks(a.pairs)
    split = read_look_split(a.split)
    te = split["test_crops"]
    block, figures = fit_trust(
        model.model, crops[te], groups[te], tables[split["test_looks"]], seed, sets, True
    )
    print(json.dumps(figures, indent=2))
    if not a.dry_run:
        meta_path = Path(a.model) / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["trust"] = block
        write_text_atomic(meta_path, json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
