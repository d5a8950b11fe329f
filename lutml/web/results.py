"""Graded results kept server-side under random tokens, and the previews made from them.

Why server-side: the preview must show exactly what the downloads contain. The LUT is applied
once at full resolution and both the source and the graded frame are area-downscaled to screen
size. `apply_lut`'s strength is a linear blend ``src + s * (lut(src) - src)`` and area averaging
is linear too, so blending the two small images gives the downscaled full-resolution result at
any strength: the slider costs one small blend, never a refit. The cache is bounded by entry
count, bytes and age, so a busy server cannot grow without limit.
"""

from __future__ import annotations

import io
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from lutml.fit.coverage import Coverage, coverage_image
from lutml.imageio import ImageData
from lutml.lut import apply_lut
from lutml.lut.lut3d import LUT3D

TOKEN_PATTERN = r"[A-Za-z0-9_-]{22,64}"


@dataclass
class Result:
    """One fitted LUT with the frame it grades.

    Attributes
    ----------
    lut : the fitted LUT at full strength
    source : the uploaded frame (native uint8/uint16 RGB, optional alpha), full resolution
    before_small, after_small : float32 (h, w, 3) in [0, 1], area-downscaled source and
        full-strength graded frame (h, w <= preview edge)
    info : JSON-ready facts shown in the page (mode, model, size, coverage, warning)
    coverage : the fit's per-cell support, drawn as the coverage chart (None if unknown)
    """

    lut: LUT3D
    source: ImageData
    before_small: np.ndarray
    after_small: np.ndarray
    info: dict
    coverage: Coverage | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    created: float = field(default_factory=time.monotonic)

    @property
    def nbytes(self) -> int:
        alpha = 0 if self.source.alpha is None else self.source.alpha.nbytes
        return (
            self.lut.table.nbytes
            + self.source.rgb.nbytes
            + alpha
            + self.before_small.nbytes
            + self.after_small.nbytes
            + (0 if self.coverage is None else self.coverage.cell_weight.nbytes)
        )


class ResultCache:
    """Thread-safe LRU of `Result`s bounded by entries, total bytes and age (seconds)."""

    def __init__(self, max_entries: int = 16, max_bytes: int = 1 << 30, ttl_s: float = 3600.0):
        self.max_entries, self.max_bytes, self.ttl_s = max_entries, max_bytes, ttl_s
        self._items: OrderedDict[str, Result] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, result: Result) -> str:
        with self._lock:
            self._items[result.token] = result
            self._evict(keep=result.token)
        return result.token

    def get(self, token: str) -> Result | None:
        with self._lock:
            result = self._items.get(token)
            if result is None:
                return None
            if time.monotonic() - result.created > self.ttl_s:
                del self._items[token]
                return None
            self._items.move_to_end(token)
            return result

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _evict(self, keep: str) -> None:
        now = time.monotonic()
        for token in [t for t, r in self._items.items() if now - r.created > self.ttl_s]:
            del self._items[token]
        total = sum(r.nbytes for r in self._items.values())
        # Oldest first; the newest result always stays even if alone it exceeds the budget.
        while self._items and (len(self._items) > self.max_entries or total > self.max_bytes):
            token = next(iter(self._items))
            if token == keep:
                break
            total -= self._items.pop(token).nbytes


def area_downscale(image: np.ndarray, max_edge: int) -> np.ndarray:
    """Average k x k blocks so the long edge is at most `max_edge` (linear, hence exact blends).

    Parameters
    ----------
    image : float32 (H, W, 3)
    max_edge : largest allowed width or height of the result

    Returns
    -------
    float32 (H // k, W // k, 3) with k = ceil(max(H, W) / max_edge); up to k - 1 edge rows and
    columns are dropped.
    """
    h, w = image.shape[:2]
    k = max(1, -(-max(h, w) // max_edge))
    if k == 1:
        return np.ascontiguousarray(image, dtype=np.float32)
    hh, ww = h // k, w // k
    blocks = image[: hh * k, : ww * k].reshape(hh, k, ww, k, 3)
    return blocks.mean(axis=(1, 3), dtype=np.float32)


def make_result(
    lut: LUT3D, source: ImageData, info: dict, preview_edge: int, coverage: Coverage | None = None
) -> Result:
    """Apply `lut` to the full-resolution frame once and keep screen-size previews of it."""
    full = source.as_float()
    graded = apply_lut(lut, full, strength=1.0)
    return Result(
        lut=lut,
        source=source,
        before_small=area_downscale(full, preview_edge),
        after_small=area_downscale(np.asarray(graded, np.float32), preview_edge),
        info=info,
        coverage=coverage,
    )


def preview_after(result: Result, strength: float) -> np.ndarray:
    """Graded preview at `strength` in [0, 1]: float32 (h, w, 3), clipped to [0, 1]."""
    before, after = result.before_small, result.after_small
    return np.clip(before + np.float32(strength) * (after - before), 0.0, 1.0)


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    """float32 (h, w, 3) in [0, 1] -> JPEG bytes (8-bit sRGB code values, no chroma subsampling)."""
    pixels = np.rint(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="JPEG", quality=quality, subsampling=0)
    return buf.getvalue()


def coverage_png(coverage: Coverage) -> bytes:
    """The coverage chart (one tile per blue level; chequered cells = extrapolated) as PNG bytes."""
    sheet = coverage_image(coverage, cell_px=max(2, 96 // (coverage.size - 1)), columns=8)
    # The chart's gaps are pure white; the page is dark grey, so paint them the page colour.
    gaps = np.all(sheet == 255, axis=-1)
    sheet[gaps] = (38, 38, 38)
    buf = io.BytesIO()
    Image.fromarray(sheet, "RGB").save(buf, format="PNG")
    return buf.getvalue()
