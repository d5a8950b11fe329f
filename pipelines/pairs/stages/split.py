"""Pair pipeline stage `split`: seeded train/test split of the pairs, grouped by source photo."""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import SplitStage
from lutml.data.split import split_pairs
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, out_dir = parse_paths(argv, "pairs_dir", "out_dir")
    cfg = SplitStage.from_params(load_params())
    split = split_pairs(pairs_dir, out_dir, test_fraction=cfg.split.test_fraction, seed=cfg.seed)
    print(f"split: {len(split['train'])} train / {len(split['test'])} test pairs -> {out_dir}")


if __name__ == "__main__":
    main()
