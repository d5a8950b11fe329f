"""DVC stage `evaluate`: our model + LUT fit vs the original's kNN fit, identity and oracle."""

from __future__ import annotations

import json

from lutml.evaluate import run_evaluation
from lutml.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs, split, gt, models, out, metrics = parse_paths(
        argv, "pairs_dir", "split_dir", "gt_dir", "models_dir", "out_dir", "metrics_dir")
    p = load_params()
    summary = run_evaluation(pairs, split, gt, models, out, metrics, p.fit, p.eval)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
