"""DVC stage `fit_luts`: the LUTs the model learns in.

synth.mode=looks: the look basis (weighted PCA of the random looks) -> data/luts/basis.npz.
synth.mode=grade|neutralize: the ground-truth LUT of every pair -> data/luts/gt/<id>.cube.
"""

from __future__ import annotations

import shutil

from lutml.config.params import load_params
from lutml.config.stages import FitLutsStage
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, out_dir = parse_paths(argv, "pairs_dir", "split_dir", "out_dir")
    cfg = FitLutsStage.from_params(load_params())
    fit = cfg.fit
    if cfg.synth_mode == "looks":
        from lutml.pipeline.look_basis import fit_look_basis

        b = fit_look_basis(
            pairs_dir,
            split_dir,
            out_dir,
            fit.basis.n_components,
            float(fit.basis.floor),
            float(fit.basis.blur),
            cfg.seed,
        )
        print(
            f"fit_luts: look basis of {b.basis.shape[0]} components keeps {b.explained.sum():.4f} of the "
            f"random looks' variance -> {out_dir}"
        )
        return
    from lutml.data.ground_truth import fit_ground_truth
    from lutml.data.pairs import read_split

    split = read_split(split_dir)
    ids = sorted(split["train"] + split["test"])
    shutil.rmtree(out_dir, ignore_errors=True)  # stale LUTs of pairs that left the split
    options = {
        "size": fit.size,
        "smoothness": fit.smoothness,
        "interpolation": fit.interpolation,
        "robust": fit.gt_robust,
        "method": "lattice",
    }
    paths = fit_ground_truth(pairs_dir, ids, out_dir / "gt", options, workers=fit.workers)
    print(f"fit_luts: wrote {len(paths)} ground-truth LUTs to {out_dir / 'gt'}")


if __name__ == "__main__":
    main()
