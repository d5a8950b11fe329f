"""HTTP routes of the look workflow: learn a look from many stills or a video (a job with progress
and cancel) and upload footage frames. Previews and exports of a look or a result on a frame:
`lutml.web.view_routes`.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from flask import Response, abort, current_app, jsonify, request

from lutml.grade import StillsError, look_of_stills
from lutml.lut import apply_lut
from lutml.models.look_inference import invert_table
from lutml.trust import NO_SINGLE_LOOK
from lutml.web.looks import (
    JOB_PIXELS,
    MAX_FOOTAGE,
    MAX_STILLS,
    MIN_STILL_PIXELS,
    STILL_PIXELS,
    Look,
    StillFrames,
    StillsJob,
    make_footage,
    mixed_look_warning,
    slug,
    still_for_look,
    web_sentence,
)
from lutml.web.model_index import ModelLoadError, model_problem
from lutml.web.results import CacheFull, area_downscale, encode_jpeg
from lutml.web.routes import (
    BadRequest,
    _cache,
    _no_server_paths,
    _registry,
    _workdir,
    bp,
    model_entry,
)
from lutml.web.uploads import UploadError, display_name, read_saved, read_upload
from lutml.web.video import (
    MAX_VIDEO_S,
    SAMPLE_FPS,
    check_limits,
    clock,
    is_video,
    probe,
    sampled_frames,
)


def _jobs():
    return current_app.extensions["lutml_jobs"]


# One estimate at a time: the estimator's working memory (~100 MB for 30 stills) is the largest
# part of a job's peak, and on a small server two estimates at once finish no sooner than one
# after the other. Reading and sampling still overlap.
_ESTIMATOR = threading.Lock()


def _estimator_turn(job: StillsJob) -> None:
    """Wait for `_ESTIMATOR` (the caller releases it), cancellable while waiting."""
    if _ESTIMATOR.acquire(blocking=False):
        return
    job.step = "Waiting for the estimator (another look is being learned)…"
    while not _ESTIMATOR.acquire(timeout=0.2):
        job.check()


def _path_cleaner():
    """`_no_server_paths` for use outside the request (in a job's thread)."""
    root = current_app.config.get("LUTML_TMP_DIR") or tempfile.gettempdir()
    pattern = re.compile(re.escape(str(root).rstrip("/")) + r"/[^\s'\"()]*")
    return lambda message: pattern.sub("<upload>", message)


def look_json(look: Look) -> dict:
    base = f"/api/view/{look.token}"
    h, w = look.neutral.shape[:2]
    return {
        "token": look.token,
        "kind": "look",
        "name": look.name,
        "info": look.info,
        "ref_width": w,
        "ref_height": h,
        "view_url": base,
        "reference_url": f"{base}/reference.jpg",
    }


def _coverage_facts(graded, what: str = "stills") -> dict:
    return {
        "fraction": round(float(graded.coverage), 4),
        "regions": round(float(graded.coverage), 4),
        "missing_hues": [],
        "note": (
            f"The {what} show {graded.coverage:.0%} of natural footage's colours; the look is measured "
            "there and follows the model's prior elsewhere."
        ),
    }


@bp.app_context_processor
def _video_limits() -> dict:
    """The page's video limit (index.html says it next to the stills input)."""
    return {"max_video": clock(float(current_app.config.get("LUTML_MAX_VIDEO_S", MAX_VIDEO_S)))}


@bp.post("/api/looks")
def learn_look() -> tuple[Response, int]:
    """Start a job: the look of 1-200 graded stills or of one short graded video. Answers 202
    with the job to poll."""
    cfg = current_app.config
    registry = _registry()
    entry = model_entry(registry)
    uploads = [f for f in request.files.getlist("stills") if f and f.filename]
    if not uploads:
        raise BadRequest(
            "Choose one or more graded stills (PNG, JPEG, TIFF or EXR) or one short graded video "
            "to upload."
        )
    if len(uploads) > MAX_STILLS:
        raise BadRequest(f"{len(uploads)} stills: the limit is {MAX_STILLS} per look.")
    name = slug(request.form.get("name", ""))
    folders = current_app.extensions["lutml_temp"]
    folder = folders.make("lutml-job-", cfg.get("LUTML_TMP_DIR"))
    files: list[tuple[Path, str]] = []
    try:
        for i, upload in enumerate(uploads):
            raw = folder / f"still_{i:03d}.upload"
            upload.save(raw)
            upload.close()  # werkzeug's spooled copy goes now, not when the request ends
            files.append((raw, display_name(upload)))
        videos = [shown for raw, shown in files if is_video(raw, shown)]
        if videos and len(files) > 1:
            raise BadRequest(
                f"{videos[0]} is a video: a look is learned from one video on its own, or from "
                "stills without a video. Upload them separately."
            )
    except Exception:
        folders.remove(folder)
        raise
    stem = name or slug(Path(files[0][1]).stem) or "look"
    if videos:
        work = _video_work(entry, registry, files[0], name, stem)
    else:
        work = _stills_work(entry, registry, files, name, stem)
    job = StillsJob(total=len(files), folder=folder)
    _jobs().submit(job, work)
    return jsonify(job=job.describe()), 202


def _stills_work(entry, registry, files: list[tuple[Path, str]], name: str, stem: str):
    """The job's work for stills: read each (downscaled as it is read, its upload deleted)."""
    max_pixels = current_app.config["LUTML_MAX_PIXELS"]
    clean = _path_cleaner()
    n = len(files)
    per_still = max(MIN_STILL_PIXELS, min(STILL_PIXELS, JOB_PIXELS // n))
    finish = _finisher(entry, registry, name, stem)

    def work(job: StillsJob) -> None:
        start = time.perf_counter()
        job.state = "reading"
        stills: list[np.ndarray] = []
        used: list[str] = []
        clipped: list[str] = []
        for i, (raw, shown) in enumerate(files):
            job.check()
            job.step = f"Reading still {i + 1} of {n} ({shown})"
            notes: dict[str, str] = {}
            try:
                image = read_saved(raw, "still", shown, max_pixels, notes)
                stills.append(still_for_look(image, per_still))
                used.append(shown)
                del image
                if "warning" in notes:
                    clipped.append(shown)
            except UploadError as exc:
                job.skipped.append({"name": shown, "reason": clean(str(exc))})
            finally:
                for leftover in raw.parent.glob(f"{raw.stem}.*"):
                    leftover.unlink(missing_ok=True)
            job.done = i + 1
        job.timings["read_s"] = time.perf_counter() - start
        if not stills:
            job.state = "failed"
            job.error = (
                f"None of the {n} file(s) is a usable still, so there is no look to learn. "
                "Upload graded stills as PNG, JPEG, TIFF or OpenEXR images, or one video."
            )
            return
        notes = []
        if clipped:
            notes.append(
                f"{len(clipped)} OpenEXR still(s) held values outside 0-1, clipped (read as display sRGB)."
            )
        finish(job, stills, used, notes, start, {})

    return work


def _video_work(entry, registry, file: tuple[Path, str], name: str, stem: str):
    """The job's work for one video: frames sampled as the pipeline's video source samples them
    (`lutml.web.video`), each downscaled by ffmpeg; the upload is deleted once read."""
    cfg = current_app.config
    max_pixels = cfg["LUTML_MAX_PIXELS"]
    max_seconds = float(cfg.get("LUTML_MAX_VIDEO_S", MAX_VIDEO_S))
    clean = _path_cleaner()
    raw, shown = file
    finish = _finisher(entry, registry, name, stem)

    def work(job: StillsJob) -> None:
        start = time.perf_counter()
        job.state = "reading"
        job.step = f"Opening the video {shown}…"
        try:
            info = probe(raw, shown)
            check_limits(info, shown, max_seconds, max_pixels)
            total = info.expected_frames
            job.total, job.done = total, 0
            budget = max(MIN_STILL_PIXELS, min(STILL_PIXELS, JOB_PIXELS // total))
            per_frame = info.frame_pixels(budget)
            length = clock(info.duration_s) if info.duration_s else "?"
            frames: list[np.ndarray] = []
            used: list[str] = []

            def progress(t: float) -> None:
                job.check()
                job.done = min(total, int(t * SAMPLE_FPS) + 1)
                job.step = f"Sampling the video: {len(frames) + 1} frame(s) kept, at {clock(t)} of {length}"

            sampling = sampled_frames(raw, shown, per_frame, max_seconds, progress, info.demuxer)
            for rgb, t in sampling:
                frames.append(rgb)
                used.append(f"{shown} @ {clock(t)}")
                job.check()
        except UploadError as exc:
            job.state, job.error = "failed", clean(str(exc))
            return
        finally:
            raw.unlink(missing_ok=True)
        job.done = job.total
        job.timings["read_s"] = time.perf_counter() - start
        if not frames:
            job.state = "failed"
            job.error = (
                f"{shown} holds no video frames that could be read, so there is no look to learn."
            )
            return
        facts = {
            "name": shown,
            "width": info.width,
            "height": info.height,
            "duration_s": round(info.duration_s, 2),
            "codec": info.codec,
            "fps_sampled": SAMPLE_FPS,
            "frames": len(frames),
        }
        finish(job, frames, used, [], start, {"video": facts})

    return work


_VIDEO_WORDS = (
    ("Your stills", "The video's frames"),
    ("your stills", "the video's frames"),
    ("The stills", "The video's frames"),
    ("the stills", "the video's frames"),
)


def _of_video(text: str) -> str:
    """A report sentence about stills said of a video's sampled frames."""
    for stills, frames in _VIDEO_WORDS:
        text = text.replace(stills, frames)
    return text


def _finisher(entry, registry, name: str, stem: str):
    """What every look job does with its frames: estimate, read the reference's neutral version,
    keep the look in the cache (runs in the job's thread; the app's settings are read now)."""
    preview_edge = current_app.config["LUTML_PREVIEW_EDGE"]
    cache = _cache()
    clean = _path_cleaner()

    def finish(
        job: StillsJob,
        stills: list[np.ndarray],
        used: list[str],
        notes: list[str],
        start: float,
        extra: dict,
    ) -> None:
        job.check()
        job.state = "estimating"
        what = "video frame(s)" if "video" in extra else "still(s)"
        frames = StillFrames(stills)  # float32, one still at a time
        _estimator_turn(job)
        job.step = f"Learning the look of {len(stills)} {what}…"
        t = time.perf_counter()
        try:
            model = registry.load(entry)
            if model.kind != "look":
                job.state = "failed"
                job.error = (
                    f"{entry.label} is not a look model: it grades one frame at a time. Use the "
                    "One frame tab for it, or choose a look model here."
                )
                return
            try:
                graded = look_of_stills(model, frames, size=None, names=used)
                # a model with a trust model gives its calibrated verdicts in graded.warnings
                trust = getattr(graded, "trust", None)
                mixed = None if trust is not None else mixed_look_warning(model, frames, graded.lut)
            except ModelLoadError:
                raise
            except StillsError as exc:  # the stills cannot show a look: not the model's fault
                job.state, job.error = "failed", web_sentence(clean(str(exc)), used)
                return
            except Exception as exc:  # the stills are decoded and checked: the model is at fault
                raise model_problem(entry, exc) from exc
        except (ModelLoadError, CacheFull) as exc:
            job.state, job.error = "failed", clean(str(exc))
            return
        finally:
            _ESTIMATOR.release()
        job.timings["estimate_s"] = time.perf_counter() - t
        job.check()
        job.step = "Reading the reference's neutral version…"
        t = time.perf_counter()
        # tiny or blank stills among others were left out: the reference is the first one read
        read = graded.stills or used
        n, first = len(read), used.index(read[0]) if read[0] in used else 0
        stills[:] = [stills[first]]  # the estimate is made: only the reference is needed now
        reference = area_downscale(frames[0], preview_edge)
        inverse = invert_table(graded.lut.table)
        neutral = np.clip(apply_lut(inverse, reference), 0.0, 1.0)
        # Kept as they are shown: the reference as its JPEG, the neutral reading (the frame the
        # look is previewed on) as 8 bits.
        reference = encode_jpeg(reference)
        neutral = np.rint(neutral * 255.0).astype(np.uint8)
        job.timings["neutral_s"] = time.perf_counter() - t
        left_out = [s for s in used if s not in read]  # listed with the skipped files
        for still in left_out:
            why = [w for w in graded.warnings if w.startswith(f"{still} is not used: ")]
            reason = why[0].removeprefix(f"{still} is not used: ") if why else "not used"
            job.skipped.append({"name": still, "reason": f"{still} is not used: {reason}."})
        warnings = [
            web_sentence(w, used)
            for w in graded.warnings
            if not any(w.startswith(f"{s} is not used: ") for s in left_out)
        ]
        if mixed:
            warnings.insert(0, mixed[0].upper() + mixed[1:] + ".")
        warnings.extend(notes)
        lut = graded.lut
        lut.title = f"lutml look of {n} {what}"
        info = {
            "mode": "look",
            "title": stem,
            "model": entry.label,
            "size": lut.size,
            "n_stills": n,
            "stills": read[:MAX_STILLS],
            "skipped": len(job.skipped),
            "coverage": _coverage_facts(graded, "video's frames" if "video" in extra else "stills"),
            "warning": " ".join(warnings) or None,
            "confidence": getattr(graded, "confidence", None),
            # verdict and 80 % intervals in words (lutml.trust.TrustReport.lines)
            "trust": None if graded.trust is None else graded.trust.lines(),
            "mixed": bool(mixed)
            or (graded.trust is not None and graded.trust.verdict == NO_SINGLE_LOOK),
            **extra,
        }
        if "video" in extra:  # the report's words are written for stills
            info["warning"] = info["warning"] and _of_video(info["warning"])
            info["trust"] = info["trust"] and [_of_video(line) for line in info["trust"]]
            for part in info["confidence"] or []:
                part["why"] = _of_video(part["why"])
            name_out = stem
        else:
            name_out = stem if name or n == 1 else f"{stem}-{n}stills"
        look = Look(lut, name_out, info, reference, neutral)
        job.timings["total_s"] = time.perf_counter() - start
        info["timings"] = {k: round(v, 2) for k, v in job.timings.items()}
        try:
            cache.put(look)
        except CacheFull as exc:
            job.state, job.error = "failed", str(exc)
            return
        job.look = look_json(look)
        job.state, job.step = "done", "Done."

    return finish


def _job(job_id: str) -> StillsJob:
    if not re.fullmatch(r"[0-9a-f]{32}", job_id):
        abort(404)
    job = _jobs().get(job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/api/jobs/<job_id>")
def job_status(job_id: str) -> Response:
    resp = jsonify(job=_job(job_id).describe())
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/api/jobs/<job_id>/cancel")
def job_cancel(job_id: str) -> Response:
    job = _job(job_id)
    _jobs().cancel(job_id)
    return jsonify(job=job.describe())


@bp.post("/api/footage")
def footage() -> Response:
    """Ungraded frames of the user's footage: each kept (full resolution) under its own token."""
    cfg = current_app.config
    uploads = [f for f in request.files.getlist("frames") if f and f.filename]
    if not uploads:
        raise BadRequest("Choose one or more ungraded frames of your footage to upload.")
    if len(uploads) > MAX_FOOTAGE:
        raise BadRequest(f"{len(uploads)} frames: upload at most {MAX_FOOTAGE} at a time.")
    frames, skipped = [], []
    with _workdir() as folder:
        for i, upload in enumerate(uploads):
            notes: dict[str, str] = {}
            try:
                image = read_upload(
                    upload, f"frame {i + 1}", folder, cfg["LUTML_MAX_PIXELS"], notes
                )
            except UploadError as exc:
                skipped.append({"name": display_name(upload), "reason": _no_server_paths(str(exc))})
                continue
            frame = make_footage(display_name(upload), image, cfg["LUTML_PREVIEW_EDGE"], notes)
            _cache().put(frame)
            frames.append(frame.describe())
    if not frames:
        raise BadRequest(
            "None of the files is a usable frame: " + " ".join(s["reason"] for s in skipped[:3])
        )
    return jsonify(frames=frames, skipped=skipped)
