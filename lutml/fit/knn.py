"""The original project's LUT fit, kept as the reference baseline (`method="knn"`).

What andjoer/AI_color_grade_lut did (ORIGINAL.md), reproduced step by step and vectorised:
both images nearest-neighbour resized to 64 x 64; every pixel is a sample ``source colour ->
target - source``; a distance-weighted k-nearest-neighbour regression (k = 40, scikit-learn's
``KNeighborsRegressor(weights="distance")`` semantics: 1 / distance weights, and where a query
coincides with samples only those samples count) predicts the offset at each node of an
identity 8^3 grid; LUT = grid + offset, clipped at 0 only (values above 1 are kept).
The original looped over nodes red-fastest to write `.cube` order; here the table is [r, g, b]
like every LUT3D, which is the same LUT.
"""

from __future__ import annotations

import numpy as np

from lutml.fit.inputs import as_float
from lutml.lut.lut3d import identity_table

DEFAULT_SIZE = 8
DEFAULT_K = 40
DEFAULT_SAMPLE_SIZE = 64


def nearest_resize_indices(length: int, out: int) -> np.ndarray:
    """Source index of each output row/column of a nearest-neighbour resize (pixel centres)."""
    return np.minimum(((np.arange(out) + 0.5) * length / out).astype(np.int64), length - 1)


def knn_samples(
    frames: list[tuple[np.ndarray, np.ndarray]],
    frame_weights: list[np.ndarray | None],
    sample_size: int = DEFAULT_SAMPLE_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """Samples of the original fit: every pixel of each pair resized to sample_size^2.

    Returns
    -------
    colours : float64 (M, 3) source colours
    offsets : float64 (M, 3) target - source
        Pixels whose weight/mask is 0 are dropped (kNN has no notion of sample weights).
    """
    colours, offsets = [], []
    for (src, tgt), w in zip(frames, frame_weights, strict=True):
        rows = nearest_resize_indices(src.shape[0], sample_size)
        cols = nearest_resize_indices(src.shape[1], sample_size)
        s = np.clip(as_float(src[rows][:, cols]).reshape(-1, 3).astype(np.float64), 0.0, 1.0)
        t = as_float(tgt[rows][:, cols]).reshape(-1, 3).astype(np.float64)
        keep = slice(None) if w is None else (w[rows][:, cols].ravel() > 0)
        colours.append(s[keep])
        offsets.append((t - s)[keep])
    return np.concatenate(colours), np.concatenate(offsets)


def knn_predict(
    colours: np.ndarray, offsets: np.ndarray, queries: np.ndarray, k: int
) -> np.ndarray:
    """Distance-weighted kNN regression of `offsets` at `queries` (Q, 3), sklearn semantics."""
    from scipy.spatial import cKDTree  # here: scipy.spatial costs 0.2 s to import

    k = min(k, len(colours))
    dist, idx = cKDTree(colours).query(queries, k=k)
    dist, idx = dist.reshape(len(queries), k), idx.reshape(len(queries), k)
    exact = dist == 0
    with np.errstate(divide="ignore"):
        w = np.where(exact.any(axis=1, keepdims=True), exact.astype(np.float64), 1.0 / dist)
    return np.einsum("qk,qkc->qc", w, offsets[idx]) / w.sum(axis=1, keepdims=True)


def drop_outliers(
    colours: np.ndarray, offsets: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """The original's "advanced" mode: drop samples with |offset| > mean + factor * std."""
    norm = np.linalg.norm(offsets, axis=1)
    keep = norm <= norm.mean() + factor * norm.std()
    return colours[keep], offsets[keep]


def fit_knn_table(
    frames: list[tuple[np.ndarray, np.ndarray]],
    frame_weights: list[np.ndarray | None],
    size: int = DEFAULT_SIZE,
    k: int = DEFAULT_K,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    clip: bool = True,
    outlier_factor: float | None = None,
) -> tuple[np.ndarray, int]:
    """The original fit's table, float32 (size, size, size, 3) [r, g, b, c]; and the sample count.

    `outlier_factor` (e.g. 2, the original's default) enables its "advanced" outlier removal.
    """
    if k < 1 or sample_size < 1:
        raise ValueError(
            f"knn needs k >= 1 and sample_size >= 1, got k={k}, sample_size={sample_size}"
        )
    colours, offsets = knn_samples(frames, frame_weights, sample_size)
    if outlier_factor is not None and len(colours):
        colours, offsets = drop_outliers(colours, offsets, float(outlier_factor))
    if len(colours) == 0:
        raise ValueError("the mask/weights exclude every kNN sample pixel: nothing left to fit")
    grid = identity_table(size).reshape(-1, 3).astype(np.float64)
    table = grid + knn_predict(colours, offsets, grid, k)
    if clip:
        table = np.maximum(table, 0.0)  # the original clipped at 0 only
    return table.reshape(size, size, size, 3).astype(np.float32), len(colours)
