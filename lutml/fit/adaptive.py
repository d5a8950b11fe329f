"""Lattice fits that look at their own residuals: noise-adaptive smoothness and robust IRLS.

Both start from one plain solve (`lutml.fit.lattice.solve_offsets`) and measure the per-pixel
residuals ``|target - LUT(source)|`` of every pair (with `apply_lut`, i.e. the same weights).

- **Auto smoothness.** Tikhonov theory puts the best smoothness in proportion to the noise
  variance. The noise is read off the residuals of the first, near-interpolating fit:
  ``sigma^2 = median |r|^2 / 2.366`` (the median of a chi-square with 3 degrees of freedom),
  and ``smoothness = max(1, AUTO_GAIN * sigma^2 / SMOOTHNESS_UNIT)``. Measured on the fit
  benchmark (china -> 7 other photos, 4 looks, 8-bit targets plus Gaussian noise): clean 0.154
  -> 0.154 (unchanged: the floor), noise 2/255 0.46 -> 0.31, 6/255 1.24 -> 0.47,
  12/255 2.40 -> 0.65 mean CIEDE2000; the gain is flat within ~10% over 3e-3..1e-2.
  Clean pairs cost one residual pass and no second solve.
- **Robust (Huber IRLS).** Pixels whose residual exceeds delta = 1.345 robust sigmas (at least
  one 8-bit code) get weight delta / |r|; the bins are rebuilt with those weights and the
  system re-solved from the previous solution, until the LUT moves by < 2e-4.
"""

from __future__ import annotations

import numpy as np

from lutml.fit.binning import Binned, bin_pixels
from lutml.fit.inputs import PixelPairs
from lutml.fit.lattice import SMOOTHNESS_UNIT, solve_offsets
from lutml.lut import apply_lut  # numba kernel with exactly the fit's interpolation weights
from lutml.lut.lut3d import LUT3D, identity_table

AUTO_GAIN = 5e-3
ROBUST_ITERATIONS = 6
CHI2_3_MEDIAN = 2.366  # median of a chi-square variable with 3 degrees of freedom


def pixel_residuals(
    pairs: PixelPairs, offsets: np.ndarray, size: int, interpolation: str, stride: int = 1
) -> list[np.ndarray]:
    """|target - LUT(source)| of every `stride`-th pixel, float (H*W/stride,) per pair."""
    grid = identity_table(size).reshape(-1, 3).astype(np.float64)
    lut = LUT3D((grid + offsets).reshape(size, size, size, 3))
    return [
        np.linalg.norm(
            t[::stride] - apply_lut(lut, s[::stride], interpolation=interpolation), axis=1
        )
        for s, t, _ in pairs.chunks()
    ]


def used_values(values: list[np.ndarray], pairs: PixelPairs, stride: int = 1) -> np.ndarray:
    """Concatenate per-pair values of every `stride`-th pixel, keeping pixels of weight > 0."""
    return np.concatenate(
        [
            v if w is None else v[w[::stride] > 0]
            for v, (_, _, w) in zip(values, pairs.chunks(), strict=True)
        ]
    )


def auto_smoothness(
    pairs: PixelPairs, offsets: np.ndarray, size: int, interpolation: str, floor: float = 1.0
) -> float:
    """Smoothness in proportion to the noise variance of the fit's residuals (>= floor).

    Residuals of at most ~1 M evenly strided pixels: plenty for a median.
    """
    stride = max(1, pairs.n_pixels // 1_000_000)
    residuals = pixel_residuals(pairs, offsets, size, interpolation, stride)
    sigma2 = float(np.median(used_values(residuals, pairs, stride) ** 2)) / CHI2_3_MEDIAN
    return max(floor, AUTO_GAIN * sigma2 / SMOOTHNESS_UNIT)


def huber_weights(residuals: list[np.ndarray], pairs: PixelPairs) -> list[np.ndarray]:
    """Huber IRLS weights min(1, delta / |r|) per pair, delta = 1.345 robust sigmas (>= 1 code).

    Sigma comes from the median residual of the used pixels (MAD-style), so the cut adapts to
    how well a LUT can explain the pairs at all.
    """
    sigma = 1.4826 * float(np.median(used_values(residuals, pairs)))
    delta = max(1.345 * sigma, 1.0 / 255.0)
    return [np.minimum(1.0, delta / np.maximum(r, 1e-12)) for r in residuals]


def fit_offsets(
    pairs: PixelPairs,
    samples: Binned,
    size: int,
    smoothness: float | None,
    interpolation: str,
    robust: bool,
) -> tuple[np.ndarray, int, float]:
    """Node offsets (size**3, 3) of the lattice fit, CG iterations, and the smoothness used.

    `smoothness` None means auto (noise-adaptive, at least 1); a number is used as given.
    """
    first = 1.0 if smoothness is None else smoothness
    offsets, total = solve_offsets(samples, size, first, interpolation)
    used = first
    if smoothness is None:
        used = auto_smoothness(pairs, offsets, size, interpolation)
        if used > first:
            offsets, its = solve_offsets(samples, size, used, interpolation, start=offsets)
            total += its
    if not robust:
        return offsets, total, used
    residuals = pixel_residuals(pairs, offsets, size, interpolation)
    for _ in range(ROBUST_ITERATIONS):
        reweighted = bin_pixels(pairs.chunks(huber_weights(residuals, pairs)), samples.bins)
        previous = offsets
        offsets, its = solve_offsets(reweighted, size, used, interpolation, start=offsets)
        total += its
        if np.abs(offsets - previous).max() < 2e-4:  # converged: well below one 8-bit code
            break
        residuals = pixel_residuals(pairs, offsets, size, interpolation)
    return offsets, total, used
