"""Pictures people look at: labelled before/after strips and evaluation grids (PNG/JPEG)."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageDraw

from lutml.imageio import from_float, write_image
from lutml.resize import resize_image

_LABEL_H = 18


def _tile(image: np.ndarray, height: int) -> np.ndarray:
    h, w = image.shape[:2]
    width = max(1, round(w * height / h))
    return resize_image(
        np.clip(image, 0.0, 1.0), (height, width), "area" if h > height else "bilinear"
    )


def image_grid(
    rows: list[list[np.ndarray]], labels: list[str], height: int = 192, gap: int = 4
) -> np.ndarray:
    """Lay out rows of float images (H, W, 3) in [0, 1], each scaled to `height`, columns labelled.

    Returns
    -------
    float32 array (H', W', 3) in [0, 1]: white background, a label strip on top.
    """
    tiles = [[_tile(img, height) for img in row] for row in rows]
    col_w = [max(t[c].shape[1] for t in tiles) for c in range(len(tiles[0]))]
    width = sum(col_w) + gap * (len(col_w) + 1)
    total_h = _LABEL_H + len(rows) * (height + gap) + gap
    canvas = np.ones((total_h, width, 3), np.float32)
    for r, row in enumerate(tiles):
        x = gap
        for c, t in enumerate(row):
            y = _LABEL_H + gap + r * (height + gap)
            canvas[y : y + t.shape[0], x : x + t.shape[1]] = t
            x += col_w[c] + gap
    img = Image.fromarray(from_float(canvas, 8))
    draw = ImageDraw.Draw(img)
    x = gap
    for c, label in enumerate(labels):
        draw.text((x + 2, 3), label, fill=(20, 20, 20))
        x += col_w[c] + gap
    return np.asarray(img, np.float32) / 255.0


def write_before_after(
    path: str | os.PathLike[str], before: np.ndarray, after: np.ndarray, height: int = 540
) -> None:
    """Save a labelled 'before | after' strip (JPEG or PNG by suffix)."""
    write_image(
        path,
        image_grid([[before, after]], ["before", "after"], height=min(height, before.shape[0])),
    )
