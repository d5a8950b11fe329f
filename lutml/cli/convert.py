"""`lutml convert`: a LUT from one file format into another (.cube, .3dl, .csp, .clf, Hald .png)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from lutml.atomic import public_text
from lutml.cli.paths import check_outputs

SUMMARY = "convert a LUT between .cube, .3dl, .csp, .clf and Hald .png"

HELP = """\
Convert a 3D LUT between file formats; each format comes from the file's suffix:

  .cube  Iridas/Adobe/Resolve    floats; values outside 0-1, input range and 1D shaper kept
  .csp   Cinespace               floats; values outside 0-1, input range and shaper (pre-LUT) kept
  .clf   Academy/ASC CLF 3.0     32-bit floats; values outside 0-1, input range and shaper kept
  .3dl   Autodesk Flame/Lustre   integer codes on 0-1 (10-bit input line, 12-bit output by default)
  .png   Hald CLUT image         8/16-bit codes on 0-1; L^2 nodes per axis (64 = level 8)

Formats of codes on 0-1 (.3dl, .png) cannot hold values outside 0-1 or a shaper: outputs are
clipped and a shaper or input range is baked into the table, each with a warning.

examples:
  lutml convert look.cube look.3dl
  lutml convert look.cube look_hald.png --size 64          (a Hald CLUT needs 4, 9, ..., 64 nodes)
  lutml convert look_hald.png look.cube --size 33
  lutml convert look.clf look.3dl --bits 16 --style lustre
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", type=Path, metavar="IN", help="the LUT to read")
    p.add_argument(
        "output", type=Path, metavar="OUT", help="the LUT to write; format from the suffix"
    )
    p.add_argument(
        "--size",
        type=int,
        default=None,
        help="resample to N nodes per axis (2-256; tetrahedral); default: keep the size",
    )
    p.add_argument(
        "--bits",
        type=int,
        default=None,
        help="output code depth: .3dl 8, 10, 12 (default) or 16; Hald .png 8 or 16 (default)",
    )
    p.add_argument(
        "--style",
        choices=["flame", "lustre"],
        default=None,
        help=".3dl only: flame (default; Flame, Nuke, Resolve, OCIO) or lustre "
        "(3DMESH header; needs 17, 33, 65, ... nodes)",
    )
    p.add_argument("--title", default=None, help="title written into the file (default: keep)")


@contextlib.contextmanager
def reported_warnings() -> Iterator[None]:
    """Print each `LutFormatWarning` raised inside as one ``warning: ...`` line on stderr (once
    the block succeeded: a failed write leaves no file to warn about); others pass through."""
    from lutml.lut import LutFormatWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LutFormatWarning)
        yield
    for w in caught:
        if issubclass(w.category, LutFormatWarning):  # never a temporary file's name
            print(f"warning: {public_text(str(w.message))}", file=sys.stderr)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def writer_options(output: Path, bits: int | None, style: str | None) -> dict[str, object]:
    """--bits / --style as the keyword options of `output`'s format, or a ValueError."""
    suffix = output.suffix.lower()
    if style is not None and suffix != ".3dl":
        raise ValueError(f"{output}: --style is for .3dl outputs only")
    if bits is None:
        return {} if style is None else {"style": style}
    if suffix == ".3dl":
        from lutml.lut.threedl import BIT_DEPTHS

        if bits not in BIT_DEPTHS:  # said with the option's name, not the writer's
            depths = ", ".join(map(str, BIT_DEPTHS))
            raise ValueError(f"{output}: --bits for .3dl must be one of {depths}, got {bits}")
        return {"output_bits": bits} | ({} if style is None else {"style": style})
    if suffix == ".png":
        return {"bits": bits}
    raise ValueError(f"{output}: --bits is for .3dl and Hald .png outputs (the others hold floats)")


def run(args: argparse.Namespace) -> int:
    from lutml.lut import LUT_SUFFIXES, read_lut, resample_lut, write_lut
    from lutml.lut.io import check_lut_output, lut_format

    check_outputs([("OUT", args.output, LUT_SUFFIXES)], [args.input])
    options = writer_options(args.output, args.bits, args.style)
    if args.size is not None and not 2 <= args.size <= 256:
        raise ValueError(f"--size must be between 2 and 256, got {args.size}")
    if args.size is not None:  # what OUT's format cannot hold fails before reading
        check_lut_output(args.output, args.size, **options)
    lut_format(args.input)  # an unknown input suffix fails before reading
    lut = read_lut(args.input)
    size_in = lut.size
    check_lut_output(args.output, args.size or size_in, **options)
    if args.size is not None and args.size != lut.size:
        lut = resample_lut(lut, args.size)
    if args.title is not None:
        lut.title = args.title
    with reported_warnings():
        write_lut(lut, args.output, **options)
    resized = f", resampled from {size_in}^3" if lut.size != size_in else ""
    print(
        f"wrote {args.output} ({lut_format(args.output).name}, {lut.size}^3{resized}) "
        f"from {args.input} ({lut_format(args.input).name})"
    )
    return 0
