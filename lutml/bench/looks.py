"""`python -m lutml.bench looks`: learning a look from graded frames alone, on every built-in look.

Stories 2 and 3, measured as a user meets them. For each look: the corpus photos of role ``look``
graded with it are the only input (the look function and their neutral versions stay hidden);
the learned LUT is applied to the held-out neutral photos (role ``eval``) and compared with the
true look. In the same run, on the same photos: identity (no grade), the population-statistics
look, the original project's method (its pix2pix trained on degraded graded frames + kNN 8^3 per
photo; `--no-original` skips its ~2 minutes of training per look) and the pair-fit bound (`lutml
fit` on one true before/after pair). A second fold swaps the two held-out sets: the held-out
photos graded are the frames, the frame photos (neutral) are scored - other frames, as another
user would bring (neither set is ever used in training). Then story 3: each look from ONE graded
still. With `--frames-curve 4 8 15`: how many graded frames a user needs - the estimate from
seeded draws of that many of the graded frames, scored the same way.

Run `make run` first: it uses the trained look estimator in data/models and params.yaml's corpus
roles and settings.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from lutml.bench import bench_parser
from lutml.config.params import Params, load_params
from lutml.data.corpus import corpus_roles
from lutml.data.frames import make_frames
from lutml.data.looks import get_look
from lutml.data.looksynth import load_looks
from lutml.imageio import read_image_full
from lutml.lut import LUT3D
from lutml.models.inference import load_any_model
from lutml.pipeline.evaluate import baseline_luts, load_eval_data, score_luts, single_still_table
from lutml.pipeline.original import train_original
from lutml.resize import fit_within

# Built-in looks the method was designed with, and looks added only after it was fixed.
DESIGN_LOOKS = [
    "teal_orange",
    "s_curve_split_tone",
    "faded_film",
    "bleach_bypass",
    "hue_shift",
    "ocio_aces_sdr",
]
NEW_LOOKS = ["cross_process", "day_for_night"]
COLUMNS = ("identity", "ours", "population", "original", "pair_fit")


def _parse(argv: list[str]) -> argparse.Namespace:
    ap = bench_parser("looks", __doc__)
    ap.add_argument(
        "--model",
        type=Path,
        default=Path("data/models"),
        help="trained look model (default data/models)",
    )
    ap.add_argument(
        "--looks",
        nargs="*",
        default=None,
        help="looks to score (default: all built-in and new looks)",
    )
    ap.add_argument(
        "--no-original",
        action="store_true",
        help="skip the original project's method (2 min per look)",
    )
    ap.add_argument(
        "--single-refs", type=int, default=3, help="graded stills per look for story 3 (default 3)"
    )
    ap.add_argument(
        "--frames-curve",
        type=int,
        nargs="*",
        default=[],
        metavar="N",
        help="also score the estimate from N of the graded frames (seeded draws), for each N given",
    )
    ap.add_argument(
        "--curve-draws", type=int, default=8, help="draws of N frames per point (default 8)"
    )
    ap.add_argument(
        "--no-second-fold",
        action="store_true",
        help="skip the second fold (the held-out photos graded as the frames)",
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = ap.parse_args(argv)
    if any(n < 1 for n in args.frames_curve) or args.curve_draws < 1:
        ap.error("--frames-curve counts and --curve-draws must be >= 1")
    return args


def frame_draws(
    n_total: int, counts: list[int], draws: int, seed: int
) -> dict[int, list[np.ndarray]]:
    """Seeded draws of frame indices for the frames curve: `draws` subsets of each count below
    `n_total` (without repeats inside a subset), and all frames once for a count >= `n_total`."""
    rng = np.random.default_rng([seed, 29])
    out: dict[int, list[np.ndarray]] = {}
    for n in sorted(set(counts)):
        if n >= n_total:
            out[n_total] = [np.arange(n_total)]
        else:
            out[n] = [np.sort(rng.choice(n_total, n, replace=False)) for _ in range(draws)]
    return out


def score_look(
    name: str,
    model,
    params: Params,
    work: Path,
    with_original: bool,
    curve: tuple[list[int], int] = ([], 8),
    second_fold: bool = True,
) -> tuple[dict[str, float], dict[int, float], dict[str, float] | None]:
    """All methods on one look: mean dE00 on the held-out photos, per method; for the frames curve
    (`counts`, `draws`), ours from that many graded frames (mean over the draws); and the second
    fold's identity and ours (None if skipped)."""
    frames = work / name / "frames"
    look_cfg = params.look if params.look.name == name else name
    make_frames(frames, params.frames, look_cfg, params.corpus, params.seed)
    data = load_eval_data(frames, params.eval.score_size)
    size = params.fit.size
    luts = {"ours": [model.predict_look(data.graded, refine=params.eval.refine, size=size)]}
    original_dir = None
    if with_original:
        from dataclasses import replace

        original_dir = work / name / "original"
        original = replace(params.original, train=replace(params.original.train, mlflow=False))
        train_original(frames, original_dir, params.synth, original, params.fit.size, params.seed)

    crops = load_looks("data/pairs")[0]
    pool = [c.astype(np.float32) / 255.0 for c in crops[:: max(1, len(crops) // 512)]]
    luts.update(baseline_luts(data, pool, original_dir, size))
    look = get_look(look_cfg)
    truths = [look(p) for p in data.heldout]
    row = {
        m: score_luts(luts[m], data.heldout, truths, look).summary()["de00_mean"]
        for m in COLUMNS
        if m in luts
    }
    counts, draws = curve
    points = {}
    for n, subsets in frame_draws(len(data.graded), counts, draws, params.seed).items():
        scores = [
            score_luts(
                [
                    model.predict_look(
                        [data.graded[i] for i in idx], refine=params.eval.refine, size=size
                    )
                ],
                data.heldout,
                truths,
                look,
            ).summary()["de00_mean"]
            for idx in subsets
        ]
        points[n] = float(np.mean(scores))
    second = (
        second_fold_scores(model, data, look, params)
        if second_fold and data.neutral is not None
        else None
    )
    return row, points, second


def second_fold_scores(model, data, look, params: Params) -> dict[str, float]:
    """The held-out photos graded (8-bit, as the frames stage writes frames) are the frames; the
    neutral frame photos, at the scoring size, are held out. Identity and ours, mean dE00."""
    frames = [
        (np.rint(look(p.astype(np.float32)) * 255.0) / 255.0).astype(np.float32)
        for p in data.heldout
    ]
    held = [
        np.clip(fit_within(n, params.eval.score_size, "area"), 0.0, 1.0).astype(np.float32)
        for n in data.neutral
    ]
    truths = [look(p) for p in held]
    size = params.fit.size
    ours = model.predict_look(frames, refine=params.eval.refine, size=size)
    return {
        "identity": score_luts([LUT3D.identity(size)], held, truths, look).summary()["de00_mean"],
        "ours": score_luts([ours], held, truths, look).summary()["de00_mean"],
    }


def _table(rows: dict[str, dict[str, float]], title: str) -> str:
    head = (
        f"{'look':<22}" + "".join(f"{c:>11}" for c in COLUMNS) + f"{'ours/id':>9}{'ours/orig':>10}"
    )
    lines = [title, head, "-" * len(head)]
    for name, r in rows.items():
        cells = "".join(f"{r[c]:>11.3f}" if c in r else f"{'-':>11}" for c in COLUMNS)
        vs_orig = f"{r['ours'] / r['original']:>10.2f}" if "original" in r else f"{'-':>10}"
        lines.append(f"{name:<22}{cells}{r['ours'] / r['identity']:>9.2f}{vs_orig}")
    ratios = [r["ours"] / r["identity"] for r in rows.values()]
    lines.append(
        f"{'mean ratio to identity':<22}{np.mean(ratios):>11.3f}   (worst {max(ratios):.3f}; goal <= 0.5 on every look)"
    )
    return "\n".join(lines)


def photo_images(photos, size: int) -> list[np.ndarray]:
    """Corpus photos (`CorpusPhoto`s) as float RGB, at most `size` px."""
    return [fit_within(read_image_full(p.path).as_float(), size, "area") for p in photos]


def role_photos(params: Params, role: str, size: int, limit: int | None = None) -> list[np.ndarray]:
    """The (first `limit`) corpus photos of `role` (params' roles and seed) as float RGB, at most
    `size` px."""
    return photo_images(corpus_roles(params.corpus, params.seed)[role][:limit], size)


def story3(model, params: Params, names: list[str], n_refs: int) -> dict[str, dict[str, float]]:
    """Story 3 per look (and per look with fresh parameters): ONE graded still each, the first
    `n_refs` frame photos in turn, scored on the held-out photos (`single_still_table`)."""
    size = params.eval.score_size
    refs = role_photos(params, "look", size, n_refs)
    photos = role_photos(params, "eval", size // 2)
    return single_still_table(
        model, refs, photos, names, int(params.fit.size), int(params.eval.refine)
    )


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv or [])

    params = Params.from_params(load_params())
    model = load_any_model(args.model)
    if model.kind != "look":
        raise SystemExit(
            f"{args.model}: a look model is needed (the default pipeline's data/models)"
        )
    names = args.looks or DESIGN_LOOKS + NEW_LOOKS
    start = time.perf_counter()
    rows, curves, seconds = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="lutml-bench-looks-") as tmp:
        for name in names:
            t = time.perf_counter()
            rows[name], curves[name], seconds[name] = score_look(
                name,
                model,
                params,
                Path(tmp),
                not args.no_original,
                (args.frames_curve, args.curve_draws),
                not args.no_second_fold,
            )
            print(f"  {name}: {time.perf_counter() - t:.0f} s", flush=True)
    single = story3(model, params, names, args.single_refs)
    roles = corpus_roles(params.corpus, params.seed)
    size = params.eval.score_size
    n_frames, n_eval = len(roles["look"]), len(roles["eval"])
    print(
        f"\nLearning a look from {n_frames} graded frames alone; mean CIEDE2000 to the true look on {n_eval} held-out "
        f"neutral photos ({size} px), model {args.model} ({model.meta.get('variant')}), {time.perf_counter() - start:.0f} s\n"
    )
    design = {k: v for k, v in rows.items() if k not in NEW_LOOKS}
    new = {k: v for k, v in rows.items() if k in NEW_LOOKS}
    if design:
        print(_table(design, "Built-in looks (the method was developed with these):"))
    if new:
        print("\n" + _table(new, "Looks added after the method was fixed:"))
    if not args.no_second_fold:
        print("\n" + _second_table(rows, seconds, n_frames, n_eval))
    print(
        f"\nOne graded still -> its look (story 3), mean over {min(args.single_refs, n_frames)} stills:"
    )
    print(f"{'look':<22}{'identity':>11}{'ours':>11}{'pair_fit':>11}{'ours/id':>9}")
    for name, r in single.items():
        print(
            f"{name:<22}{r['identity']:>11.3f}{r['ours']:>11.3f}{r['pair_fit']:>11.3f}{r['ratio']:>9.2f}"
        )
    print(f"{'mean ratio to identity':<22}{np.mean([r['ratio'] for r in single.values()]):>11.3f}")
    if args.frames_curve:
        print("\n" + _curve_table(rows, curves, args.curve_draws, n_frames))
    if args.json:
        out = {"frames": rows, "single_still": single}
        if not args.no_second_fold:
            out["second_fold"] = seconds
        if args.frames_curve:
            out["frames_curve"] = {k: {str(n): v for n, v in c.items()} for k, c in curves.items()}
        args.json.write_text(json.dumps(out, indent=2) + "\n")


def _second_table(
    rows: dict[str, dict[str, float]],
    seconds: dict[str, dict[str, float] | None],
    n_frames: int,
    n_eval: int,
) -> str:
    """Ours / identity on both folds, per look, and the means of the two groups of looks."""
    lines = [
        f"Second fold: the {n_eval} held-out photos graded are the frames, the {n_frames} frame "
        "photos (neutral) are scored:",
        f"{'look':<22}{'identity':>11}{'ours':>11}{'ours/id':>9}{'fold 1':>9}{'mean':>9}",
    ]
    groups: dict[str, list[tuple[float, float]]] = {"built-in": [], "new": []}
    for name, r in seconds.items():
        if r is None:
            continue
        a, b = rows[name]["ours"] / rows[name]["identity"], r["ours"] / r["identity"]
        groups["new" if name in NEW_LOOKS else "built-in"].append((a, b))
        lines.append(
            f"{name:<22}{r['identity']:>11.3f}{r['ours']:>11.3f}{b:>9.2f}{a:>9.2f}{(a + b) / 2:>9.2f}"
        )
    for group, pairs in groups.items():
        if pairs:
            a, b = np.mean(pairs, axis=0)
            worst = max(max(p) for p in pairs)
            lines.append(
                f"{'mean, ' + group + ' looks':<22}{'':>22}{b:>9.3f}{a:>9.3f}{(a + b) / 2:>9.3f}"
                f"   (worst of both folds {worst:.2f})"
            )
    return "\n".join(lines)


def _curve_table(
    rows: dict[str, dict[str, float]], curves: dict[str, dict[int, float]], draws: int, total: int
) -> str:
    """Ours / identity per look against the number of graded frames it learned from."""
    counts = sorted({n for c in curves.values() for n in c})
    lines = [
        f"How many graded frames? ours / identity from N frames (mean over {draws} seeded draws; "
        f"N = {total} is all of them, once):",
        f"{'look':<22}" + "".join(f"{'N=' + str(n):>8}" for n in counts),
    ]
    for name, c in curves.items():
        cells = "".join(
            f"{c[n] / rows[name]['identity']:>8.2f}" if n in c else f"{'-':>8}" for n in counts
        )
        lines.append(f"{name:<22}{cells}")
    means = [
        np.mean([c[n] / rows[k]["identity"] for k, c in curves.items() if n in c]) for n in counts
    ]
    lines.append(f"{'mean':<22}" + "".join(f"{m:>8.2f}" for m in means))
    return "\n".join(lines)
