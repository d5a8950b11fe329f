"""DVC stage `synthesize`: the training material of the configured model family.

synth.mode=looks (default): crops of the neutral training photos + a bank of random looks.
synth.mode=grade|neutralize: seeded (input, target) pairs made from the frames.
"""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import SynthesizeStage
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    frames_dir, pairs_dir = parse_paths(argv, "frames_dir", "pairs_dir")
    cfg = SynthesizeStage.from_params(load_params())
    if cfg.synth.mode == "looks":
        from lutml.data.looksynth import synthesize_looks

        m = synthesize_looks(pairs_dir, cfg.corpus, cfg.synth, seed=cfg.seed)
        print(
            f"synthesize: {m['n_looks']} random looks, {m['n_crops']} crops of {len(m['photos'])} "
            f"training photos -> {pairs_dir}"
        )
        return
    from lutml.data.synthesize import synthesize_pairs

    m = synthesize_pairs(frames_dir, pairs_dir, cfg.synth, seed=cfg.seed)
    groups = {q["group"] for q in m["pairs"]}
    print(
        f"synthesize: {len(m['pairs'])} {m['mode']} pairs at {m['size']} px from {len(groups)} groups -> {pairs_dir}"
    )


if __name__ == "__main__":
    main()
