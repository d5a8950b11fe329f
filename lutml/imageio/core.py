"""The shared vocabulary of `lutml.imageio`: the decoded image, its errors, its limits, codes <-> floats."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

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


def _note_frames(p: Path, count: int, what: str, notes: list[str]) -> None:
    if count > 1:
        notes.append(f"{p}: {count} {what}; only the first is used")


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
