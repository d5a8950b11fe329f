"""`lutml info`: what a LUT file (.cube, .3dl, .csp, .clf, Hald .png) contains and does."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# Comments shown (each cut to a width): a file may carry megabytes of them.
MAX_COMMENT_LINES = 20
MAX_COMMENT_WIDTH = 200

SUMMARY = "describe a LUT (size, ranges, identity, monotonic)"

HELP = """\
Describe a LUT (.cube, .3dl, .csp, .clf or Hald .png): its lattice size, input range
(domain), the range of colours it can output, whether it changes anything at all (identity)
and whether each channel is monotonic (brighter in never gives darker out in that channel; a
non-monotonic LUT can posterise or invert gradients).

examples:
  lutml info look.cube
  lutml info look.cube --json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("lut", type=Path, metavar="LUT", help="the LUT file to describe")
    p.add_argument("--json", action="store_true", help="print the facts as one JSON object")


def run(args: argparse.Namespace) -> int:
    from lutml.lut import read_lut
    from lutml.lut.stats import describe_lut

    summary = describe_lut(read_lut(args.lut))
    if args.json:
        facts = summary.as_dict()
        facts["comments"] = [c[:MAX_COMMENT_WIDTH] for c in summary.comments[:MAX_COMMENT_LINES]]
        print(json.dumps({"file": str(args.lut)} | facts))
        return 0
    yes = {True: "yes", False: "no"}
    shaper = "none" if summary.shaper_size is None else f"1D, {summary.shaper_size} entries"
    lines = [
        f"{args.lut}",
        f"  title        {summary.title or '(none)'}",
        f"  3D lattice   {summary.size} x {summary.size} x {summary.size}"
        + ("  (1D-only file: pass-through lattice)" if summary.one_d_only else ""),
        f"  1D shaper    {shaper}",
        f"  input range  {_ranges(summary.domain_min, summary.domain_max)}",
        f"  output range {_ranges(summary.output_min, summary.output_max)}",
        f"  identity     {yes[summary.identity]}  (largest change {summary.max_change:.6g})",
        "  monotonic    "
        + "  ".join(
            f"{c} {yes[m]}" + ("" if m else f" (falls by up to {d:.4g})")
            for c, m, d in zip("RGB", summary.monotonic, summary.largest_dip, strict=True)
        ),
    ]
    shown = summary.comments[:MAX_COMMENT_LINES]
    lines += [
        f"  # {c[:MAX_COMMENT_WIDTH]}" + (" ..." if len(c) > MAX_COMMENT_WIDTH else "")
        for c in (" ".join(c.split()) for c in shown)
    ]
    if len(summary.comments) > len(shown):
        lines.append(f"  # ... {len(summary.comments) - len(shown):,} more comment lines")
    print("\n".join(lines))
    return 0


def _ranges(lo: list[float], hi: list[float]) -> str:
    return "  ".join(f"{c} [{a:.6g}, {b:.6g}]" for c, a, b in zip("RGB", lo, hi, strict=True))
