"""Where frames come from: photos shipped in PyPI wheels, a folder of stills, a video file.

Every source yields `Frame`s (float32 RGB (H, W, 3) in [0, 1], a group, where it came from).
A group is what the split keeps together: one photo, one still, or one shot of a video.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lutml.imageio import ImageReadError, list_images, read_image_full

# Colour photographs bundled with installed wheels (read as files: the skimage.data loaders of
# other images try to download). Left out on purpose: microscopy (ihc), fundus (retina), deep
# sky (hubble: mostly black), grey-scale images, and motorcycle_right (the same scene as _left).
EMBEDDED_PHOTOS: dict[str, tuple[str, str]] = {
    "astronaut": ("skimage", "data/astronaut.png"),  # public domain (NASA)
    "chelsea": ("skimage", "data/chelsea.png"),  # CC0
    "coffee": ("skimage", "data/coffee.png"),  # CC0
    "rocket": ("skimage", "data/rocket.jpg"),  # public domain (NASA)
    "motorcycle": ("skimage", "data/motorcycle_left.png"),  # Middlebury stereo set
    "china": ("sklearn", "datasets/images/china.jpg"),  # CC BY 2.0
    "flower": ("sklearn", "datasets/images/flower.jpg"),  # CC BY 2.0
    "grace_hopper": ("matplotlib", "mpl-data/sample_data/grace_hopper.jpg"),  # public domain
}


@dataclass
class Frame:
    """One source frame: pixels plus provenance (recorded in the frames manifest)."""

    rgb: np.ndarray  # float32 (H, W, 3) in [0, 1]; an EXR frame of `folder_frames`: as stored
    group: str
    source: str
    bit_depth: int = 8
    info: dict = field(default_factory=dict)


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # finds the wheel without importing it (fast)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def embedded_photo_paths() -> dict[str, Path]:
    """name -> file of each embedded photo that is installed (see `EMBEDDED_PHOTOS`)."""
    found = {}
    for name, (package, rel) in EMBEDDED_PHOTOS.items():
        root = _package_dir(package)
        if root is not None and (root / rel).is_file():
            found[name] = root / rel
    if not found:
        raise FileNotFoundError("no embedded photos found: is scikit-image installed in this venv?")
    return found


def folder_frames(folder: str | os.PathLike[str], skipped: list[str]) -> Iterator[Frame]:
    """Stills in `folder` (PNG/JPEG/TIFF, 8/16-bit, or OpenEXR; any size), one group per file stem.

    EXR frames keep their float values, outside [0, 1] too (`bit_depth` 32), so that a camera
    colour-space conversion sees them whole; the caller clips them where it wants display values.
    Unreadable files are skipped and described in `skipped` ("file: reason"); the caller
    reports them and fails if nothing usable remains.
    """
    files = list_images(folder)
    if not files:
        raise ValueError(f"{folder}: no PNG/JPEG/TIFF/EXR images in this folder")
    for path in files:
        try:
            data = read_image_full(path)
        except ImageReadError as exc:
            skipped.append(str(exc))
            continue
        yield Frame(data.as_float(), path.stem, path.name, data.bit_depth)


def _thumb(rgb: np.ndarray) -> np.ndarray:
    """A 24x24 block-mean thumbnail for cheap frame comparison."""
    h, w = rgb.shape[0] // 24 * 24, rgb.shape[1] // 24 * 24
    return rgb[:h, :w].reshape(24, h // 24, 24, w // 24, 3).mean(axis=(1, 3))


def video_frames(
    path: str | os.PathLike[str],
    fps: float,
    max_frames: int,
    duplicate_threshold: float,
    shot_threshold: float,
    *,
    max_pixels: int | None = None,
    max_seconds: float | None = None,
    input_params: list[str] | None = None,
) -> Iterator[Frame]:
    """Frames sampled at `fps` by the ffmpeg of imageio-ffmpeg, near-duplicates dropped.

    A sample whose thumbnail differs from the last kept one by a mean absolute difference
    below `duplicate_threshold` is skipped (static shots would flood the set with copies);
    a difference above `shot_threshold` starts a new group (a cut), so the split keeps shots
    whole. `max_pixels`: ffmpeg area-downscales larger frames to about that many pixels (aspect
    kept) before they are read; `max_seconds`: only that much of the video is decoded;
    `input_params`: ffmpeg input options (the web UI names the demuxer, files only).
    """
    import imageio_ffmpeg

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such video file")
    vf = f"fps={fps}"
    if max_pixels:
        k = f"min(1,sqrt({int(max_pixels)}/(iw*ih)))"
        vf += f",scale='max(1,trunc(iw*{k}))':'max(1,trunc(ih*{k}))':flags=area"
    extra = ["-t", f"{float(max_seconds):g}"] if max_seconds else []
    reader = imageio_ffmpeg.read_frames(
        str(p), input_params=input_params, output_params=["-vf", vf, *extra]
    )
    try:
        meta = next(reader)
        w, h = meta["size"]
        last, shot, kept = None, 0, 0
        for i, raw in enumerate(reader):
            rgb = np.frombuffer(raw, np.uint8).reshape(h, w, 3).astype(np.float32) / 255.0
            thumb = _thumb(rgb)
            diff = np.inf if last is None else float(np.abs(thumb - last).mean())
            if diff < duplicate_threshold:
                continue
            shot += last is not None and diff > shot_threshold
            last, kept = thumb, kept + 1
            yield Frame(rgb, f"shot{shot:03d}", f"{p.name}#t={i / fps:.3f}s")
            if kept >= max_frames:
                break
    except (RuntimeError, OSError, StopIteration, ValueError, KeyError, IndexError) as exc:
        last_line = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]  # ffmpeg's verdict
        raise ValueError(f"{p}: cannot decode video ({last_line})") from exc
    finally:
        reader.close()  # stops the ffmpeg process when we stop early
