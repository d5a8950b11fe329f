"""The two things the page does: match a before/after pair, or grade a frame with a model.

Each returns a `Result` (LUT + previews) ready for the cache. The routes only parse the form
and call these; these never see a request or a path from the client.
"""

from __future__ import annotations

import numpy as np

from lutml.imageio import ImageData
from lutml.web.registry import ModelEntry, ModelRegistry
from lutml.web.results import Result, make_result
from lutml.web.uploads import UploadError

# Aspect ratios that differ by more than this cannot be the same frame.
ASPECT_TOLERANCE = 0.01


def paired_samples(before: np.ndarray, after: np.ndarray, max_pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixels at the same relative positions of two frames of the same aspect ratio.

    Nearest-neighbour picks, not averages: every sample is a real (before, after) pixel pair,
    so colours are never mixed across edges. Equal-sized frames below `max_pixels` come back
    whole; otherwise an (n, m) grid of at most `max_pixels` positions is taken from each.

    Returns
    -------
    two float32 arrays (n, m, 3) in [0, 1]
    """
    h, w = before.shape[:2]
    scale = min(1.0, float(np.sqrt(max_pixels / (h * w))))
    if scale == 1.0 and before.shape == after.shape:
        return before, after
    n, m = max(1, int(h * scale)), max(1, int(w * scale))
    ys, xs = (np.arange(n) + 0.5) / n, (np.arange(m) + 0.5) / m

    def take(img: np.ndarray) -> np.ndarray:
        rows = (ys * img.shape[0]).astype(np.int64)
        cols = (xs * img.shape[1]).astype(np.int64)
        return img[rows][:, cols]

    return take(before), take(after)


def check_same_frame(before: ImageData, after: ImageData) -> None:
    """UploadError unless the two frames have the same aspect ratio (sizes may differ)."""
    (h1, w1), (h2, w2) = before.rgb.shape[:2], after.rgb.shape[:2]
    if abs((h1 / w1) / (h2 / w2) - 1.0) > ASPECT_TOLERANCE:
        raise UploadError(
            f"The before image is {w1}×{h1} but the after image is {w2}×{h2}: they must show the "
            "same frame (same framing and aspect ratio) for their colours to be matched."
        )


def coverage_summary(coverage: object) -> tuple[dict, str | None]:
    """JSON facts about how much of the colour cube the frame covered, and a warning if thin."""
    fraction = float(getattr(coverage, "fraction", coverage if isinstance(coverage, float) else np.nan))
    facts = {"fraction": None if np.isnan(fraction) else round(fraction, 4)}
    warning = None
    if not np.isnan(fraction) and fraction < 0.5:
        warning = (
            f"The frame covers only {fraction:.0%} of the colour cube: colours it does not contain "
            "(for example saturated hues absent from the shot) are extrapolated and may be off."
        )
    return facts, warning


def match_result(before: ImageData, after: ImageData, size: int, fit_pixels: int, preview_edge: int) -> Result:
    """Fit the LUT that turns `before` into `after` and grade the before frame with it."""
    from lutml.fit import fit_lut_report

    check_same_frame(before, after)
    src, dst = paired_samples(before.as_float(), after.as_float(), fit_pixels)
    report = fit_lut_report(src, dst, size=size, method="lattice")
    facts, warning = coverage_summary(report.coverage)
    lut = report.lut
    lut.title = "lutml match"
    info = {"mode": "match", "title": "match", "size": size, "coverage": facts, "warning": warning}
    return make_result(lut, before, info, preview_edge)


def grade_result(
    registry: ModelRegistry, entry: ModelEntry, frame: ImageData, size: int, reverse: bool, preview_edge: int
) -> Result:
    """Grade `frame` with a learned look: the model's LUT for this frame, applied at full size."""
    from lutml.grade import grade_image

    with entry.lock:  # one inference per model at a time; the model is loaded on first use
        model = registry.load(entry)
        graded = grade_image(model, frame.as_float(), size=size, reverse=reverse)
    facts, warning = coverage_summary(graded.coverage)
    lut = graded.lut
    lut.title = f"lutml {entry.id}{' reverse' if reverse else ''}"
    info = {
        "mode": "grade", "title": entry.id + ("-reverse" if reverse else ""), "model": entry.label,
        "size": size, "reverse": reverse, "coverage": facts, "warning": warning,
    }
    return make_result(lut, frame, info, preview_edge)
