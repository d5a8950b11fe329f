"""DVC stage `split`: seeded train/test split of the synthesized pairs, grouped by source."""

from __future__ import annotations

from lutml.data.split import split_pairs
from lutml.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    pairs_dir, out_dir = parse_paths(argv, "pairs_dir", "out_dir")
    p = load_params()
    split = split_pairs(
        pairs_dir, out_dir, test_fraction=float(p.split.test_fraction), seed=int(p.seed)
    )
    print(f"split: {len(split['train'])} train / {len(split['test'])} test pairs -> {out_dir}")


if __name__ == "__main__":
    main()
