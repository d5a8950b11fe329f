"""`python -m lutml.bench pipeline`: lutml's pipeline against the original project's, same data.

The original: its 64 px pix2pix with its training defaults (batch 1, Adam 2e-4, beta1 0.5,
lambda 100, jitter 86 -> 64) and its kNN LUT fit (k = 40, 8^3 grid, 64 px nearest samples).
Ours: the model `make run` trained (data/models) with the configured lattice fit. Both graded
LUTs are applied to the FULL-resolution test inputs and scored against the full-resolution
targets (mean / p95 CIEDE2000, PSNR, LUT mean difference to the ground-truth LUTs).

Run `make run` first: it uses data/pairs, data/split, data/luts/gt and data/models.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from lutml.evaluate import METRICS, evaluate_pairs, summarise


def _parse(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m lutml.bench pipeline", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data"), help="pipeline outputs (default data/)")
    ap.add_argument("--epochs", type=int, default=20,
                    help="original's epochs at batch 1 (default 20: ~5,800 steps, more than our 1,080 at batch 16)")
    ap.add_argument("--max-pairs", type=int, default=48, help="test pairs scored (default 48)")
    return ap.parse_args(argv)


def train_original(data: Path, epochs: int, seed: int, out_dir: Path) -> float:
    """Train the original 64 px network with the original defaults; returns training seconds."""
    from lutml.config import compose
    from lutml.train import train_model

    # The original's network and optimiser, not today's defaults: plain tanh output, Keras' BatchNorm
    # momentum, Adam 2e-4, batch 1, jitter 86 -> 64.
    cfg = compose(["model=pix2pix64", "model.residual=false", "model.bn_momentum=0.99",
                   "train.learning_rate=2e-4", "train.batch_size=1", f"train.epochs={epochs}",
                   "train.mlflow=false", "train.jitter=1.34375", "train.validate_every=1000",
                   "train.checkpoint_every=1000"])
    t0 = time.perf_counter()
    train_model(data / "pairs", data / "split", data / "luts/gt", out_dir, cfg["model"], cfg["train"],
                seed=seed, look="bench-original")
    return time.perf_counter() - t0


def score(model_dir: Path, data: Path, ids: list[str], method: str, fit_cfg: dict) -> dict:
    """Grade the test pairs with one model + LUT fit; the evaluate stage's scoring."""
    from lutml.data.pairs import load_pair
    from lutml.grade import grade_image
    from lutml.lut import LUT3D
    from lutml.models.inference import load_model

    model = load_model(model_dir)

    def load(pid: str) -> tuple[np.ndarray, ...]:
        return (*load_pair(data / "pairs", pid), *load_pair(data / "pairs", pid, full=True))

    def fit_for(inp: np.ndarray) -> tuple[dict[str, LUT3D], np.ndarray, np.ndarray]:
        if method == "knn":  # the original: kNN 8^3 on the model's input/output
            g = grade_image(model, inp, size=8, method="knn")
        else:
            g = grade_image(model, inp, method="lattice", **fit_cfg)
        return {"ours": g.lut, "seed": g.lut}, g.model_input, g.prediction

    return summarise(evaluate_pairs(ids, load, fit_for, data / "luts/gt", progress=True))


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lutml.data.pairs import read_split
    from lutml.params import load_params

    args = _parse(argv or [])
    p = load_params()
    for need in ("pairs", "split", "luts/gt", "models/generator.keras"):
        if not (args.data / need).exists():
            raise SystemExit(f"{args.data / need} missing: run `make run` first")
    ids = sorted(read_split(args.data / "split")["test"])[: args.max_pairs]
    epochs = args.epochs
    fit_cfg = {"size": int(p.fit.size), "smoothness": p.fit.smoothness, "robust": bool(p.fit.robust),
               "interpolation": str(p.fit.interpolation)}
    with tempfile.TemporaryDirectory(prefix="lutml-bench-original-") as tmp:
        secs = train_original(args.data, epochs, int(p.seed), Path(tmp) / "models")
        original = score(Path(tmp) / "models", args.data, ids, "knn", fit_cfg)["ours"]
    ours_all = score(args.data / "models", args.data, ids, "lattice", fit_cfg)
    ours, identity, oracle = ours_all["ours"], ours_all["identity"], ours_all["oracle"]
    print(f"\nOriginal pipeline vs lutml on {len(ids)} test pairs at full resolution "
          f"(original trained {epochs} epochs, batch 1, in {secs:.0f} s)")
    head = f"{'pipeline':<34}" + "".join(f"{m:>15}" for m in METRICS)
    print(head + "\n" + "-" * len(head))
    rows = [("original (pix2pix64 b1 + kNN 8^3)", original), ("lutml (data/models + lattice)", ours),
            ("identity (no grade)", identity), ("oracle (true-pair LUT)", oracle)]
    for name, row in rows:
        print(f"{name:<34}" + "".join(f"{row[m]:>15.4f}" for m in METRICS))
    ratio = ours["de00_mean"] / original["de00_mean"]
    print(f"\nlutml / original mean dE00 = {ratio:.2f}x (goal <= 0.5x); "
          f"lutml LUT mean difference {ours['lut_mean_diff']:.4f} (goal <= 0.02)")


if __name__ == "__main__":
    main()
