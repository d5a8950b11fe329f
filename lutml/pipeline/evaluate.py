"""Score a learned look as the user meets it: one LUT, applied to neutral footage nobody trained on.

The learned look (`data/eval/look.cube`) comes from the graded frames only. It is applied to the
held-out neutral photos (corpus role ``eval``: never used in training, in any role) and compared
with the true look applied to the same photos, when the look is known. Next to it, on the same
photos and frames:

- ``identity``: doing nothing;
- ``population``: the population-statistics look (`lutml.fit.population`: tone + chroma per
  lightness band, neutral corpus pool -> graded pool), the simplest unpaired method;
- ``original``: the original project's method on the same graded frames (its 64 px pix2pix
  trained on degraded graded frames, then a kNN 8^3 LUT fitted to its output on each held-out
  photo), from the `original` stage;
- ``pair_fit``: the upper bound of story 1, `lutml fit` on one true before/after pair (the first
  graded frame and its neutral version).

Metrics per method: mean and 95th percentile CIEDE2000 pooled over every pixel of every held-out
photo, mean PSNR, and the LUT mean difference to the true look's LUT (mean |LUT(x) - look(x)|
over the lattice nodes x). When the look is not known (a user's graded folder or video), only
what can be measured is reported and the summary says so. The scoring itself (and story 3's
one-still table) is `lutml.pipeline.scoring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lutml.color import delta_e_image
from lutml.config.corpus import CorpusConfig
from lutml.config.eval import EvalConfig
from lutml.config.fit import FitConfig
from lutml.lut import LUT3D, apply_lut
from lutml.pipeline.scoring import (  # noqa: F401 (lut_mean_difference, MethodScore: re-exported)
    MethodScore,
    lut_mean_difference,
    score_luts,
    single_still_table,
    truth_labs,
)

METHODS = ("ours", "identity", "population", "original", "pair_fit")
METRICS = ("de00_mean", "de00_p95", "psnr", "lut_mean_diff")


def ratios(summary: dict[str, Any]) -> dict[str, float]:
    """Mean ΔE00 of each scored method as a ratio to identity's (lower is better; 1 = no gain)."""
    base = summary["identity"]["de00_mean"]
    return {
        m: round(summary[m]["de00_mean"] / base, 4) for m in METHODS if m in summary and base > 0
    }


# ----------------------------------------------------------------------------- the evaluate stage
CAMERA_LUT = "look_camera.cube"  # written only when the frames had a camera colour space


@dataclass
class EvalData:
    """Everything the evaluation reads, as float32 RGB images in [0, 1]."""

    graded: list[np.ndarray]
    neutral: list[np.ndarray] | None  # the graded frames before the look (known looks only)
    heldout: list[np.ndarray]
    heldout_ids: list[str]
    look_spec: dict | None  # the true look (conf/look block) when known
    manifest: dict


def load_eval_data(frames_dir, score_size: int) -> EvalData:
    """Read the frames stage's output (graded, neutral, held-out frames and the manifest); the
    held-out photos are scored downscaled to `score_size` px on the long side (area filter)."""
    from pathlib import Path

    from lutml.data.frames import read_frames_manifest
    from lutml.imageio import read_image

    d = Path(frames_dir)
    m = read_frames_manifest(d)
    ids = [f["id"] for f in m["frames"]]
    graded = [read_image(d / "graded" / f"{i}.png") for i in ids]
    neutral = [read_image(d / "neutral" / f"{i}.png") for i in ids] if m["neutral"] else None
    held = [h["id"] for h in m["heldout"]]
    if not held:
        raise ValueError(f"{d}: no held-out photos (corpus.eval must be >= 1)")
    from lutml.resize import fit_within

    heldout = [
        np.clip(fit_within(read_image(d / "heldout" / f"{i}.png"), score_size, "area"), 0, 1)
        for i in held
    ]
    return EvalData(graded, neutral, heldout, held, m["look"], m)


def learned_look(models_dir, data: EvalData, size: int, refine: int) -> tuple[LUT3D, Any]:
    """The look the trained model learned from the graded frames, as one LUT of `size` nodes.

    Look models read the graded frames (never the held-out photos). Image models (pix2pix, the
    pair-trained families) grade the held-out photos, as they would grade a user's footage, and
    one LUT is fitted from their inputs to their outputs.
    """
    from lutml.models.inference import load_any_model

    model = load_any_model(models_dir)
    if model.kind == "look":
        lut, trust = model.estimate(data.graded, refine=refine, size=size)
        model.last_trust = trust  # how sure the model is (lutml.trust), for the summary
        return lut, model
    from lutml.fit import fit_lut

    pairs = [model.predict(photo) for photo in data.heldout]
    lut = fit_lut(
        [p[0] for p in pairs], [p[1] for p in pairs], size=size, method="lattice", robust=True
    )
    return lut, model


def baseline_luts(
    data: EvalData, neutral_pool: Sequence[np.ndarray], original_dir, size: int
) -> dict[str, list[LUT3D]]:
    """The comparison methods' LUTs: one for all photos, or one per held-out photo (original)."""
    from pathlib import Path

    from lutml.fit import fit_lut
    from lutml.fit.population import population_look

    luts: dict[str, list[LUT3D]] = {
        "identity": [LUT3D.identity(size)],
        "population": [population_look(neutral_pool, data.graded, size=size)],
    }
    if original_dir is not None and Path(original_dir).is_dir():
        from lutml.grade import grade_image
        from lutml.models.inference import load_model

        original = load_model(original_dir)
        # the original's defaults: its network on each frame, then kNN (k=40) on an 8^3 grid
        luts["original"] = [
            grade_image(original, photo, size=8, method="knn").lut for photo in data.heldout
        ]
    if data.neutral is not None:
        luts["pair_fit"] = [
            fit_lut(data.neutral[0], data.graded[0], size=size, method="lattice", robust=True)
        ]
    return luts


def run_evaluation(
    frames_dir,
    pairs_dir,
    models_dir,
    original_dir,
    out_dir,
    metrics_dir,
    fit_cfg: FitConfig,
    eval_cfg: EvalConfig,
    corpus_cfg: CorpusConfig,
    seed: int,
) -> dict:
    """The evaluate stage: learn the look from the graded frames, score it, write results, log to MLflow.

    Writes ``out_dir/look.cube`` (the learned look, sRGB in), when the frames had a camera colour
    space (`frames.colour_space`) also ``look_camera.cube`` (the same look taking that space in: shaper
    + 3D, `lutml.lut.spaces.export_for_space`), ``look_preview.png``, ``compare.png``,
    ``metrics_dir/eval.json`` and ``eval_photos.csv`` (per held-out photo, for `dvc plots`).
    """
    from pathlib import Path

    from lutml.data.looks import get_look
    from lutml.data.looksynth import load_looks
    from lutml.reliability import assess, natural_palette

    data = load_eval_data(frames_dir, int(eval_cfg.score_size))
    size = int(fit_cfg.size)
    ours, model = learned_look(models_dir, data, size, int(eval_cfg.refine))
    ours.title = "lutml learned look"
    palette = natural_palette(data.heldout, seed=seed)
    summary: dict[str, Any] = {
        "n_frames": len(data.graded),
        "n_heldout": len(data.heldout),
        "look": data.look_spec["name"] if data.look_spec else None,
    }
    if model.kind == "look":
        rel = assess(
            model,
            data.graded,
            ours,
            palette,
            int(eval_cfg.min_frames),
            float(eval_cfg.neutral_max),
            float(eval_cfg.mixed_max),
            seed,
            trust=getattr(model, "last_trust", None),
        )
        summary["reliability"] = rel.as_dict()
        trust = getattr(model, "last_trust", None)
        if trust is not None:
            summary["trust"] = {**trust.as_dict(), "lines": trust.lines()}
    crops = load_looks(pairs_dir)[0]
    pool = [c.astype(np.float32) / 255.0 for c in crops[:: max(1, len(crops) // 512)]]
    luts = {"ours": [ours], **baseline_luts(data, pool, original_dir, size)}
    truths = None
    if data.look_spec is not None:
        look = get_look(data.look_spec)
        truths = [look(p) for p in data.heldout]
        labs = truth_labs(truths)
        scores = {
            m: score_luts(luts[m], data.heldout, truths, look, fit_cfg.interpolation, labs=labs)
            for m in METHODS
            if m in luts
        }
        summary.update({m: s.summary() for m, s in scores.items()})
        summary["ratio_to_identity"] = ratios(summary)
        summary["scored"] = "learned look vs the true look on held-out neutral photos"
        per_photo = [
            {
                "photo": i,
                "id": pid,
                **{f"{m}_de00": round(float(s.de00[i].mean()), 4) for m, s in scores.items()},
            }
            for i, pid in enumerate(data.heldout_ids)
        ]
    else:
        summary["scored"] = (
            "the look is not known (graded frames only): nothing to compare with; "
            "see data/eval/look_preview.png and the reliability checks"
        )
        per_photo = [
            {
                "photo": i,
                "id": pid,
                "ours_vs_identity_de00": round(
                    float(delta_e_image(np.clip(apply_lut(ours, p), 0, 1), p).mean()), 4
                ),
            }
            for i, (pid, p) in enumerate(zip(data.heldout_ids, data.heldout, strict=True))
        ]
    if model.kind == "look" and eval_cfg.families:
        from lutml.data.corpus import corpus_roles
        from lutml.imageio import read_image_full
        from lutml.resize import fit_within

        refs = [
            fit_within(read_image_full(p.path).as_float(), int(eval_cfg.score_size), "area")
            for p in corpus_roles(corpus_cfg, seed)["look"][: int(eval_cfg.single_refs)]
        ]
        small = [fit_within(p, int(eval_cfg.score_size) // 2, "area") for p in data.heldout]
        summary["single_still"] = single_still_table(
            model, refs, small, list(eval_cfg.families), size, int(eval_cfg.refine)
        )
    _write_outputs(
        Path(out_dir), Path(metrics_dir), summary, per_photo, luts, data, truths, eval_cfg
    )
    _log_mlflow(Path(models_dir), Path(out_dir), Path(metrics_dir), summary)
    return summary


def _write_outputs(
    out_dir, metrics_dir, summary, per_photo, luts, data: EvalData, truths, eval_cfg: EvalConfig
) -> None:
    import csv
    import io
    import json

    from lutml.atomic import write_text_atomic
    from lutml.imageio import write_image
    from lutml.lut import write_cube
    from lutml.preview import image_grid

    out_dir.mkdir(parents=True, exist_ok=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    write_cube(luts["ours"][0], out_dir / "look.cube")
    space = data.manifest.get("colour_space")
    if (
        space is not None
    ):  # frames.colour_space: the same look for footage in the frames' camera space
        from lutml.lut.spaces import export_for_space

        write_cube(
            export_for_space(luts["ours"][0], space, luts["ours"][0].size), out_dir / CAMERA_LUT
        )
    else:  # data/eval persists between runs: no camera LUT of an earlier colour space stays behind
        (out_dir / CAMERA_LUT).unlink(missing_ok=True)
    n = min(int(eval_cfg.preview_photos), len(data.heldout))
    ours = [np.clip(apply_lut(luts["ours"][0], p), 0, 1) for p in data.heldout[:n]]
    cols = [["neutral (held out)", "ours: look.cube"]]
    rows = [[p, o] for p, o in zip(data.heldout[:n], ours, strict=True)]
    if truths is not None:
        cols = [
            ["neutral (held out)"]
            + [m for m in ("original", "population") if m in luts]
            + ["ours", "true look"]
        ]
        rows = []
        for i in range(n):
            row = [data.heldout[i]]
            for m in ("original", "population"):
                if m in luts:
                    lut = luts[m][i if len(luts[m]) > 1 else 0]
                    row.append(np.clip(apply_lut(lut, data.heldout[i]), 0, 1))
            rows.append(row + [ours[i], truths[i]])
    write_image(out_dir / "compare.png", image_grid(rows, cols[0], height=150))
    frames = data.graded[: min(4, len(data.graded))]
    write_image(
        out_dir / "look_preview.png",
        image_grid(
            [
                [p, o] + ([t] if truths is not None else [])
                for p, o, t in zip(
                    data.heldout[:3], ours[:3], (truths or [None] * 3)[:3], strict=False
                )
            ],
            ["your footage (neutral)", "with look.cube"]
            + (["true look"] if truths is not None else []),
            height=240,
        ),
    )
    write_image(
        out_dir / "frames.png",
        image_grid([frames], [f"graded frame {i + 1}" for i in range(len(frames))], height=150),
    )
    write_text_atomic(metrics_dir / "eval.json", json.dumps(summary, indent=2) + "\n")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(per_photo[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(per_photo)
    write_text_atomic(metrics_dir / "eval_photos.csv", buf.getvalue())
    if summary.get("single_still"):  # story 3, per look family: also an MLflow artifact
        lines = ["family,ours_de00,identity_de00,pair_fit_de00,mkl_de00,ratio"]
        lines += [
            f"{f},{r['ours']},{r['identity']},{r['pair_fit']},{r.get('mkl', '')},{r['ratio']}"
            for f, r in summary["single_still"].items()
        ]
        write_text_atomic(out_dir / "single_still.csv", "\n".join(lines) + "\n")


def _log_mlflow(models_dir, out_dir, metrics_dir, summary: dict) -> None:
    """One MLflow run per evaluated look (experiment = the look, or "graded-frames" when unknown),
    tagged with the model variant and linked to the model's training run."""
    import json

    from lutml.models.files import META_FILE
    from lutml.tracking import mlflow_run, run_tags

    meta_path = models_dir / META_FILE
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    look = summary.get("look") or "graded-frames"
    variant = str(meta.get("variant") or meta.get("name") or "model")
    with mlflow_run(
        experiment=look, run_name=f"evaluate {variant}", tags=run_tags(look, variant)
    ) as mlflow:
        mlflow.log_params(
            {
                "model.variant": variant,
                "model.train_run": meta.get("mlflow_run_id") or "",
                "n_frames": summary["n_frames"],
                "n_heldout": summary["n_heldout"],
            }
        )
        for method in METHODS:
            for metric in METRICS:
                if method in summary:
                    mlflow.log_metric(f"eval_{method}_{metric}", summary[method][metric])
        for method, r in summary.get("ratio_to_identity", {}).items():
            mlflow.log_metric(f"eval_{method}_ratio", r)
        for family, row in summary.get("single_still", {}).items():
            key = family.replace(" (new parameters)", "_new_params")
            mlflow.log_metric(f"single_{key}_ratio", row["ratio"])
        if "reliability" in summary:
            mlflow.log_metric("eval_neutral_de00", summary["reliability"]["neutral_de00"])
        if "trust" in summary:  # how sure the model is, per part, and in words
            for part in summary["trust"]["parts"]:
                mlflow.log_metric(f"trust_{part['component']}_strength", part["strength"])
            mlflow.log_metric("trust_look_de00", summary["trust"]["look_de00"])
            mlflow.log_text("\n".join(summary["trust"]["lines"]) + "\n", "trust.txt")
        mlflow.log_artifacts(str(out_dir), artifact_path="evaluation")
        mlflow.log_artifact(str(metrics_dir / "eval.json"), artifact_path="evaluation")
