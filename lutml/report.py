"""`python -m lutml.report`: after `make run`, say where the results are and how to look at them."""

from __future__ import annotations

import json
from pathlib import Path

from lutml.evaluate import METHODS, METRICS


def format_table(summary: dict) -> str:
    """The eval.json summary as a fixed-width table, one row per method."""
    head = f"{'method':<10}" + "".join(f"{m:>15}" for m in METRICS)
    lines = [head, "-" * len(head)]
    for method in METHODS:
        row = summary.get(method)
        if row:
            lines.append(f"{method:<10}" + "".join(f"{row[m]:>15.4f}" for m in METRICS))
    return "\n".join(lines)


def main() -> None:
    metrics = Path("data/metrics/eval.json")
    if not metrics.is_file():
        raise SystemExit(f"{metrics} not found: the pipeline has not finished (run `make run`)")
    summary = json.loads(metrics.read_text())
    print(f"\nEvaluation on {summary['n_pairs']} test pairs (full resolution), {metrics}:\n")
    print(format_table(summary))
    print(
        "\nResults:\n"
        "  learned look LUT    data/eval/look.cube   (apply: lutml apply data/eval/look.cube IN.png OUT.png)\n"
        "  before/after        data/eval/look_preview.png, data/eval/preview.png\n"
        "  ground-truth LUTs   data/luts/gt/*.cube;  model: data/models/\n"
        "Look around:\n"
        "  .venv/bin/dvc metrics show; .venv/bin/dvc plots show; .venv/bin/dvc exp show\n"
        "  .venv/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db --port 5000   (then open http://127.0.0.1:5000)\n"
        "  .venv/bin/lutml serve   (web UI: grade a frame, download the .cube)"
    )


if __name__ == "__main__":
    main()
