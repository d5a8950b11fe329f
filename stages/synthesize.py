"""DVC stage `synthesize`: the look estimator's training material - crops of the neutral training
photos and a bank of random looks (the pair-trained method makes its pairs in pipelines/pairs)."""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import SynthesizeStage
from lutml.data.looksynth import synthesize_looks
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    (pairs_dir,) = parse_paths(argv, "pairs_dir")
    cfg = SynthesizeStage.from_params(load_params())
    m = synthesize_looks(pairs_dir, cfg.corpus, cfg.synth, seed=cfg.seed)
    print(
        f"synthesize: {m['n_looks']} random looks, {m['n_crops']} crops of {len(m['photos'])} "
        f"training photos -> {pairs_dir}"
    )


if __name__ == "__main__":
    main()
