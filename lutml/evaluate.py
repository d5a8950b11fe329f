"""Score learned looks: our model + lattice fit against the original's kNN fit, identity and an oracle.

For every test pair the model grades the working-resolution input; a LUT is fitted from the
model's input to its output and applied to the FULL-resolution input, which is compared with the
full-resolution target. The same is done with the original project's kNN 8^3 fit ("seed"), with
no LUT ("identity") and with the ground-truth LUT fitted from the true pair ("oracle": the best any
LUT can do, since a LUT cannot express spatial edits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lutml.color import delta_e_image, psnr
from lutml.lut import LUT3D, apply_lut, identity_table, read_cube

METHODS = ("ours", "seed", "identity", "oracle")
METRICS = ("de00_mean", "de00_p95", "psnr", "lut_mean_diff")


def lut_mean_difference(lut: LUT3D, reference: LUT3D) -> float:
    """Mean |lut(x) - reference(x)| over the reference's lattice nodes x and the 3 channels.

    The original project's "LUT mean difference"; `lut` may have another size (it is evaluated
    trilinearly at the reference's nodes), identity scores ~0.12 on the original's data.
    """
    nodes = identity_table(reference.size)
    ours = apply_lut(lut, nodes, interpolation="trilinear")
    return float(np.mean(np.abs(ours - reference.table)))


@dataclass
class PairScore:
    """Per-pair scores of one method; `de00` keeps every pixel's ΔE00 for pooled percentiles."""

    pair: str
    de00: np.ndarray
    psnr: float
    lut_mean_diff: float

    @property
    def de00_mean(self) -> float:
        return float(self.de00.mean())


@dataclass
class PairResult:
    pair: str
    luts: dict[str, LUT3D]
    scores: dict[str, PairScore] = field(default_factory=dict)
    model_input: np.ndarray | None = None
    prediction: np.ndarray | None = None


def score_pair(
    pair: str,
    luts: dict[str, LUT3D],
    full_input: np.ndarray,
    full_target: np.ndarray,
    gt_lut: LUT3D,
    interpolation: str = "tetrahedral",
) -> dict[str, PairScore]:
    """Apply each LUT to the full-resolution input and compare with the full-resolution target."""
    scores = {}
    for name, lut in luts.items():
        graded = apply_lut(lut, full_input, interpolation=interpolation)
        scores[name] = PairScore(
            pair=pair,
            de00=delta_e_image(graded, full_target).astype(np.float32).ravel(),
            psnr=psnr(np.clip(graded, 0, 1), full_target),
            lut_mean_diff=lut_mean_difference(lut, gt_lut),
        )
    return scores


def summarise(results: list[PairResult]) -> dict:
    """The `data/metrics/eval.json` object: one entry per method with the four metrics, plus n_pairs.

    ΔE00 mean and 95th percentile are pooled over every pixel of every pair; PSNR and LUT mean
    difference are means over pairs.
    """
    out: dict = {}
    for m in METHODS:
        scores = [r.scores[m] for r in results]
        pooled = np.concatenate([s.de00 for s in scores])
        finite_psnr = [min(s.psnr, 100.0) for s in scores]  # an exact match would be +inf
        out[m] = {
            "de00_mean": round(float(pooled.mean()), 4),
            "de00_p95": round(float(np.percentile(pooled, 95)), 4),
            "psnr": round(float(np.mean(finite_psnr)), 3),
            "lut_mean_diff": round(float(np.mean([s.lut_mean_diff for s in scores])), 5),
        }
    out["n_pairs"] = len(results)
    return out


def per_pair_rows(results: list[PairResult]) -> list[dict]:
    """Rows for `dvc plots` (data/metrics/eval_pairs.csv): pair index and per-method mean ΔE00."""
    rows = []
    for i, r in enumerate(results):
        row: dict = {"pair": i, "id": r.pair}
        for m in METHODS:
            row[f"{m}_de00"] = round(r.scores[m].de00_mean, 4)
            row[f"{m}_lut_mean_diff"] = round(r.scores[m].lut_mean_diff, 5)
        rows.append(row)
    return rows


def load_gt_lut(gt_dir: Path, pair: str) -> LUT3D:
    path = gt_dir / f"{pair}.cube"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: ground-truth LUT missing (run the fit_luts stage)")
    return read_cube(path)


def evaluate_pairs(
    pairs: list[str],
    load: Callable[[str], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    fit_luts_for: Callable[[np.ndarray], tuple[dict[str, LUT3D], np.ndarray, np.ndarray]],
    gt_dir: Path,
    interpolation: str = "tetrahedral",
    progress: bool = True,
) -> list[PairResult]:
    """Run the evaluation loop.

    Parameters
    ----------
    load : pair id -> (input, target, full_input, full_target), float32 (H, W, 3) in [0, 1]
    fit_luts_for : working-res input -> ({"ours": LUT, "seed": LUT}, model_input, prediction)
    """
    from tqdm import tqdm

    results = []
    for pair in tqdm(pairs, desc="evaluate", unit="pair", disable=not progress):
        inp, _tgt, full_in, full_tgt = load(pair)
        gt = load_gt_lut(gt_dir, pair)
        luts, model_input, prediction = fit_luts_for(inp)
        luts = {**luts, "identity": LUT3D.identity(gt.size), "oracle": gt}
        res = PairResult(pair, luts, model_input=model_input, prediction=prediction)
        res.scores = score_pair(pair, luts, full_in, full_tgt, gt, interpolation)
        results.append(res)
    return results


def run_evaluation(
    pairs_dir: Path,
    split_dir: Path,
    gt_dir: Path,
    models_dir: Path,
    out_dir: Path,
    metrics_dir: Path,
    fit_cfg: Any,
    eval_cfg: Any,
) -> dict:
    """The evaluate stage: score the test pairs, write metrics, pictures and LUTs, log to MLflow.

    Writes ``metrics_dir/eval.json`` and ``eval_pairs.csv`` (DVC metrics/plots), and in `out_dir`:
    ``preview.png`` (input | prediction | our LUT applied | target), ``best.cube``/``worst.cube``
    (our LUT of the best/worst pair), ``look.cube`` (one LUT fitted from the model's outputs on all
    test frames together: the learned look) and ``look_preview.png``.
    """
    from lutml.data.pairs import load_pair, read_split
    from lutml.fit import fit_lut
    from lutml.grade import grade_image
    from lutml.models.inference import load_model

    test_ids = sorted(read_split(split_dir)["test"])
    if not test_ids:
        raise ValueError(f"{split_dir}: the test split is empty")
    test_ids = test_ids[: int(eval_cfg.max_pairs)] if eval_cfg.max_pairs else test_ids
    model = load_model(models_dir)
    opts = {"smoothness": fit_cfg.smoothness, "robust": fit_cfg.robust, "interpolation": fit_cfg.interpolation}

    def load(pid: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (*load_pair(pairs_dir, pid), *load_pair(pairs_dir, pid, full=True))

    def fit_for(inp: np.ndarray) -> tuple[dict[str, LUT3D], np.ndarray, np.ndarray]:
        g = grade_image(model, inp, size=int(fit_cfg.size), method=fit_cfg.method, **opts)
        seed = fit_lut(g.model_input, g.prediction, method="knn")  # the original's defaults: k=40, 8^3
        return {"ours": g.lut, "seed": seed}, g.model_input, g.prediction

    results = evaluate_pairs(test_ids, load, fit_for, gt_dir, fit_cfg.interpolation)
    summary = summarise(results)
    _write_outputs(results, summary, out_dir, metrics_dir, pairs_dir, fit_cfg, opts, eval_cfg)
    _log_mlflow(models_dir, out_dir, metrics_dir, summary)
    return summary


def _write_outputs(results, summary, out_dir, metrics_dir, pairs_dir, fit_cfg, opts, eval_cfg) -> None:
    import csv
    import io
    import json

    from lutml.atomic import write_text_atomic
    from lutml.data.pairs import load_pair
    from lutml.fit import fit_lut
    from lutml.imageio import write_image
    from lutml.lut import write_cube
    from lutml.preview import image_grid

    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(metrics_dir / "eval.json", json.dumps(summary, indent=2) + "\n")
    rows = per_pair_rows(results)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(metrics_dir / "eval_pairs.csv", buf.getvalue())

    ranked = sorted(results, key=lambda r: r.scores["ours"].de00_mean)
    write_cube(ranked[0].luts["ours"], out_dir / "best.cube")
    write_cube(ranked[-1].luts["ours"], out_dir / "worst.cube")
    grid_rows = []
    for r in results[: int(eval_cfg.preview_pairs)]:
        full_in, full_tgt = load_pair(pairs_dir, r.pair, full=True)
        ours = np.clip(apply_lut(r.luts["ours"], full_in), 0, 1)
        grid_rows.append([full_in, r.prediction, ours, full_tgt])
    labels = ["input", "model output (low-res)", "our LUT on full-res input", "target"]
    write_image(out_dir / "preview.png", image_grid(grid_rows, labels, height=160))

    # One look from every test frame's model output: what a user takes away.
    look = fit_lut([r.model_input for r in results], [r.prediction for r in results],
                   size=int(fit_cfg.size), method="lattice", **opts)
    look.title = "lutml learned look"
    write_cube(look, out_dir / "look.cube")
    first_in, first_tgt = load_pair(pairs_dir, results[0].pair, full=True)
    write_image(out_dir / "look_preview.png", image_grid(
        [[first_in, np.clip(apply_lut(look, first_in), 0, 1), first_tgt]],
        ["before", "after (look.cube)", "target"], height=320))


def _log_mlflow(models_dir: Path, out_dir: Path, metrics_dir: Path, summary: dict) -> None:
    """Log to the training's MLflow run (its id is in model.json) so the UI compares runs."""
    import json

    from lutml.tracking import mlflow_run

    meta_path = models_dir / "model.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    with mlflow_run(run_id=meta.get("mlflow_run_id"), experiment=meta.get("look", "lutml"),
                    run_name="evaluate") as mlflow:
        for method in METHODS:
            for metric in METRICS:
                mlflow.log_metric(f"eval_{method}_{metric}", summary[method][metric])
        mlflow.log_artifacts(str(out_dir), artifact_path="evaluation")
        mlflow.log_artifact(str(metrics_dir / "eval.json"), artifact_path="evaluation")
