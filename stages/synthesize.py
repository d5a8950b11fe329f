"""DVC stage `synthesize`: seeded degradations turn graded frames into (input, target) pairs."""

from __future__ import annotations

from lutml.data.synthesize import synthesize_pairs
from lutml.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    frames_dir, pairs_dir = parse_paths(argv, "frames_dir", "pairs_dir")
    p = load_params()
    manifest = synthesize_pairs(frames_dir, pairs_dir, p.synth, seed=int(p.seed))
    groups = {q["group"] for q in manifest["pairs"]}
    print(f"synthesize: {len(manifest['pairs'])} {manifest['mode']} pairs at {manifest['size']} px "
          f"from {len(groups)} groups -> {pairs_dir}")  # fmt: skip


if __name__ == "__main__":
    main()
