"""TIFF through tifffile: the first page, its layout read from the tags, 8/16-bit, palette, planes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from lutml.imageio.core import ImageReadError, _check_pixels, _note_frames, _split_planes


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
