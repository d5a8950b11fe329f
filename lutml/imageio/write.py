"""Writing images atomically (PNG, JPEG, TIFF at 8/16 bits, OpenEXR half float); listing a folder's."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from lutml.atomic import atomic_path
from lutml.imageio import exr
from lutml.imageio.core import IMAGE_SUFFIXES, from_float, to_float


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
        exr._openexr(p)  # a missing package names the output, not its temporary file
        with atomic_path(p) as tmp:
            exr._write_exr(tmp, rgb, None if alpha is None else np.asarray(alpha))
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
