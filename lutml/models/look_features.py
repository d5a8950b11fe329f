"""The look estimator in NumPy (TensorFlow-free): its colour features, its forward pass, and the constants they share
with the TensorFlow twin in `lutml.models.look_encoder` (one definition of the quantile levels,
the sRGB -> XYZ matrix and the white, so both compute the same float32 features)."""

from __future__ import annotations

import numpy as np

from lutml.lut.lut3d import identity_table
from lutml.models.tone_edges import ToneHead, tile_step_stats

QUANTILES = (
    0.005,
    0.02,
    0.05,
    0.1,
    0.25,
    0.5,
    0.75,
    0.9,
    0.95,
    0.98,
    0.995,
)  # of the R, G, B and L* distributions: the features' quantile levels (also look_encoder's)

# sRGB (D65) linear RGB -> XYZ and white in float32 (lutml.color's matrix; the TensorFlow features
# in look_encoder use these same arrays).
RGB_TO_XYZ = np.array(
    [
        [0.4123908, 0.3575843, 0.1804808],
        [0.2126390, 0.7151687, 0.0721923],
        [0.0193308, 0.1191948, 0.9505322],
    ],
    np.float32,
)
WHITE = RGB_TO_XYZ.sum(axis=1)


def _bin(x: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    return np.clip(np.floor((x - lo) / (hi - lo) * n).astype(np.int64), 0, n - 1)


def _hist(bins: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-image histograms: bins (m, p) -> (m, n)."""
    m = bins.shape[0]
    flat = (bins + np.arange(m)[:, None] * n).ravel()
    w = None if weights is None else weights.ravel()
    return np.bincount(flat, weights=w, minlength=m * n).reshape(m, n).astype(np.float32)


def colour_features_np(
    images: np.ndarray,
    rgb_bins: int = 8,
    l_bins: int = 32,
    bands: int = 8,
    hue_bins: int = 24,
    ab_bins: int = 16,
) -> np.ndarray:
    """NumPy twin of `lutml.models.look_encoder.colour_features` (same bins, float32 maths)."""
    m = images.shape[0]
    px = np.asarray(images, np.float32).reshape(m, -1, 3)
    count = np.float32(px.shape[1])
    q = _bin(px, 0.0, 1.0, rgb_bins)
    rgb = _hist((q[..., 0] * rgb_bins + q[..., 1]) * rgb_bins + q[..., 2], rgb_bins**3) / count
    x = np.clip(px, 0.0, 1.0)
    lin = np.where(
        x <= 0.04045, x / np.float32(12.92), ((np.maximum(x, 0.04045) + 0.055) / 1.055) ** 2.4
    )
    xyz = (lin @ RGB_TO_XYZ.T / WHITE).astype(np.float32)
    f = np.where(
        xyz > 216.0 / 24389.0, np.cbrt(np.maximum(xyz, 1e-8)), (24389.0 / 27.0 * xyz + 16.0) / 116.0
    )
    L, a, b = (
        116.0 * f[..., 1] - 16.0,
        500.0 * (f[..., 0] - f[..., 1]),
        200.0 * (f[..., 1] - f[..., 2]),
    )
    chroma = np.sqrt(a * a + b * b + 1e-6)
    light = _hist(_bin(L, 0.0, 100.0, l_bins), l_bins) / count
    band = _bin(L, 0.0, 100.0, bands)
    in_band = _hist(band, bands) + 1e-3
    mean_a = _hist(band, bands, a) / in_band / 30.0
    mean_b = _hist(band, bands, b) / in_band / 30.0
    mean_c = _hist(band, bands, chroma) / in_band / 30.0
    hue = _hist(_bin(np.arctan2(b, a), -np.pi, np.pi, hue_bins), hue_bins, chroma) / count / 30.0
    ab = (
        _hist(_bin(a, -64.0, 64.0, ab_bins) * ab_bins + _bin(b, -64.0, 64.0, ab_bins), ab_bins**2)
        / count
    )
    at = (np.asarray(QUANTILES, np.float32) * (count - 1.0)).astype(
        np.int64
    )  # nearest-rank quantiles
    rgb_q = np.sort(px, axis=1)[:, at].reshape(m, -1)
    l_q = np.sort(L, axis=1)[:, at] / 100.0
    return np.concatenate(
        [
            np.sqrt(rgb),
            np.sqrt(light),
            mean_a,
            mean_b,
            mean_c,
            np.sqrt(in_band / count),
            hue,
            np.sqrt(ab),
            rgb_q,
            l_q,
        ],
        axis=1,
    ).astype(np.float32)


_BLAS: list = []


def one_blas_thread():
    """A context: NumPy's BLAS on one thread. The estimator's matrices are small (tens of rows):
    OpenBLAS's extra threads cost more than they give and spin when the machine is loaded (a
    forward pass 1.3 ms on one thread, 34 ms on two with other jobs running), and one thread gives
    the same bits on any machine (the thread count changes the last bits of a product)."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


class NumpyLookNet:
    """The look estimator's forward pass in NumPy, from the weights the trainer exports.

    Same interface as the Keras `LookEncoder` where `LookModel` uses it: ``(frames, mask) ->
    coefficients`` via `__call__`, `tables`, and `basis.node_weights`.
    """

    def __init__(self, weights: dict[str, np.ndarray]):
        self.w = weights
        self.frame_size = int(weights["frame_size"])
        self.lut_size = int(weights["lut_size"])
        self.basis = type("Basis", (), {"node_weights": weights["node_weights"]})()
        # the tone read from local contrast (`lutml.models.tone_edges`); None for older weights
        self.tone = ToneHead.from_weights(weights)

    def _mlp(self, x: np.ndarray, prefix: str) -> np.ndarray:
        layers = sorted(k for k in self.w if k.startswith(f"{prefix}.") and k.endswith(".kernel"))
        for i, name in enumerate(layers):
            x = x @ self.w[name] + self.w[name.replace(".kernel", ".bias")]
            if i < len(layers) - 1 or prefix == "frame":
                x = np.maximum(x, 0.0)
        return x

    def coefficients(self, tiles: np.ndarray) -> np.ndarray:
        """One set of tiles (t, S, S, 3) in [0, 1] -> coefficients (K,)."""
        with one_blas_thread():
            f = colour_features_np(tiles)
            e = np.concatenate([self._mlp(f, "frame"), f], axis=1)
            return self._mlp(e.mean(axis=0, keepdims=True), "head")[0]

    def set_and_frame_coefficients(
        self, tiles: np.ndarray, frame_of: np.ndarray, frames: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The set's coefficients (K,) and those of each frame in `frames` on its own (f, K),
        from one pass of the per-tile features (`frame_of` (t,) the frame of each tile)."""
        with one_blas_thread():
            f = colour_features_np(tiles)
            e = np.concatenate([self._mlp(f, "frame"), f], axis=1)
            pooled = [e.mean(axis=0)] + [e[frame_of == i].mean(axis=0) for i in frames]
            c = self._mlp(np.stack(pooled), "head")
        return c[0], c[1:]

    def set_and_frame_tables(
        self, tiles: np.ndarray, frame_of: np.ndarray, frames: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """The set's look table (n, n, n, 3), each frame's in `frames` (f, n, n, n, 3), clipped to
        [0, 1], with the tone read from local contrast where the weights hold a tone head, and how
        far that reading lies from the estimator's own (RMS ΔL* over the grey axis; 0 without a
        head): what `lutml grade` and the trust model's calibration both read."""
        c_set, c_own = self.set_and_frame_coefficients(tiles, frame_of, frames)
        tables = np.clip(self.table(np.concatenate([c_set[None], c_own])), 0.0, 1.0)
        gap = 0.0
        if self.tone is not None:
            stats = tile_step_stats(tiles)
            gap = self.tone.gap(tables[0], stats.sum(axis=0))
            parts = [np.ones(len(tiles), bool)] + [frame_of == i for i in frames]
            tables = np.stack(
                [
                    self.tone.apply(t, stats[m].sum(axis=0), int(m.sum()))
                    for t, m in zip(tables, parts, strict=True)
                ]
            )
        return tables[0], tables[1:], gap

    def set_table(self, tiles: np.ndarray) -> np.ndarray:
        """One set of tiles (t, S, S, 3) in [0, 1] -> its look table (n, n, n, 3) in [0, 1]."""
        table = np.clip(self.table(self.coefficients(tiles)), 0.0, 1.0)
        if self.tone is not None:
            table = self.tone.apply(table, tile_step_stats(tiles).sum(axis=0), len(tiles))
        return table

    def table(self, coefficients: np.ndarray) -> np.ndarray:
        """Coefficients (K,) -> table (n, n, n, 3); (m, K) -> tables (m, n, n, n, 3)."""
        n = self.lut_size
        c = np.asarray(coefficients)
        with one_blas_thread():
            off = self.w["mean"] + c @ self.w["basis"]
        return identity_table(n) + off.reshape(*c.shape[:-1], n, n, n, 3)
