"""Image files in and out: PNG, JPEG and TIFF at 8 and 16 bits, OpenEXR as float, alpha aside.

Policy (documented in the README): colour is always RGB. Grayscale and palette images are
expanded to RGB; an alpha channel is returned separately so graded outputs can carry it
unchanged; CMYK/YCbCr are converted to RGB by Pillow. Pillow cannot hold 16-bit RGB, so 16-bit
PNGs go through pypng and TIFFs through tifffile. OpenEXR files (usually scene-linear: values
above 1 and below 0 are meaningful) go through the OpenEXR bindings, imported only when an EXR is
read or written; they are read as float32 with every value kept (`bit_depth` 32) and written as
half float. Every writer is atomic.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import struct
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from lutml.atomic import atomic_path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".exr")
FLOAT_DEPTH = 32  # `ImageData.bit_depth` of a float image (OpenEXR, half or float channels)
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
_EXR_MAGIC = b"\x76\x2f\x31\x01"
_HALF_MAX = 65504.0  # the largest finite half float


class ImageReadError(ValueError):
    """An image file could not be read; the message names the file and the problem."""


@dataclass
class ImageData:
    """A decoded image in its native precision.

    Attributes
    ----------
    rgb : uint8, uint16 or float32 array, shape (H, W, 3)
        float32 for OpenEXR files: the stored values, outside [0, 1] too (scene-linear).
    alpha : array of the same dtype, shape (H, W), or None
    bit_depth : 8, 16 or `FLOAT_DEPTH` (32: float, from an OpenEXR file)
    path : the file it came from
    notes : what a user should know about how the file was read, each naming the file (only
        the first page of a multi-page TIFF or frame of an animated PNG is used; NaN pixels of
        an EXR were read as 0); the commands print them as ``note: ...`` lines
    """

    rgb: np.ndarray
    alpha: np.ndarray | None
    bit_depth: int
    path: Path
    notes: list[str] = field(default_factory=list)

    def as_float(self) -> np.ndarray:
        """RGB as float32 (H, W, 3): 8/16-bit codes scaled to [0, 1]; a float (EXR) image as
        stored, values outside [0, 1] kept (clip it where display values are needed)."""
        return to_float(self.rgb)


def outside_unit_range(rgb: np.ndarray) -> float:
    """Fraction of pixels of `rgb` (..., 3) with a channel below 0 or above 1 (0 for integers)."""
    if not np.issubdtype(rgb.dtype, np.floating) or rgb.size == 0:
        return 0.0
    return float(np.mean(np.any((rgb < 0.0) | (rgb > 1.0), axis=-1)))


def to_float(arr: np.ndarray) -> np.ndarray:
    """uint8/uint16 -> float32 in [0, 1]; float input is returned as float32 unchanged."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255.0)
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / np.float32(65535.0)
    if np.issubdtype(arr.dtype, np.floating):
        return arr.astype(np.float32, copy=False)
    raise TypeError(f"unsupported image dtype {arr.dtype}")


def from_float(arr: np.ndarray, bit_depth: int) -> np.ndarray:
    """float in [0, 1] -> uint8/uint16, clipped and rounded to the nearest code value."""
    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16, got {bit_depth}")
    scale = 255.0 if bit_depth == 8 else 65535.0
    dtype = np.uint8 if bit_depth == 8 else np.uint16
    return np.rint(np.clip(np.asarray(arr, np.float32), 0.0, 1.0) * scale).astype(dtype)


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image as float32 RGB (H, W, 3) in [0, 1]; alpha is dropped.

    A float (EXR) image is taken as display values and clipped to [0, 1]; use
    `read_image_full(path).as_float()` to keep values outside that range.
    """
    image = read_image_full(path)
    rgb = image.as_float()
    return np.clip(rgb, 0.0, 1.0) if image.bit_depth == FLOAT_DEPTH else rgb


def default_max_pixels() -> int | None:
    """The largest width x height the readers accept unless told otherwise.

    Pillow's decompression-bomb limit, ``PIL.Image.MAX_IMAGE_PIXELS`` (89.5 MP unless changed;
    None = no limit), applied to every format, also to the 16-bit PNG and TIFF readers that do
    not go through Pillow, and checked from the file header before any pixel is decoded.
    """
    return Image.MAX_IMAGE_PIXELS


class ImageTooLargeError(ImageReadError):
    """The header declares more pixels than the limit; nothing was decoded.

    Attributes: ``pixels`` (declared), ``limit``, ``size`` ((width, height), or None when
    Pillow refused the file outright at twice its own limit and gave only the pixel count).
    """

    def __init__(self, path: Path, pixels: int, limit: int, size: tuple[int, int] | None = None):
        self.pixels, self.limit, self.size = pixels, limit, size
        dims = f"{size[0]}×{size[1]} = " if size else ""
        super().__init__(
            f"{path}: image is {dims}{pixels / 1e6:.1f} megapixels, over the "
            f"{limit / 1e6:.1f} megapixel limit (not decoded)"
        )


def _check_pixels(p: Path, width: int, height: int, limit: int | None) -> None:
    if limit is not None and width * height > limit:
        raise ImageTooLargeError(p, width * height, limit, (width, height))


def _head(p: Path) -> bytes:
    if not p.is_file():
        if p.exists():  # a folder, a device (/dev/zero), a FIFO: reading could never end
            kind = "a folder" if p.is_dir() else "not a regular file (a device, pipe or socket)"
            raise ImageReadError(f"{p}: {kind}, not an image file")
        raise FileNotFoundError(f"{p}: no such image file")
    try:
        with p.open("rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        raise ImageReadError(f"{p}: cannot read file ({exc.strerror or exc})") from exc
    if not head:
        raise ImageReadError(f"{p}: file is empty")
    return head


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


def _note_frames(p: Path, count: int, what: str, notes: list[str]) -> None:
    if count > 1:
        notes.append(f"{p}: {count} {what}; only the first is used")


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


@contextlib.contextmanager
def _quiet_tifffile() -> Iterator[None]:
    """tifffile logs what it finds wrong ("invalid offset to first page") before failing; the
    reader's own error says it once, naming the file."""
    logger = logging.getLogger("tifffile")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _first_tiff_page(tif: Any, p: Path) -> Any:
    try:
        page = tif.pages.first if len(tif.pages) else None
    except (IndexError, ValueError, KeyError):
        page = None
    if page is None or getattr(page, "shape", None) == ():
        raise ImageReadError(f"{p}: TIFF file holds no image (no readable page)")
    return page


_JPEG_JUNK = bytes(range(1, 255)) * 16  # no 0xFF: entropy-coded data to a decoder


def _jpeg_scans(data: bytes) -> tuple[list[int], int | None]:
    """(offset where each scan's entropy-coded data ends, offset of the EOI marker ending the
    first image) of a JPEG stream; EOI None when the stream is cut short."""
    pos = 2
    n = len(data)
    ends: list[int] = []
    while pos + 1 < n:
        if data[pos] != 0xFF:
            return ends, None
        while pos + 1 < n and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= n:
            return ends, None
        marker = data[pos + 1]
        if marker == 0xD9:
            return ends, pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > n:
            return ends, None
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker != 0xDA:
            continue
        while True:  # entropy-coded data: up to the next marker that is not a stuffed 00 or RST
            pos = data.find(b"\xff", pos)
            if pos < 0 or pos + 1 >= n:
                return ends, None
            follower = data[pos + 1]
            if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                pos += 2
                continue
            if follower == 0xFF:
                pos += 1
                continue
            break
        ends.append(pos)
    return ends, None


def _check_jpeg_data(p: Path, im: Image.Image) -> None:
    """Refuse a JPEG whose compressed data runs out before its frame is filled.

    libjpeg pads a scan that ends early with zeros (one flat colour to the bottom) and only
    warns, which Pillow does not pass on: a cut or corrupt file, or a header patched to a larger
    size, decodes "fine". The test: decode again (at 1/8 scale, cheap) with junk inserted at the
    end of every scan. A complete scan never reads past its data (libjpeg skips what lies
    before the next marker), so both decodes are equal; a scan that ran out reads the junk and
    the pictures differ. (Corruption inside a scan that libjpeg decodes to its end is not seen:
    such a file is damaged in its middle, not short of data.)
    """
    data = p.read_bytes()
    ends, eoi = _jpeg_scans(data)
    if eoi is None or not ends:
        raise ImageReadError(f"{p}: damaged JPEG: its data is cut short (no end-of-image marker)")
    w, h = im.size
    pieces, last = [], 0
    for at in ends:
        pieces += [data[last:at], _JPEG_JUNK]
        last = at
    altered = b"".join(pieces) + data[last:]

    def small(blob: bytes) -> np.ndarray:
        with Image.open(io.BytesIO(blob)) as probe:
            probe.draft(probe.mode, (max(1, w // 8), max(1, h // 8)))
            probe.load()
            return np.asarray(probe)

    try:
        same = np.array_equal(small(altered), small(data))
    except Exception:  # the altered copy did not decode: a scan read into the junk
        same = False
    if not same:
        raise ImageReadError(
            f"{p}: damaged JPEG: its compressed data ends before the {w}x{h} frame is filled "
            "(a cut or corrupt file, or an altered header); the rest would be one flat colour"
        )


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


def _read_pillow(
    p: Path, limit: int | None, notes: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    with _open_pillow(p, limit) as im:
        im.load()
        if im.format == "JPEG":
            _check_jpeg_data(p, im)
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


def _read_tiff(
    p: Path, limit: int | None, notes: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The first page of a TIFF; its layout comes from the tags, never guessed from the shape.

    A multi-page TIFF gives its first page (the main image; later pages are often thumbnails
    or other frames), as Pillow does for multi-frame files. Size, sample type and sample count
    are checked from the tags before anything is decoded.
    """
    import tifffile

    with _quiet_tifffile(), tifffile.TiffFile(p) as tif:
        page = _first_tiff_page(tif, p)
        if notes is not None:
            _note_frames(p, len(tif.pages), "pages (a multi-page TIFF)", notes)
        _check_pixels(p, int(page.imagewidth), int(page.imagelength), limit)
        if page.imagedepth > 1:
            raise ImageReadError(f"{p}: volumetric TIFF (depth {page.imagedepth}) is not an image")
        photometric = tifffile.PHOTOMETRIC(page.photometric)
        if photometric.name not in _TIFF_PHOTOMETRICS:
            raise ImageReadError(
                f"{p}: TIFF colour model {photometric.name} is not supported "
                "(use RGB, greyscale or palette)"
            )
        if page.dtype not in (np.uint8, np.uint16):
            raise ImageReadError(
                f"{p}: TIFF sample type {page.dtype} not supported (use 8- or 16-bit integer)"
            )
        if not 1 <= page.samplesperpixel <= 4:
            raise ImageReadError(f"{p}: {page.samplesperpixel} channels per pixel, expected 1-4")
        arr = page.asarray()
        colormap = page.colormap if photometric.name == "PALETTE" else None
        separate = page.planarconfig == tifffile.PLANARCONFIG.SEPARATE and page.samplesperpixel > 1
    if separate:
        arr = np.moveaxis(arr, 0, -1)  # (samples, H, W) planes -> (H, W, samples)
    if arr.ndim == 2:
        arr = arr[..., None]
    if photometric.name == "MINISWHITE":
        arr[..., :1] = np.iinfo(arr.dtype).max - arr[..., :1]  # 0 is white; alpha stays
    if colormap is not None:
        return _apply_colormap(arr[..., 0], colormap, p), None
    return _split_planes(arr, p)


_TIFF_PHOTOMETRICS = ("MINISWHITE", "MINISBLACK", "RGB", "PALETTE", "YCBCR")


def _apply_colormap(index: np.ndarray, colormap: np.ndarray, p: Path) -> np.ndarray:
    """Palette TIFF: indices (H, W) -> RGB through the (3, N) uint16 colour map, 8-bit if it fits."""
    cmap = np.asarray(colormap)
    if index.max(initial=0) >= cmap.shape[1]:
        raise ImageReadError(f"{p}: palette index beyond the {cmap.shape[1]}-entry colour map")
    if cmap.max(initial=0) < 256:  # some writers store 8-bit values in the 16-bit map
        cmap = cmap.astype(np.uint8)
    elif not np.any(cmap % 257):
        cmap = (cmap // 257).astype(np.uint8)
    return np.ascontiguousarray(cmap.T[index])


_EXR_LOCK = threading.Lock()


def _openexr(p: Path) -> Any:
    """The OpenEXR bindings, imported on first use (`import lutml` stays light)."""
    try:
        import OpenEXR
    except ImportError as exc:
        raise ValueError(
            f"{p}: OpenEXR files need the 'openexr' package (pip install -r requirements.lock)"
        ) from exc
    return OpenEXR


@contextlib.contextmanager
def _exr_messages(lines: list[str]) -> Iterator[None]:
    """Collect into `lines` what the OpenEXR library prints while it works.

    Its C core reports a damaged file on the stderr file descriptor (several lines per bad
    chunk) and its bindings print to ``sys.stdout``, before raising a vaguer exception: both are
    pointed at a temporary file / buffer meanwhile, so the caller can make one clear
    `ImageReadError` of it. A lock keeps concurrent reads from swapping the descriptors twice.
    """
    with _EXR_LOCK, tempfile.TemporaryFile() as sink:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        saved = [os.dup(1), os.dup(2)]
        printed = io.StringIO()
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                yield
        finally:
            with contextlib.suppress(Exception):  # C stdio's buffer
                import ctypes

                ctypes.CDLL(None).fflush(None)
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())
            lines.extend(printed.getvalue().splitlines())


def _exr_error(p: Path, exc: Exception, lines: list[str]) -> ImageReadError:
    """One error for a file the OpenEXR library could not read: its own last verdict, if any."""
    core = [m for line in lines if (m := re.search(r"\((EXR_ERR_\w+)\)\s*(.*)", line))]
    if core:
        reason = f"{core[-1].group(1)}: {core[-1].group(2)}"
    elif str(exc).startswith("Unable to open"):  # the file itself was readable (`_head`)
        reason = "its header is damaged or cut short"
    else:
        reason = f"{type(exc).__name__}: {exc}".replace(f"'{p}'", "the file").replace(
            str(p), "the file"
        )
    return ImageReadError(f"{p}: damaged or unreadable OpenEXR image ({reason})")


def _exr_header(p: Path) -> tuple[tuple[int, int], dict]:
    """((width, height) of the data window, header) of a single-part, flat OpenEXR file."""
    OpenEXR = _openexr(p)

    lines: list[str] = []
    try:
        with _exr_messages(lines):
            exr = OpenEXR.File(str(p), header_only=True)
        parts = exr.parts
    except Exception as exc:  # the bindings raise RuntimeError/ValueError/OSError
        raise _exr_error(p, exc, lines) from exc
    if len(parts) != 1:
        raise ImageReadError(
            f"{p}: multi-part OpenEXR ({len(parts)} parts) is not supported; "
            "export the image as a single-part file"
        )
    header = parts[0].header
    if "deep" in str(header.get("type", "")):
        raise ImageReadError(f"{p}: deep OpenEXR (several samples per pixel) is not supported")
    (x0, y0), (x1, y1) = (tuple(int(v) for v in corner) for corner in header["dataWindow"])
    return (x1 - x0 + 1, y1 - y0 + 1), header


def _read_exr(
    p: Path, limit: int | None, notes: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """An OpenEXR file's R, G, B (or Y) and A channels as float32, values as stored.

    The header is checked first (single part, flat, size within `limit`, channel names), then
    the pixels are decoded. Half and float channels become float32 with every value kept
    (above 1, below 0); only what is not a colour is replaced: NaN by 0, +-inf by +-65504 (the
    largest half). A lone Y (luminance) channel is expanded to grey RGB. The data window is the
    image (an offset against the display window is not kept). Other channels (Z, layers such
    as ``diffuse.R``) are ignored.
    """
    OpenEXR = _openexr(p)

    (width, height), header = _exr_header(p)
    _check_pixels(p, width, height, limit)
    channels = {c.name: c for c in header["channels"]}
    if {"R", "G", "B"} <= channels.keys():
        colour = ["R", "G", "B"]
    elif "Y" in channels and {"X", "Z"} & channels.keys():
        raise ImageReadError(
            f"{p}: OpenEXR image in CIE XYZ (channels X, Y, Z) is not supported; "
            "export it as R, G, B"
        )
    elif "Y" in channels and not {"RY", "BY"} & channels.keys():
        colour = ["Y"]
    else:
        names = ", ".join(sorted(channels)) or "none"
        raise ImageReadError(
            f"{p}: OpenEXR image without R, G, B (or Y) channels (it has: {names}); "
            "export the colour as the R, G, B channels of the default layer"
        )
    wanted = colour + (["A"] if "A" in channels else [])
    for name in wanted:
        c = channels[name]
        if (c.xSampling, c.ySampling) != (1, 1):
            raise ImageReadError(f"{p}: OpenEXR channel {name} is subsampled; not supported")
    lines: list[str] = []
    try:
        with _exr_messages(lines):
            exr = OpenEXR.File(str(p), separate_channels=True)
        planes = {name: exr.channels()[name].pixels for name in wanted}
    except Exception as exc:
        raise _exr_error(p, exc, lines) from exc
    if lines:  # read fine but said something: pass it on
        print("\n".join(lines), file=sys.stderr)
    for name, plane in planes.items():
        if plane.dtype not in (np.float16, np.float32):
            raise ImageReadError(
                f"{p}: OpenEXR channel {name} holds {plane.dtype} values, not half/float colour"
            )
        if plane.shape != (height, width):
            raise ImageReadError(f"{p}: OpenEXR channel {name} does not cover the image")

    def floats(plane: np.ndarray) -> np.ndarray:
        return np.nan_to_num(plane.astype(np.float32), nan=0.0, posinf=_HALF_MAX, neginf=-_HALF_MAX)

    nan = np.zeros((height, width), bool)
    for name in colour:
        nan |= np.isnan(planes[name])
    if nan.size and nan.all():
        raise ImageReadError(f"{p}: every pixel of the OpenEXR image is NaN (not a number)")
    if nan.any() and notes is not None:
        notes.append(f"{p}: {nan.mean():.2%} of the pixels are NaN and were read as 0")
    rgb = np.stack([floats(planes[name]) for name in colour], axis=-1)
    if rgb.shape[-1] == 1:
        rgb = np.repeat(rgb, 3, axis=-1)
    alpha = floats(planes["A"]) if "A" in planes else None
    return np.ascontiguousarray(rgb), alpha


def _write_exr(tmp: Path, rgb: np.ndarray, alpha: np.ndarray | None) -> None:
    """Half-float R, G, B (and A) channels, ZIP compressed; float values kept (to half's range),
    8/16-bit codes scaled to [0, 1]."""
    OpenEXR = _openexr(tmp)

    def half(arr: np.ndarray) -> np.ndarray:  # the bindings need C-contiguous planes
        values = np.clip(to_float(arr), -_HALF_MAX, _HALF_MAX)
        return np.ascontiguousarray(values.astype(np.float16))

    planes = {name: half(rgb[..., i]) for i, name in enumerate("RGB")}
    if alpha is not None:
        planes["A"] = half(alpha)
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    with OpenEXR.File(header, planes) as exr:
        exr.write(str(tmp))


def _split_planes(arr: np.ndarray, p: Path) -> tuple[np.ndarray, np.ndarray | None]:
    planes = arr.shape[2]
    if planes == 1:
        return np.repeat(arr, 3, axis=2), None
    if planes == 2:
        return np.repeat(arr[..., :1], 3, axis=2), arr[..., 1].copy()
    if planes == 3:
        return arr, None
    if planes == 4:
        return arr[..., :3].copy(), arr[..., 3].copy()
    raise ImageReadError(f"{p}: {planes} channels per pixel, expected 1-4")


def write_image(
    path: str | os.PathLike[str],
    rgb: np.ndarray,
    alpha: np.ndarray | None = None,
    bit_depth: int = 8,
    quality: int = 95,
) -> None:
    """Write an RGB image atomically; the format follows the suffix (.png, .jpg/.jpeg, .tif/.tiff,
    .exr).

    Parameters
    ----------
    rgb : array (H, W, 3)
        float in [0, 1] (clipped, rounded to `bit_depth`) or uint8/uint16 (written as is;
        `bit_depth` is then taken from the dtype). For .exr: half-float channels, float values
        kept as given (outside [0, 1] too; beyond +-65504 clipped to half's range), 8/16-bit
        codes scaled to [0, 1]; `bit_depth` is not used.
    alpha : array (H, W) or None
        Same convention as `rgb`; JPEG cannot carry alpha (ValueError).
    bit_depth : 8 or 16
        16 is refused for JPEG.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ValueError(
            f"{p}: unsupported output format {suffix!r}; use one of {', '.join(IMAGE_SUFFIXES)}"
        )
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"{p}: expected an (H, W, 3) image, got shape {rgb.shape}")
    if suffix == ".exr":
        if alpha is not None and np.shape(alpha) != rgb.shape[:2]:
            raise ValueError(
                f"{p}: alpha shape {np.shape(alpha)} does not match image {rgb.shape[:2]}"
            )
        _openexr(p)  # a missing package names the output, not its temporary file
        with atomic_path(p) as tmp:
            _write_exr(tmp, rgb, None if alpha is None else np.asarray(alpha))
        return
    if rgb.dtype in (np.uint8, np.uint16):
        bit_depth = 8 if rgb.dtype == np.uint8 else 16
    else:
        rgb = from_float(rgb, bit_depth)
    if alpha is not None:
        alpha = np.asarray(alpha)
        alpha = alpha if alpha.dtype == rgb.dtype else from_float(to_float(alpha), bit_depth)
        if alpha.shape != rgb.shape[:2]:
            raise ValueError(f"{p}: alpha shape {alpha.shape} does not match image {rgb.shape[:2]}")
    if suffix in (".jpg", ".jpeg") and (bit_depth == 16 or alpha is not None):
        raise ValueError(f"{p}: JPEG holds 8-bit RGB only; write PNG or TIFF for 16-bit or alpha")
    pixels = rgb if alpha is None else np.concatenate([rgb, alpha[..., None]], axis=2)
    with atomic_path(p) as tmp:
        if suffix in (".tif", ".tiff"):
            import tifffile

            tifffile.imwrite(tmp, pixels, photometric="rgb", compression="zlib")
        elif suffix == ".png" and bit_depth == 16:
            import png

            h, w, c = pixels.shape
            writer = png.Writer(w, h, greyscale=False, alpha=c == 4, bitdepth=16)
            with open(tmp, "wb") as fh:
                writer.write(fh, pixels.reshape(h, w * c))
        elif suffix == ".png":
            Image.fromarray(pixels, "RGBA" if alpha is not None else "RGB").save(tmp, format="PNG")
        else:
            Image.fromarray(pixels, "RGB").save(tmp, format="JPEG", quality=quality, subsampling=0)


def list_images(folder: str | os.PathLike[str]) -> list[Path]:
    """Image files (by suffix, case-insensitive: PNG, JPEG, TIFF, EXR) directly inside `folder`,
    sorted by name."""
    d = Path(folder)
    if not d.is_dir():
        raise FileNotFoundError(f"{d}: no such folder")
    return sorted(f for f in d.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
