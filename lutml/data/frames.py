"""Frames of the look, and the held-out neutral photos it is scored on (stage `frames`).

Output (a DVC output folder, written atomically as a whole)::

    <out>/graded/<id>.png    frames in the look: what the user gives (story 2: "frames of a look")
    <out>/neutral/<id>.png   the same frames before the look, only when the look is known (embedded
                             corpus or a neutral folder/video graded with conf/look); used solely for
                             the pair-fit upper bound of the evaluation, never for training
    <out>/heldout/<id>.png   neutral corpus photos of role ``eval``: the user's "own footage" on
                             which the learned look is scored (and previewed when the look is unknown)
    <out>/frames.json        source, look, and per frame: id, group, source file, crop, scale, flip

Sources (`frames.source`): ``embedded`` = the corpus photos of role ``look`` (see
`lutml.data.corpus`), graded with the look; a ``folder`` of stills; a ``video`` file. Folder and
video frames are graded with the look unless `frames.graded` says they already are. Folder and
video frames in a camera colour space (`frames.colour_space`, e.g. ``ARRI LogC3 (EI800)``; null =
display sRGB, untouched) are first converted to the working space, display sRGB, by OpenColorIO
(`lutml.lut.spaces.to_working`), before anything else sees them; OpenEXR frames reach that
conversion with their values above 1 and below 0, and without a colour space they are taken as
display values, clipped to [0, 1] with a warning. Float (EXR) frames are stored as 16-bit PNG.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lutml.config.corpus import CorpusConfig
from lutml.config.frames import FramesConfig
from lutml.config.look import LookConfig
from lutml.data.corpus import CorpusPhoto, corpus_roles
from lutml.data.looks import get_look, look_params
from lutml.data.sources import Frame, folder_frames, video_frames
from lutml.data.staging import staged_dir
from lutml.imageio import FLOAT_DEPTH, outside_unit_range, read_image_full, write_image
from lutml.lut.spaces import resolve_space, to_working
from lutml.resize import fit_within, resize_image

FRAMES_MANIFEST = "frames.json"


def resize_frame(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a frame, crop or pair image float32 (H, W, 3) to `size` = (height, width): Lanczos
    per channel in float precision (`lutml.resize.resize_image`), clipped to [0, 1]; returned as
    is when already that size."""
    height, width = size
    if rgb.shape[:2] == (height, width):
        return rgb.astype(np.float32, copy=False)
    return np.clip(resize_image(rgb, (height, width), "lanczos"), 0.0, 1.0)


def shrink_frame(rgb: np.ndarray, max_size: int) -> np.ndarray:
    """Downscale so that the long side is at most `max_size` (never upscales), Lanczos, clipped to [0, 1]."""
    if max(rgb.shape[:2]) <= max_size:
        return rgb
    return np.clip(fit_within(rgb, max_size, "lanczos"), 0.0, 1.0)


def random_cuts(frame: Frame, n: int, rng: np.random.Generator, c: FramesConfig) -> Iterator[Frame]:
    """`n` random crops of a photo: crop size, aspect (up to 3:2), position, h-flip, downscale.

    Each crop's short side stays >= `c.min_size` px, so later square crops of the working
    size never need upscaling.
    """
    h, w = frame.rgb.shape[:2]
    short, min_size = min(h, w), int(c.min_size)
    if short < min_size:
        raise ValueError(f"{frame.source}: {w}x{h} px is smaller than frames.min_size={min_size}")
    for _ in range(n):
        s = int(np.clip(rng.uniform(*c.crop) * short, min_size, short))
        long = int(min(s * rng.uniform(1.0, 1.5), max(h, w)))
        ch, cw = (s, long) if w >= h else (long, s)
        y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        crop = frame.rgb[y0 : y0 + ch, x0 : x0 + cw]
        flip = bool(rng.random() < 0.5)
        crop = crop[:, ::-1] if flip else crop
        scale = float(rng.uniform(max(min_size / s, 0.7), 1.0)) if s > min_size else 1.0
        out = resize_frame(
            crop, (max(min_size, round(ch * scale)), max(min_size, round(cw * scale)))
        )
        out = shrink_frame(out, int(c.max_size))
        info = {"box": [x0, y0, x0 + cw, y0 + ch], "flip": flip, "scale": round(scale, 5)}
        yield Frame(out, frame.group, frame.source, frame.bit_depth, info)


def corpus_frame(photo: CorpusPhoto) -> Frame:
    """A corpus photo as a `Frame` (group = photo name, source = its path inside the repo)."""
    return Frame(read_image_full(photo.path).as_float(), photo.name, f"photos/{photo.path.name}")


def iter_source(
    c: FramesConfig, seed: int, skipped: list[str], look_photos: list[CorpusPhoto]
) -> Iterator[Frame]:
    """Frames of the configured source (`frames.source`), before any grading.

    ``embedded``: each corpus photo of role ``look`` whole (`per_photo` = 1) or cut into
    `per_photo` seeded random crops.
    """
    source = c.source
    if source == "embedded":
        for photo in look_photos:
            frame = corpus_frame(photo)
            if int(c.per_photo) == 1:
                yield Frame(shrink_frame(frame.rgb, int(c.max_size)), frame.group, frame.source)
                continue
            rng = np.random.default_rng([seed, *photo.name.encode()])  # per photo: others unchanged
            yield from random_cuts(frame, int(c.per_photo), rng, c)
        return
    if not c.path:
        raise ValueError(f"frames.source={source} needs frames.path (a folder or a video file)")
    if source == "folder":
        frames = folder_frames(c.path, skipped)
    elif source == "video":
        v = c.video
        frames = video_frames(
            c.path,
            float(v.fps),
            int(v.max_frames),
            float(v.duplicate_threshold),
            float(v.shot_threshold),
        )
    else:
        raise ValueError(f"frames.source must be embedded, folder or video, got {source!r}")
    space = colour_space(c)
    for f in frames:
        if space is not None:  # float32 in [0, 1] either way; sizes and provenance unchanged
            f = Frame(to_working(f.rgb, space), f.group, f.source, f.bit_depth, f.info)
        elif f.bit_depth == FLOAT_DEPTH:  # an EXR frame taken as display sRGB values
            outside = outside_unit_range(f.rgb)
            if outside:
                warnings.warn(
                    f"{f.source}: {outside:.1%} of the pixels lie outside 0-1 and were clipped "
                    "(frames.colour_space is null: EXR values are taken as display sRGB; set "
                    "it to the footage's space, e.g. 'Linear Rec.709 (sRGB)', to convert them)",
                    stacklevel=2,
                )
            f = Frame(np.clip(f.rgb, 0.0, 1.0), f.group, f.source, f.bit_depth, f.info)
        h, w = f.rgb.shape[:2]
        if min(h, w) < int(c.min_size):
            skipped.append(f"{f.source}: {w}x{h} px is smaller than frames.min_size={c.min_size}")
            continue
        yield Frame(shrink_frame(f.rgb, int(c.max_size)), f.group, f.source, f.bit_depth, f.info)


def colour_space(c: FramesConfig) -> str | None:
    """The OpenColorIO name of `frames.colour_space` (None when null/absent: display sRGB).

    Raises ValueError for an unknown name (listing the valid ones) or for the embedded source,
    whose corpus photos are sRGB.
    """
    name = c.colour_space
    if name is None:
        return None
    if c.source == "embedded":
        raise ValueError(
            f"frames.colour_space={name!r} is for frames.source=folder or video; "
            "the embedded corpus photos are sRGB (set it to null)"
        )
    return resolve_space(str(name))


def make_frames(
    out_dir: str | os.PathLike[str],
    c: FramesConfig,
    look_cfg: LookConfig | str | Mapping[str, Any],
    corpus_cfg: CorpusConfig,
    seed: int,
) -> dict:
    """Write the graded (and neutral) frames of the configured source and the held-out photos.

    Returns the manifest. Single bad files of a folder are skipped and listed (manifest
    ``skipped``); if no frame is usable the stage fails and nothing is written.
    """
    space = colour_space(c)  # a bad name fails before anything is written
    already_graded = c.source != "embedded" and bool(c.graded)
    look = None if already_graded else get_look(look_cfg)
    name, params = look_params(look_cfg)
    roles = corpus_roles(corpus_cfg, seed)
    skipped: list[str] = []
    records = []
    with staged_dir(out_dir) as tmp:
        heldout = _write_heldout(tmp / "heldout", roles["eval"], int(c.max_size))
        for i, f in enumerate(iter_source(c, seed, skipped, roles["look"])):
            fid, depth = f"f{i:05d}", 8 if f.bit_depth == 8 else 16  # 16-bit PNG for 16/float
            neutral = np.rint(f.rgb * (2**depth - 1)) / (2**depth - 1)  # what neutral/ will hold
            if look is not None:
                write_image(tmp / "neutral" / f"{fid}.png", neutral, bit_depth=depth)
            graded = neutral if look is None else look(neutral.astype(np.float32))
            write_image(tmp / "graded" / f"{fid}.png", graded, bit_depth=depth)
            h, w = f.rgb.shape[:2]
            records.append(
                {"id": fid, "group": f.group, "source": f.source, "size": [w, h], **f.info}
            )
        if not records:
            raise ValueError(
                f"frames: no usable frame from {c.path or c.source}: " + "; ".join(skipped[:5])
            )
        manifest = {
            "source": c.source,
            "path": c.path,
            "look": None if already_graded else {"name": name, **params},
            "neutral": look is not None,
            "frames": records,
            "heldout": heldout,
            "skipped": skipped,
        }
        if space is not None:  # only then: default manifests stay byte-identical
            manifest["colour_space"] = space
        (tmp / FRAMES_MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _write_heldout(folder: Path, photos: list[CorpusPhoto], max_size: int) -> list[dict]:
    """The neutral evaluation photos, downscaled to `max_size`, as 8-bit PNG; their records."""
    records = []
    for photo in photos:
        rgb = shrink_frame(read_image_full(photo.path).as_float(), max_size)
        write_image(folder / f"{photo.name}.png", rgb, bit_depth=8)
        h, w = rgb.shape[:2]
        records.append(
            {
                "id": photo.name,
                "group": photo.name,
                "source": f"photos/{photo.path.name}",
                "size": [w, h],
            }
        )
    return records


def read_frames_manifest(frames_dir: str | os.PathLike[str]) -> dict:
    """The frames manifest written by `make_frames`."""
    path = Path(frames_dir) / FRAMES_MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no frames manifest (run `dvc repro frames`)")
    return json.loads(path.read_text(encoding="utf-8"))
