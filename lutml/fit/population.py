"""A look from unpaired colour statistics: the baseline any learned look estimator must beat.

Given a pool of neutral photos and a pool of graded frames of *other* content, the look is
estimated as (1) a lightness curve that maps the neutral pool's L* quantiles onto the graded
pool's, and (2) a chroma scale per lightness band (graded mean chroma / neutral mean chroma of
the pixels of equal L* rank); hue is left alone, because comparing hues of different photos
copies their content. Measured on held-out photos this halves the error of looks that are mostly
tone and saturation (bleach bypass, filmic tone maps) and does nothing for colour casts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lutml.color import lab_to_srgb, srgb_to_lab
from lutml.lut.lut3d import LUT3D, identity_table


def _lab_pool(images: Sequence[np.ndarray], max_pixels: int, seed: int) -> np.ndarray:
    """Lab of up to `max_pixels` pixels drawn evenly from every image, float64 (n, 3)."""
    if not images:
        raise ValueError("population statistics need at least one image in each pool")
    rng = np.random.default_rng(seed)
    per = max(1, max_pixels // len(images))
    parts = []
    for img in images:
        px = np.asarray(img, dtype=np.float32).reshape(-1, 3)
        parts.append(px[rng.choice(len(px), size=min(per, len(px)), replace=False)])
    return srgb_to_lab(np.clip(np.concatenate(parts), 0.0, 1.0))


def population_look(
    neutral: Sequence[np.ndarray],
    graded: Sequence[np.ndarray],
    size: int = 17,
    bands: int = 8,
    max_pixels: int = 400_000,
    seed: int = 0,
) -> LUT3D:
    """The population-statistics look (L* quantile map + chroma scale per L* band) as a LUT.

    Parameters
    ----------
    neutral, graded : float32 (H, W, 3) sRGB images in [0, 1] (different content, any sizes)
    size : LUT nodes per axis
    bands : lightness bands (of equal pixel count) for the chroma scale
    """
    lab_n, lab_g = _lab_pool(neutral, max_pixels, seed), _lab_pool(graded, max_pixels, seed + 1)
    q = np.linspace(0.0, 1.0, 201)
    ln_q, lg_q = np.quantile(lab_n[:, 0], q), np.quantile(lab_g[:, 0], q)
    ln_q = np.maximum.accumulate(ln_q + 1e-9 * np.arange(len(q)))  # strictly increasing for interp

    edges_n = np.quantile(lab_n[:, 0], np.linspace(0, 1, bands + 1))
    edges_g = np.quantile(lab_g[:, 0], np.linspace(0, 1, bands + 1))
    cn, cg = np.hypot(lab_n[:, 1], lab_n[:, 2]), np.hypot(lab_g[:, 1], lab_g[:, 2])
    centres, scales = [], []
    for k in range(bands):
        in_n = (lab_n[:, 0] >= edges_n[k]) & (lab_n[:, 0] <= edges_n[k + 1])
        in_g = (lab_g[:, 0] >= edges_g[k]) & (lab_g[:, 0] <= edges_g[k + 1])
        centres.append(0.5 * (edges_n[k] + edges_n[k + 1]))
        scales.append(cg[in_g].mean() / max(cn[in_n].mean(), 1e-3))

    nodes = srgb_to_lab(identity_table(size).reshape(-1, 3))
    light = np.interp(nodes[:, 0], ln_q, lg_q)
    s = np.interp(nodes[:, 0], centres, scales)[:, None]
    out = lab_to_srgb(
        np.stack([light, nodes[:, 1], nodes[:, 2]], axis=-1) * np.c_[np.ones(len(s)), s, s]
    )
    table = np.clip(out, 0.0, 1.0).reshape(size, size, size, 3).astype(np.float32)
    return LUT3D(table, title="lutml population statistics")
