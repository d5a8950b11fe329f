"""One short graded video as the input of a look: its frames, sampled as the pipeline samples a
video source (`lutml.data.sources.video_frames`: `SAMPLE_FPS` frames a second, near-duplicates
dropped, at most `MAX_VIDEO_FRAMES` kept), each downscaled by ffmpeg before it reaches Python to
the frames stage's size (long side `FRAME_MAX_SIZE`).

Videos are read by the ffmpeg of imageio-ffmpeg (already in the pinned set: the pipeline's
video source uses it). An upload is taken as a video when its first bytes say a video container
(MP4/MOV, Matroska/WebM, AVI, MPEG, MXF, FLV, Ogg) or, when they say nothing known, its name
does (``.mp4`` ...): then ffmpeg judges it, and a file that is no video gets one clear message.
Limits: the upload cap (``MAX_CONTENT_LENGTH``), `max_seconds` of duration (the clip's header;
the decoder also stops there), the pixel limit per frame, `MAX_VIDEO_FRAMES` frames.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lutml.data.sources import video_frames
from lutml.imageio import from_float
from lutml.web.uploads import UploadError, sniff_format

# The pipeline's video sampling: conf/config.yaml frames.video (a test keeps them equal).
SAMPLE_FPS = 1.0
MAX_VIDEO_FRAMES = 200
DUPLICATE_THRESHOLD = 0.01
SHOT_THRESHOLD = 0.12
FRAME_MAX_SIZE = 1024  # conf/config.yaml frames.max_size: the frames stage's long side
MAX_VIDEO_S = 200.0  # default of LUTML_MAX_VIDEO_S: at 1 frame/s, every second can be sampled

VIDEO_SUFFIXES = frozenset(
    ".mp4 .m4v .mov .qt .mkv .webm .avi .mpg .mpeg .m2v .ts .mts .m2ts .mxf .flv .ogv .3gp .wmv".split()
)
VIDEO_FORMATS = "MP4, MOV, MKV, WebM or AVI"

# imageio-ffmpeg warns on every read that the frames come out smaller than the source: we ask it to.
logging.getLogger("imageio_ffmpeg").setLevel(logging.ERROR)


def container(head: bytes) -> str | None:
    """The ffmpeg demuxer for a file whose first bytes (>= 189 if it is short) are `head`, when
    they start a video container; None otherwise."""
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):  # ISO BMFF / QuickTime
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska, WebM
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"AVIX"):
        return "avi"
    if head.startswith(b"\x00\x00\x01\xba"):  # MPEG program stream
        return "mpeg"
    if head.startswith(b"\x00\x00\x01\xb3"):  # MPEG-1/2 video stream
        return "mpegvideo"
    if head.startswith(b"\x06\x0e\x2b\x34"):
        return "mxf"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"\x30\x26\xb2\x75"):  # ASF / WMV
        return "asf"
    if len(head) > 188 and head[0] == head[188] == 0x47:  # MPEG-TS: a sync byte every 188
        return "mpegts"
    return None


def sniff_video(head: bytes) -> bool:
    """Whether a file's first bytes start a video container (`container`)."""
    return container(head) is not None


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(256)


def is_video(path: Path, shown: str) -> bool:
    """An upload saved as `path` (client name `shown`) to be read as a video: its contents say so,
    or they say no image format and its name ends like a video's (then `probe` says what it is)."""
    head = _head(path)
    if sniff_format(head) is not None:
        return False
    return sniff_video(head) or Path(shown).suffix.lower() in VIDEO_SUFFIXES


def input_params(demuxer: str) -> list[str]:
    """ffmpeg input options: the demuxer its first bytes named, nothing but the local file read.

    ffmpeg would otherwise guess the format itself, and a playlist or concat script uploaded as
    ``.mp4`` could make it open other files or URLs."""
    return ["-f", demuxer, "-protocol_whitelist", "file"]


@dataclass
class VideoInfo:
    width: int
    height: int
    duration_s: float  # 0 = the header does not say
    fps: float
    codec: str
    demuxer: str = "mov"

    def frame_pixels(self, budget: int) -> int:
        """Pixels of a sampled frame: the frames stage's long side (`FRAME_MAX_SIZE`), and at
        most `budget` (the job's share per frame)."""
        scale = min(1.0, FRAME_MAX_SIZE / max(self.width, self.height, 1))
        return max(1, min(budget, round(self.width * scale) * round(self.height * scale) + 1))

    @property
    def expected_frames(self) -> int:
        """Samples the pipeline's sampling takes at most (before near-duplicates are dropped)."""
        if self.duration_s <= 0:
            return MAX_VIDEO_FRAMES
        return max(1, min(MAX_VIDEO_FRAMES, int(np.ceil(self.duration_s * SAMPLE_FPS))))


def _reason(exc: BaseException) -> str:
    """ffmpeg's verdict (its last line), said for a user."""
    text = str(exc.__cause__ or exc).strip()
    last = (text.splitlines() or [type(exc).__name__])[-1]
    if "Invalid data found" in last or "moov atom not found" in text:
        return "its contents are not a video, whatever its name says"
    if "Error opening output" in last or "does not contain any stream" in last:
        return "it holds no video frames"
    last = re.sub(r"(/[^\s:'\"]+)+", "<upload>", last)  # never a server path
    return last.removeprefix("Error opening input files: ")[:160]


def not_a_video(shown: str, reason: str) -> UploadError:
    return UploadError(
        f"{shown} is not a video that can be read ({reason}). Upload one {VIDEO_FORMATS} clip of "
        "the look, or stills exported from it."
    )


def probe(path: Path, shown: str) -> VideoInfo:
    """The clip's size, duration, frame rate and codec from ffmpeg (nothing decoded yet)."""
    import imageio_ffmpeg

    if path.stat().st_size == 0:
        raise UploadError(f"{shown} is an empty file.")
    demuxer = container(_head(path))
    if demuxer is None:  # never handed to ffmpeg to guess
        raise not_a_video(shown, "its contents are not a video, whatever its name says")
    try:
        reader = imageio_ffmpeg.read_frames(str(path), input_params=input_params(demuxer))
        with contextlib.closing(reader):
            meta = next(reader)
    except (OSError, RuntimeError, ValueError, IndexError, KeyError, StopIteration) as exc:
        raise not_a_video(shown, _reason(exc)) from exc
    w, h = meta["source_size"]
    if int(meta.get("rotate", 0)) % 180 == 90:
        w, h = h, w
    duration = float(meta.get("duration") or 0)
    return VideoInfo(int(w), int(h), duration, float(meta.get("fps") or 0), meta["codec"], demuxer)


def check_limits(info: VideoInfo, shown: str, max_seconds: float, max_pixels: int) -> None:
    """UploadError if the clip is too long or its frames too large."""
    if info.duration_s > max_seconds:
        raise UploadError(
            f"{shown} is {clock(np.ceil(info.duration_s))} long; the limit is {clock(max_seconds)} (the look "
            f"is read from up to {MAX_VIDEO_FRAMES} frames, {SAMPLE_FPS:g} a second). Trim it to a "
            "short clip of the look."
        )
    if info.width * info.height > max_pixels:
        raise UploadError(
            f"{shown} has frames of {info.width}×{info.height} = {info.width * info.height / 1e6:.1f} "
            f"megapixels; the limit is {max_pixels / 1e6:.1f} megapixels."
        )
    if info.width < 1 or info.height < 1:
        raise not_a_video(shown, "it holds no video frames")


def clock(seconds: float) -> str:
    """0:07, 3:20 (minutes:seconds)."""
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def sampled_frames(
    path: Path,
    shown: str,
    max_pixels: int,
    max_seconds: float,
    on_sample: Callable[[float], None] | None = None,
    demuxer: str = "mov",
) -> Iterator[tuple[np.ndarray, float]]:
    """(8-bit RGB (h, w, 3) of at most `max_pixels` pixels, its time in seconds) for each
    frame the pipeline's sampling keeps from the first `max_seconds` of the clip.

    Closing the iterator (or leaving a ``with contextlib.closing(...)`` block) stops ffmpeg.
    An undecodable clip raises `UploadError`.
    """
    frames = video_frames(
        path,
        SAMPLE_FPS,
        MAX_VIDEO_FRAMES,
        DUPLICATE_THRESHOLD,
        SHOT_THRESHOLD,
        max_pixels=max_pixels,
        max_seconds=max_seconds,
        input_params=input_params(demuxer),
    )
    with contextlib.closing(frames):
        try:
            for frame in frames:
                t = float(frame.source.rsplit("#t=", 1)[-1].rstrip("s"))
                if on_sample is not None:
                    on_sample(t)
                rgb = from_float(frame.rgb, 8)  # exact: ffmpeg gave 8-bit codes
                del frame
                yield rgb, t
        except (ValueError, OSError, RuntimeError, IndexError) as exc:
            raise not_a_video(shown, _reason(exc)) from exc
