"""The two things the page does: match a before/after pair, or grade a frame with a model.

Each returns a `Result` (LUT + previews) ready for the cache. The routes only parse the form
and call these; these never see a request or a path from the client.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lutml.color import mean_delta_e
from lutml.fit import Coverage, fit_lut_report
from lutml.grade import grade_image, look_of_stills
from lutml.imageio import ImageData, to_float
from lutml.lut import apply_lut
from lutml.web.looks import web_sentence
from lutml.web.model_index import ModelEntry, ModelRegistry
from lutml.web.results import Result, make_result
from lutml.web.uploads import UploadError

# Aspect ratios that differ by more than this cannot be the same frame.
ASPECT_TOLERANCE = 0.01


def paired_samples(
    before: np.ndarray, after: np.ndarray, max_pixels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pixels at the same relative positions of two frames of the same aspect ratio.

    Nearest-neighbour picks, not averages: every sample is a real (before, after) pixel pair,
    so colours are never mixed across edges. Equal-sized frames below `max_pixels` come back
    whole; otherwise an (n, m) grid of at most `max_pixels` positions is taken from each.

    Parameters
    ----------
    before, after : arrays (H1, W1, 3) and (H2, W2, 3), any dtype (native uint or float)

    Returns
    -------
    two arrays (n, m, 3) of the input dtypes
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
        return img[np.ix_(rows, cols)]

    return take(before), take(after)


def check_same_frame(before: ImageData, after: ImageData) -> None:
    """UploadError unless the two frames have the same aspect ratio (sizes may differ)."""
    (h1, w1), (h2, w2) = before.rgb.shape[:2], after.rgb.shape[:2]
    if abs((h1 / w1) / (h2 / w2) - 1.0) > ASPECT_TOLERANCE:
        raise UploadError(
            f"The before image is {w1}×{h1} but the after image is {w2}×{h2}: they must show the "
            "same frame (same framing and aspect ratio) for their colours to be matched."
        )


HUES = ("reds", "yellows", "greens", "cyans", "blues", "magentas")
# Below this share of 8^3 colour regions, or with this many vivid hue families absent, warn.
NARROW_REGIONS = 0.15
NARROW_HUES = 3


def missing_hues(rgb: np.ndarray, min_share: float = 1e-3) -> list[str]:
    """Hue families (of `HUES`) with almost no vivid pixels in the frame.

    A pixel is vivid if its HSV saturation >= 0.35 and value >= 0.2; a family is missing if
    fewer than `min_share` of all pixels are vivid and within 30° of its centre hue.

    Parameters
    ----------
    rgb : float (..., 3) in [0, 1]
    """
    px = np.asarray(rgb, np.float32).reshape(-1, 3)
    mx, mn = px.max(axis=1), px.min(axis=1)
    chroma = mx - mn
    vivid = (chroma >= 0.35 * np.maximum(mx, 1e-6)) & (mx >= 0.2) & (chroma > 0)
    r, g, b = px[vivid].T
    c, m = chroma[vivid], mx[vivid]
    hue = np.where(
        m == r, ((g - b) / c) % 6.0, np.where(m == g, (b - r) / c + 2.0, (r - g) / c + 4.0)
    )
    counts = np.bincount(np.floor(hue + 0.5).astype(np.int64) % 6, minlength=6)
    return [name for name, n in zip(HUES, counts, strict=True) if n < min_share * len(px)]


def coverage_summary(coverage: Coverage | None, source: np.ndarray) -> tuple[dict, str | None]:
    """What the page says about coverage: JSON facts with a `note`, and a warning or None.

    Parameters
    ----------
    coverage : the fit's per-cell pixel support (None when the model predicts the LUT itself)
    source : float (..., 3) in [0, 1], the colours the LUT was fitted from
    """
    missing = missing_hues(source)
    facts: dict = {"fraction": None, "regions": None, "missing_hues": missing, "note": ""}
    if coverage is None:
        return facts, None
    weight = coverage.cell_weight
    cells = weight.shape[0]
    # A single frame fills only a few % of a fine lattice; 8^3 regions say more about its palette.
    k = cells // 8 if cells % 8 == 0 and cells >= 8 else 1
    coarse = weight.reshape(cells // k, k, cells // k, k, cells // k, k).sum(axis=(1, 3, 5))
    regions = float(np.mean(coarse > 1e-4 * weight.sum()))
    facts.update(fraction=round(coverage.fraction, 4), regions=round(regions, 4))
    facts["note"] = (
        f"Measured in {coverage.fraction:.0%} of the LUT's {cells**3} cells ({regions:.0%} of coarse "
        "colour regions); the other colours are extrapolated smoothly from them."
    )
    if regions >= NARROW_REGIONS and len(missing) < NARROW_HUES:
        return facts, None
    if len(missing) == len(HUES):
        lacking = "almost no saturated colour"
    elif len(missing) > 1:
        lacking = f"no vivid {', '.join(missing[:-1])} or {missing[-1]}"
    else:
        lacking = f"no vivid {missing[0]}" if missing else "a narrow range of colours"
    warning = (
        f"Narrow palette: this frame has {lacking}, so the LUT guesses those colours "
        f"(measured in only {regions:.0%} of colour regions). Check it on other shots, or fit "
        "from a frame that contains them."
    )
    return facts, warning


CHECK_PIXELS = 250_000  # pixels compared per pair to measure how well the LUT explains it
# Mean CIEDE2000 above which the target holds changes no LUT can make (local edits, masks).
FIT_DE00_WARN = 2.5


def _fit_warning(de00: float, mode: str) -> str | None:
    if not de00 > FIT_DE00_WARN:
        return None
    if mode == "match":
        return (
            f"The LUT reproduces the after image only to a mean ΔE00 of {de00:.1f}: it holds "
            "changes a LUT cannot make (local or secondary corrections, vignettes, different framing)."
        )
    return (
        f"The LUT reproduces the model's output only to a mean ΔE00 of {de00:.1f}: the network "
        "also made local changes, which a LUT cannot carry; only its global colour change is kept."
    )


def _join(*messages: str | None) -> str | None:
    return " ".join(m for m in messages if m) or None


def match_result(
    before: ImageData, after: ImageData, size: int, robust: bool, fit_pixels: int, preview_edge: int
) -> Result:
    """Fit the LUT that turns `before` into `after` and grade the before frame with it.

    `robust` makes the fit ignore outlier pixels (JPEG blocks, clipped highlights, small local
    edits) instead of bending the LUT towards them.
    """
    check_same_frame(before, after)
    # Sample native pixels first: converting whole 4K frames to float costs more than the fit.
    src, dst = (to_float(a) for a in paired_samples(before.rgb, after.rgb, fit_pixels))
    report = fit_lut_report(src, dst, size=size, method="lattice", robust=robust)
    # Per pixel, not per colour bin: a spatial edit shows up as one colour going two ways.
    check_src, check_dst = paired_samples(src, dst, CHECK_PIXELS)
    facts, warning = coverage_summary(report.coverage, check_src)
    fit_de00 = mean_delta_e(np.clip(apply_lut(report.lut, check_src), 0.0, 1.0), check_dst)
    lut = report.lut
    lut.title = "lutml match"
    info = {
        "mode": "match",
        "title": "match",
        "size": size,
        "robust": robust,
        "coverage": facts,
        "fit_de00": round(float(fit_de00), 3),
        "warning": _join(warning, _fit_warning(fit_de00, "match")),
    }
    return make_result(lut, before, info, preview_edge, report.coverage)


def grade_result(
    registry: ModelRegistry,
    entry: ModelEntry,
    frame: ImageData,
    size: int,
    reverse: bool,
    robust: bool,
    preview_edge: int,
    name: str = "the frame",
) -> Result:
    """Grade `frame` (its file name `name`, for messages) with a learned look: the model's LUT
    for this frame, applied at full size."""
    model = registry.load(entry)  # loaded on first use; its inference runs one call at a time
    if model.kind == "look":
        return look_result(model, entry, frame, size, preview_edge, name)
    if reverse and model.kind == "lut":
        raise UploadError(
            f"Reverse needs a neutraliser (an image model); {entry.label} predicts LUTs directly."
        )
    options = {"robust": True} if robust else {}  # LUT-predicting models take no fit options
    graded = grade_image(model, frame.as_float(), size=size, reverse=reverse, **options)
    coverage = (
        graded.fit.coverage if graded.fit is not None else None
    )  # None: a LUT-predicting model
    facts, warning = coverage_summary(
        coverage, graded.prediction if reverse else graded.model_input
    )
    lut = graded.lut
    lut.title = f"lutml {entry.id}{' reverse' if reverse else ''}"
    info = {
        "mode": "grade",
        "title": entry.id + ("-reverse" if reverse else ""),
        "model": entry.label,
        "size": size,
        "reverse": reverse,
        "robust": robust,
        "coverage": facts,
        "fit_de00": round(float(graded.fit_de00), 3),
        "warning": _join(warning, _fit_warning(graded.fit_de00, "grade")),
    }
    return make_result(lut, frame, info, preview_edge, coverage)


def look_result(
    model: Any,
    entry: ModelEntry,
    frame: ImageData,
    size: int,
    preview_edge: int,
    name: str = "the frame",
) -> Result:
    """A look model names the look of the uploaded graded still; the LUT carries it onto neutral footage."""
    rgb = frame.as_float()
    graded = look_of_stills(model, [rgb], size=size, names=[name])
    facts, warning = coverage_summary(None, rgb)
    facts.update(
        fraction=round(graded.coverage, 4),
        note=(
            f"The still shows {graded.coverage:.0%} of natural footage's colours; the look is measured there "
            "and follows the model's prior elsewhere."
        ),
    )
    lut = graded.lut
    lut.title = f"lutml {entry.id} look"
    info = {
        "mode": "grade",
        "title": entry.id + "-look",
        "model": entry.label,
        "size": size,
        "reverse": True,
        "robust": False,
        "coverage": facts,
        "fit_de00": None,  # nothing is fitted: the look model gives the LUT
        "warning": _join(
            warning,
            " ".join(web_sentence(w) for w in graded.warnings) or None,
        ),
        "confidence": graded.confidence,  # how sure the model is, as for a learned look
        "trust": None if graded.trust is None else graded.trust.lines(),
    }
    return make_result(lut, frame, info, preview_edge, None)
