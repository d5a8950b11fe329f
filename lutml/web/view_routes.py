"""HTTP routes that preview and export a learned look *or* a match/grade result (both hold a LUT)
on any frame: ``/api/view/<token>/before.jpg``, ``after.jpg``, ``reference.jpg``, ``lut`` and
``graded.png``, with per-component strengths, every export format, size and input colour space.

Split from `lutml.web.look_routes` (learning a look, footage uploads); both add their routes to
the blueprint of `lutml.web.routes` when imported (`lutml.web.create_app`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from flask import Response, abort, request, send_file

from lutml.imageio import write_image
from lutml.lut import apply_lut
from lutml.web.looks import (
    EXPORT_FORMATS,
    Footage,
    Look,
    Settings,
    adjusted_lut,
    components_available,
    export_lut,
    export_sizes,
    graded_strips,
    input_spaces,
    slug,
)
from lutml.web.results import TOKEN_PATTERN, Result, encode_jpeg
from lutml.web.routes import (
    BadRequest,
    _cache,
    _strength,
    _workdir,
    bp,
)

# --- previews and downloads of a look or a result on a frame -----------------------------------


def _subject(token: str) -> Look | Result:
    if not re.fullmatch(TOKEN_PATTERN, token):
        abort(404)
    found = _cache().get(token)
    if not isinstance(found, Look | Result):
        abort(404)
    return found


def _frame(subject: Look | Result, full: bool) -> tuple[np.ndarray, Footage | None]:
    """The picture the look goes onto: a footage frame (``frame=<token>``) or, by default, the
    subject's own reference (a result's uploaded frame; a look's neutral reading of its still)."""
    frame = request.args.get("frame", "ref")
    if frame != "ref":
        if not re.fullmatch(TOKEN_PATTERN, frame):
            abort(404)
        found = _cache().get(frame)
        if not isinstance(found, Footage):
            abort(404)
        return (None if full else found.small.astype(np.float32)), found
    if isinstance(subject, Result):
        return (subject.source.as_float() if full else subject.before_small), None
    return subject.neutral.astype(np.float32) / np.float32(255.0), None


def _component(name: str) -> float:
    raw = request.args.get(name, "")
    if raw in ("", None):
        return 1.0
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,4})?", raw):
        raise BadRequest(f"{name.capitalize()} strength must be a number between 0 and 2.")
    value = float(raw)
    if value > 2.0:
        raise BadRequest(f"{name.capitalize()} strength must be between 0 and 2.")
    if value != 1.0 and not components_available():
        raise BadRequest("Per-component strength is not available on this server.")
    return value


def _settings() -> Settings:
    return Settings(
        strength=_strength(request.args.get("strength")),
        tone=_component("tone"),
        saturation=_component("saturation"),
        cast=_component("cast"),
    )


def _jpeg(data: bytes) -> Response:
    resp = Response(data, mimetype="image/jpeg")
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


def _jpeg8(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="JPEG", quality=90, subsampling=0)
    return buf.getvalue()


@bp.get("/api/view/<token>/before.jpg")
def view_before(token: str) -> Response:
    subject = _subject(token)
    image, frame = _frame(subject, request.args.get("full") == "1")
    if image is None:  # a footage frame at full resolution: its own codes, as 8 bits
        rgb = frame.source.rgb
        return _jpeg(_jpeg8(rgb if rgb.dtype == np.uint8 else (rgb >> 8).astype(np.uint8)))
    return _jpeg(encode_jpeg(image))


@bp.get("/api/view/<token>/after.jpg")
def view_after(token: str) -> Response:
    subject = _subject(token)
    image, frame = _frame(subject, request.args.get("full") == "1")
    lut = adjusted_lut(subject.token, subject.lut, _settings())
    if image is None:  # a footage frame at full resolution, graded in strips
        graded = graded_strips(lut, frame.source)
        if graded.dtype != np.uint8:
            graded = (graded >> 8).astype(np.uint8)
        return _jpeg(_jpeg8(graded))
    return _jpeg(encode_jpeg(np.clip(apply_lut(lut, image), 0.0, 1.0)))


@bp.get("/api/view/<token>/reference.jpg")
def view_reference(token: str) -> Response:
    subject = _subject(token)
    if not isinstance(subject, Look):
        abort(404)
    return _jpeg(subject.reference)


def _stem(subject: Look | Result) -> str:
    if isinstance(subject, Look):
        return subject.name
    source = re.sub(r"[^\w.-]", "_", Path(subject.info.get("source_name", "frame")).stem)[:60]
    return f"{source or 'frame'}-{subject.info['title']}"


@bp.get("/api/view/<token>/lut")
def view_lut(token: str) -> Response:
    """The look as a LUT file: ``format`` (cube, 3dl, csp, clf, png = Hald), ``size``, ``space``
    (an input colour space; empty = display sRGB) and the slider settings."""
    subject = _subject(token)
    fmt = request.args.get("format", "cube")
    if fmt not in EXPORT_FORMATS:
        raise BadRequest(f"Format must be one of {', '.join(EXPORT_FORMATS)}.")
    sizes = export_sizes(fmt)
    raw = request.args.get("size", str(sizes[1]))
    if not re.fullmatch(r"[0-9]{1,3}", raw) or int(raw) not in sizes:
        raise BadRequest(f"LUT size for {fmt} must be one of {', '.join(map(str, sizes))}.")
    size = int(raw)
    space = request.args.get("space", "") or None
    if space is not None and space not in input_spaces():
        raise BadRequest("Unknown input colour space; choose one from the list.")
    settings = _settings()
    lut = adjusted_lut(subject.token, subject.lut, settings)
    with _workdir() as folder:
        data, warnings = export_lut(
            lut, fmt, size, space, folder, trilinear=isinstance(subject, Look)
        )
    space_part = f"-{slug(space, 48)}" if space else ""  # whole names, not cut mid-word
    size_part = f"hald{round(size**0.5)}" if fmt == "png" else str(size)
    name = f"{_stem(subject)}-{size_part}{space_part}{settings.suffix()}.{fmt}"
    mimetype = "image/png" if fmt == "png" else "application/octet-stream"
    resp = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    if warnings:  # e.g. a shaper baked into a .3dl; the page says it next to the format
        text = " ".join(" ".join(w.split()) for w in warnings)
        resp.headers["X-LUT-Warning"] = text.encode("ascii", "replace").decode()[:1000]
    return resp


@bp.get("/api/view/<token>/graded.png")
def view_graded(token: str) -> Response:
    """A footage frame (or a result's own frame) graded at full resolution, its bit depth kept."""
    subject = _subject(token)
    frame = _frame(subject, True)[1] if request.args.get("frame", "ref") != "ref" else None
    if frame is None and isinstance(subject, Look):
        raise BadRequest("Upload a footage frame to download it graded with this look.")
    source = frame.source if frame is not None else subject.source
    settings = _settings()
    lut = adjusted_lut(subject.token, subject.lut, settings)
    graded = graded_strips(lut, source)
    with _workdir() as folder:
        path = folder / "graded.png"
        write_image(path, graded, source.alpha, bit_depth=source.bit_depth)
        data = path.read_bytes()
    if frame is not None:
        name = f"{slug(Path(frame.name).stem) or 'frame'}-{_stem(subject)}{settings.suffix()}.png"
    else:  # a result's own frame: named as /api/result/<token>/graded.png names it
        name = f"{_stem(subject)}-{subject.info['size']}{settings.suffix()}.png"
    return send_file(io.BytesIO(data), mimetype="image/png", as_attachment=True, download_name=name)
