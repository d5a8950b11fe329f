"""Interpolation weights of colours on a LUT lattice, as sparse rows.

`lutml.lut.apply_lut` computes ``out = sum_k w_k * table[node_k]``; this module returns the same
``(node_k, w_k)`` so a fit can treat the LUT nodes as unknowns of a linear model. Both
interpolations follow OpenColorIO / colour-science exactly: coordinates are clamped to the domain,
the cell is ``floor(x)`` (the last cell for x == n - 1), and tetrahedral interpolation uses the
6-tetrahedra split chosen by the order of the fractional parts (fr, fg, fb).
"""

from __future__ import annotations

import numpy as np

from lutml.lut.apply import INTERPOLATIONS  # the fit supports exactly what apply_lut applies

# Corner offsets (dr, dg, db) of the 8 cell corners, indexed by bits r=4, g=2, b=1.
_CORNERS = np.array([[(c >> 2) & 1, (c >> 1) & 1, c & 1] for c in range(8)], dtype=np.int64)


def lattice_coordinates(
    rgb: np.ndarray,
    size: int,
    domain_min: np.ndarray | None = None,
    domain_max: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cell origin and fractional position of colours on an ``size``-node lattice.

    Parameters
    ----------
    rgb : float array (N, 3)
        Colours; values outside the domain are clamped to it (as OCIO does).
    size : int
        Nodes per axis, >= 2.
    domain_min, domain_max : (3,) arrays or None
        Input colour of the first / last node; default 0 and 1.

    Returns
    -------
    base : int64 (N, 3)
        Index of the cell's lower corner per axis, in [0, size - 2].
    frac : float64 (N, 3)
        Position inside the cell per axis, in [0, 1].
    """
    lo = np.zeros(3) if domain_min is None else np.asarray(domain_min, np.float64)
    hi = np.ones(3) if domain_max is None else np.asarray(domain_max, np.float64)
    x = np.clip((np.asarray(rgb, np.float64) - lo) / (hi - lo), 0.0, 1.0) * (size - 1)
    base = np.minimum(np.floor(x).astype(np.int64), size - 2)
    return base, x - base


def _flat(base: np.ndarray, corner: np.ndarray, size: int) -> np.ndarray:
    """Flat node index (red-major, i.e. ``table.reshape(-1, 3)`` order) of base + corner."""
    ijk = base + corner
    return (ijk[..., 0] * size + ijk[..., 1]) * size + ijk[..., 2]


def interpolation_weights(
    rgb: np.ndarray,
    size: int,
    interpolation: str = "tetrahedral",
    domain_min: np.ndarray | None = None,
    domain_max: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights that interpolate each colour from a LUT lattice.

    Parameters
    ----------
    rgb, size, domain_min, domain_max
        The colours (N, 3) and the lattice, as for `lattice_coordinates`.
    interpolation : "tetrahedral" or "trilinear"
        Must match how the LUT will be applied.

    Returns
    -------
    nodes : int64 (N, K)
        Flat node indices into ``table.reshape(-1, 3)`` (red index first); K = 4 or 8.
    weights : float64 (N, K)
        Non-negative, summing to 1 per row; ``sum_k weights * table_flat[nodes]`` is the result.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    base, f = lattice_coordinates(rgb, size, domain_min, domain_max)
    if interpolation == "trilinear":
        nodes = np.stack([_flat(base, c, size) for c in _CORNERS], axis=1)
        wr = np.where(_CORNERS[:, 0], f[:, :1], 1.0 - f[:, :1])
        wg = np.where(_CORNERS[:, 1], f[:, 1:2], 1.0 - f[:, 1:2])
        wb = np.where(_CORNERS[:, 2], f[:, 2:], 1.0 - f[:, 2:])
        return nodes, wr * wg * wb
    return _tetrahedral(base, f, size)


def _tetrahedral(base: np.ndarray, f: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Walk from corner 000 to 111 adding one axis at a time, largest fraction first.

    For fractions sorted descending f_a >= f_b >= f_c the tetrahedron is
    000 -> a -> a+b -> 111 with weights 1 - f_a, f_a - f_b, f_b - f_c, f_c; this is exactly
    OCIO's 6-case split (ties give the same value either way, interpolation being continuous).
    """
    # Stable descending order of (fr, fg, fb); ties broken toward r then g like OCIO's `>`.
    order = np.argsort(-f, axis=1, kind="stable")
    fs = np.take_along_axis(f, order, axis=1)
    step = np.zeros((len(f), 4, 3), dtype=np.int64)
    rows = np.arange(len(f))
    step[rows, 1, order[:, 0]] = 1
    step[:, 2] = step[:, 1]
    step[rows, 2, order[:, 1]] = 1
    step[:, 3] = 1
    nodes = _flat(base[:, None, :], step, size)
    weights = np.stack([1.0 - fs[:, 0], fs[:, 0] - fs[:, 1], fs[:, 1] - fs[:, 2], fs[:, 2]], axis=1)
    return nodes, weights


def interpolate(
    table: np.ndarray, rgb: np.ndarray, interpolation: str = "tetrahedral"
) -> np.ndarray:
    """Apply a [r, g, b, 3] table to colours (N, 3) on the [0, 1] domain, float64 (N, 3)."""
    nodes, weights = interpolation_weights(rgb, table.shape[0], interpolation)
    flat = np.asarray(table, np.float64).reshape(-1, 3)
    return np.einsum("nk,nkc->nc", weights, flat[nodes])
