"""`python -m lutml.pipeline.report`: after `make run`, the results table and where everything is."""

from __future__ import annotations

import json
from pathlib import Path

from lutml.pipeline.evaluate import METHODS, METRICS

LABELS = {
    "ours": "ours (look estimator)",
    "identity": "identity (no grade)",
    "population": "population statistics",
    "original": "original (pix2pix + kNN 8^3)",
    "pair_fit": "pair fit (true pair, bound)",
}


def format_table(summary: dict) -> str:
    """The eval.json summary as a fixed-width table, one row per scored method."""
    ratios = summary.get("ratio_to_identity", {})
    head = f"{'method':<30}" + "".join(f"{m:>15}" for m in METRICS) + f"{'x identity':>12}"
    lines = [head, "-" * len(head)]
    for method in METHODS:
        row = summary.get(method)
        if row:
            lines.append(
                f"{LABELS[method]:<30}"
                + "".join(f"{row[m]:>15.4f}" for m in METRICS)
                + f"{ratios.get(method, float('nan')):>12.2f}"
            )
    return "\n".join(lines)


def format_single(table: dict) -> str:
    """The story-3 table: one graded still -> its look, per look family."""
    lines = [
        f"{'look family (never trained on)':<40}{'ours':>8}{'identity':>10}{'MKL':>8}{'pair fit':>10}"
        f"{'x identity':>12}"
    ]
    for name, r in table.items():
        mkl = f"{r['mkl']:>8.2f}" if "mkl" in r else f"{'-':>8}"
        lines.append(
            f"{name:<40}{r['ours']:>8.2f}{r['identity']:>10.2f}{mkl}{r['pair_fit']:>10.2f}"
            f"{r['ratio']:>12.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    metrics = Path("data/metrics/eval.json")
    if not metrics.is_file():
        raise SystemExit(f"{metrics} not found: the pipeline has not finished (run `make run`)")
    s = json.loads(metrics.read_text())
    print(
        f"\nThe learned look from {s['n_frames']} graded frames, on {s['n_heldout']} held-out neutral photos "
        f"({metrics}):"
    )
    print(f"scored: {s['scored']}\n")
    if "ours" in s:
        print(format_table(s))
    rel = s.get("reliability")
    if rel:
        verdict = "reliable" if rel["reliable"] else "UNRELIABLE: " + "; ".join(rel["warnings"])
        print(f"\nreliability: {verdict}")
    trust = s.get("trust")
    if trust:
        print("\nhow sure the model is (trust model, learnt on held-out photos):")
        for line in trust["lines"]:
            print(f"  {line}")
    if s.get("single_still"):
        print("\nOne graded still -> its look (story 3), mean dE00 on the held-out photos:\n")
        print(format_single(s["single_still"]))
    print(
        "\nResults:\n"
        "  learned look LUT    data/eval/look.cube   (apply: lutml apply data/eval/look.cube IN.png OUT.png)\n"
        "  pictures            data/eval/look_preview.png, data/eval/compare.png, data/eval/frames.png\n"
        "  model               data/models/ (look_encoder.keras; lutml grade STILL --model data/models -o look.cube)\n"
        "Look around:\n"
        "  .venv/bin/dvc metrics show; .venv/bin/dvc plots show; .venv/bin/dvc exp show\n"
        "  .venv/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db --port 5000   (then open http://127.0.0.1:5000)\n"
        "  .venv/bin/lutml serve   (web UI: match a pair, or name the look of a graded still)"
    )


if __name__ == "__main__":
    main()
