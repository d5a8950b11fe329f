"""Float image resizing without TensorFlow (Pillow's 32-bit float mode, one channel at a time)."""

from __future__ import annotations

import numpy as np
from PIL import Image

_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "area": Image.Resampling.BOX,  # box filter = area averaging when shrinking
    "lanczos": Image.Resampling.LANCZOS,
}


def resize_image(image: np.ndarray, size: tuple[int, int], method: str = "area") -> np.ndarray:
    """Resize a float image.

    Parameters
    ----------
    image : float array (H, W, 3)
    size : (height, width) of the result
    method : "nearest" | "bilinear" | "area" | "lanczos"

    Returns
    -------
    float32 array (height, width, 3); values are not clipped (lanczos may overshoot slightly).
    """
    if method not in _FILTERS:
        raise ValueError(f"unknown resize method {method!r}; use one of {sorted(_FILTERS)}")
    img = np.asarray(image, dtype=np.float32)
    h, w = int(size[0]), int(size[1])
    if img.shape[:2] == (h, w):
        return img.copy()
    chans = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(img[..., c]), "F").resize((w, h), _FILTERS[method])
        )
        for c in range(img.shape[2])
    ]
    return np.stack(chans, axis=-1).astype(np.float32)


def fit_within(image: np.ndarray, max_side: int, method: str = "area") -> np.ndarray:
    """Downscale so the longer side is at most `max_side` (aspect kept); never upscales."""
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return np.asarray(image, np.float32)
    return resize_image(image, (max(1, round(h * scale)), max(1, round(w * scale))), method)
