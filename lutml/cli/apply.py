"""`lutml apply`: put a LUT look (.cube, .3dl, .csp, .clf, Hald .png) on an image file."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = """\
Grade an image with a 3D LUT, as Resolve, Premiere or ffmpeg would. LUT is a .cube, .3dl,
.csp, .clf or Hald CLUT .png file (`lutml convert --help` describes them).

IN and OUT are PNG, JPEG or TIFF. Bit depth is kept: 8-bit in gives 8-bit out, 16-bit in gives
16-bit out (a JPEG OUT is always 8-bit, so 16-bit results are rounded to 8 bits for it). An
alpha channel is carried over untouched (PNG/TIFF OUT only; JPEG cannot hold alpha). Greyscale
and palette images are graded as RGB. Colours outside the LUT's input range are clamped to its
edge, as in OpenColorIO; a 1D shaper in the file is applied first.

examples:
  lutml apply look.cube frame.png graded.png
  lutml apply look.cube scan_16bit.tif graded_16bit.tif --strength 0.6
  lutml apply look.cube logo_rgba.png graded_rgba.png --interpolation trilinear
  lutml apply look.cube shot_logc3.tif preview.png --input-space logc3

--input-space NAME: IN is camera footage in colour space NAME (log or linear: ARRI LogC3/LogC4,
S-Log3, Canon Log, V-Log, ACEScct, linear Rec.709, ...; OpenColorIO's built-in ACES studio config
names, or a unique part of one). It is converted to display sRGB (OpenColorIO, no tone mapping:
values above white are clipped) before a LUT made for sRGB footage (lutml's looks, `lutml fit`
and `lutml grade` without --input-space) is applied, so log footage can be previewed with a look.
Do not use it with a LUT that already takes NAME in (one exported with --input-space).
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "apply",
        help="grade an image with a LUT (8/16-bit PNG, JPEG, TIFF)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "lut", type=Path, metavar="LUT", help="the look: a .cube, .3dl, .csp, .clf or Hald .png LUT"
    )
    p.add_argument(
        "input", type=Path, metavar="IN", help="image to grade (PNG, JPEG or TIFF; 8 or 16 bit)"
    )
    p.add_argument(
        "output",
        type=Path,
        metavar="OUT",
        help="graded image to write; the format follows the extension (.png .jpg .tif)",
    )
    p.add_argument(
        "--strength",
        type=float,
        default=1.0,
        help="how much of the look: 0 = unchanged, 1 = full look (default), up to 2 exaggerates it",
    )
    p.add_argument(
        "--interpolation",
        choices=["tetrahedral", "trilinear"],
        default="tetrahedral",
        help="between LUT nodes: tetrahedral (default; what Resolve and OCIO use) or "
        "trilinear (softer on some LUTs)",
    )
    p.add_argument(
        "--input-space",
        default=None,
        metavar="NAME",
        help="IN is footage in colour space NAME: convert it to sRGB before the LUT (see above)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lutml.cli.paths import check_outputs
    from lutml.imageio import IMAGE_SUFFIXES, from_float, read_image_full, to_float, write_image
    from lutml.lut import apply_lut, read_lut

    if not 0.0 <= args.strength <= 2.0:
        raise ValueError(f"--strength must be between 0 and 2, got {args.strength}")
    space = None
    if args.input_space is not None:
        from lutml.lut.spaces import resolve_space

        space = resolve_space(args.input_space)
    check_outputs([("output", args.output, IMAGE_SUFFIXES)], [args.lut, args.input])
    suffix = args.output.suffix.lower()
    lut = read_lut(args.lut)
    image = read_image_full(args.input)
    jpeg = suffix in (".jpg", ".jpeg")
    if jpeg and image.alpha is not None:
        raise ValueError(
            f"{args.input} has an alpha channel, which JPEG cannot hold; "
            f"write {args.output.with_suffix('.png')} or .tif instead"
        )
    rgb = image.rgb
    if space is not None:
        from lutml.lut.spaces import to_working

        rgb = to_working(to_float(rgb), space)
    graded = apply_lut(lut, rgb, args.interpolation, args.strength)
    if space is not None:
        graded = from_float(graded, image.bit_depth)
    depth = image.bit_depth
    if jpeg and depth == 16:
        graded, depth = from_float(to_float(graded), 8), 8
        print(f"note: JPEG holds 8 bits; the 16-bit result was rounded to 8 bits for {args.output}")
    write_image(args.output, graded, image.alpha, bit_depth=depth)
    h, w = graded.shape[:2]
    extra = ", alpha kept" if image.alpha is not None else ""
    print(
        f"wrote {args.output} ({w}x{h}, {depth}-bit{extra}) graded with {args.lut.name} "
        f"({lut.size}^3, {args.interpolation}, strength {args.strength:g})"
        + (f", input {space} converted to sRGB" if space is not None else "")
    )
    return 0
