"""Read and write Hald CLUT images (`.png`, 8 or 16 bits), as GIMP/G'MIC, darktable, RawTherapee
and ImageMagick (``-hald-clut``) use them.

This is the only module that knows the Hald layout. A Hald image of level L holds an L^2-node
lattice (L^2 per axis, L^6 colours) in a square of L^3 x L^3 pixels. Read in raster order (rows
top to bottom, pixels left to right) pixel ``p`` is the node ``r = p % L^2``,
``g = (p // L^2) % L^2``, ``b = p // L^4``: **red changes fastest**, as ImageMagick's ``hald:``
identity generator writes it and its ``-hald-clut`` reads it. Level 8 (64^3 nodes, 512 x 512)
is the common size; level 2..16 (4^3 to 256^3 nodes) are accepted.

A Hald image holds code values on inputs [0, 1]: `write_hald` clips outputs outside [0, 1] and
bakes a shaper or another input range into the table, each with a `LutFormatWarning`, and
refuses a size that is not a square (4, 9, 16, 25, 36, 49, 64, ... nodes) unless a `level` to
resample to is given. 16-bit images round to 1/65535, 8-bit ones to 1/255.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lutml.lut._fileutil import clip_unit, plain_table
from lutml.lut.lut3d import LUT3D, MAX_SIZE
from lutml.lut.resample import resample_lut

LEVELS = range(2, 17)  # nodes per axis = level**2: 4 .. 256


def read_hald(path: str | os.PathLike[str]) -> LUT3D:
    """Read a Hald CLUT image (PNG/TIFF, 8 or 16 bits; alpha ignored) into a `LUT3D` on [0, 1].

    Raises
    ------
    ValueError
        The image is not square with a side of L^3 pixels for a level L in 2..16 (names the
        file and the sizes it could be), or cannot be decoded.
    """
    from lutml.imageio import read_image_full  # Pillow only when a Hald image is read

    where = str(path)
    image = read_image_full(path, max_pixels=(LEVELS[-1] ** 3) ** 2)
    h, w = image.rgb.shape[:2]
    level = round(w ** (1 / 3))
    if w != h or level**3 != w or level not in LEVELS:
        raise ValueError(
            f"{where}: a Hald CLUT is a square of L^3 x L^3 pixels (8x8, 27x27, 64x64, "
            f"..., 512x512 for level 8); this image is {w}x{h}"
        )
    n = level * level
    scale = {8: 255.0, 16: 65535.0}.get(image.bit_depth, 1.0)  # float (EXR) values as stored
    # raster order, red fastest: reshape to [b, g, r], then put red first
    table = image.rgb.reshape(n, n, n, 3).transpose(2, 1, 0, 3) / scale
    return LUT3D(table.astype(np.float32))


def hald_level(size: int) -> int | None:
    """The Hald level holding `size` nodes per axis (size = level^2), or None."""
    level = round(size**0.5)
    return level if level * level == size and level in LEVELS else None


def write_hald(
    lut: LUT3D, path: str | os.PathLike[str], *, bits: int = 16, level: int | None = None
) -> None:
    """Write `lut` as a Hald CLUT PNG atomically.

    Parameters
    ----------
    bits : 16 (default) or 8
    level : int, optional
        Resample the LUT (tetrahedral) to level^2 nodes per axis first. Without it the LUT's
        size must be a square (4, 9, ..., 64, ..., 256).

    Warns
    -----
    LutFormatWarning
        Outputs outside [0, 1] were clipped, or a shaper / input range was baked in.
    """
    where = str(path)
    if bits not in (8, 16):
        raise ValueError(f"{where}: a Hald CLUT PNG is 8 or 16 bits, not {bits}")
    if level is not None:
        if level not in LEVELS:
            raise ValueError(f"{where}: Hald level must be 2 to 16, got {level}")

        lut = resample_lut(lut, level * level)
    level = hald_level(lut.size)
    if level is None:
        squares = ", ".join(str(k * k) for k in LEVELS if k * k <= MAX_SIZE)
        near = min((k * k for k in LEVELS), key=lambda s: (abs(s - lut.size), -s))
        raise ValueError(
            f"{where}: a Hald CLUT holds L^2 nodes per axis ({squares}); this LUT has "
            f"{lut.size}: resample it, e.g. `lutml convert IN {Path(path).name} --size {near}`"
        )
    what = f"{where} (Hald CLUT, {bits}-bit)"
    table = clip_unit(plain_table(lut, what), what)
    side = level**3
    # [r, g, b] -> [b, g, r] so that raster order makes red change fastest.
    pixels = table.transpose(2, 1, 0, 3).reshape(side, side, 3)
    from lutml.imageio import write_image

    write_image(path, pixels, bit_depth=bits)
