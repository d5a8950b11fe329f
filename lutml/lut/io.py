"""`read_lut` / `write_lut`: one entry point for every LUT file format, chosen by the suffix.

The registry `FORMATS` (suffix -> `LutFormat`) is the only dispatch; each format lives in its
own module, which alone knows its layout and line order (colour-science's ``colour.io.luts``
pattern):

======== ============================ =========================================================
suffix   module                       values outside [0, 1] / shaper / input range
======== ============================ =========================================================
.cube    `lutml.lut.cube`             kept (floats) / 1D shaper (Resolve) / DOMAIN or RANGE
.csp     `lutml.lut.csp`              kept (floats) / pre-LUT / pre-LUT
.clf     `lutml.lut.clf`              kept (32f) / LUT1D / Range or Matrix
.3dl     `lutml.lut.threedl`          clipped (integer codes) / baked in / baked in
.png     `lutml.lut.hald`             clipped (8/16-bit codes) / baked in / baked in
======== ============================ =========================================================

"Clipped" and "baked in" come with a `LutFormatWarning` (see `lutml.lut._fileutil`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lutml.lut.clf import read_clf, write_clf
from lutml.lut.csp import read_csp, write_csp
from lutml.lut.cube import read_cube
from lutml.lut.cube_write import write_cube
from lutml.lut.hald import LEVELS, hald_level, read_hald, write_hald
from lutml.lut.lut3d import LUT3D, MAX_SIZE, MIN_SIZE
from lutml.lut.threedl import BIT_DEPTHS, STYLES, read_3dl, write_3dl


@dataclass(frozen=True)
class LutFormat:
    """One file format: its reader, its writer and the keyword options the writer takes."""

    name: str
    read: Callable[[str | os.PathLike[str]], LUT3D]
    write: Callable[..., None]
    options: tuple[str, ...] = ()
    keeps_out_of_range: bool = True


FORMATS: dict[str, LutFormat] = {
    ".cube": LutFormat("Iridas/Adobe/Resolve .cube", read_cube, write_cube),
    ".3dl": LutFormat(
        "Autodesk .3dl (Flame/Lustre/Nuke)",
        read_3dl,
        write_3dl,
        ("input_bits", "output_bits", "style"),
        keeps_out_of_range=False,
    ),
    ".csp": LutFormat("Cinespace .csp", read_csp, write_csp),
    ".clf": LutFormat("Academy/ASC Common LUT Format 3.0", read_clf, write_clf),
    ".png": LutFormat(
        "Hald CLUT image", read_hald, write_hald, ("bits", "level"), keeps_out_of_range=False
    ),
}
LUT_SUFFIXES = tuple(FORMATS)


def lut_format(path: str | os.PathLike[str]) -> LutFormat:
    """The registered format of `path`'s suffix (case-insensitive), or a ValueError naming both."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(f"{s} ({f.name})" for s, f in FORMATS.items())
        raise ValueError(
            f"{path}: unknown LUT format {suffix or 'without a suffix'!r}; use {known}"
        )
    return FORMATS[suffix]


def read_lut(path: str | os.PathLike[str]) -> LUT3D:
    """Read any supported LUT file (format from the suffix) into a `LUT3D`.

    Raises
    ------
    ValueError
        Unknown suffix, or the format's own ``"<path> line <n>: <problem>"``.
    FileNotFoundError
        If `path` does not exist.
    """
    fmt = lut_format(path)
    if not Path(path).exists():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    if Path(path).is_dir():
        raise IsADirectoryError(errno.EISDIR, "a folder, not a LUT file", str(path))
    if not Path(path).is_file():  # /dev/zero, a FIFO: reading would never end
        raise ValueError(
            f"{path}: not a regular file (a device, pipe or socket): cannot be a LUT file"
        )
    if Path(path).stat().st_size == 0:
        raise ValueError(f"{path}: file is empty (0 bytes): not a LUT")
    return fmt.read(path)


def check_lut_output(path: str | os.PathLike[str], size: int, **options: object) -> None:
    """Refuse, before any work, a LUT output `write_lut` would refuse: an unknown suffix,
    options the format does not take, bad bit depths or styles, or a `size` (nodes per axis)
    the format cannot hold (.3dl: at least 4, Lustre style 2^m + 1; Hald .png: a square
    4, 9, ..., 256 unless a level is given). Messages name `path`."""
    fmt = lut_format(path)
    unknown = sorted(set(options) - set(fmt.options))
    if unknown:
        takes = ", ".join(fmt.options) or "no options"
        raise ValueError(f"{path}: {fmt.name} files take {takes}; got {', '.join(unknown)}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"{path}: LUT size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}")
    suffix = Path(path).suffix.lower()
    if suffix == ".3dl":
        for name in ("input_bits", "output_bits"):
            bits = options.get(name)
            if bits is not None and bits not in BIT_DEPTHS:
                raise ValueError(f"{path}: .3dl {name} must be one of {BIT_DEPTHS}, got {bits}")
        style = options.get("style") or "flame"
        if style not in STYLES:
            raise ValueError(f"{path}: .3dl style must be one of {STYLES}, got {style!r}")
        if size < 4:
            raise ValueError(
                f"{path}: a .3dl needs at least 4 nodes per axis, not {size} (its input line "
                "would read as a table row); give --size 4 or more (17, 33 and 65 are usual)"
            )
        if style == "lustre" and (size - 1) & (size - 2) != 0:
            raise ValueError(
                f"{path}: the Lustre .3dl style needs 2^m + 1 nodes per axis (17, 33, 65, "
                f"129, 257), not {size}"
            )
    elif suffix == ".png":
        bits = options.get("bits")
        if bits is not None and bits not in (8, 16):
            raise ValueError(f"{path}: a Hald CLUT PNG is 8 or 16 bits, not {bits}")
        level = options.get("level")
        if level is not None:
            if level not in LEVELS:
                raise ValueError(f"{path}: Hald level must be 2 to 16, got {level}")
        elif hald_level(size) is None:
            raise ValueError(
                f"{path}: a Hald CLUT holds L^2 nodes per axis (4, 9, 16, 25, 36, 49, 64, ...); "
                f"{size} is not one: give --size 36 (level 6) or --size 64 (level 8)"
            )


def write_lut(lut: LUT3D, path: str | os.PathLike[str], **options: object) -> None:
    """Write `lut` in the format of `path`'s suffix, atomically (nothing is left on failure).

    ``options`` go to the format's writer: ``input_bits``, ``output_bits``, ``style`` for
    `.3dl`; ``bits``, ``level`` for Hald `.png`. Formats that cannot hold values outside
    [0, 1] or a shaper clip / bake with a `LutFormatWarning`.
    """
    fmt = lut_format(path)
    unknown = sorted(set(options) - set(fmt.options))
    if unknown:
        takes = ", ".join(fmt.options) or "no options"
        raise ValueError(f"{path}: {fmt.name} files take {takes}; got {', '.join(unknown)}")
    fmt.write(lut, path, **options)
