"""How visible a change of each LUT output colour is: the weights of the perceptual smoothness.

The lattice fit penalises curvature of the node offsets (`lutml.fit.lattice`). Measured plainly in
RGB, a bend costs the same wherever it lands; but a mean CIEDE2000 error does not see RGB
equally: one code value moves a mid grey ~16x further in ΔE00 than a saturated blue (ΔE00
forgives chroma and extreme lightness). Weighting the penalty at every node by the ΔE00
sensitivity of the colour that node *outputs* makes the fit put the unavoidable bends of an
extrapolation where the eye forgives them (saturated, very dark or very bright outputs) and keep
near-neutral outputs straight.

The sensitivity of an sRGB colour c is the mean squared ΔE00 per unit RGB step along r, g and b,
``s(c) = mean_k dE00(c, c + h e_k)^2 / h^2`` (central differences, h = 1e-3). It is tabulated once
per process on a 33^3 lattice (as log s, which is smooth) and looked up trilinearly; weights are
divided by the median sensitivity over the [0, 1] cube, so a weight of 1 is a typical colour
(range ~0.06 for saturated blue to ~16 for a dark grey).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

TABLE_SIZE = 33
STEP = 1e-3


def delta_e_sensitivity(rgb: np.ndarray) -> np.ndarray:
    """Mean squared CIEDE2000 per unit RGB step, float64 (N,), of sRGB colours (N, 3) (clipped to [0, 1])."""
    from lutml.color import delta_e_2000, srgb_to_lab

    x = np.clip(np.asarray(rgb, np.float64), 0.0, 1.0)
    lab = srgb_to_lab(x)
    total = np.zeros(len(x))
    for axis in range(3):
        step = np.zeros(3)
        step[axis] = STEP
        for sign in (1.0, -1.0):
            moved = np.clip(x + sign * step, 0.0, 1.0)
            dist = np.abs(moved[:, axis] - x[:, axis])  # one-sided at the cube's faces
            de = delta_e_2000(lab, srgb_to_lab(moved))
            total += (de / np.maximum(dist, 1e-12)) ** 2
    return total / 6.0


@lru_cache(maxsize=1)
def _log_sensitivity_table() -> tuple[np.ndarray, float]:
    """log of the relative sensitivity on a TABLE_SIZE^3 lattice [r, g, b, 3] and its median."""
    from lutml.lut.lut3d import identity_table

    s = delta_e_sensitivity(identity_table(TABLE_SIZE).reshape(-1, 3))
    log_s = np.log(s / np.median(s)).reshape((TABLE_SIZE,) * 3)
    # three equal channels: the table is applied by the LUT kernels like any colour LUT
    return np.repeat(log_s[..., None], 3, axis=-1).astype(np.float32), float(np.median(s))


def perceptual_weights(colours: np.ndarray) -> np.ndarray:
    """Relative ΔE00 sensitivity (median over the cube = 1) of output colours (N, 3), float64 (N,)."""
    from lutml.lut import LUT3D, apply_lut

    table, _ = _log_sensitivity_table()
    x = np.clip(np.asarray(colours, np.float32), 0.0, 1.0).reshape(-1, 3)
    log_s = apply_lut(LUT3D(table), x, interpolation="trilinear")[:, 0]
    return np.exp(log_s.astype(np.float64))
