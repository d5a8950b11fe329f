"""DVC stage `split`: seeded train/test split of the crops (grouped by source photo) and of the
random looks."""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import SplitStage
from lutml.data.split import split_looks
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, out_dir = parse_paths(argv, "pairs_dir", "out_dir")
    cfg = SplitStage.from_params(load_params())
    s = split_looks(pairs_dir, out_dir, test_fraction=cfg.split.test_fraction, seed=cfg.seed)
    print(
        f"split: {len(s['train_crops'])} train / {len(s['test_crops'])} test crops, "
        f"{len(s['train_looks'])} / {len(s['test_looks'])} looks -> {out_dir}"
    )


if __name__ == "__main__":
    main()
