"""`python -m lutml.bench photos [--counts 30 45]`: does the look estimator gain from more training photos?

Trains the look estimator with the pipeline's settings (params.yaml) on seeded subsets of N of the
training photos - same random looks, same steps, same validation photos and seed - and scores each
model like `bench looks --no-original` (both folds, story 3), next to the pipeline's own model
(all training photos, data/models) in the same run. A last table asks the question from the other
side: the pipeline's model given frames whose content it trained on (30 of its training photos,
graded with the look; 3 seeded draws), scored on the held-out photos - if knowing the photos made
the look readable, this would be far better than the held-out frames.

Run `make run` first (it needs data/pairs, data/split, data/luts and data/models). Training takes
~8 minutes per count on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from lutml.bench import bench_parser
from lutml.bench.looks import DESIGN_LOOKS, NEW_LOOKS, role_photos, score_look, story3
from lutml.config.params import Params, load_params
from lutml.config.stages import TrainStage
from lutml.data.corpus import corpus_roles
from lutml.data.looks import get_look
from lutml.data.split import read_look_split
from lutml.lut import LUT3D
from lutml.models.inference import load_any_model
from lutml.pipeline.evaluate import score_luts


def subset_split(
    split: dict[str, np.ndarray], group: np.ndarray, n_photos: int, seed: int
) -> dict[str, np.ndarray]:
    """The look split with its training crops cut to those of `n_photos` training photos (a
    seeded draw of the photos in `group`, the photo index of each crop); validation crops and
    the looks unchanged. All photos if `n_photos` >= their number."""
    train = split["train_crops"]
    photos = np.unique(group[train])
    if n_photos >= len(photos):
        return dict(split)
    if n_photos < 1:
        raise ValueError(f"n_photos must be >= 1, got {n_photos}")
    keep = np.random.default_rng([seed, 31]).choice(photos, n_photos, replace=False)
    return {**split, "train_crops": train[np.isin(group[train], keep)]}


def _parse(argv: list[str]) -> argparse.Namespace:
    ap = bench_parser("photos", __doc__)
    ap.add_argument(
        "--counts",
        type=int,
        nargs="+",
        default=[30, 45],
        help="numbers of training photos to train on (default 30 45)",
    )
    ap.add_argument(
        "--epochs", type=int, default=None, help="training epochs (default: params.yaml's)"
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = ap.parse_args(argv)
    if min(args.counts) < 1 or (args.epochs is not None and args.epochs < 1):
        ap.error("--counts and --epochs must be >= 1")
    return args


def score_model(model, params, names: list[str], work: Path) -> dict:
    """Both folds and story 3 of one look model: ratios to identity per look, and group means."""
    folds: dict[str, list[float]] = {}
    for name in names:
        row, _, second = score_look(name, model, params, work, False, ([], 1), True)
        folds[name] = [row["ours"] / row["identity"], second["ours"] / second["identity"]]
    single = story3(model, params, names, 3)

    def mean(group: list[str], fold: int) -> float:
        return float(np.mean([folds[k][fold] for k in group if k in folds]))

    design = [k for k in names if k not in NEW_LOOKS]
    new = [k for k in names if k in NEW_LOOKS]
    return {
        "looks": folds,
        "built_in": [mean(design, 0), mean(design, 1)] if design else None,
        "new": [mean(new, 0), mean(new, 1)] if new else None,
        "worst": max(max(v) for v in folds.values()),
        "story3": float(np.mean([r["ratio"] for r in single.values()])),
    }


def known_content(model, params, names: list[str], draws: int = 3) -> dict[str, float]:
    """Ours / identity from 30 of the model's own training photos graded with each look (the
    content it trained on), scored on the held-out photos; mean over `draws` seeded draws."""
    size = params.eval.score_size
    train, held = role_photos(params, "train", size), role_photos(params, "eval", size)
    n = min(len(corpus_roles(params.corpus, params.seed)["look"]), len(train))
    rng = np.random.default_rng([params.seed, 37])
    picks = [rng.choice(len(train), n, replace=False) for _ in range(draws)]
    out = {}
    for name in names:
        look = get_look(params.look if params.look.name == name else name)
        truths = [look(p) for p in held]

        def score(lut, truths=truths, look=look) -> float:
            return score_luts([lut], held, truths, look).summary()["de00_mean"]

        identity = score(LUT3D.identity(params.fit.size))
        ours = [
            score(model.predict_look([look(train[i]) for i in idx], size=params.fit.size))
            for idx in picks
        ]
        out[name] = float(np.mean(ours)) / identity
    return out


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv or [])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    params = Params.from_params(load_params())
    stage = TrainStage.from_params(load_params())
    train_cfg = replace(stage.train, mlflow=False)
    if args.epochs is not None:
        train_cfg = replace(train_cfg, epochs=args.epochs)
    split = read_look_split("data/split")
    with np.load("data/pairs/crops.npz") as z:
        group = z["group"]
    total = len(np.unique(group[split["train_crops"]]))
    names = DESIGN_LOOKS + NEW_LOOKS
    start = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(prefix="lutml-bench-photos-") as tmp:
        work = Path(tmp)
        model = load_any_model("data/models")
        print(f"pipeline model (all {total} training photos): scoring...", flush=True)
        results[total] = score_model(model, params, names, work / "all")
        for n in sorted(set(args.counts)):
            if n >= total:
                continue
            from lutml.train.look_trainer import train_look_model

            sub = work / f"split{n}"
            sub.mkdir()
            cut = subset_split(split, group, n, params.seed)
            (sub / "split.json").write_text(
                json.dumps({k: v.tolist() for k, v in cut.items()}), encoding="utf-8"
            )
            t = time.perf_counter()
            print(f"{n} training photos ({len(cut['train_crops'])} crops): training...", flush=True)
            train_look_model(
                "data/pairs",
                sub,
                "data/luts",
                work / f"model{n}",
                stage.model,
                train_cfg,
                seed=stage.seed,
            )
            print(f"  trained in {time.perf_counter() - t:.0f} s; scoring...", flush=True)
            results[n] = score_model(
                load_any_model(work / f"model{n}"), params, names, work / str(n)
            )
        known = known_content(model, params, names)
    print(
        f"\nThe look estimator trained on N of the {total} training photos ({train_cfg.epochs} epochs"
        f"{'' if args.epochs is None else ', --epochs'}; N = {total} is the pipeline's model); ours / "
        f"identity on the held-out photos, {time.perf_counter() - start:.0f} s\n"
    )
    print(
        f"{'N photos':>8}{'built-in f1':>13}{'built-in f2':>13}{'new f1':>9}{'new f2':>9}"
        f"{'worst':>8}{'story 3':>9}"
    )
    for n in sorted(results):
        r = results[n]
        print(
            f"{n:>8}{r['built_in'][0]:>13.3f}{r['built_in'][1]:>13.3f}{r['new'][0]:>9.3f}"
            f"{r['new'][1]:>9.3f}{r['worst']:>8.2f}{r['story3']:>9.3f}"
        )
    print(
        "\n(f1: the frame photos graded are the frames, the held-out photos scored; f2: the two sets "
        "swapped)\n\nKnown content: the pipeline's model from 30 of its own training photos graded, "
        "vs the held-out frames (fold 1):"
    )
    print(f"{'look':<22}{'known':>8}{'held-out':>10}")
    for name in names:
        print(f"{name:<22}{known[name]:>8.2f}{results[total]['looks'][name][0]:>10.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"by_photos": {str(k): v for k, v in results.items()}, "known_content": known},
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
