"""Pair pipeline stage `fit_luts`: the ground-truth LUT of every pair -> data/luts/gt/<id>.cube (the
LUT-GANs' targets and the reference of the "LUT mean difference" metric)."""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import FitLutsStage
from lutml.data.ground_truth import fit_split_ground_truth
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, out_dir = parse_paths(argv, "pairs_dir", "split_dir", "out_dir")
    cfg = FitLutsStage.from_params(load_params())
    paths = fit_split_ground_truth(pairs_dir, split_dir, out_dir / "gt", cfg.fit)
    print(f"fit_luts: wrote {len(paths)} ground-truth LUTs to {out_dir / 'gt'}")


if __name__ == "__main__":
    main()
