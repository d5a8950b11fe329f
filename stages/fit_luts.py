"""DVC stage `fit_luts`: the LUT space the look estimator predicts in - the look basis (weighted PCA
of the random looks) -> data/luts/basis.npz."""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import FitLutsStage
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, split_dir, out_dir = parse_paths(argv, "pairs_dir", "split_dir", "out_dir")
    cfg = FitLutsStage.from_params(load_params())
    from lutml.pipeline.look_basis import fit_look_basis

    basis = cfg.fit.basis
    b = fit_look_basis(
        pairs_dir,
        split_dir,
        out_dir,
        basis.n_components,
        float(basis.floor),
        float(basis.blur),
        cfg.seed,
    )
    print(
        f"fit_luts: look basis of {b.basis.shape[0]} components keeps {b.explained.sum():.4f} of the "
        f"random looks' variance -> {out_dir}"
    )


if __name__ == "__main__":
    main()
