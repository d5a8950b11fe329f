"""Resample a LUT to another lattice size."""

from __future__ import annotations

import numpy as np

from lutml.lut.apply import apply_lut
from lutml.lut.lut3d import LUT3D, identity_table


def resample_lut(lut: LUT3D, size: int, interpolation: str = "tetrahedral") -> LUT3D:
    """Evaluate `lut`'s 3D table at the nodes of a `size`^3 lattice over the same domain.

    Parameters
    ----------
    lut : LUT3D
        Source LUT; its domain, title, comments and shaper are kept (the shaper still runs
        before the new table, so the result's overall transform matches the source's).
    size : int
        New nodes per axis, 2 to 256.
    interpolation : {"tetrahedral", "trilinear"}
        How the source table is evaluated between its nodes.

    Returns
    -------
    LUT3D
        A new LUT with ``table`` float32 ``(size, size, size, 3)``. Resampling to the same size
        returns the same table (nodes coincide).
    """
    lo, hi = lut.domain_min.astype(np.float64), lut.domain_max.astype(np.float64)
    nodes = identity_table(size).astype(np.float64) * (hi - lo) + lo
    table_only = LUT3D(lut.table, lut.domain_min, lut.domain_max)
    table = apply_lut(table_only, nodes, interpolation).astype(np.float32)
    return LUT3D(
        table,
        lut.domain_min.copy(),
        lut.domain_max.copy(),
        lut.title,
        lut.shaper,
        list(lut.comments),
    )
