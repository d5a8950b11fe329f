"""Fit a 3D LUT from image pairs: the look that turns `source` frames into `target` frames.

Public API (used by the fit_luts/evaluate stages, `lutml grade`, the web UI and `lutml fit`)::

    from lutml.fit import fit_lut, fit_lut_report

    lut = fit_lut(source, target)                    # LUT3D, 33^3, lattice fit, tetrahedral
    report = fit_lut_report(source, target, size=17, robust=True)
    report.lut, report.coverage.fraction, report.fit_de00

`source` and `target` are float (H, W, 3) RGB images in [0, 1] (uint8/uint16 also accepted), or
lists of such pairs to fit one look from many frames. Methods:

- ``"lattice"`` (default): regularised least squares on the LUT nodes (`lutml.fit.lattice`):
  each binned colour is the interpolation of its surrounding nodes with exactly the weights
  `lutml.lut.apply_lut` uses, plus a thin-plate smoothness penalty on the node offsets, so
  colours absent from the pair continue the grade smoothly. ~0.7 s for 33^3 from a 512 px
  pair (or from a 4K pair: pixels are binned first), ~7 s for 65^3.
- ``"knn"``: the original project's fit (`lutml.fit.knn`), the reference baseline: 64 px
  nearest-resized samples, distance-weighted 40-NN offsets on an 8^3 grid, clipped at 0 only.

Lattice options: ``smoothness="auto"`` (default) adapts to the noise of the target
(`lutml.fit.adaptive`); ``robust=True`` down-weights wrong pixels (Huber IRLS); ``weights`` /
``mask`` select pixels; ``interpolation`` must be the one the LUT will be applied with.
`FitResult.coverage` tells which LUT cells the frames support (`write_coverage_png` draws it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from lutml.color import delta_e_2000, srgb_to_lab
from lutml.fit.adaptive import fit_offsets
from lutml.fit.binning import Binned, bin_pixels
from lutml.fit.coverage import Coverage, coverage_image, write_coverage_png
from lutml.fit.inputs import ArrayOrList, gather_pairs
from lutml.fit.knn import fit_knn_table
from lutml.fit.weights import INTERPOLATIONS, interpolate
from lutml.lut.lut3d import LUT3D, identity_table

__all__ = [
    "METHODS",
    "Coverage",
    "FitResult",
    "coverage_image",
    "fit_lut",
    "fit_lut_report",
    "write_coverage_png",
]

METHODS = ("lattice", "knn")
DEFAULT_SIZE = {"lattice": 33, "knn": 8}
# Colour bins per axis. 96 (3 per cell of a 33^3 LUT) instead of 64: fit-frame error 0.040 ->
# 0.038 mean CIEDE2000 on `make bench-fit` (mostly the hue-rotation and log looks, whose
# curvature inside a 1/64 bin was averaged away), cross-frame 0.186 -> 0.185, +0.02 s per fit;
# 128 gains 0.001 more for +0.07 s and 117 MB of histogram.
DEFAULT_BINS = 96
MAX_SIZE = 65


@dataclass
class FitResult:
    """A fitted LUT and how well it is supported.

    Attributes
    ----------
    lut : LUT3D
        The fitted LUT on the [0, 1] domain, table [r, g, b, 3] float32, finite; clipped to
        [0, 1] unless ``clip=False`` (knn: clipped at 0 only, like the original).
    coverage : Coverage
        Pixel weight per LUT cell and the fraction of cells holding frame colours
        (``float(result.coverage)`` is that fraction).
    fit_de00 : float
        Mean CIEDE2000 between the LUT applied to the source colours and the target colours,
        pixel-weighted over colour bins (96^3 bins by default: bin means, not single pixels).
    method : str
    n_pixels : int
        Pixels used (weight > 0) over all pairs.
    n_samples : int
        Samples the solver saw: occupied colour bins (lattice) or resized pixels (knn).
    iterations : int
        CG iterations of the last solve, summed over IRLS rounds (0 for knn).
    seconds : float
        Wall time of the fit.
    smoothness : float or None
        The smoothness the lattice fit used (after auto adaptation); None for knn.
    """

    lut: LUT3D
    coverage: Coverage
    fit_de00: float
    method: str
    n_pixels: int
    n_samples: int
    iterations: int
    seconds: float
    smoothness: float | None = None


def fit_lut(
    source: ArrayOrList,
    target: ArrayOrList,
    size: int | None = None,
    method: str = "lattice",
    **options: Any,
) -> LUT3D:
    """Fit the LUT mapping `source` to `target`; see `fit_lut_report` for every option."""
    return fit_lut_report(source, target, size=size, method=method, **options).lut


def fit_lut_report(
    source: ArrayOrList,
    target: ArrayOrList,
    size: int | None = None,
    method: str = "lattice",
    *,
    smoothness: float | str | None = "auto",
    robust: bool = False,
    interpolation: str = "tetrahedral",
    weights: Any = None,
    mask: Any = None,
    clip: bool = True,
    bins: int = DEFAULT_BINS,
    k: int = 40,
    sample_size: int = 64,
    outlier_factor: float | None = None,
) -> FitResult:
    """Fit a LUT from one or many image pairs and report its coverage and error.

    Parameters
    ----------
    source, target : float (H, W, 3) in [0, 1], or lists of such pairs (sizes may differ between
        pairs, not within one). uint8/uint16 images are scaled by their maximum code.
    size : nodes per axis, 2-65; default 33 for lattice, 8 for knn (the original's grid).
    method : "lattice" or "knn".
    smoothness : "auto" (default; also None) or a number >= 0: relative weight of the thin-plate
        penalty on node offsets (lattice). 1 is tuned on the benchmark for clean pairs (8-bit
        included); 0 (taken as 1e-3) interpolates the data where it exists; larger is smoother. "auto" uses 1,
        raised in proportion to the noise variance read off the first fit's residuals
        (`lutml.fit.adaptive`) so noisy model outputs are not over-fitted. Same meaning at any size.
    robust : lattice only: Huber IRLS (<= 6 rounds) so a few wrong pixels (model artefacts,
        clipped highlights, JPEG blocks) do not bend the LUT.
    interpolation : "tetrahedral" or "trilinear": how the LUT will be applied (lattice fits the
        nodes for exactly that interpolation).
    weights, mask : per-pixel (H, W) weights >= 0 and/or a boolean mask (one per pair for lists);
        pixels of weight 0 / mask False are ignored.
    clip : clip the table to [0, 1] (knn: at 0 only, as the original). False keeps it raw.
    bins : colour bins per axis for the lattice fit (cost depends on bins and size, not pixels).
    k, sample_size : knn only: neighbours and the resize edge of the original (40, 64).
    outlier_factor : knn only: the original's "advanced" mode, dropping samples whose offset
        norm exceeds mean + factor * std (it used 2); None (default) keeps all.

    Raises
    ------
    ValueError
        Unknown method/interpolation, size outside 2-65, pairs of different sizes, non-RGB
        images, NaN/inf, an empty mask, a flat (single-colour) source.
    """
    t0 = time.perf_counter()
    used_smoothness = None
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    size = DEFAULT_SIZE[method] if size is None else int(size)
    if not 2 <= size <= MAX_SIZE:
        raise ValueError(f"LUT size must be between 2 and {MAX_SIZE}, got {size}")
    if not 4 <= bins <= 256:
        raise ValueError(f"bins must be between 4 and 256, got {bins}")
    smooth = _check_smoothness(smoothness)
    pairs = gather_pairs(source, target, weights, mask)
    samples = bin_pixels(pairs.chunks(), bins, cells=size - 1)
    if len(samples.weight) == 0:
        raise ValueError("the mask/weights exclude every pixel: nothing left to fit")
    if len(samples.weight) == 1:
        raise ValueError(
            "the source image is flat (every used pixel has the same colour, within 1/"
            f"{bins}): a single colour cannot determine a grade"
        )

    iterations = 0
    if method == "knn":
        table, n_samples = fit_knn_table(
            pairs.frames, pairs.frame_weights, size, k, sample_size, clip, outlier_factor
        )
    else:
        offsets, iterations, used_smoothness = fit_offsets(
            pairs, samples, size, smooth, interpolation, robust
        )
        table = identity_table(size).astype(np.float64) + offsets.reshape(size, size, size, 3)
        if clip:
            table = np.clip(table, 0.0, 1.0)
        table = table.astype(np.float32)
        n_samples = len(samples.weight)
    if not np.all(np.isfinite(table)):  # never expected: the system is SPD by construction
        raise RuntimeError("LUT fit produced non-finite values; please report this input")

    cell_weight = samples.cell_weight
    return FitResult(
        lut=LUT3D(table, title=f"lutml fit ({method})"),
        coverage=Coverage(cell_weight, float(np.mean(cell_weight > 0))),
        fit_de00=_binned_de00(table, samples, interpolation),
        method=method,
        n_pixels=pairs.n_pixels,
        n_samples=int(n_samples),
        iterations=int(iterations),
        seconds=time.perf_counter() - t0,
        smoothness=used_smoothness,
    )


def _check_smoothness(smoothness: float | str | None) -> float | None:
    """None for auto ("auto" or None), else a finite float >= 0."""
    if smoothness is None or (isinstance(smoothness, str) and smoothness.strip().lower() == "auto"):
        return None
    try:
        value = float(smoothness)
    except (TypeError, ValueError):
        raise ValueError(
            f"smoothness must be 'auto' or a number >= 0, got {smoothness!r}"
        ) from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"smoothness must be 'auto' or a finite number >= 0, got {smoothness!r}")
    return value


def _binned_de00(table: np.ndarray, samples: Binned, interpolation: str) -> float:
    """Weighted mean CIEDE2000 of the LUT on the bin means (target clipped to [0, 1])."""
    pred = np.clip(interpolate(table, samples.source, interpolation), 0.0, 1.0)
    de = delta_e_2000(srgb_to_lab(pred), srgb_to_lab(np.clip(samples.target, 0.0, 1.0)))
    return float(np.average(de, weights=samples.weight))
