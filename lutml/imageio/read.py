"""Reading images: format judged by content, size checked from the header before decoding."""

from __future__ import annotations

import contextlib
import os
import re
import struct
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps

from lutml.imageio.core import (
    _EXR_MAGIC,
    _PNG_MAGIC,
    _TIFF_MAGIC,
    FLOAT_DEPTH,
    ImageData,
    ImageReadError,
    ImageTooLargeError,
    _check_pixels,
    _head,
    _note_frames,
    _split_planes,
    default_max_pixels,
)
from lutml.imageio.exr import _exr_header, _read_exr
from lutml.imageio.jpeg import _check_jpeg_data
from lutml.imageio.tiff import _first_tiff_page, _quiet_tifffile, _read_tiff


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image as float32 RGB (H, W, 3) in [0, 1]; alpha is dropped.

    A float (EXR) image is taken as display values and clipped to [0, 1]; use
    `read_image_full(path).as_float()` to keep values outside that range.
    """
    image = read_image_full(path)
    rgb = image.as_float()
    return np.clip(rgb, 0.0, 1.0) if image.bit_depth == FLOAT_DEPTH else rgb


def image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(width, height) from the file header, without decoding pixels (PNG, JPEG, TIFF, EXR).

    Raises ImageReadError for a damaged header and ImageTooLargeError (``size`` None) when
    Pillow refuses to even open the file (over twice its limit).
    """
    p = Path(path)
    head = _head(p)
    if head.startswith(_PNG_MAGIC):  # IHDR is always the first chunk
        if len(head) < 24 or head[12:16] != b"IHDR":
            raise ImageReadError(f"{p}: PNG header is damaged")
        return struct.unpack(">II", head[16:24])
    if head[:4] in _TIFF_MAGIC:
        import tifffile

        with _quiet_tifffile(), tifffile.TiffFile(p) as tif:
            page = _first_tiff_page(tif, p)
            return int(page.imagewidth), int(page.imagelength)
    if head.startswith(_EXR_MAGIC):
        return _exr_header(p)[0]
    with _open_pillow(p, None) as im:
        return im.size


def read_image_full(path: str | os.PathLike[str], max_pixels: int | None = None) -> ImageData:
    """Read an image in its native precision; see the module docstring for the mode policy.

    Parameters
    ----------
    max_pixels : largest accepted width x height; None = `default_max_pixels()`. Pillow refuses
        JPEG/8-bit PNG files over twice its own limit whatever this says.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ImageTooLargeError
        The header declares more than `max_pixels` pixels (checked before decoding).
    ImageReadError
        The file is not a decodable PNG/JPEG/TIFF/OpenEXR image (judged by content, not by
        extension), is truncated, or has an unsupported pixel format (see `_read_exr` for EXR).
    """
    p = Path(path)
    limit = default_max_pixels() if max_pixels is None else max_pixels
    head = _head(p)
    notes: list[str] = []
    if head.startswith(_EXR_MAGIC):
        rgb, alpha = _read_exr(p, limit, notes)
        return ImageData(rgb, alpha, FLOAT_DEPTH, p, notes)
    if head.startswith(_PNG_MAGIC) and head[12:16] == b"IHDR":  # always the first chunk
        _check_pixels(p, *struct.unpack(">II", head[16:24]), limit)
    try:
        if head.startswith(_PNG_MAGIC) and len(head) > 24 and head[24] == 16:
            rgb, alpha = _read_png16(p)
            _note_frames(p, _png_frames(p), "frames (an animated PNG)", notes)
        elif head[:4] in _TIFF_MAGIC:
            rgb, alpha = _read_tiff(p, limit, notes)
        else:
            rgb, alpha = _read_pillow(p, limit, notes)
    except ImageReadError:
        raise
    except Exception as exc:  # decoders raise many types; report them as one clear error
        reason = (
            str(exc).replace(f" {str(p)!r}", "").replace(str(p), "the file")
        )  # named once, up front
        raise ImageReadError(
            f"{p}: not a readable PNG/JPEG/TIFF/EXR image ({type(exc).__name__}: {reason})"
        ) from exc
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ImageReadError(f"{p}: image has no pixels")
    depth = 16 if rgb.dtype == np.uint16 else 8
    return ImageData(np.ascontiguousarray(rgb), alpha, depth, p, notes)


def _png_frames(p: Path) -> int:
    """Frames of an (animated) PNG from its acTL chunk: 1 for a still PNG."""
    with open(p, "rb") as fh:
        fh.seek(8)
        for _ in range(64):  # acTL comes before the first IDAT
            chunk = fh.read(8)
            if len(chunk) < 8:
                break
            length, kind = struct.unpack(">I4s", chunk)
            if kind == b"acTL":
                data = fh.read(8)
                return struct.unpack(">I", data[:4])[0] if len(data) == 8 else 1
            if kind in (b"IDAT", b"IEND"):
                break
            fh.seek(length + 4, 1)
    return 1


def _open_pillow(p: Path, limit: int | None) -> Image.Image:
    """`Image.open` (header only) with Pillow's own bomb check turned into `ImageTooLargeError`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # _check_pixels decides
        try:
            im = Image.open(p)
        except Image.DecompressionBombError as exc:  # over twice Pillow's limit: it gives no size
            pixels = re.search(r"\((\d+) pixels\)", str(exc))
            pillow = 2 * (default_max_pixels() or 0)
            raise ImageTooLargeError(
                p,
                int(pixels.group(1)) if pixels else pillow,
                pillow if limit is None else min(limit, pillow),
            ) from None
    try:
        _check_pixels(p, *im.size, limit)
    except ImageTooLargeError:
        im.close()
        raise
    return im


_STRICT_LOCK = threading.Lock()
_strict_depth = 0
_strict_saved = False


@contextlib.contextmanager
def _strict_pillow() -> Iterator[None]:
    """Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` False while our decodes run.

    Any code in the process may set it True (it is a module global), and then Pillow fills a
    cut PNG or JPEG with grey instead of raising. Concurrent loads (the web's threads) share one
    saved value: the first in saves and clears it, the last out restores it.
    """
    global _strict_depth, _strict_saved
    with _STRICT_LOCK:
        if _strict_depth == 0:
            _strict_saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        _strict_depth += 1
    try:
        yield
    finally:
        with _STRICT_LOCK:
            _strict_depth -= 1
            if _strict_depth == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _strict_saved


def _read_pillow(
    p: Path, limit: int | None, notes: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    with _open_pillow(p, limit) as im:
        # Checked before decoding: libjpeg only warns about damaged data, Pillow drops that.
        if im.format in ("JPEG", "MPO"):
            _check_jpeg_data(p, im)
        with _strict_pillow():
            im.load()
        if notes is not None:
            what = "frames (an animated PNG)" if im.format == "PNG" else "frames"
            _note_frames(p, int(getattr(im, "n_frames", 1) or 1), what, notes)
        im = ImageOps.exif_transpose(im)
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grayscale
        g = np.asarray(im, dtype=np.int64)
        g = np.clip(g, 0, 65535).astype(np.uint16)
        return np.repeat(g[..., None], 3, axis=2), None
    if mode == "F":
        raise ImageReadError(f"{p}: 32-bit float grayscale images are not supported")
    has_alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in im.info)
    im = im.convert("RGBA" if has_alpha else "RGB")
    arr = np.asarray(im, dtype=np.uint8)
    if has_alpha:
        return arr[..., :3].copy(), arr[..., 3].copy()
    return arr, None


def _read_png16(p: Path) -> tuple[np.ndarray, np.ndarray | None]:
    import png  # pypng: Pillow has no 16-bit RGB mode; its size was checked from the IHDR

    width, height, rows, info = png.Reader(filename=str(p)).asDirect()
    planes = int(info["planes"])
    arr = np.vstack([np.asarray(r, dtype=np.uint16) for r in rows]).reshape(height, width, planes)
    if info["bitdepth"] != 16:
        arr = (arr.astype(np.uint32) * 65535 // (2 ** info["bitdepth"] - 1)).astype(np.uint16)
    return _split_planes(arr, p)
