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
from lutml.lut.cube import read_cube, write_cube
from lutml.lut.hald import read_hald, write_hald
from lutml.lut.lut3d import LUT3D
from lutml.lut.threedl import read_3dl, write_3dl


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
    return fmt.read(path)


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
