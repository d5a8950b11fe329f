"""`lutml fit`: learn the LUT that turns input frames into graded frames."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import numpy as np

from lutml.atomic import atomic_path
from lutml.cli.convert import reported_warnings
from lutml.cli.options import add_input_space, add_interpolation
from lutml.cli.paths import check_outputs

SUMMARY = "fit a .cube LUT from before/after frames"

HELP = """\
Fit a .cube 3D LUT from before/after frames: give the same frame ungraded (--source) and graded
(--target) and lutml finds the LUT that reproduces the grade, so you can put it on any footage.

Where the frames have colours the LUT follows the grade exactly; colours the frames lack are
filled in by a smooth continuation of the grade (see the printed coverage, or --coverage-png for a
picture of which colours were measured). Several pairs fit one look from all of them.

examples:
  lutml fit --source shot.png --target shot_graded.png -o look.cube
  lutml fit --source a.png --target a_graded.png --source b.png --target b_graded.png -o look.cube
  lutml fit --source-dir frames/raw --target-dir frames/graded -o look.cube --robust
  lutml fit --pair before_after.jpg -o look.cube    (left half graded, right half input)
  lutml fit --source in.png --target out.png -o seed.cube --method knn   (the original's fit)
  lutml fit --source shot_slog3.tif --target shot_graded.png --input-space "S-Log3 S-Gamut3.Cine" -o look.cube

--input-space NAME: the --source frames are camera footage in colour space NAME (16-bit TIFF/PNG, or
OpenEXR with its values above 1 kept, of log or linear footage: ARRI LogC3/LogC4, S-Log3, Canon Log,
V-Log, ACEScct, linear Rec.709, ...; the names of OpenColorIO's built-in ACES studio config, or a
unique part of one: logc3, logc4, acescct, vlog, linear), the --target frames are the graded,
display (sRGB) result. The LUT takes
the camera values in: for log and linear spaces a 1D shaper that spreads the 3D nodes over the
footage's range like sRGB codes, then the 3D table (.cube: DaVinci Resolve's shaper + 3D form).
Without it an EXR --source is fitted as display values: the LUT's input is 0-1 and anything
outside is clamped (a note says how much).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_argument_group("frames (use one way, or mix --source/--target with --pair)")
    for flag, metavar, text in (
        ("--source", "IN", "ungraded frame (PNG/JPEG/TIFF/EXR); repeat with --target for more "
         "pairs"),
        ("--target", "GRADED", "the same frame graded, same size as its --source"),
        ("--pair", "SBS", "side-by-side image (even width): left half graded (target), right "
         "half input"),
    ):  # fmt: skip
        src.add_argument(flag, type=Path, action="append", default=[], metavar=metavar, help=text)
    src.add_argument("--source-dir", type=Path, help="folder of ungraded frames")
    src.add_argument("--target-dir", type=Path, help="folder of the graded frames, same file names")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="LOOK.cube",
        help="the LUT file to write: .cube, .3dl, .csp, .clf or Hald .png (square --size)",
    )
    p.add_argument(
        "--size",
        type=int,
        default=None,
        help="LUT nodes per axis, 2-65 (default 33; 8 for --method knn)",
    )
    p.add_argument(
        "--method",
        choices=["lattice", "knn"],
        default="lattice",
        help="lattice: smooth least-squares fit (default); knn: the original "
        "project's nearest-neighbour fit (baseline)",
    )
    p.add_argument(
        "--smoothness",
        default="auto",
        help="how smooth the LUT must be: auto (default) = 1, raised when the target "
        "is noisy; 0 follows the frames exactly; larger numbers smooth more",
    )
    p.add_argument(
        "--robust",
        action="store_true",
        help="ignore a few wrong pixels (artefacts, clipped highlights, JPEG blocks)",
    )
    add_interpolation(
        p,
        "how the LUT will be applied: tetrahedral (default; Resolve, OCIO, "
        "ffmpeg) or trilinear; the fit is exact for the one chosen",
    )
    p.add_argument(
        "--coverage-png",
        type=Path,
        metavar="PNG",
        help="also write a picture of which LUT colours the frames measured",
    )
    p.add_argument(
        "--no-clip", action="store_true", help="keep LUT outputs outside 0-1 (default: clip to 0-1)"
    )
    p.add_argument(
        "--title", default=None, help="TITLE written in the .cube (default: the file name)"
    )
    add_input_space(
        p,
        "colour space of the --source frames (camera log/linear footage; see above); "
        "default: display sRGB like the targets",
    )


def _paired_dir_files(src_dir: Path, tgt_dir: Path) -> list[tuple[Path, Path]]:
    from lutml.imageio import list_images

    for d in (src_dir, tgt_dir):
        if not d.is_dir():
            raise FileNotFoundError(f"{d}: no such folder")

    def by_stem(folder: Path) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for f in list_images(folder):
            if f.stem in files:
                raise ValueError(
                    f"{folder}: two frames named {f.stem!r} ({files[f.stem].name}, {f.name})"
                )
            files[f.stem] = f
        return files

    srcs, tgts = by_stem(src_dir), by_stem(tgt_dir)
    common = sorted(set(srcs) & set(tgts))
    if not common:
        raise ValueError(f"{src_dir} and {tgt_dir} have no frames with the same name")
    unmatched = len(srcs) + len(tgts) - 2 * len(common)
    if unmatched:
        print(f"note: {unmatched} frame(s) without a same-named partner were skipped")
    return [(srcs[s], tgts[s]) for s in common]


def list_jobs(args: argparse.Namespace) -> list[tuple[str, Path, Path]]:
    """The frames the arguments name, as ("files", source, target) or ("sbs", pair, pair)."""
    if len(args.source) != len(args.target):
        raise ValueError(
            f"got {len(args.source)} --source but {len(args.target)} --target: give them in pairs"
        )
    if (args.source_dir is None) != (args.target_dir is None):
        raise ValueError("--source-dir and --target-dir go together")
    files = list(zip(args.source, args.target, strict=True))
    if args.source_dir is not None:
        files += _paired_dir_files(args.source_dir, args.target_dir)
    jobs = [("files", s, t) for s, t in files] + [("sbs", p, p) for p in args.pair]
    if not jobs:
        raise ValueError(
            "no frames given: use --source/--target, --pair or --source-dir/--target-dir"
        )
    return jobs


def load_pairs(
    jobs: list[tuple[str, Path, Path]],
) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """Read every pair of `list_jobs`; errors name the files."""
    from tqdm import tqdm

    from lutml.data.sidebyside import split_side_by_side
    from lutml.imageio import read_image_full

    def read_image(path: Path) -> np.ndarray:
        # native 8/16-bit: 4x less memory than float for many frames; EXR: float32 as stored
        return read_image_full(path).rgb

    sources, targets, names = [], [], []
    for kind, s, t in tqdm(jobs, desc="reading frames", unit="pair", disable=len(jobs) < 4):
        if kind == "sbs":
            src, tgt = split_side_by_side(read_image(s), s)
        else:
            src, tgt = read_image(s), read_image(t)
            if src.shape != tgt.shape:
                raise ValueError(
                    f"{s} is {src.shape[1]}x{src.shape[0]} but {t} is "
                    f"{tgt.shape[1]}x{tgt.shape[0]}: a pair must be the same frame"
                )
        sources.append(src)
        targets.append(tgt)
        names.append(s.name)
    return sources, targets, names


def run(args: argparse.Namespace) -> int:
    from lutml.fit import (
        DEFAULT_SIZE,
        MAX_SIZE,
        _check_smoothness,
        fit_lut_report,
        write_coverage_png,
    )
    from lutml.imageio import IMAGE_SUFFIXES
    from lutml.lut import LUT_SUFFIXES, write_lut
    from lutml.lut.hald import hald_level
    from lutml.lut.io import check_lut_output

    shaper, space = None, None
    if args.input_space is not None:  # a bad name fails here, before anything is read or written
        from lutml.lut.spaces import resolve_space, shaper_for

        space = resolve_space(args.input_space)
        shaper = shaper_for(space)
    jobs = list_jobs(args)
    size = DEFAULT_SIZE[args.method] if args.size is None else args.size
    if not 2 <= size <= MAX_SIZE:
        raise ValueError(f"--size must be between 2 and {MAX_SIZE}, got {size}")
    _check_smoothness(args.smoothness)
    outputs = [("-o/--output", args.output, LUT_SUFFIXES)]
    if args.coverage_png:
        outputs.append(("--coverage-png", args.coverage_png, IMAGE_SUFFIXES))
    # Every output is checked before the (slow) fit, so none can fail after another was written.
    check_outputs(outputs, {path for _, s, t in jobs for path in (s, t)})
    if args.output.suffix.lower() == ".png" and hald_level(size) is None:
        raise ValueError(
            f"{args.output}: a Hald CLUT holds L^2 nodes per axis: add --size 36 "
            "(level 6) or --size 64 (level 8; also 4, 9, 16, 25, 49)"
        )
    check_lut_output(args.output, size)  # e.g. a .3dl of 2 nodes: refused now, not after the fit
    sources, targets, names = load_pairs(jobs)
    if space is None:
        from lutml.imageio import outside_unit_range

        for src, name in zip(sources, names, strict=True):
            if outside := outside_unit_range(src):  # float (EXR) sources only
                print(
                    f"note: {name}: {outside:.1%} of the pixels lie outside 0-1 and are clamped "
                    "to the LUT's input range; for scene-linear or log footage give --input-space"
                )
    else:
        from lutml.imageio import to_float
        from lutml.lut.spaces import apply_shaper

        # The lattice is fitted where the shaper puts the camera values; the shaper goes in front.
        sources = [apply_shaper(shaper, to_float(s)) for s in sources]
    if args.method == "knn" and args.smoothness is not None:
        print("note: --smoothness has no effect with --method knn (it smooths the lattice fit)")
    try:
        report = fit_lut_report(
            sources,
            targets,
            size=size,
            method=args.method,
            smoothness=args.smoothness,
            robust=args.robust,
            interpolation=args.interpolation,
            clip=not args.no_clip,
        )
    except ValueError as exc:  # the fit's words about the frames: say which frames
        if not str(exc).startswith("the source image is flat"):
            raise
        first = jobs[0][1]
        where = f"{first}" if len(jobs) == 1 else f"{first} and the other {len(jobs) - 1} source(s)"
        raise ValueError(f"{where}: {exc}") from None
    pair_warnings = _pair_warnings(report.lut, sources, targets, jobs)
    lut = report.lut
    lut.title = args.title or args.output.stem
    if space is not None:
        from lutml.lut.spaces import declare_input_space

        lut.shaper = shaper
        declare_input_space(lut, space)
    # Both files are complete in temporary files before either is renamed into place.
    with atomic_path(args.output) as cube_tmp, contextlib.ExitStack() as more, reported_warnings():
        write_lut(lut, cube_tmp)
        if args.coverage_png:
            write_coverage_png(report.coverage, more.enter_context(atomic_path(args.coverage_png)))
    what = f"{len(names)} pairs" if len(names) > 1 else names[0]
    print(
        f"fitted a {lut.size}^3 {args.method} LUT from {what} ({report.n_pixels:,} pixels) "
        f"in {report.seconds:.2f} s"
    )
    print(
        f"fit error: mean ΔE2000 {report.fit_de00:.3f} between the LUT-graded input and the target"
    )
    if report.smoothness is not None:
        print(f"smoothness: {report.smoothness:.3g}")
    print(f"coverage: {report.coverage.summary()}")
    if args.coverage_png:
        print(f"wrote {args.coverage_png} (tiles = blue slices; grey = colours not in the frames)")
    if space is not None:
        form = "1D shaper + 3D" if shaper is not None else "3D"
        print(f"input colour space: {space} ({form}; the LUT takes the camera values in)")
    print(f"wrote {args.output}")
    for warning in pair_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


# The web UI's match warning (lutml.web.jobs: CHECK_PIXELS, FIT_DE00_WARN, the same sentence):
# pixels compared per pair, and the mean CIEDE2000 above which the target holds changes no LUT
# can make (local edits, another photo, another framing).
CHECK_PIXELS = 250_000
FIT_DE00_WARN = 2.5


def pair_fit_de00(lut, source: np.ndarray, target: np.ndarray) -> float:
    """Mean CIEDE2000 between `lut` applied to `source` and `target`, per pixel (not per colour
    bin: a pair of different pictures sends one colour two ways), on at most `CHECK_PIXELS`
    pixels at the same places of both."""
    from lutml.color import mean_delta_e
    from lutml.imageio import to_float
    from lutml.lut import apply_lut

    h, w = source.shape[:2]
    step = max(1, int(np.ceil(np.sqrt(h * w / CHECK_PIXELS))))
    src = to_float(source[::step, ::step])
    dst = np.clip(to_float(target[::step, ::step]), 0.0, 1.0)
    return mean_delta_e(np.clip(apply_lut(lut, src), 0.0, 1.0), dst)


def fit_warning(de00: float) -> str | None:
    """The web match warning's sentence for a pair the LUT reproduces only to `de00`."""
    if not de00 > FIT_DE00_WARN:
        return None
    return (
        f"The LUT reproduces the after image only to a mean ΔE00 of {de00:.1f}: it holds "
        "changes a LUT cannot make (local or secondary corrections, vignettes, different framing)."
    )


def _pair_warnings(lut, sources, targets, jobs) -> list[str]:
    """One warning per pair the fitted LUT cannot reproduce (different photos, local edits,
    a --pair image that is not a side-by-side of one frame)."""
    out = []
    for (kind, s, t), src, dst in zip(jobs, sources, targets, strict=True):
        text = fit_warning(pair_fit_de00(lut, src, dst))
        if text is None:
            continue
        if kind == "sbs":
            hint = " Is it a side-by-side of one frame (left graded, right input)?"
            out.append(f"{s}: {text}{hint}")
        else:
            hint = " Are they the same frame before and after the grade?"
            out.append(f"{s} -> {t}: {text}{hint}")
    return out
