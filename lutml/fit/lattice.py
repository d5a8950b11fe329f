"""The lattice fit: regularised least squares directly on the LUT nodes.

Unknowns are the node *offsets* ``D = table - identity`` (n**3 nodes x 3 channels). Every colour
sample s with target t says ``sum_k w_k(s) (grid_k + D_k) = t``; because interpolating the
identity lattice returns s exactly, that is ``A D = t - s`` with A the interpolation matrix of
`lutml.fit.weights` (the very weights `apply_lut` uses). We minimise

    sum_b c_b |A_b D - (t_b - s_b)|^2  +  lam * E(D)  +  ridge * |D|^2 / n^3

with c_b the sample weights normalised to sum 1 (the data term is a mean over pixels) and
``lam = smoothness * SMOOTHNESS_UNIT``. E is a discrete thin-plate energy of the offsets,

    E = integral over the cube of  0.1 * (D_rr^2 + D_gg^2 + D_bb^2) + 2 * (D_rg^2 + D_rb^2 + D_gb^2)

(second differences along r, g, b and mixed differences, scaled by (n - 1) so one smoothness
means the same at every LUT size). Why this shape, measured on the fit benchmark:

- the mixed terms make colours absent from the frame follow an affine continuation of the grade
  in every direction; axis-only second differences leave bilinear terms free and extrapolated
  saturated colours ~3x worse;
- the light weight on the pure terms makes grades that are *sums of per-channel curves* almost
  free. A frame nearly always spans each channel's full range, but not all combinations, so the
  per-channel part of a look (most of an S-curve, lift/gamma/gain, a log-to-video curve) is read
  off the frame and carried to unseen combinations (cross-frame error of separable looks ~3x
  lower than with weight 1).

The tiny ridge only pins the null space when the data are degenerate (e.g. a grey-only frame),
pulling it toward "no change".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from lutml.fit.binning import Binned
from lutml.fit.multigrid import solve_spd
from lutml.fit.weights import interpolation_weights

RIDGE = 1e-9  # relative to the data term; invisible wherever a frame has colours
# smoothness = 1 (the default) is lam = 1e-8: near-interpolation of clean pairs (best on the
# benchmark, also with 8-bit targets); 10-100 suit noisy, artefact-laden model outputs.
SMOOTHNESS_UNIT = 1e-8
# Below this the empty parts of the cube are held only by the ridge and CG stalls (~150
# iterations at 1e-3, 300+ at 0): smaller requests, 0 included, are raised to it.
MIN_SMOOTHNESS = 1e-3


@lru_cache(maxsize=16)
def smoothness_matrix(size: int, mixed: float = 2.0, pure: float = 0.1) -> sp.csr_matrix:
    """Thin-plate energy ``E(D) = D^T R D`` of node offsets on a ``size**3`` lattice.

    Returns a sparse symmetric PSD (size**3, size**3) matrix in red-major node order; its null
    space is the affine functions of (r, g, b) (all constants and linear ramps when ``size`` = 2).
    """
    eye = sp.identity(size, format="csr")
    first = sp.diags([-np.ones(size - 1), np.ones(size - 1)], [0, 1], shape=(size - 1, size))
    c = (first.T @ first).tocsr()
    terms = []
    if size >= 3:
        second = sp.diags(
            [np.ones(size - 2), -2.0 * np.ones(size - 2), np.ones(size - 2)],
            [0, 1, 2],
            shape=(size - 2, size),
        )
        k = (second.T @ second).tocsr()
        terms += [
            pure * sp.kron(sp.kron(k, eye), eye),
            pure * sp.kron(sp.kron(eye, k), eye),
            pure * sp.kron(sp.kron(eye, eye), k),
        ]
    terms += [
        mixed * sp.kron(sp.kron(c, c), eye),
        mixed * sp.kron(sp.kron(c, eye), c),
        mixed * sp.kron(sp.kron(eye, c), c),
    ]
    # h^3 volume per node times (1/h^2)^2 for second derivatives: a factor (size - 1) overall.
    return (sum(terms[1:], terms[0]) * float(size - 1)).tocsr()


@dataclass
class LatticeSystem:
    """Normal equations ``matrix @ D = rhs`` of one lattice fit."""

    matrix: sp.csr_matrix
    rhs: np.ndarray  # float64 (n**3, 3)
    nodes: np.ndarray  # int64 (M, K): interpolation nodes of every sample
    weights: np.ndarray  # float64 (M, K): their weights


def build_system(
    samples: Binned,
    size: int,
    smoothness: float,
    interpolation: str,
    sample_weight: np.ndarray | None = None,
) -> LatticeSystem:
    """Assemble the normal equations from binned samples (weights: `samples.weight` unless given)."""
    nodes, w = interpolation_weights(samples.source, size, interpolation)
    c = samples.weight if sample_weight is None else sample_weight
    c = c / c.sum()
    n_nodes, k = size**3, nodes.shape[1]
    rows = np.repeat(nodes, k, axis=1).ravel()
    cols = np.tile(nodes, (1, k)).ravel()
    vals = (w[:, :, None] * w[:, None, :] * c[:, None, None]).ravel()
    data = sp.coo_matrix((vals, (rows, cols)), shape=(n_nodes, n_nodes)).tocsr()
    lam = max(smoothness, MIN_SMOOTHNESS) * SMOOTHNESS_UNIT
    reg = smoothness_matrix(size) * lam + sp.identity(n_nodes, format="csr") * (RIDGE / n_nodes)
    y = samples.target - samples.source
    wc = (w * c[:, None]).ravel()
    flat = nodes.ravel()
    rhs = np.stack(
        [
            np.bincount(flat, weights=wc * np.repeat(y[:, ch], k), minlength=n_nodes)
            for ch in range(3)
        ],
        axis=1,
    )
    return LatticeSystem((data + reg).tocsr(), rhs, nodes, w)


def solve_offsets(
    samples: Binned,
    size: int,
    smoothness: float,
    interpolation: str,
    sample_weight: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Node offsets (size**3, 3) float64 minimising the lattice objective; and CG iterations."""
    system = build_system(samples, size, smoothness, interpolation, sample_weight)
    return solve_spd(system.matrix, system.rhs, size, x0=start)
