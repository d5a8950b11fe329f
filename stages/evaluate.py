"""DVC stage `evaluate`: the learned look (data/eval/look.cube) on held-out neutral photos vs the true
look, next to identity, population statistics, the original project's method and the pair-fit bound."""

from __future__ import annotations

import json
import os
import sys

from lutml.config.params import load_params
from lutml.config.stages import EvaluateStage
from lutml.pipeline.evaluate import run_evaluation
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    frames, pairs, models, original, out, metrics = parse_paths(
        argv, "frames_dir", "pairs_dir", "models_dir", "original_dir", "out_dir", "metrics_dir"
    )
    cfg = EvaluateStage.from_params(load_params())
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    summary = run_evaluation(
        frames, pairs, models, original, out, metrics, cfg.fit, cfg.eval, cfg.corpus, cfg.seed
    )
    print(json.dumps(summary, indent=2))
    for warning in summary.get("reliability", {}).get("warnings", []):
        print(f"evaluate: warning: {frames}: {warning}", file=sys.stderr)


if __name__ == "__main__":
    main()
