"""`lutml grade`: grade a frame with a trained model and save the look as a .cube LUT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lutml.atomic import atomic_path
from lutml.cli.convert import reported_warnings
from lutml.cli.options import add_input_space, add_strength
from lutml.cli.paths import check_outputs
from lutml.models.validate import check_model

if TYPE_CHECKING:
    import numpy as np

SUMMARY = "grade an image with a trained model -> .cube LUT"

HELP = """\
Turn IMAGE into a .cube 3D LUT with a trained model.

With a look model (the default pipeline's data/models, or `-S model=neutraliser`): IMAGE is a
graded still (a frame of a film, an ad, a colourist's shot); the model names its look, and the LUT
puts that look onto neutral footage (--reverse is implied). The output says how much of natural
footage's colours the still shows (coverage) and warns when the still cannot show its look.

With an image model (pix2pix, pipelines/pairs/dvc.yaml): the network grades a small copy of IMAGE
and lutml fits a smooth LUT from that copy to the network's output; --reverse is for a neutraliser
image model.

The LUT grades footage at any resolution, in any grading app (Resolve, Premiere, Photoshop,
ffmpeg, OCIO).

examples:
  lutml grade film_still.jpg --model data/models --reverse -o look.cube --size 33
  lutml grade stills/*.jpg --model data/models -o look.cube       # many stills of one look: one LUT
  lutml grade still.jpg --model data/models -o look.cube --preview before_after.jpg
  lutml grade stills/*.jpg --model data/models -o look_logc3.cube --input-space logc3

--input-space NAME: the LUT is for footage in colour space NAME (log or linear camera footage:
ARRI LogC3/LogC4, S-Log3, Canon Log, V-Log, ACEScct, linear Rec.709, ...; OpenColorIO's built-in
ACES studio config names, or a unique part of one). The stills stay display (sRGB) pictures; the
LUT converts NAME to sRGB (OpenColorIO) and then puts the look on, as a 1D shaper + 3D LUT for log
and linear spaces (.cube: DaVinci Resolve's form). With --reverse the look found the same way is
exported the same way. --preview shows the look on the still (sRGB).

An OpenEXR still is taken as display sRGB values: values outside 0-1 are clipped, with a note
(convert scene-linear renders to an sRGB picture first).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "image",
        type=Path,
        nargs="+",
        help="graded still(s) of one look (look models: several stills -> one LUT), or the frame to "
        "grade (image models: one frame); PNG/JPEG/TIFF, 8/16-bit, or EXR; any size",
    )
    p.add_argument(
        "--model",
        type=Path,
        required=True,
        help="trained model: a .keras file or a folder with model.json (e.g. data/models)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="where to write the .cube LUT")
    p.add_argument("--size", type=int, default=33, help="LUT nodes per axis, 2-65 (default 33)")
    p.add_argument(
        "--reverse",
        action="store_true",
        help="neutraliser model: LUT from the neutralised frame back to IMAGE, i.e. IMAGE's look "
        "as a LUT for neutral footage",
    )
    add_strength(p, "blend of the look with the original, 0 = no change, 1 = full look (default 1)")
    p.add_argument(
        "--smoothness", type=float, default=None, help="LUT smoothness (default: the fit's default)"
    )
    p.add_argument(
        "--preview", type=Path, default=None, help="also save a before | after picture (JPEG/PNG)"
    )
    p.add_argument(
        "--no-trust",
        action="store_true",
        help="look models: keep the raw estimate (by default the parts of the look the model is "
        "unsure of - tone, saturation, cast - are pulled towards no grade; the report says which)",
    )
    add_input_space(
        p, "export the LUT for footage in colour space NAME (camera log/linear; see above)"
    )


def run(args: argparse.Namespace) -> int:
    import contextlib

    import numpy as np

    from lutml.grade import grade_image
    from lutml.imageio import IMAGE_SUFFIXES
    from lutml.lut import LUT_SUFFIXES, apply_lut, lut_at_strength, write_lut
    from lutml.models.inference import load_any_model

    if not 2 <= args.size <= 65:
        raise ValueError(f"--size must be between 2 and 65, got {args.size}")
    if not 0.0 <= args.strength <= 2.0:
        raise ValueError(f"--strength must be between 0 and 2, got {args.strength}")
    if args.smoothness is not None and not (
        np.isfinite(args.smoothness) and args.smoothness >= 0
    ):  # as `lutml fit` refuses it
        raise ValueError(f"--smoothness must be a finite number >= 0, got {args.smoothness}")
    space = None
    if (
        args.input_space is not None
    ):  # a bad name fails before the model is loaded or a file written
        from lutml.lut.spaces import resolve_space

        space = resolve_space(args.input_space)
    outputs = [("-o/--output", args.output, LUT_SUFFIXES)]
    if args.preview:
        outputs.append(("--preview", args.preview, IMAGE_SUFFIXES))
    check_outputs(
        outputs, [*args.image, args.model]
    )  # before the (slow) model, so nothing is half-written
    from lutml.lut.hald import hald_level
    from lutml.lut.io import check_lut_output

    if args.output.suffix.lower() == ".png" and hald_level(args.size) is None:
        raise ValueError(
            f"{args.output}: a Hald CLUT holds L^2 nodes per axis: add --size 36 (level 6) or 64 (level 8)"
        )
    check_lut_output(args.output, args.size)  # what the format cannot hold fails now
    kind = check_model(args.model)  # a wrong path or a damaged model: before any still is read
    if kind == "look" and args.smoothness is not None:
        print(
            "note: --smoothness has no effect with a look model (no LUT is fitted)", file=sys.stderr
        )
    # Each still is downscaled as it is read: only MAX_STILL_PIXELS of each are kept.
    images = [_display_still(path) for path in args.image]
    image = images[0]
    model = load_any_model(args.model)
    if model.kind == "look":
        from lutml.grade import look_of_stills

        result = look_of_stills(
            model,
            images,
            size=args.size,
            trusted=not args.no_trust,
            names=[str(path) for path in args.image],
        )
    else:
        if len(images) > 1:
            raise ValueError(
                f"{args.model}: an image model grades one frame at a time; give one IMAGE "
                "(several stills of one look need a look model)"
            )
        opts = {} if args.smoothness is None else {"smoothness": args.smoothness}
        result = grade_image(model, image, size=args.size, reverse=args.reverse, **opts)
    lut = lut_at_strength(
        result.lut, args.strength
    )  # exact: interpolation is linear in node values
    working_lut = lut  # sRGB in: what the preview shows on the still
    if space is not None:
        from lutml.lut.spaces import export_for_space

        lut = export_for_space(working_lut, space, args.size)
    # Both files are complete in temporary files before either is renamed into place.
    with atomic_path(args.output) as lut_tmp, contextlib.ExitStack() as more, reported_warnings():
        write_lut(lut, lut_tmp)
        if args.preview:
            from lutml.preview import write_before_after

            write_before_after(
                more.enter_context(atomic_path(args.preview)),
                image,
                np.clip(apply_lut(working_lut, image), 0, 1),
            )
    if model.kind == "look":
        _report_look(args, result, lut.size)
    else:
        print(
            f"wrote {args.output} ({lut.size}^3)  coverage {result.coverage:.0%} of LUT cells, "
            f"LUT vs model output mean dE00 {result.fit_de00:.2f}"
        )
    if space is not None:
        print(f"the LUT takes {space} in ({'1D shaper + 3D' if lut.shaper is not None else '3D'})")
    if args.preview:
        print(f"wrote preview {args.preview}")
    return 0


def _report_look(args: argparse.Namespace, result, size: int) -> None:
    """What `grade` with a look model wrote, how sure the model is, and the warnings. With
    --no-trust the trust model's report is labelled as being about the look it would have
    written, not the raw estimate written."""
    trust = result.trust
    used, n = result.stills or [str(p) for p in args.image], len(args.image)
    what = Path(used[0]).name if n == 1 else f"{len(used)} stills"
    what += f" (of {n})" if len(used) < n else ""
    shown = (
        f"{'the still shows' if len(args.image) == 1 else 'the stills show'} "
        f"{result.coverage:.0%} of natural footage's colours (the look is read "
        "there and follows the model's prior elsewhere)"
    )
    if args.no_trust:
        print(f"wrote {args.output} ({size}^3): the raw look of {what} (--no-trust); {shown}")
    elif trust is not None and all(p.strength == 0 for p in trust.parts):
        print(
            f"wrote {args.output} ({size}^3): no grade (an identity LUT): nothing of the look "
            f"read from {what} can be trusted (below); {shown}"
        )
    else:
        print(f"wrote {args.output} ({size}^3): the look of {what}; {shown}")
    if trust is not None:  # how sure the model is, per part of the look
        if args.no_trust:
            print("  the trust model's report, of the look it would have written (not applied):")
        for line in trust.lines():
            print(f"  {'  ' if args.no_trust else ''}{line}")
    about = args.image[0] if len(args.image) == 1 else "stills"
    for warning in result.warnings:
        if args.no_trust and trust is not None and warning in trust.warnings:
            warning = f"the trust model (not applied: --no-trust) says: {warning}"
        print(f"warning: {about}: {warning}", file=sys.stderr)


# The most pixels of one still kept after reading it (area-downscaled, aspect kept): the look
# estimator sees 1-3 tiles of its frame size (<= 256 px), the coverage ~1 Mpx, an image model
# its input size, the preview <= 540 px high. So memory is one decoded still (its native
# array plus one float32 plane) at a time + 12 MB per still kept, whatever the stills' size.
MAX_STILL_PIXELS = 1 << 20


def _display_still(path: Path) -> np.ndarray:
    """A still as float32 display RGB in [0, 1], downscaled to at most `MAX_STILL_PIXELS`;
    a float (EXR) one is clipped, with a note."""

    from lutml.imageio import outside_unit_range, read_image_full

    image = read_image_full(path)
    for note in getattr(image, "notes", ()):
        print(f"note: {note}", file=sys.stderr)
    native = image.rgb
    del image  # only the RGB array is needed (alpha is dropped)
    if native.dtype.kind == "f":
        outside = outside_unit_range(native)
        print(
            f"note: {path}: an EXR still is taken as display sRGB values"
            + (f"; {outside:.1%} of the pixels lie outside 0-1 and were clipped" if outside else "")
            + " (convert scene-linear renders to an sRGB picture first)",
            file=sys.stderr,
        )
    return downscaled_still(native, MAX_STILL_PIXELS, clip=native.dtype.kind == "f")


def downscaled_still(rgb: np.ndarray, max_pixels: int, clip: bool = False) -> np.ndarray:
    """float32 (h, w, 3) in [0, 1] of native `rgb` (uint8/uint16 codes or float), area-downscaled
    to at most `max_pixels` (aspect kept) one channel at a time (one float plane in memory)."""
    import math

    import numpy as np

    from lutml.imageio import to_float
    from lutml.resize import resize_image

    h, w = rgb.shape[:2]

    def plane(c: int) -> np.ndarray:
        x = to_float(rgb[..., c : c + 1])
        return np.clip(x, 0.0, 1.0) if clip else x

    if h * w <= max_pixels:
        out = to_float(rgb)
        return np.clip(out, 0.0, 1.0) if clip else np.ascontiguousarray(out)
    scale = math.sqrt(max_pixels / (h * w))
    size = (max(1, int(h * scale)), max(1, int(w * scale)))
    return np.concatenate([resize_image(plane(c), size, "area") for c in range(3)], axis=-1)
