"""Uploaded images: size limits, decoding judged by content, decompression-bomb guard.

An upload is written to a per-request temporary folder under a name we choose (never the
client's file name), its dimensions are read from the header *before* anything is decoded, and
only then is it decoded by `lutml.imageio.read_image_full`. Every failure is an `UploadError`
whose message is shown in the page as is, so it names the field and the problem in plain words.

OpenEXR uploads are read as display sRGB values, as `lutml grade` reads EXR stills: clipped to
0-1 and kept at 16 bits (the graded image downloads as a 16-bit PNG). What was clipped is said,
with the command line's `--input-space` route for scene-linear footage.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from werkzeug.datastructures import FileStorage

from lutml.imageio import (
    FLOAT_DEPTH,
    ImageData,
    ImageReadError,
    ImageTooLargeError,
    from_float,
    image_size,
    outside_unit_range,
    read_image_full,
)

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
_EXR_MAGIC = b"\x76\x2f\x31\x01"
FORMATS = "PNG, JPEG, TIFF or OpenEXR"


class UploadError(ValueError):
    """A bad upload; the message is meant for the user and names the field."""


def sniff_format(head: bytes) -> str | None:
    """The image format from a file's first bytes ('png', 'jpeg', 'tiff', 'exr'), or None."""
    if head.startswith(_PNG_MAGIC):
        return "png"
    if head.startswith(_JPEG_MAGIC):
        return "jpeg"
    if head[:4] in _TIFF_MAGIC:
        return "tiff"
    if head.startswith(_EXR_MAGIC):
        return "exr"
    return None


def display_name(upload: FileStorage) -> str:
    """The client's file name reduced to a harmless label (for messages only, never a path)."""
    name = Path((upload.filename or "").replace("\\", "/")).name
    return re.sub(r"[^\w.\- ]", "_", name)[:80] or "upload"


def display_upload(image: ImageData, label: str, shown: str) -> tuple[ImageData, dict[str, str]]:
    """A float (OpenEXR) upload as 16-bit display sRGB, and what the page should say about it.

    Returns the image (8/16-bit uploads unchanged) and notes: ``source_note`` (always, for an EXR)
    and ``warning`` (only when values outside 0-1 were clipped).
    """
    if image.bit_depth != FLOAT_DEPTH:
        return image, {}
    outside = outside_unit_range(image.rgb)
    rgb = from_float(np.nan_to_num(image.rgb, nan=0.0), 16)
    alpha = None if image.alpha is None else from_float(np.nan_to_num(image.alpha, nan=0.0), 16)
    notes = {
        "source_note": "OpenEXR read as display sRGB values 0-1 (as lutml grade reads EXR stills); "
        "the graded image downloads as a 16-bit PNG"
    }
    if outside > 0.0:
        share = f"{outside:.1%}" if outside >= 0.001 else "under 0.1%"
        notes["warning"] = (
            f"{share} of the pixels of the {label} ({shown}) lie outside 0-1 and were clipped: this page "
            "reads EXR as display sRGB. For scene-linear or camera footage use the command line with "
            "--input-space (lutml fit --input-space linear, lutml apply --input-space linear)."
        )
    return ImageData(rgb, alpha, 16, image.path), notes


def read_upload(
    upload: FileStorage | None,
    label: str,
    folder: Path,
    max_pixels: int,
    notes: dict[str, str] | None = None,
) -> ImageData:
    """Save one uploaded file into `folder` and decode it, refusing anything suspicious.

    Parameters
    ----------
    upload : the form's file, or None when the field was missing
    label : the field's name as the user sees it ("before image"), used in messages
    folder : per-request temporary folder (the caller removes it)
    max_pixels : largest accepted width * height (decompression-bomb guard)
    notes : if given, receives `display_upload`'s notes for an OpenEXR upload

    Returns
    -------
    ImageData with native uint8/uint16 RGB (H, W, 3) and optional alpha (OpenEXR: 16-bit
    display values, see `display_upload`).
    """
    if upload is None or not upload.filename:
        raise UploadError(f"Choose a {label} to upload.")
    shown = display_name(upload)
    stem = re.sub(r"\W", "_", label)
    raw = folder / f"{stem}.upload"
    upload.save(raw)
    return read_saved(raw, label, shown, max_pixels, notes)


def read_saved(
    raw: Path, label: str, shown: str, max_pixels: int, notes: dict[str, str] | None = None
) -> ImageData:
    """Decode an upload already saved as `raw` (a name we chose) as `read_upload` does.

    `shown` is the client's file name as `display_name` reduced it (for messages only). The file
    may be renamed (its suffix set from its contents) inside its folder; the caller removes it.
    """
    folder = raw.parent
    with raw.open("rb") as fh:
        head = fh.read(32)
    if not head:
        raise UploadError(f"{label} ({shown}) is an empty file.")
    fmt = sniff_format(head)
    if fmt is None:
        raise UploadError(
            f"{label} ({shown}) is not a {FORMATS} image (judged by its contents, not its name)."
        )
    too_large = (
        f"{label} ({shown}) is {{}} megapixels; the limit is {max_pixels / 1e6:.1f} megapixels. "
        "Export a smaller frame."
    )
    try:
        width, height = image_size(raw)
    except ImageTooLargeError as exc:  # so large that Pillow would not even open it
        raise UploadError(too_large.format(f"{exc.pixels / 1e6:.1f}")) from exc
    except Exception as exc:  # any header parser failure means the file is damaged
        raise UploadError(
            f"{label} ({shown}) looks like a {fmt.upper()} but its header is damaged."
        ) from exc
    if width < 1 or height < 1:
        raise UploadError(f"{label} ({shown}) has no pixels.")
    if width * height > max_pixels:
        raise UploadError(too_large.format(f"{width}×{height} = {width * height / 1e6:.1f}"))
    path = raw.rename(raw.with_suffix(f".{fmt}"))
    try:
        image = read_image_full(path, max_pixels=max_pixels)
    except ImageReadError as exc:
        # Never show a server path: the library names the file, the client knows it as `shown`.
        reason = str(exc).replace(str(path), shown).replace(str(folder), "")
        reason = reason.removeprefix(f"{shown}: ")
        raise UploadError(f"{label} ({shown}) could not be decoded: {reason}") from exc
    if (
        image.rgb.shape[0] * image.rgb.shape[1] > max_pixels
    ):  # EXIF rotation cannot grow it, but be sure
        raise UploadError(f"{label} ({shown}) exceeds the {max_pixels / 1e6:.1f} megapixel limit.")
    image, found = display_upload(image, label, shown)
    if notes is not None:
        notes.update(found)
    return image
