"""Seeded (input, target) pairs from graded frames (stage `synthesize`).

For each pair: pick a frame (frames are used in turn, shuffled), a random square crop of it,
and 1..N seeded degradation ops. The target is the crop at the working size (and at full
resolution); the input is the same crop with the ops applied at each resolution, so the colour
relation input -> target is the same per pixel in both. All randomness is drawn up front in pair
order from one seed, so the pairs are byte-identical for the same params.

Modes (`synth.mode`):
- ``grade``: target = graded frame; input = degraded graded frame (the original project), or,
  with ``synth.input_from: neutral``, input = the neutral frame through the ops (varied neutral
  footage) and target = the look applied to that input (before JPEG/noise): every pair then
  holds the look itself, the function users want learned, and nothing unknowable per image.
- ``neutralize``: target = neutral frame; input = neutral frame with a random built-in look
  (and the degradation ops): data for the "one model for any look" reverse trick.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from lutml.config.synth import SynthConfig
from lutml.data.degrade import apply_ops
from lutml.data.frames import read_frames_manifest, resize_frame
from lutml.data.looks import get_look
from lutml.data.pairs import MANIFEST, pair_paths
from lutml.data.sampling import BalancedSigns, sample_look_op, sample_ops
from lutml.data.staging import staged_dir
from lutml.imageio import from_float, read_image


def plan_pairs(frames: list[dict], c: SynthConfig, seed: int) -> list[dict[str, Any]]:
    """Draw every pair's frame, square crop box and ops (JSON-ready, in id order)."""
    size, n = int(c.size), int(c.pairs)
    mode = c.mode
    if mode not in ("grade", "neutralize"):
        raise ValueError(
            f"synth.mode must be grade or neutralize for pairs (looks is the look estimator's mode), got {mode!r}"
        )
    if n < 1:
        raise ValueError(f"synth.pairs must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    sign = BalancedSigns(rng)
    order: list[int] = []
    plans = []
    for i in range(n):
        if not order:  # every frame once per round, in a fresh shuffled order
            order = rng.permutation(len(frames)).tolist()
        f = frames[order.pop()]
        w, h = f["size"]
        if min(w, h) < size:
            raise ValueError(
                f"frame {f['id']} ({f['source']}): {w}x{h} px is smaller than synth.size={size}"
            )
        side = int(np.clip(rng.uniform(*c.crop_fraction) * min(w, h), size, min(w, h)))
        x0, y0 = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
        ops = [sample_look_op(rng, c.neutralize)] if mode == "neutralize" else []
        ops += sample_ops(rng, sign, c)
        plans.append(
            {
                "id": f"{i:05d}",
                "group": f["group"],
                "frame": f["id"],
                "source": f["source"],
                "crop": [x0, y0, x0 + side, y0 + side],
                "full_size": min(side, int(c.full_max)),
                "ops": ops,
            }
        )
    return plans


def _checked(img: np.ndarray, what: str) -> np.ndarray:
    if not np.isfinite(img).all() or img.min() < 0.0 or img.max() > 1.0:
        raise AssertionError(f"{what}: NaN or out-of-range values after degradation")
    return img


def render_pair(
    plan: dict, frame: np.ndarray, size: int, look: Callable[[np.ndarray], np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """The four images of one pair from its plan and its frame (float32, [0, 1]).

    Without `look` the target is the crop and the input the crop through the ops. With `look`
    (``input_from: neutral``) the input is the neutral crop through the ops and the target is
    `look` of the input's colour ops (JPEG/noise stay input-only).
    """
    x0, y0, x1, y1 = plan["crop"]
    full = resize_frame(frame[y0:y1, x0:x1], (plan["full_size"], plan["full_size"]))
    out = {}
    for key, base in (("", resize_frame(full, (size, size))), ("full_", full)):
        what = f"pair {plan['id']}" + (" (full)" if key else "")
        if look is None:
            out[key + "target"] = base
            out[key + "input"] = _checked(apply_ops(base, plan["ops"]), what)
            continue
        colour = apply_ops(base, [op for op in plan["ops"] if op["op"] != "jpeg_noise"])
        noise = [op for op in plan["ops"] if op["op"] == "jpeg_noise"]
        out[key + "input"] = _checked(apply_ops(colour, noise), what)
        out[key + "target"] = _checked(np.clip(look(colour), 0.0, 1.0), what)
    return out


def _write_png8(path: Path, rgb: np.ndarray) -> None:
    # zlib level 1 instead of Pillow's 6: 3-4x faster encoding for ~15% larger files; PNG
    # encoding was 60% of the stage's time. Atomicity comes from the staged output folder.
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(from_float(rgb, 8), "RGB").save(path, format="PNG", compress_level=1)


def write_pair(pairs_dir: Path, pair_id: str, imgs: dict[str, np.ndarray]) -> None:
    """Write the four PNGs of a pair (8-bit RGB) in the pairs layout."""
    inp, tgt = pair_paths(pairs_dir, pair_id)
    full_inp, full_tgt = pair_paths(pairs_dir, pair_id, full=True)
    for path, key in (
        (inp, "input"),
        (tgt, "target"),
        (full_inp, "full_input"),
        (full_tgt, "full_target"),
    ):
        _write_png8(path, imgs[key])


def synthesize_pairs(
    frames_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    c: SynthConfig,
    seed: int,
    workers: int = min(4, os.cpu_count() or 1),
) -> dict:
    """Write `out_dir/{input,target,full/...}/<id>.png` and `manifest.json`; return the manifest."""
    frames_dir = Path(frames_dir)
    fm = read_frames_manifest(frames_dir)
    neutral_needed = c.mode == "neutralize" or c.input_from == "neutral"
    if neutral_needed and not fm["neutral"]:
        raise ValueError(
            f"{frames_dir}: synth.mode={c.mode}/input_from={c.input_from} needs "
            "neutral frames, but these frames were already graded (frames.graded=true)"
        )
    sub = "neutral" if neutral_needed else "graded"
    # input_from=neutral: targets are the frames' own look (from the frames manifest) applied to
    # each input, so the pairs hold the look itself.
    look = get_look(fm["look"]) if c.mode == "grade" and neutral_needed else None
    plans = plan_pairs(fm["frames"], c, seed)
    size = int(c.size)

    by_frame: dict[str, list[dict]] = {}
    for plan in plans:
        by_frame.setdefault(plan["frame"], []).append(plan)

    with staged_dir(out_dir) as tmp, tqdm(total=len(plans), desc="synthesize", unit="pair") as bar:

        def render_frame(fid: str) -> None:  # one task per frame: each frame is read once
            frame = read_image(frames_dir / sub / f"{fid}.png")
            for plan in by_frame[fid]:
                write_pair(tmp, plan["id"], render_pair(plan, frame, size, look))
                bar.update()

        # Threads, not processes: PNG zlib and the large numpy ops release the GIL.
        with ThreadPoolExecutor(max_workers=max(1, min(int(workers), len(by_frame)))) as pool:
            list(pool.map(render_frame, sorted(by_frame)))  # list(): re-raises a worker's error
        manifest = {
            "version": 1,
            "look": fm["look"],
            "mode": c.mode,
            "input_from": c.input_from,
            "size": size,
            "seed": seed,
            "frames_source": fm["source"],
            "pairs": plans,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest
