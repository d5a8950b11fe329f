"""The LUT space of the look estimator: a weighted PCA of random looks (stage `fit_luts`).

A look is a LUT table (n, n, n, 3). Most of the lattice holds colours that footage never has
(saturated magenta at full brightness, ...), so lattice nodes are weighted by how often natural
photos hold each colour (a blurred colour histogram of the training crops, plus a floor so that
no region is free). In that weighted metric the random looks' offsets from the identity are
decomposed by PCA; the estimator predicts the first K coordinates. Because the coordinates are
orthonormal in the weighted metric, a squared error on coefficients equals the LUT's squared
error weighted by natural colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lutml.lut.lut3d import identity_table


@dataclass
class LookBasis:
    """mean (n^3*3,), basis (K, n^3*3), node weights (n, n, n), explained variance ratios (K,)."""

    mean: np.ndarray
    basis: np.ndarray
    weights: np.ndarray
    explained: np.ndarray

    @property
    def lut_size(self) -> int:
        return int(round(self.weights.shape[0]))

    def coefficients(self, tables: np.ndarray) -> np.ndarray:
        """Least-squares coordinates (N, K) of tables (N, n, n, n, 3) in the weighted metric."""
        n = self.lut_size
        sw = np.sqrt(np.repeat(self.weights.reshape(-1), 3))
        off = (np.asarray(tables, np.float64) - identity_table(n)).reshape(
            len(tables), -1
        ) - self.mean
        # the basis rows are orthonormal after scaling by sqrt(w): coordinates are projections
        return ((off * sw) @ (self.basis * sw).T).astype(np.float32)

    def tables(self, coefficients: np.ndarray) -> np.ndarray:
        """LUT tables (N, n, n, n, 3) of coefficients (N, K)."""
        n = self.lut_size
        off = self.mean + np.asarray(coefficients, np.float64) @ self.basis
        return (identity_table(n) + off.reshape(-1, n, n, n, 3)).astype(np.float32)


def colour_weights(crops: np.ndarray, size: int, floor: float, blur: float) -> np.ndarray:
    """Natural-colour weights of the lattice nodes (n, n, n), mean 1.

    `crops` uint8 (..., 3): each pixel votes for its nearest node; the histogram is blurred by
    `blur` nodes (Gaussian), normalised to mean 1, `floor` added, and renormalised to mean 1.
    """
    from scipy.ndimage import gaussian_filter

    px = np.asarray(crops).reshape(-1, 3)
    idx = np.rint(px.astype(np.float32) * ((size - 1) / 255.0)).astype(np.int64)
    flat = (idx[:, 0] * size + idx[:, 1]) * size + idx[:, 2]
    hist = np.bincount(flat, minlength=size**3).reshape(size, size, size).astype(np.float64)
    hist = gaussian_filter(hist, blur, mode="nearest")
    w = hist / hist.mean() + floor
    return (w / w.mean()).astype(np.float32)


def fit_basis(
    tables: np.ndarray, weights: np.ndarray, n_components: int, seed: int = 0
) -> LookBasis:
    """Weighted PCA of look tables (N, n, n, n, 3): the first `n_components` directions.

    Uses a seeded randomized SVD (scikit-learn), a few seconds for thousands of 17^3 looks.
    """
    from sklearn.utils.extmath import randomized_svd

    n = tables.shape[1]
    if n_components >= len(tables):
        raise ValueError(f"fit_luts: {n_components} components need more than {len(tables)} looks")
    sw = np.sqrt(np.repeat(np.asarray(weights, np.float64).reshape(-1), 3))
    off = (np.asarray(tables, np.float64) - identity_table(n)).reshape(len(tables), -1)
    mean = off.mean(axis=0)
    x = (off - mean) * sw
    _, s, vt = randomized_svd(x, n_components, n_oversamples=20, n_iter=6, random_state=seed)
    total = float((x**2).sum())
    return LookBasis(
        mean.astype(np.float32),
        (vt / sw).astype(np.float32),
        np.asarray(weights, np.float32),
        (s**2 / total).astype(np.float32),
    )


def save_basis(basis: LookBasis, path) -> None:
    np.savez(
        path, mean=basis.mean, basis=basis.basis, weights=basis.weights, explained=basis.explained
    )


def load_basis(path) -> LookBasis:
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: look basis missing (run `dvc repro fit_luts`)")
    with np.load(p) as z:
        return LookBasis(z["mean"], z["basis"], z["weights"], z["explained"])
