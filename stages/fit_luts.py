"""DVC stage `fit_luts`: the LUTs the model learns in.

synth.mode=looks: the look basis (weighted PCA of the random looks) -> data/luts/basis.npz.
synth.mode=grade|neutralize: the ground-truth LUT of every pair -> data/luts/gt/<id>.cube.
"""

from __future__ import annotations

import shutil

from lutml.pipeline.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, out_dir = parse_paths(argv, "pairs_dir", "split_dir", "out_dir")
    p = load_params()
    if p.synth.mode == "looks":
        from lutml.fit.basis import fit_look_basis

        b = fit_look_basis(
            pairs_dir,
            split_dir,
            out_dir,
            int(p.fit.basis.n_components),
            float(p.fit.basis.floor),
            float(p.fit.basis.blur),
            int(p.seed),
        )
        print(
            f"fit_luts: look basis of {b.basis.shape[0]} components keeps {b.explained.sum():.4f} of the "
            f"random looks' variance -> {out_dir}"
        )
        return
    from lutml.data.pairs import read_split
    from lutml.pipeline.ground_truth import fit_ground_truth

    split = read_split(split_dir)
    ids = sorted(split["train"] + split["test"])
    shutil.rmtree(out_dir, ignore_errors=True)  # stale LUTs of pairs that left the split
    options = {
        "size": p.fit.size,
        "smoothness": p.fit.smoothness,
        "interpolation": p.fit.interpolation,
        "robust": p.fit.gt_robust,
        "method": "lattice",
    }
    paths = fit_ground_truth(pairs_dir, ids, out_dir / "gt", options, workers=int(p.fit.workers))
    print(f"fit_luts: wrote {len(paths)} ground-truth LUTs to {out_dir / 'gt'}")


if __name__ == "__main__":
    main()
