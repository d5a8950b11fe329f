"""Pair pipeline stage `synthesize`: seeded (input, target) pairs made from the frames of the look
(synth.mode grade: input degraded, target the look; neutralize: input under a random built-in look,
target neutral)."""

from __future__ import annotations

from lutml.config.params import load_params
from lutml.config.stages import PairSynthesizeStage
from lutml.data.synthesize import synthesize_pairs
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    frames_dir, pairs_dir = parse_paths(argv, "frames_dir", "pairs_dir")
    cfg = PairSynthesizeStage.from_params(load_params())
    m = synthesize_pairs(frames_dir, pairs_dir, cfg.synth, seed=cfg.seed)
    groups = {q["group"] for q in m["pairs"]}
    print(
        f"synthesize: {len(m['pairs'])} {m['mode']} pairs at {m['size']} px from {len(groups)} groups -> {pairs_dir}"
    )


if __name__ == "__main__":
    main()
