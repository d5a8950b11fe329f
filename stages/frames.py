"""DVC stage `frames`: graded frames of the look (embedded photos, a folder, or a video)."""

from __future__ import annotations

import sys

from lutml.data.frames import make_frames
from lutml.params import load_params, parse_paths


def main(argv: list[str] | None = None) -> None:
    (out_dir,) = parse_paths(argv, "frames_dir")
    p = load_params()
    manifest = make_frames(out_dir, p.frames, p.look, seed=int(p.seed))
    groups = {f["group"] for f in manifest["frames"]}
    print(f"frames: {len(manifest['frames'])} frames from {len(groups)} groups -> {out_dir}")
    if manifest["skipped"]:
        print(f"frames: skipped {len(manifest['skipped'])} unusable file(s):", file=sys.stderr)
        for reason in manifest["skipped"]:
            print(f"  {reason}", file=sys.stderr)


if __name__ == "__main__":
    main()
