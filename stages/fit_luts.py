"""DVC stage `fit_luts`: the ground-truth LUT of every pair in the split, data/luts/gt/<id>.cube."""

from __future__ import annotations

import shutil

from lutml.data.pairs import read_split
from lutml.ground_truth import fit_ground_truth
from lutml.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, out_dir = parse_paths(argv, "pairs_dir", "split_dir", "out_dir")
    p = load_params()
    split = read_split(split_dir)
    ids = sorted(split["train"] + split["test"])
    shutil.rmtree(out_dir, ignore_errors=True)  # stale LUTs of pairs that left the split
    options = {"size": p.fit.size, "smoothness": p.fit.smoothness, "interpolation": p.fit.interpolation,
               "robust": p.fit.gt_robust, "method": "lattice"}
    paths = fit_ground_truth(pairs_dir, ids, out_dir, options, workers=int(p.fit.workers))
    print(f"fit_luts: wrote {len(paths)} ground-truth LUTs to {out_dir}")


if __name__ == "__main__":
    main()
