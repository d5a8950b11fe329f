"""The lattice fit: regularised least squares directly on the LUT nodes.

Unknowns are the node *offsets* ``D = table - identity`` (n**3 nodes x 3 channels). Every colour
sample s with target t says ``sum_k w_k(s) (grid_k + D_k) = t``; because interpolating the
identity lattice returns s exactly, that is ``A D = t - s`` with A the interpolation matrix of
`lutml.fit.weights` (the very weights `apply_lut` uses). We minimise

    sum_b c_b |A_b D - (t_b - s_b)|^2  +  lam * E(D)  +  ridge * |D|^2 / n^3

with c_b the sample weights normalised to sum 1 (the data term is a mean over pixels) and
``lam = smoothness * SMOOTHNESS_UNIT``. E is a discrete thin-plate energy of the offsets,

    E = integral over the cube of  p(x) * [0.1 * (D_rr^2 + D_gg^2 + D_bb^2) + 2 * (D_rg^2 + D_rb^2 + D_gb^2)]

(second differences along r, g, b and mixed differences, scaled by (n - 1) so one smoothness
means the same at every LUT size). Why this shape, measured on the fit benchmark:

- the mixed terms make colours absent from the frame follow an affine continuation of the grade
  in every direction; axis-only second differences leave bilinear terms free and extrapolated
  saturated colours ~3x worse;
- the light weight on the pure terms makes grades that are *sums of per-channel curves* almost
  free. A frame nearly always spans each channel's full range, but not all combinations, so the
  per-channel part of a look (most of an S-curve, lift/gamma/gain, a log-to-video curve) is read
  off the frame and carried to unseen combinations (cross-frame error of separable looks ~3x
  lower than with weight 1);
- p(x), the *perceptual weight* of each stencil (`lutml.fit.perceptual`: the CIEDE2000
  sensitivity of the colours its nodes output, mean over the stencil's nodes, 1 = a typical
  colour; 1 everywhere when no weights are given), measures the bending in ΔE00 rather than in
  RGB: an extrapolation bends where a bend is least visible (saturated, very dark or very bright
  outputs) and stays straight through near-neutral ones; 11% lower cross-frame error on the
  benchmark's rotated fit frames (docs/fit.md).

The tiny ridge only pins the null space when the data are degenerate (e.g. a grey-only frame),
pulling it toward "no change".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np
import scipy.sparse as sp

from lutml.fit.binning import Binned
from lutml.fit.multigrid import solve_spd
from lutml.fit.weights import interpolation_weights

RIDGE = 1e-9  # relative to the data term; invisible wherever a frame has colours
# smoothness = 1 (the default) is lam = 3e-10: near-interpolation of clean pairs (best on the
# benchmark); 8-bit targets get ~10 from the auto rule, noisy model outputs 100-10,000.
SMOOTHNESS_UNIT = 3e-10
# Below lam = 1e-11 the empty parts of the cube are held only by the ridge and CG stalls (~150
# iterations there, 300+ at 0): smaller requests, 0 included, are raised to it.
MIN_SMOOTHNESS = 1e-11 / SMOOTHNESS_UNIT
PURE, MIXED = 0.1, 2.0  # weights of the pure and mixed second differences (see above)


@lru_cache(maxsize=16)
def smoothness_matrix(size: int, mixed: float = MIXED, pure: float = PURE) -> sp.csr_matrix:
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
            [np.ones(size - 2), -2.0 * np.ones(size - 2), np.ones(size - 2)], [0, 1, 2],
            shape=(size - 2, size),
        )
        k = (second.T @ second).tocsr()
        terms += [pure * sp.kron(sp.kron(k, eye), eye), pure * sp.kron(sp.kron(eye, k), eye),
                  pure * sp.kron(sp.kron(eye, eye), k)]
    terms += [mixed * sp.kron(sp.kron(c, c), eye), mixed * sp.kron(sp.kron(c, eye), c),
              mixed * sp.kron(sp.kron(eye, c), c)]
    # h^3 volume per node times (1/h^2)^2 for second derivatives: a factor (size - 1) overall.
    return (sum(terms[1:], terms[0]) * float(size - 1)).tocsr()


def _stencils(size: int) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """(term weight, nodes (rows, m) int64, coefficients (m,)) of every difference stencil of
    `smoothness_matrix`: second differences along r, g, b, then mixed rg, rb, gb differences."""
    idx = np.arange(size**3).reshape(size, size, size)
    out = []
    if size >= 3:
        second = np.array([1.0, -2.0, 1.0])
        for axis in range(3):
            parts = [np.take(idx, range(j, size - 2 + j), axis=axis) for j in range(3)]
            out.append((PURE, np.stack([q.ravel() for q in parts], 1), second))
    mixed = np.array([1.0, -1.0, -1.0, 1.0])  # (0,0), (1,0), (0,1), (1,1) corners of a face
    for a, b in ((0, 1), (0, 2), (1, 2)):
        lo_a, hi_a = np.take(idx, range(size - 1), axis=a), np.take(idx, range(1, size), axis=a)
        corners = [np.take(x, range(size - 1), axis=b) for x in (lo_a, hi_a)]
        corners += [np.take(x, range(1, size), axis=b) for x in (lo_a, hi_a)]
        out.append((MIXED, np.stack([q.ravel() for q in corners], 1), mixed))
    return out


@numba.njit(cache=True)
def _add_stencils(indptr, indices, data, nodes, coef, weight):  # pragma: no cover - compiled
    # data[i, j] += weight_r * coef_p * coef_q for every stencil row r and node pair (p, q);
    # (i, j) is found by bisection in row i's sorted columns. Fixed loop order: deterministic.
    m = nodes.shape[1]
    for r in range(nodes.shape[0]):
        for p in range(m):
            i = nodes[r, p]
            wp = weight[r] * coef[p]
            for q in range(m):
                j = nodes[r, q]
                lo, hi = indptr[i], indptr[i + 1]
                while lo < hi:
                    mid = (lo + hi) // 2
                    if indices[mid] < j:
                        lo = mid + 1
                    else:
                        hi = mid
                data[lo] += wp * coef[q]


def weighted_smoothness_matrix(size: int, node_weight: np.ndarray | None) -> sp.csr_matrix:
    """`smoothness_matrix` with every stencil scaled by the mean weight of its nodes.

    Parameters
    ----------
    node_weight : float (size**3,) > 0 in red-major node order, or None (all 1: the cached
        unweighted matrix). Same sparsity pattern; still symmetric PSD with the affine null space.
    """
    plain = smoothness_matrix(size)
    if node_weight is None:
        return plain
    w = np.asarray(node_weight, np.float64).reshape(-1)
    out = plain.copy()
    out.sort_indices()
    out.data[:] = 0.0
    for term, nodes, coef in _stencils(size):
        _add_stencils(out.indptr, out.indices, out.data, nodes, coef,
                      w[nodes].mean(axis=1) * (term * float(size - 1)))
    return out


@dataclass
class LatticeSystem:
    """Normal equations ``matrix @ D = rhs`` of one lattice fit."""

    matrix: sp.csr_matrix
    rhs: np.ndarray  # float64 (n**3, 3)
    nodes: np.ndarray  # int64 (M, K): interpolation nodes of every sample
    weights: np.ndarray  # float64 (M, K): their weights


def build_system(
    samples: Binned, size: int, smoothness: float, interpolation: str,
    sample_weight: np.ndarray | None = None, node_weight: np.ndarray | None = None,
) -> LatticeSystem:
    """Assemble the normal equations from binned samples (weights: `samples.weight` unless given;
    `node_weight`: perceptual weights of the smoothness, see `weighted_smoothness_matrix`)."""
    nodes, w = interpolation_weights(samples.source, size, interpolation)
    c = samples.weight if sample_weight is None else sample_weight
    c = c / c.sum()
    n_nodes, k = size**3, nodes.shape[1]
    rows = np.repeat(nodes, k, axis=1).ravel()
    cols = np.tile(nodes, (1, k)).ravel()
    vals = (w[:, :, None] * w[:, None, :] * c[:, None, None]).ravel()
    data = sp.coo_matrix((vals, (rows, cols)), shape=(n_nodes, n_nodes)).tocsr()
    lam = max(smoothness, MIN_SMOOTHNESS) * SMOOTHNESS_UNIT
    reg = weighted_smoothness_matrix(size, node_weight) * lam + sp.identity(n_nodes, format="csr") * (RIDGE / n_nodes)
    y = samples.target - samples.source
    wc = (w * c[:, None]).ravel()
    flat = nodes.ravel()
    rhs = np.stack(
        [np.bincount(flat, weights=wc * np.repeat(y[:, ch], k), minlength=n_nodes) for ch in range(3)],
        axis=1,
    )
    return LatticeSystem((data + reg).tocsr(), rhs, nodes, w)


def solve_offsets(
    samples: Binned, size: int, smoothness: float, interpolation: str,
    sample_weight: np.ndarray | None = None, start: np.ndarray | None = None,
    node_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Node offsets (size**3, 3) float64 minimising the lattice objective; and CG iterations."""
    system = build_system(samples, size, smoothness, interpolation, sample_weight, node_weight)
    return solve_spd(system.matrix, system.rhs, size, x0=start)
