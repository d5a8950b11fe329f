"""`lutml apply`: put a LUT look (.cube, .3dl, .csp, .clf, Hald .png) on an image file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from lutml.cli.options import add_input_space, add_interpolation, add_strength
from lutml.cli.paths import check_outputs

if TYPE_CHECKING:
    import numpy as np

    from lutml.lut import LUT3D

SUMMARY = "grade an image with a LUT (8/16-bit PNG, JPEG, TIFF; OpenEXR)"

HELP = """\
Grade an image with a 3D LUT, as Resolve, Premiere or ffmpeg would. LUT is a .cube, .3dl,
.csp, .clf or Hald CLUT .png file (`lutml convert --help` describes them).

IN and OUT are PNG, JPEG, TIFF or OpenEXR. Bit depth is kept: 8-bit in gives 8-bit out, 16-bit in
gives 16-bit out (a JPEG OUT is always 8-bit, so 16-bit results are rounded to 8 bits for it); an
EXR IN (half/float, values above 1 kept) gives 16-bit PNG/TIFF, and an EXR OUT is half float with
the LUT's output unclipped. An alpha channel is carried over untouched (PNG/TIFF/EXR OUT only;
JPEG cannot hold alpha). Greyscale and palette images are graded as RGB. Colours outside the LUT's
input range are clamped to its edge, as in OpenColorIO; a 1D shaper in the file is applied first.
Without --input-space an EXR's values go into the LUT as they are (right for a LUT made for that
footage, e.g. one exported with --input-space linear); a note says how many pixels the LUT clamps.

examples:
  lutml apply look.cube frame.png graded.png
  lutml apply look.cube scan_16bit.tif graded_16bit.tif --strength 0.6
  lutml apply look.cube logo_rgba.png graded_rgba.png --interpolation trilinear
  lutml apply look.cube shot_logc3.tif preview.png --input-space logc3
  lutml apply look.cube render.exr preview.png --input-space linear

--input-space NAME: IN is camera footage in colour space NAME (log or linear: ARRI LogC3/LogC4,
S-Log3, Canon Log, V-Log, ACEScct, linear Rec.709, ...; OpenColorIO's built-in ACES studio config
names, or a unique part of one). It is converted to display sRGB (OpenColorIO, no tone mapping:
values above white are clipped) before a LUT made for sRGB footage (lutml's looks, `lutml fit`
and `lutml grade` without --input-space) is applied, so log footage can be previewed with a look.
A LUT that already takes a camera space in (exported with --input-space; its .cube says so) is
refused with --input-space: it would convert the footage twice. Apply it without the option.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "lut", type=Path, metavar="LUT", help="the look: a .cube, .3dl, .csp, .clf or Hald .png LUT"
    )
    p.add_argument(
        "input", type=Path, metavar="IN", help="image to grade (PNG, JPEG, TIFF: 8/16 bit; EXR)"
    )
    p.add_argument(
        "output",
        type=Path,
        metavar="OUT",
        help="graded image to write; the format follows the extension (.png .jpg .tif .exr)",
    )
    add_strength(
        p, "how much of the look: 0 = unchanged, 1 = full look (default), up to 2 exaggerates it"
    )
    add_interpolation(
        p,
        "between LUT nodes: tetrahedral (default; what Resolve and OCIO use) or "
        "trilinear (softer on some LUTs)",
    )
    add_input_space(
        p, "IN is footage in colour space NAME: convert it to sRGB before the LUT (see above)"
    )


def run(args: argparse.Namespace) -> int:
    from lutml.imageio import (
        FLOAT_DEPTH,
        IMAGE_SUFFIXES,
        from_float,
        read_image_full,
        to_float,
        write_image,
    )
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
    if space is not None:
        from lutml.lut.spaces import declared_input_space

        declared = declared_input_space(lut)
        if declared is not None:  # converting first would put the footage through it twice
            raise ValueError(
                f"{args.lut} already takes {declared} in (it was exported with --input-space): "
                f"apply it to the footage without --input-space"
            )
    image = read_image_full(args.input)
    for note in image.notes:
        print(f"note: {note}")
    jpeg = suffix in (".jpg", ".jpeg")
    if jpeg and image.alpha is not None:
        raise ValueError(
            f"{args.input} has an alpha channel, which JPEG cannot hold; "
            f"write {args.output.with_suffix('.png')} or .tif instead"
        )
    rgb = image.rgb
    if space is not None:
        from lutml.lut.spaces import to_working

        rgb = to_working(to_float(rgb), space)  # an EXR's values above 1 go in unclipped
    elif image.bit_depth == FLOAT_DEPTH:
        _note_clamped(args.input, rgb, lut)
    if suffix == ".exr":  # float through the LUT: its output stays unclipped (8/16-bit in too)
        rgb = to_float(rgb)
    graded = apply_lut(lut, rgb, args.interpolation, args.strength)
    depth = 8 if jpeg else min(image.bit_depth, 16)  # float in: 16-bit PNG/TIFF out
    if suffix == ".exr":
        depth_text = "half float"  # write_image keeps float values, scales 8/16-bit codes
    else:
        if graded.dtype.kind == "f":  # converted or EXR input: quantised here
            graded = from_float(graded, depth)
        elif graded.dtype.itemsize * 8 != depth:  # 16-bit codes for a JPEG
            graded = from_float(to_float(graded), depth)
        if jpeg and image.bit_depth > 8:
            was = "float" if image.bit_depth == FLOAT_DEPTH else "16-bit"
            print(
                f"note: JPEG holds 8 bits; the {was} result was rounded to 8 bits for {args.output}"
            )
        depth_text = f"{depth}-bit"
    write_image(args.output, graded, image.alpha, bit_depth=depth)
    h, w = graded.shape[:2]
    extra = ", alpha kept" if image.alpha is not None else ""
    print(
        f"wrote {args.output} ({w}x{h}, {depth_text}{extra}) graded with {args.lut.name} "
        f"({lut.size}^3, {args.interpolation}, strength {args.strength:g})"
        + (f", input {space} converted to sRGB" if space is not None else "")
    )
    return 0


def _note_clamped(path: Path, rgb: np.ndarray, lut: LUT3D) -> None:
    """Say how much of a float (EXR) image lies outside the LUT's input range (it is clamped)."""
    import numpy as np

    domain = lut.shaper if lut.shaper is not None else lut
    lo, hi = np.asarray(domain.domain_min), np.asarray(domain.domain_max)
    outside = float(np.mean(np.any((rgb < lo) | (rgb > hi), axis=-1)))
    if outside:
        print(
            f"note: {path}: {outside:.1%} of the pixels lie outside the LUT's input range "
            f"({lo.min():g} to {hi.max():g}) and are clamped to it; for scene-linear or log "
            "footage and a LUT made for sRGB, give --input-space (e.g. linear)"
        )
