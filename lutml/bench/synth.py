"""`python -m lutml.bench synth [--looks N] [--pairs N]`: time the data stages' library calls.

The default pipeline's frames (corpus roles, graded with the look) and synthesize (crops of the
training photos + N random looks as 17^3 LUTs); with --pairs, also N (input, target) pairs of the
pair-trained models (synth.mode=grade) at 256 px.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from lutml.config.params import Params
from lutml.data.frames import make_frames
from lutml.data.looksynth import synthesize_looks
from lutml.data.synthesize import synthesize_pairs
from lutml.pipeline.config import compose


def _mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lutml.bench synth")
    ap.add_argument(
        "--looks", type=int, default=3000, help="random looks in the bank (default 3000)"
    )
    ap.add_argument(
        "--pairs", type=int, default=0, help="also synthesize this many grade-mode pairs"
    )
    a = ap.parse_args(argv)
    p = Params.from_params(compose([f"synth.n_looks={a.looks}"]))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        c0, t0 = time.process_time(), time.perf_counter()
        fm = make_frames(tmp / "frames", p.frames, p.look, p.corpus, seed=p.seed)
        t1 = time.perf_counter()
        m = synthesize_looks(tmp / "pairs", p.corpus, p.synth, seed=p.seed, progress=False)
        t2, c2 = time.perf_counter(), time.process_time()
        print(
            f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (other work slows wall time)"
        )
        print(
            f"frames:     {len(fm['frames'])} frames ({p.look.name}) + {len(fm['heldout'])} held-out photos "
            f"in {t1 - t0:.1f} s"
        )
        print(
            f"synthesize: {m['n_looks']} random looks + {m['n_crops']} crops in {t2 - t1:.1f} s, {_mib(tmp / 'pairs'):.0f} MiB"
        )
        print(f"cpu time:   {c2 - c0:.1f} s for both")
        if a.pairs:
            pairs = replace(p.synth, mode="grade", pairs=a.pairs)
            t3 = time.perf_counter()
            synthesize_pairs(tmp / "frames", tmp / "grade_pairs", pairs, seed=p.seed)
            t4 = time.perf_counter()
            print(
                f"pairs:      {a.pairs} grade-mode pairs at {pairs.size} px in {t4 - t3:.1f} s = "
                f"{a.pairs / (t4 - t3):.1f} pairs/s, {_mib(tmp / 'grade_pairs'):.0f} MiB"
            )


if __name__ == "__main__":
    main()
