"""Looks learned from many stills, your own footage frames, per-component strength, exports.

- `StillsJob`: a background job that reads 1-200 uploaded stills (each downscaled to at most
  `STILL_PIXELS` and kept as 8 bits as it is read, then its file deleted) or one video, asks the look model for one look of all
  of them (`lutml.grade.look_of_stills`), and stores a `Look`. Progress and cancel through
  `JobManager`; at most `max_running` jobs decode at once, the rest wait their turn. The job's
  temporary folder is removed when it ends, fails or is cancelled.
- `Footage`: an ungraded frame of the user's, kept at full resolution with a screen-size copy.
- `Settings`: global strength and the tone / saturation / cast strengths
  (`lutml.look_components.scale_components`), applied to the LUT before previews and exports.
- `export_lut`: every format `lutml convert` writes, any LUT size, any `--input-space`.

Nothing here sees a request; the routes parse forms and call these.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lutml.imageio import FLOAT_DEPTH, ImageData, from_float, to_float
from lutml.look_components import scale_components
from lutml.lut import LutFormatWarning, apply_lut, lut_at_strength, resample_lut, write_lut
from lutml.lut.lut3d import LUT3D
from lutml.lut.spaces import WORKING, export_for_space, list_spaces
from lutml.models.look_inference import resample_table
from lutml.reliability import assess, natural_palette
from lutml.web.results import malloc_trim
from lutml.web.tempfolders import TempFolders

log = logging.getLogger(__name__)

STILL_PIXELS = (
    1_000_000  # a still is downscaled to this as it is read (the estimator needs far less)
)
JOB_PIXELS = 40_000_000  # all stills of one job together (8-bit: 120 MB); many stills get smaller
MIN_STILL_PIXELS = 150_000
MAX_STILLS = 200
MAX_FOOTAGE = 12  # frames per footage upload
COMPONENT_NAMES = ("tone", "saturation", "cast")


def components_available() -> bool:
    try:
        import lutml.look_components  # noqa: F401
    except ImportError:
        return False
    return True


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the sliders say: global strength 0-1, each component 0-2 (1 = as learned)."""

    strength: float = 1.0
    tone: float = 1.0
    saturation: float = 1.0
    cast: float = 1.0

    @property
    def components_default(self) -> bool:
        return self.tone == self.saturation == self.cast == 1.0

    def suffix(self) -> str:
        """File-name part for the settings that differ from the learned look: -80pct-tone50..."""
        parts = [] if self.strength >= 1.0 else [f"{round(self.strength * 100)}pct"]
        short = {"tone": "tone", "saturation": "sat", "cast": "cast"}
        for name in COMPONENT_NAMES:
            value = getattr(self, name)
            if value != 1.0:
                parts.append(f"{short[name]}{round(value * 100)}")
        return "".join(f"-{p}" for p in parts)


_ADJUSTED: OrderedDict[tuple, LUT3D] = OrderedDict()
_ADJUSTED_LOCK = threading.Lock()


def adjusted_lut(key: str, lut: LUT3D, settings: Settings) -> LUT3D:
    """`lut` with the component strengths and then the global strength baked in (cached per
    `key` + settings: a slider move over the same values costs nothing the second time)."""
    if settings == Settings():
        return lut
    cache_key = (key, settings)
    with _ADJUSTED_LOCK:
        hit = _ADJUSTED.get(cache_key)
        if hit is not None:
            _ADJUSTED.move_to_end(cache_key)
            return hit
    out = lut
    if not settings.components_default:
        table = scale_components(
            lut.table, tone=settings.tone, saturation=settings.saturation, cast=settings.cast
        )
        out = LUT3D(table, title=lut.title, domain_min=lut.domain_min, domain_max=lut.domain_max)
        out.comments = list(lut.comments)
    if settings.strength != 1.0:
        out = lut_at_strength(out, settings.strength)
    with _ADJUSTED_LOCK:
        _ADJUSTED[cache_key] = out
        while len(_ADJUSTED) > 64:
            _ADJUSTED.popitem(last=False)
    return out


# --- objects kept in the result cache ---------------------------------------------------------


def _new_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


@dataclass
class Footage:
    """One of the user's ungraded frames: full resolution (native) and a screen-size copy."""

    name: str
    source: ImageData
    small: np.ndarray  # float16 (h, w, 3) in [0, 1]: the preview's input (8-bit JPEG out)
    notes: dict = field(default_factory=dict)
    token: str = field(default_factory=_new_token)
    created: float = field(default_factory=time.monotonic)

    @property
    def nbytes(self) -> int:
        alpha = 0 if self.source.alpha is None else self.source.alpha.nbytes
        return self.source.rgb.nbytes + alpha + self.small.nbytes

    def describe(self) -> dict:
        h, w = self.source.rgb.shape[:2]
        ph, pw = self.small.shape[:2]
        return {
            "token": self.token,
            "name": self.name,
            "width": w,
            "height": h,
            "bit_depth": self.source.bit_depth,
            "preview_width": pw,
            "preview_height": ph,
            "note": self.notes.get("warning") or self.notes.get("source_note"),
        }


def make_footage(name: str, image: ImageData, preview_edge: int, notes: dict) -> Footage:
    h, w = image.rgb.shape[:2]
    k = max(1, -(-max(h, w) // preview_edge))  # as area_downscale picks it
    rows = []
    step = k * max(1, 256 // k)  # strips of whole blocks: no full-size float copy of a 4K frame
    for y in range(0, (h // k) * k, step):
        rows.append(block_mean(image.rgb[y : y + step], k, image.bit_depth).astype(np.float16))
    small = np.concatenate(rows)
    return Footage(name, image, small, dict(notes))


@dataclass
class Look:
    """A look learned from graded stills.

    ``reference`` is the first usable still (screen size); ``neutral`` the model's reading of
    what it looked like before the grade (the look's inverse applied to it): with no footage, the
    page shows the look put onto that neutral reading next to it.
    """

    lut: LUT3D  # working-space (display sRGB) LUT at full strength, the model's own lattice
    name: str  # file-name stem
    info: dict
    reference: bytes  # the JPEG that /reference.jpg serves (kept encoded: a look costs less)
    neutral: np.ndarray  # uint8 (h, w, 3), the reference's size
    token: str = field(default_factory=_new_token)
    created: float = field(default_factory=time.monotonic)

    @property
    def nbytes(self) -> int:
        return self.lut.table.nbytes + len(self.reference) + self.neutral.nbytes


# --- export -----------------------------------------------------------------------------------

EXPORT_FORMATS = {  # suffix -> label shown in the page (what lutml convert writes)
    "cube": ".cube (Resolve, Premiere, OCIO)",
    "3dl": ".3dl (Flame, Lustre, Nuke)",
    "csp": ".csp (Cinespace)",
    "clf": ".clf (Academy/ASC CLF)",
    "png": "Hald CLUT .png",
}
LUT_SIZES = (17, 33, 65)
HALD_SIZES = (16, 36, 64)  # levels 4, 6, 8


def export_sizes(fmt: str) -> tuple[int, ...]:
    return HALD_SIZES if fmt == "png" else LUT_SIZES


_SPACES: list[str] | None = None


def input_spaces() -> list[str]:
    """OpenColorIO's camera / linear spaces that `lutml grade --input-space` takes (cached)."""
    global _SPACES
    if _SPACES is None:
        try:
            _SPACES = [s for s in list_spaces() if s != WORKING]
        except Exception as exc:  # no OpenColorIO: display sRGB only
            log.warning("input colour spaces unavailable: %s", exc)
            _SPACES = []
    return _SPACES


def web_words(text: str) -> str:
    """A report sentence for the page: without advice the page cannot follow (a CLI flag)."""
    return text.replace(" (`--no-trust` writes the raw estimate)", "")


def web_sentence(warning: str, names: Sequence[str] = ()) -> str:
    """A warning as a sentence on the page (`web_words`): capitalised, unless it starts with one
    of the stills' file `names`."""
    warning = web_words(warning)
    if not any(warning.startswith(n) for n in names):
        warning = warning[0].upper() + warning[1:]
    return warning + "."


def slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:limit].strip("-")


def export_lut(
    lut: LUT3D, fmt: str, size: int, space: str | None, folder: Path, trilinear: bool = False
) -> tuple[bytes, list[str]]:
    """The (already adjusted) working-space `lut` as a file of format `fmt` with `size` nodes,
    for footage in colour space `space` (None: display sRGB). Returns (bytes, format warnings).

    `trilinear`: resample as a look model's `predict_look(size=...)` does (so a learned look's
    33^3 file equals `lutml grade --size 33`'s); otherwise tetrahedrally (`resample_lut`)."""
    import warnings

    if space:
        out = export_for_space(lut, space, size)
    elif size == lut.size:
        out = lut
    elif trilinear:
        out = LUT3D(resample_table(lut.table, size), title=lut.title)
        out.comments = list(lut.comments)
    else:
        out = resample_lut(lut, size)
    path = folder / f"look.{fmt}"
    options: dict[str, object] = {}
    if fmt == "png":
        options = {"bits": 16}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LutFormatWarning)
        write_lut(out, path, **options)
    messages = [str(w.message).replace(str(path), path.name) for w in caught]
    return path.read_bytes(), messages


# --- the stills job ---------------------------------------------------------------------------


class JobCancelled(Exception):
    pass


@dataclass
class StillsJob:
    """A look-from-stills job: its progress (read by the page every few hundred ms) and result."""

    total: int
    folder: Path  # the job's temporary folder, removed when it ends
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    state: str = "queued"  # queued, reading, estimating, done, failed, cancelled
    done: int = 0
    step: str = "Waiting for a free worker…"
    skipped: list[dict] = field(default_factory=list)
    error: str | None = None
    look: dict | None = None
    timings: dict = field(default_factory=dict)
    cancel_event: threading.Event = field(default_factory=threading.Event)
    created: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise JobCancelled

    def describe(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "step": self.step,
            "skipped": self.skipped,
            "error": self.error,
            "look": self.look,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


class JobManager:
    """Runs `StillsJob`s on their own threads, `max_running` at a time; forgets finished jobs
    after `keep_s` seconds. A cancelled job stops before its next still."""

    def __init__(
        self, max_running: int = 2, keep_s: float = 600.0, folders: TempFolders | None = None
    ):
        limit_malloc_arenas()  # before the job and server threads allocate
        self._slots = threading.BoundedSemaphore(max_running)
        self._jobs: dict[str, StillsJob] = {}
        self._lock = threading.Lock()
        self.keep_s = keep_s
        self.folders = folders or TempFolders()  # where the jobs' folders were made

    def get(self, job_id: str) -> StillsJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self) -> int:
        with self._lock:
            return sum(j.finished is None for j in self._jobs.values())

    def submit(self, job: StillsJob, work: Callable[[StillsJob], None]) -> StillsJob:
        now = time.monotonic()
        with self._lock:
            for old in [
                k for k, j in self._jobs.items() if j.finished and now - j.finished > self.keep_s
            ]:
                del self._jobs[old]
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True, name="lutml-job").start()
        return job

    def cancel(self, job_id: str) -> StillsJob | None:
        job = self.get(job_id)
        if job is not None and job.finished is None:
            job.cancel_event.set()
        return job

    def stop(self, wait_s: float = 10.0) -> list[StillsJob]:
        """Cancel every unfinished job and wait up to `wait_s` for them to end (each stops
        before its next still); the jobs still running after that."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.finished is None]
        for job in jobs:
            job.cancel_event.set()
        deadline = time.monotonic() + wait_s
        while any(j.finished is None for j in jobs) and time.monotonic() < deadline:
            time.sleep(0.05)
        return [j for j in jobs if j.finished is None]

    def _run(self, job: StillsJob, work: Callable[[StillsJob], None]) -> None:
        acquired = False
        try:
            while not (acquired := self._slots.acquire(timeout=0.2)):
                job.check()
            job.check()
            work(job)
        except JobCancelled:
            job.state, job.step, job.error = "cancelled", "Cancelled.", None
        except Exception as exc:  # work() reports what it knows; anything else is a bug
            log.exception("stills job failed")
            job.state = "failed"
            job.error = (
                job.error or f"Internal error while learning the look ({type(exc).__name__})."
            )
        finally:
            if acquired:
                self._slots.release()
            self.folders.remove(job.folder)
            job.finished = time.monotonic()
            _trim()


_MALLOC_TRIM = malloc_trim()
M_ARENA_MAX = -8  # glibc's malloc.h
MALLOC_ARENAS = 2


def _trim() -> None:
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """At most `arenas` glibc malloc arenas in this process (as MALLOC_ARENA_MAX does).

    glibc gives each busy thread its own arena (up to 8 per core), and the stills, tiles and
    previews that job and waitress threads free stay scattered over them: with two jobs in flight
    the server's RSS peaked near 900 MB and stayed ~300 MB above what it holds. Two arenas cut
    the peak by about 250 MB at the same speed (`python -m lutml.bench web --mode stills`).
    False where there is no glibc."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    return bool(mallopt is not None and mallopt(M_ARENA_MAX, int(arenas)))


def block_mean(rgb: np.ndarray, k: int, bit_depth: int) -> np.ndarray:
    """Native RGB (h, w, 3) -> float32 [0, 1] means of k x k blocks (edge remainders dropped)."""
    scale = 1.0 if bit_depth == FLOAT_DEPTH else float((1 << bit_depth) - 1)
    h, w = rgb.shape[:2]
    hh, ww = h // k, w // k
    if k == 1:
        out = rgb[:hh, :ww].astype(np.float32)
    else:
        out = rgb[: hh * k, : ww * k].reshape(hh, k, ww, k, 3).mean(axis=(1, 3), dtype=np.float32)
    out /= np.float32(scale)
    return out


def graded_strips(lut: LUT3D, image: ImageData, rows: int = 256) -> np.ndarray:
    """`image` graded with `lut` at full resolution, in its own bit depth (uint8/uint16), made
    strip by strip so that no full-size float copy of the frame exists at once."""
    depth = 16 if image.bit_depth == FLOAT_DEPTH else image.bit_depth
    out = np.empty(image.rgb.shape, np.uint16 if depth == 16 else np.uint8)
    for y in range(0, image.rgb.shape[0], rows):
        strip = block_mean(image.rgb[y : y + rows], 1, image.bit_depth)
        out[y : y + rows] = from_float(np.clip(apply_lut(lut, strip), 0.0, 1.0), depth)
    return out


def still_for_look(image: ImageData, max_pixels: int) -> np.ndarray:
    """A decoded still as 8-bit display RGB (uint8 (h, w, 3)), area-downscaled to at most
    `max_pixels`. Eight bits lose nothing the estimator reads (its tiles are uint8) and hold a
    job's stills in half the memory of float16; `StillFrames` gives them back as float32."""
    rgb = image.rgb
    h, w = rgb.shape[:2]
    k = max(1, int(np.ceil(np.sqrt(h * w / max_pixels))))
    if k == 1 and rgb.dtype == np.uint8:
        return np.ascontiguousarray(rgb)  # as decoded: an 8-bit still is kept as it is
    if k > 1:  # block-average native values first: no full-size float copy of a 24 MP still
        small = block_mean(rgb, k, image.bit_depth)
    else:
        small = image.as_float()
    return from_float(np.nan_to_num(small, nan=0.0), 8)


class StillFrames(Sequence):
    """A job's 8-bit stills as the float32 RGB in [0, 1] that `lutml.grade.look_of_stills`
    reads, one still converted at a time (the estimator walks them one by one)."""

    def __init__(self, stills: list[np.ndarray]):
        self._stills = stills

    def __len__(self) -> int:
        return len(self._stills)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [to_float(s) for s in self._stills[i]]
        return to_float(self._stills[i])


def mixed_look_warning(model: Any, stills: list[np.ndarray], lut: LUT3D) -> str | None:
    """The pipeline's mixed-look check (`lutml.reliability.assess`) on the stills' own pixels."""
    if len(stills) < 4:
        return None

    small = [
        np.asarray(s[:: max(1, s.shape[0] // 128), :: max(1, s.shape[1] // 128)], np.float32)
        for s in stills
    ]
    rel = assess(model, small, lut, natural_palette(small, 4000), 1, 0.0, 9.0)
    mixed = [w for w in rel.warnings if "more than one look" in w]
    return mixed[0] if mixed else None
