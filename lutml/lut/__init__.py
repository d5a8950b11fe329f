"""The LUT core: the `LUT3D` value, LUT files, fast application and resampling.

Public API: `read_lut(path)` / `write_lut(lut, path)` (format from the suffix: .cube, .3dl,
.csp, .clf, Hald .png; see `lutml.lut.io`), `read_cube(path)`, `write_cube(lut, path)`,
`apply_lut(lut, image, interpolation="tetrahedral", strength=1.0)`, `lut_at_strength(lut, strength)`,
`resample_lut(lut, size)`.
"""

from lutml.lut._fileutil import LutFormatWarning
from lutml.lut.apply import INTERPOLATIONS, apply_lut, lut_at_strength
from lutml.lut.cube import read_cube
from lutml.lut.cube_write import format_cube, write_cube
from lutml.lut.io import FORMATS, LUT_SUFFIXES, read_lut, write_lut
from lutml.lut.lut3d import LUT1D, LUT3D, identity_table
from lutml.lut.resample import resample_lut

__all__ = [
    "FORMATS",
    "INTERPOLATIONS",
    "LUT1D",
    "LUT3D",
    "LUT_SUFFIXES",
    "LutFormatWarning",
    "apply_lut",
    "format_cube",
    "identity_table",
    "lut_at_strength",
    "read_cube",
    "read_lut",
    "resample_lut",
    "write_cube",
    "write_lut",
]
