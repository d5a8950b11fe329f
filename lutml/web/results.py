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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


class CacheFull(RuntimeError):
    """Every result in the cache is still waiting for its page and the byte budget is spent."""


class ResultCache:
    """Thread-safe LRU of results bounded by entries, total bytes and age (seconds).

    Anything with ``token``, ``created`` and ``nbytes`` can be stored (results, learned looks,
    footage frames). A result that nobody has fetched yet and that is younger than `grace_s`
    is never evicted to make room: its page asks for its preview and downloads right after the
    POST answers, and with many concurrent requests those GETs queue behind the other POSTs.
    The entry bound is only enforced on the other results; the byte bound is enforced on all,
    and when only waiting results fill it `put` raises `CacheFull` (the request is refused with
    a "busy" message instead of a later download answering 404).
    """

    def __init__(
        self,
        max_entries: int = 16,
        max_bytes: int = 1 << 30,
        ttl_s: float = 3600.0,
        grace_s: float = 300.0,
    ):
        self.max_entries, self.max_bytes, self.ttl_s = max_entries, max_bytes, ttl_s
        self.grace_s = grace_s
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._fetched: set[str] = set()
        self._lock = threading.Lock()

    def put(self, result: Any) -> str:
        with self._lock:
            self._items[result.token] = result
            try:
                self._evict(keep=result.token)
            except CacheFull:
                del self._items[result.token]
                raise
        return result.token

    def get(self, token: str) -> Any | None:
        with self._lock:
            result = self._items.get(token)
            if result is None:
                return None
            if time.monotonic() - result.created > self.ttl_s:
                self._drop(token)
                return None
            self._items.move_to_end(token)
            self._fetched.add(token)
            return result

    def discard(self, token: str) -> None:
        with self._lock:
            if token in self._items:
                self._drop(token)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(r.nbytes for r in self._items.values())

    def _drop(self, token: str) -> Any:
        self._fetched.discard(token)
        return self._items.pop(token)

    def _waiting(self, token: str, now: float) -> bool:
        """Not fetched yet and young: its page may still be about to ask for it."""
        return token not in self._fetched and now - self._items[token].created <= self.grace_s

    def _evict(self, keep: str) -> None:
        now = time.monotonic()
        for token in [t for t, r in self._items.items() if now - r.created > self.ttl_s]:
            if token != keep:
                self._drop(token)
        total = sum(r.nbytes for r in self._items.values())
        # Oldest first among those already fetched (or stale); waiting ones are skipped.
        candidates = [t for t in self._items if t != keep and not self._waiting(t, now)]
        unprotected = len(candidates)
        for token in candidates:
            if unprotected + 1 <= self.max_entries and total <= self.max_bytes:
                break
            total -= self._drop(token).nbytes
            unprotected -= 1
        if total > self.max_bytes and len(self._items) > 1:
            raise CacheFull(
                "The server is holding as many fresh results as its memory budget allows "
                "(lutml serve --cache-mb); try again in a minute."
            )


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


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim (returns freed memory to the system), or None elsewhere."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return getattr(libc, "malloc_trim", None)  # glibc only; elsewhere there is nothing to do
