"""DVC stage `original`: the original project's method trained on the same graded frames (a baseline)."""

from __future__ import annotations

import os

from lutml.config.params import load_params
from lutml.config.stages import OriginalStage
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    frames_dir, out_dir = parse_paths(argv, "frames_dir", "out_dir")
    cfg = OriginalStage.from_params(load_params())
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lutml.pipeline.original import train_original

    m = train_original(
        frames_dir,
        out_dir,
        cfg.synth,
        cfg.original,
        cfg.fit_size,
        cfg.seed,
    )
    print(
        f"original: pix2pix64 trained {m['epochs']} epochs in {m['train_seconds']} s -> {out_dir}"
    )


if __name__ == "__main__":
    main()
