"""The LUT core: the `LUT3D` value, `.cube` I/O, fast application and resampling.

Public API: `read_cube(path)`, `write_cube(lut, path)`,
`apply_lut(lut, image, interpolation="tetrahedral", strength=1.0)`, `resample_lut(lut, size)`.
"""

from lutml.lut.apply import INTERPOLATIONS, apply_lut
from lutml.lut.cube import format_cube, read_cube, write_cube
from lutml.lut.lut3d import LUT1D, LUT3D, identity_table
from lutml.lut.resample import resample_lut

__all__ = [
    "INTERPOLATIONS", "LUT1D", "LUT3D", "apply_lut", "format_cube", "identity_table", "read_cube",
    "resample_lut", "write_cube",
]
