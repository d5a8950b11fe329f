"""DVC stage `frames`: frames of the look (corpus photos graded with the look, a folder, or a video)
and the held-out neutral photos the learned look is scored on."""

from __future__ import annotations

import sys

from lutml.config.params import load_params
from lutml.config.stages import FramesStage
from lutml.data.frames import make_frames
from lutml.pipeline.params import parse_paths


def main(argv: list[str] | None = None) -> None:
    (out_dir,) = parse_paths(argv, "frames_dir")
    cfg = FramesStage.from_params(load_params())
    manifest = make_frames(out_dir, cfg.frames, cfg.look, cfg.corpus, seed=cfg.seed)
    groups = {f["group"] for f in manifest["frames"]}
    print(
        f"frames: {len(manifest['frames'])} frames of the look from {len(groups)} groups, "
        f"{len(manifest['heldout'])} held-out neutral photos -> {out_dir}"
    )
    if manifest["skipped"]:
        print(f"frames: skipped {len(manifest['skipped'])} unusable file(s):", file=sys.stderr)
        for reason in manifest["skipped"]:
            print(f"  {reason}", file=sys.stderr)


if __name__ == "__main__":
    main()
