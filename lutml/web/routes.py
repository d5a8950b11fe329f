"""HTTP routes: the page, the two fitting actions (JSON), previews and downloads.

Uploads live in a per-request temporary folder removed when the request ends; results live in
the bounded `ResultCache` under unguessable tokens. Every expected failure is a 4xx JSON
``{"error": message}`` that the page shows as is.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
)
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lutml.grade import StillsError
from lutml.imageio import from_float, write_image
from lutml.lut import apply_lut, lut_at_strength, write_cube
from lutml.web.jobs import grade_result, match_result
from lutml.web.looks import (
    EXPORT_FORMATS,
    MAX_FOOTAGE,
    MAX_STILLS,
    components_available,
    input_spaces,
)
from lutml.web.model_index import ModelLoadError, ModelRegistry
from lutml.web.results import (
    TOKEN_PATTERN,
    CacheFull,
    Result,
    ResultCache,
    coverage_png,
    encode_jpeg,
    malloc_trim,
    preview_after,
)
from lutml.web.server import upload_too_large_message
from lutml.web.uploads import UploadError, display_name, read_upload

bp = Blueprint("lutml", __name__)


class BadRequest(ValueError):
    """A form value the user can fix; the message is shown in the page."""


def _registry() -> ModelRegistry:
    return current_app.extensions["lutml_registry"]


def _cache() -> ResultCache:
    return current_app.extensions["lutml_cache"]


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    """A private temporary folder for this request's uploads, always removed afterwards."""
    folders = current_app.extensions["lutml_temp"]
    with folders.folder("lutml-web-", current_app.config.get("LUTML_TMP_DIR")) as d:
        yield d


def _size() -> int:
    sizes = current_app.config["LUTML_LUT_SIZES"]
    raw = request.form.get("size", "33")
    # ASCII digits only: str.isdigit() also takes "²" (int() fails) and "٣٣" (int() reads 33).
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in sizes:
        raise BadRequest(f"LUT size must be one of {', '.join(map(str, sizes))}.")
    return int(raw)


def _strength(raw: str | None) -> float:
    try:
        value = float(raw if raw not in (None, "") else "1")
    except ValueError:
        raise BadRequest("Strength must be a number between 0 and 1.") from None
    if not 0.0 <= value <= 1.0:
        raise BadRequest("Strength must be between 0 and 1.")
    return value


def _flag(name: str) -> bool:
    return request.form.get(name, "").lower() in ("1", "on", "true", "yes")


def _result(token: str) -> Result:
    if not re.fullmatch(TOKEN_PATTERN, token):
        abort(404)
    result = _cache().get(token)
    if result is None:
        abort(404)
    return result


def _add_notes(result: Result, *notes: dict[str, str]) -> None:
    """Upload notes (an OpenEXR read as display values; what was clipped) into the result's info."""
    source = [n["source_note"] for n in notes if "source_note" in n]
    if source:
        result.info["source_note"] = source[0]
    warnings = [n["warning"] for n in notes if "warning" in n]
    if warnings:
        result.info["warning"] = " ".join([*warnings, result.info.get("warning") or ""]).strip()


def _result_json(result: Result) -> Response:
    h, w = result.source.rgb.shape[:2]
    ph, pw = result.before_small.shape[:2]
    base = f"/api/result/{result.token}"
    return jsonify(
        token=result.token,
        info=result.info,
        width=w,
        height=h,
        bit_depth=result.source.bit_depth,
        alpha=result.source.alpha is not None,
        preview_width=pw,
        preview_height=ph,
        before_url=f"{base}/before.jpg",
        after_url=f"{base}/after.jpg",
        cube_url=f"{base}/lut.cube",
        image_url=f"{base}/graded.png",
        coverage_url=None if result.coverage is None else f"{base}/coverage.png",
        view_url=f"/api/view/{result.token}",
    )


@bp.get("/")
def index() -> str:
    cfg = current_app.config

    models = _registry().describe()
    return render_template(
        "index.html",
        models=models,
        look_models=[m for m in models if m["kind"] == "look"],
        frame_models=[m for m in models if m["kind"] != "look"],
        formats=EXPORT_FORMATS,
        spaces=input_spaces(),
        components=components_available(),
        max_stills=MAX_STILLS,
        max_footage=MAX_FOOTAGE,
        sizes=cfg["LUTML_LUT_SIZES"],
        max_mb=cfg["MAX_CONTENT_LENGTH"] // (1024 * 1024),
        max_mp=cfg["LUTML_MAX_PIXELS"] / 1e6,
    )


@bp.get("/api/models")
def models() -> Response:
    return jsonify(models=_registry().describe())


@bp.post("/api/match")
def match() -> Response:
    cfg = current_app.config
    size = _size()
    notes: list[dict[str, str]] = [{}, {}]
    with _workdir() as folder:
        before = read_upload(
            request.files.get("before"), "before image", folder, cfg["LUTML_MAX_PIXELS"], notes[0]
        )
        after = read_upload(
            request.files.get("after"), "after image", folder, cfg["LUTML_MAX_PIXELS"], notes[1]
        )
        try:
            result = match_result(
                before,
                after,
                size,
                _flag("robust"),
                cfg["LUTML_FIT_PIXELS"],
                cfg["LUTML_PREVIEW_EDGE"],
            )
        except ValueError as exc:  # the fit's words about "the source": say which file
            if not str(exc).startswith("the source image is flat"):
                raise
            shown = display_name(request.files["before"])
            message = str(exc).replace("the source image", f"the before image ({shown})", 1)
            raise ValueError(message) from None
    _add_notes(result, *notes)
    result.info["source_name"] = display_name(request.files["before"])
    _cache().put(result)
    return _result_json(result)


def model_entry(registry):
    """The model the form names (by id; never a path), or a 400 saying what is known."""
    try:
        return registry.entry(request.form.get("model", ""))
    except KeyError as exc:
        raise BadRequest(exc.args[0]) from None


@bp.post("/api/grade")
def grade() -> Response:
    cfg = current_app.config
    registry = _registry()
    entry = model_entry(registry)
    size = _size()
    notes: dict[str, str] = {}
    with _workdir() as folder:
        frame = read_upload(
            request.files.get("frame"), "frame", folder, cfg["LUTML_MAX_PIXELS"], notes
        )
        result = grade_result(
            registry,
            entry,
            frame,
            size,
            _flag("reverse"),
            _flag("robust"),
            cfg["LUTML_PREVIEW_EDGE"],
            display_name(request.files["frame"]),
        )
    _add_notes(result, notes)
    result.info["source_name"] = display_name(request.files["frame"])
    _cache().put(result)
    return _result_json(result)


def _jpeg(data: bytes) -> Response:
    resp = Response(data, mimetype="image/jpeg")
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


@bp.get("/api/result/<token>/before.jpg")
def preview_before_jpg(token: str) -> Response:
    return _jpeg(encode_jpeg(_result(token).before_small))


@bp.get("/api/result/<token>/after.jpg")
def preview_after_jpg(token: str) -> Response:
    result = _result(token)
    return _jpeg(encode_jpeg(preview_after(result, _strength(request.args.get("strength")))))


@bp.get("/api/result/<token>/coverage.png")
def coverage_chart(token: str) -> Response:
    result = _result(token)
    if result.coverage is None:
        abort(404)
    resp = Response(coverage_png(result.coverage), mimetype="image/png")
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


def _download(data: bytes, mimetype: str, result: Result, strength: float, suffix: str) -> Response:
    """`data` as a file download named after the frame, the look, the LUT size and the strength."""
    stem = (
        re.sub(r"[^\w.-]", "_", Path(result.info.get("source_name", "frame")).stem)[:60] or "frame"
    )
    pct = "" if strength >= 1.0 else f"-{round(strength * 100)}pct"
    name = f"{stem}-{result.info['title']}-{result.info['size']}{pct}{suffix}"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/api/result/<token>/lut.cube")
def download_cube(token: str) -> Response:
    result = _result(token)
    strength = _strength(request.args.get("strength"))
    with _workdir() as folder:
        path = folder / "look.cube"
        write_cube(lut_at_strength(result.lut, strength), path)
        data = path.read_bytes()
    return _download(data, "text/plain", result, strength, ".cube")


@bp.get("/api/result/<token>/graded.png")
def download_image(token: str) -> Response:
    """The full-resolution frame graded at `strength`, in its own bit depth, alpha kept."""
    result = _result(token)
    strength = _strength(request.args.get("strength"))
    src = result.source
    graded = from_float(apply_lut(result.lut, src.as_float(), strength=strength), src.bit_depth)
    with _workdir() as folder:
        path = folder / "graded.png"
        write_image(path, graded, src.alpha, bit_depth=src.bit_depth)
        data = path.read_bytes()
    return _download(data, "image/png", result, strength, ".png")


def host_name(host_header: str) -> str:
    """The name part of an allowed-hosts entry or Host header, lower case, without port, IPv6
    brackets or a final dot (lenient: for configured names; headers go through `parse_host`)."""
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1:].partition("]")[0]
    if host.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        host = host.partition(":")[0]
    return host.rstrip(".")


_HOST_NAME = re.compile(r"([a-z0-9_](?:[a-z0-9_.-]{0,252}))(?::(\d{1,5}))?")
_HOST_IPV6 = re.compile(r"\[([0-9a-f:.]{2,45})\](?::(\d{1,5}))?")


def parse_host(host_header: str) -> str | None:
    """The host name of a Host header (RFC 7230: ``name[:port]`` or ``[IPv6][:port]``), lower
    case without a final dot, or None when the header is anything else. Strict on purpose: a
    lenient split lets ``localhost:1@evil.com``, ``[::1]evil.com`` or ``localhost:evil`` pass
    for localhost."""
    host = host_header.strip().lower()
    match = _HOST_IPV6.fullmatch(host) or _HOST_NAME.fullmatch(host)
    if match is None or (match.group(2) is not None and int(match.group(2)) > 65535):
        return None
    return match.group(1).rstrip(".") or None


@bp.before_app_request
def allowed_hosts_only() -> tuple[Response, int] | None:
    # DNS rebinding: a page on evil.example re-points its name at 127.0.0.1 and then reads this
    # server as same-origin (Host: evil.example, matching Origin). Only names on the allow-list
    # (lutml serve --allowed-hosts; default the bound address, localhost, 127.0.0.1) are served.
    allowed = current_app.config.get("LUTML_ALLOWED_HOSTS")
    host = request.environ.get("HTTP_HOST") or request.environ.get("SERVER_NAME", "")
    name = parse_host(host)
    if allowed is None or (name is not None and name in {host_name(a) for a in allowed}):
        return None
    current_app.logger.warning("refused Host %r (not in --allowed-hosts)", host[:100])
    if name is None:
        return jsonify(error=f"Malformed Host header {host[:100]!r}."), 400
    return jsonify(
        error=f"This server does not answer to the host name {name[:100]!r}. "
        "To reach it under that name, start it with lutml serve --allowed-hosts."
    ), 400


@bp.before_app_request
def same_origin_posts() -> tuple[Response, int] | None:
    # No cookies are used, but another site's page could still make a visitor's browser post
    # frames to a server on their machine and burn its CPU; browsers send Origin on such posts.
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin and origin.rstrip("/") != request.host_url.rstrip("/"):
        return jsonify(error="Cross-site request refused."), 403
    return None


# Requests that allocate full-resolution frames. glibc keeps freed blocks below its (growing)
# mmap threshold in the heap: with --cache-mb 50, RSS climbed to ~800 MB after 10 results of
# 6 MP frames and stayed there. Trimming after each such request returns it (~300 MB: libraries
# + cache), at no measurable CPU cost; a fixed 1 MB mmap threshold did as well but cost +15% CPU.
_ALLOCATING_ENDPOINTS = {
    "lutml.match",
    "lutml.grade",
    "lutml.download_image",
    "lutml.footage",
    "lutml.view_graded",
    "lutml.view_after",
    "lutml.view_before",
    "lutml.learn_look",
}


_MALLOC_TRIM = malloc_trim()


@bp.teardown_app_request
def release_freed_memory(_exc: BaseException | None) -> None:
    if _MALLOC_TRIM is not None and request.endpoint in _ALLOCATING_ENDPOINTS:
        _MALLOC_TRIM(0)


@bp.after_app_request
def security_headers(resp: Response) -> Response:
    # Everything is served by this app itself: no CDN, no inline script, no framing.
    resp.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'",
    )
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    return resp


def _no_server_paths(message: str) -> str:
    """`message` without paths of this server's temporary folders (clients never see paths)."""
    root = current_app.config.get("LUTML_TMP_DIR") or tempfile.gettempdir()
    return re.sub(re.escape(str(root).rstrip("/")) + r"/[^\s'\"()]*", "<upload>", message)


@bp.app_errorhandler(UploadError)
@bp.app_errorhandler(BadRequest)
def bad_input(exc: ValueError) -> tuple[Response, int]:
    return jsonify(error=_no_server_paths(str(exc))), 400


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge) -> tuple[Response, int]:
    cfg = current_app.config
    size = request.content_length  # waitress sets it for chunked bodies too
    if size is None or size > cfg["MAX_CONTENT_LENGTH"]:
        return jsonify(error=upload_too_large_message(cfg["MAX_CONTENT_LENGTH"])), 413
    # Within the byte limit, Werkzeug refuses forms with too many fields or a long text field.
    return jsonify(
        error=f"The form has more than {cfg['MAX_FORM_PARTS']} fields or a text field over "
        f"{cfg['MAX_FORM_MEMORY_SIZE'] // 1000} kB; this page sends a few short "
        "fields and the image files."
    ), 413


@bp.app_errorhandler(404)
def not_found(_exc: HTTPException) -> tuple[Response, int]:
    return jsonify(
        error="Not found. A result expires after an hour or when many newer ones "
        "are made: upload the frame again."
    ), 404


@bp.app_errorhandler(ValueError)
def fit_failed(exc: ValueError) -> tuple[Response, int]:
    # The library's ValueErrors name the problem (e.g. a frame with too few colours to fit).
    current_app.logger.warning("request failed: %s", exc)
    text = _no_server_paths(f"Could not build a LUT from these images: {exc}")
    return jsonify(error=text if text.endswith(".") else text + "."), 400


@bp.app_errorhandler(StillsError)
def stills_unusable(exc: StillsError) -> tuple[Response, int]:
    # A still that cannot show a look: its own message names it (not "these images").
    return jsonify(error=_no_server_paths(f"{exc}.")), 400


@bp.app_errorhandler(ModelLoadError)
def model_broken(exc: ModelLoadError) -> tuple[Response, int]:
    # The server's model is at fault, not the request: 503 with what is wrong, never a 500.
    return jsonify(error=_no_server_paths(str(exc))), 503


@bp.app_errorhandler(CacheFull)
def busy(exc: CacheFull) -> tuple[Response, int]:
    resp = jsonify(error=str(exc))
    resp.headers["Retry-After"] = "60"
    return resp, 503


@bp.app_errorhandler(Exception)
def internal_error(exc: Exception) -> tuple[Response, int]:
    if isinstance(exc, HTTPException):
        return jsonify(error=exc.description), exc.code or 500
    current_app.logger.exception("internal error")
    return jsonify(
        error="Internal error while processing the request; the server log has details."
    ), 500
