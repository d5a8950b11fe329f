"""The fit benchmark's scoring runs and ranks the methods as the protocol expects (tiny frames)."""

from __future__ import annotations

import numpy as np

from lutml.bench.fit import richest_frame, score_look, shrink


def test_score_look_ranks_lattice_over_knn_over_identity() -> None:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:48, 0:64] / np.array([47.0, 63.0])[:, None, None]
    base = np.stack([xx, yy, 0.5 + 0.4 * np.sin(4 * xx * yy)], -1)
    frames = {
        "rich": np.clip(base + rng.normal(0, 0.1, base.shape), 0, 1).astype(np.float32),
        "other": np.clip(base[::-1] * 0.9 + 0.05, 0, 1).astype(np.float32),
        "dull": np.full((48, 64, 3), 0.4, np.float32) + (xx[..., None] * 0.1).astype(np.float32),
    }
    assert richest_frame(frames) == "rich"

    def look(x: np.ndarray) -> np.ndarray:
        return np.clip(
            np.stack([x[..., 0] ** 0.8, x[..., 1] * 0.9 + 0.05, x[..., 2] ** 1.3], -1), 0, 1
        )

    r = score_look(look, frames, "rich", size=17, smoothness=None)
    assert r["lattice"] < 0.3 * r["knn"] < r["identity"]
    assert r["lattice@fit"] < 0.05 < r["identity@fit"] and np.isfinite(r["identity@fit"])


def test_shrink_keeps_aspect_and_never_upscales() -> None:
    img = np.random.default_rng(1).random((300, 600, 3)).astype(np.float32)
    assert shrink(img, 100).shape == (50, 100, 3)
    assert shrink(img, 1000).shape == img.shape
