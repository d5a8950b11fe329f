"""The original project's kNN fit, checked against a direct scikit-learn computation."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import KNeighborsRegressor

from lutml.fit import fit_lut, fit_lut_report
from lutml.lut import identity_table


def original_knn_lut(
    source: np.ndarray, target: np.ndarray, size: int = 8, k: int = 40
) -> np.ndarray:
    """The original notebook's procedure written out plainly: resize, regress, loop red fastest.

    Returns the LUT as the original wrote it: rows in .cube order (red fastest), (size^3, 3).
    """
    h, w = source.shape[:2]
    rows = [min(int((i + 0.5) * h / 64), h - 1) for i in range(64)]  # nearest, pixel centres
    cols = [min(int((j + 0.5) * w / 64), w - 1) for j in range(64)]
    s = source[np.ix_(rows, cols)].reshape(-1, 3).astype(np.float64)
    t = target[np.ix_(rows, cols)].reshape(-1, 3).astype(np.float64)
    model = KNeighborsRegressor(n_neighbors=k, weights="distance").fit(s, t - s)
    grid = []
    for b in range(size):
        for g in range(size):
            for r in range(size):  # red changes fastest, as in the original's loops
                grid.append([r / (size - 1), g / (size - 1), b / (size - 1)])
    grid = np.array(grid)
    return np.maximum(grid + model.predict(grid), 0.0)  # clipped at 0 only


def test_knn_matches_sklearn_on_a_non_square_frame() -> None:
    rng = np.random.default_rng(0)
    src = rng.random((90, 150, 3)).astype(np.float32)  # continuous colours: no distance ties
    src[0, 0] = 0.0  # an exact hit on node (0, 0, 0): sklearn then uses that sample alone
    tgt = np.stack([src[..., 0] ** 0.7 * 1.3, src[..., 1] * 0.8 - 0.1, src[..., 2] ** 1.5], -1)
    lut = fit_lut(src, tgt.astype(np.float32), method="knn")
    assert lut.size == 8  # the original's grid by default
    expected = original_knn_lut(src, tgt)
    ours_cube_order = lut.table.transpose(2, 1, 0, 3).reshape(-1, 3)  # [b, g, r] = red fastest
    np.testing.assert_allclose(ours_cube_order, expected, atol=1e-5)
    assert lut.table.max() > 1.0  # values above 1 are kept, like the original
    assert lut.table.min() >= 0.0


def test_knn_options_and_report() -> None:
    rng = np.random.default_rng(1)
    src = rng.random((64, 64, 3)).astype(np.float32)
    report = fit_lut_report(src, src, method="knn", size=5, k=10)
    assert report.lut.size == 5 and report.n_samples == 64 * 64 and report.iterations == 0
    assert np.abs(report.lut.table - fit_lut(src, src, size=5).table).max() < 1e-6  # identity
    assert report.fit_de00 < 1e-3


def test_knn_mask_drops_samples() -> None:
    rng = np.random.default_rng(2)
    src = rng.random((64, 64, 3)).astype(np.float32)
    tgt = src.copy()
    tgt[:32] = 0.0  # garbage in the top half...
    keep = np.zeros((64, 64), bool)
    keep[32:] = True  # ...masked out
    lut = fit_lut(src, tgt, method="knn", mask=keep)

    assert np.abs(lut.table - identity_table(8)).max() < 1e-6


def test_knn_advanced_mode_drops_large_offsets() -> None:
    rng = np.random.default_rng(3)
    src = rng.random((64, 64, 3)).astype(np.float32)
    tgt = src.copy()
    tgt[rng.random((64, 64)) < 0.03] = 1.0  # a few blown-out pixels
    plain = fit_lut_report(src, tgt, method="knn").lut.table
    advanced = fit_lut_report(src, tgt, method="knn", outlier_factor=2.0)

    ident = identity_table(8)
    assert np.abs(advanced.lut.table - ident).max() < 0.2 * np.abs(plain - ident).max()
    assert advanced.n_samples < 64 * 64
