"""`python -m lutml.bench synth [--pairs N] [--size PX]`: time the data stages' library calls.

Cuts the embedded photos into frames, then synthesizes N pairs (default 1000 at 256 px, the
issue's target: well under a minute on 2 cores) with the default `conf/synth` ranges.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from lutml.config import compose
from lutml.data.frames import make_frames
from lutml.data.synthesize import synthesize_pairs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lutml.bench synth")
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--size", type=int, default=256)
    a = ap.parse_args(argv)
    p = compose([f"synth.pairs={a.pairs}", f"synth.size={a.size}"])
    with tempfile.TemporaryDirectory() as tmp:
        c0, t0 = time.process_time(), time.perf_counter()
        fm = make_frames(Path(tmp) / "frames", p["frames"], p["look"], seed=p["seed"])
        t1 = time.perf_counter()
        synthesize_pairs(Path(tmp) / "frames", Path(tmp) / "pairs", p["synth"], seed=p["seed"])
        t2, c2 = time.perf_counter(), time.process_time()
        mb = sum(f.stat().st_size for f in (Path(tmp) / "pairs").rglob("*") if f.is_file()) / 2**20
    print(
        f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (other work slows wall time)"
    )
    print(f"frames:     {len(fm['frames'])} frames ({p['look']['name']}) in {t1 - t0:.1f} s")
    print(f"synthesize: {a.pairs} pairs at {a.size} px (+ full-res crops) in {t2 - t1:.1f} s "
          f"= {a.pairs / (t2 - t1):.1f} pairs/s, {mb:.0f} MiB")  # fmt: skip
    print(f"cpu time:   {c2 - c0:.1f} s for both (all threads)")


if __name__ == "__main__":
    main()
