"""Training material of the look estimator (stage `synthesize`, `synth.mode: looks`).

Output (a DVC output folder, written atomically as a whole)::

    <out>/crops.npz     uint8 crops (M, S, S, 3) of the corpus photos of role ``train`` and the
                        index of the photo each comes from (the split's group)
    <out>/looks.npz     the random look bank: float16 LUT tables (N, n, n, n, 3)
    <out>/looks.json    every look's recipe (`lutml.data.lookgen`) and the photo names
    <out>/preview.png   a few random looks on a few crops (what the estimator learns from)

Only neutral photos of role ``train`` are read: the estimator never sees the look it will be
asked about, nor the neutral versions of the graded frames, nor the held-out photos.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from lutml.config.corpus import CorpusConfig
from lutml.config.synth import SynthConfig
from lutml.data.corpus import corpus_roles
from lutml.data.lookgen import apply_recipe, look_bank
from lutml.data.staging import staged_dir
from lutml.imageio import read_image_full, write_image
from lutml.resize import resize_image

CROPS_FILE, LOOKS_FILE, LOOKS_MANIFEST = "crops.npz", "looks.npz", "looks.json"


def random_square_crops(
    rgb: np.ndarray, n: int, size: int, scale: tuple[float, float], rng: np.random.Generator
) -> np.ndarray:
    """`n` random square crops (side = U(scale) x short side, random flip), area-resized to `size`; uint8."""
    h, w = rgb.shape[:2]
    out = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        s = max(size, int(rng.uniform(*scale) * min(h, w)))
        y0, x0 = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
        crop = rgb[y0 : y0 + s, x0 : x0 + s]
        crop = crop[:, ::-1] if rng.random() < 0.5 else crop
        out[i] = np.rint(np.clip(resize_image(crop, (size, size), "area"), 0.0, 1.0) * 255.0)
    return out


def synthesize_looks(
    out_dir: str | os.PathLike[str],
    corpus_cfg: CorpusConfig,
    c: SynthConfig,
    seed: int,
    progress: bool = True,
) -> dict[str, Any]:
    """Write crops of the training photos and the random look bank; return the manifest."""
    from tqdm import tqdm

    photos = corpus_roles(corpus_cfg, seed)["train"]
    k = c.crops
    crops, group = [], []
    for i, photo in enumerate(tqdm(photos, desc="crops", unit="photo", disable=not progress)):
        rng = np.random.default_rng([seed, 21, i])
        rgb = read_image_full(photo.path).as_float()
        crops.append(random_square_crops(rgb, int(k.per_photo), int(k.size), tuple(k.scale), rng))
        group += [i] * int(k.per_photo)
    tables, recipes = look_bank(int(c.n_looks), seed, c.prior, int(c.lut_size), progress=progress)
    manifest = {
        "mode": "looks",
        "photos": [p.name for p in photos],
        "crop_size": int(k.size),
        "n_crops": len(group),
        "n_looks": len(recipes),
        "lut_size": int(c.lut_size),
        "recipes": recipes,
    }
    with staged_dir(out_dir) as tmp:
        np.savez(tmp / CROPS_FILE, crops=np.concatenate(crops), group=np.asarray(group, np.int32))
        np.savez(tmp / LOOKS_FILE, tables=tables.astype(np.float16))
        (tmp / LOOKS_MANIFEST).write_text(json.dumps(manifest) + "\n", encoding="utf-8")
        write_image(tmp / "preview.png", _preview(np.concatenate(crops), recipes, seed))
    return manifest


def _preview(
    crops: np.ndarray, recipes: list, seed: int, rows: int = 4, cols: int = 8
) -> np.ndarray:
    """Grid: each row one crop, the first column neutral, then random looks of the bank."""
    from lutml.preview import image_grid

    rng = np.random.default_rng([seed, 22])
    grid = []
    for i in rng.choice(len(crops), rows, replace=False):
        x = crops[i].astype(np.float32) / 255.0
        grid.append([x] + [apply_recipe(x, recipes[j]) for j in range(1, cols)])
    return image_grid(grid, ["neutral"] + [f"look {j}" for j in range(1, cols)], height=96)


def load_looks(
    pairs_dir: str | os.PathLike[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(crops uint8, crop groups int32, look tables float32, manifest) written by `synthesize_looks`."""
    from pathlib import Path

    d = Path(pairs_dir)
    for name in (CROPS_FILE, LOOKS_FILE, LOOKS_MANIFEST):
        if not (d / name).is_file():
            raise FileNotFoundError(
                f"{d / name}: missing (run `dvc repro synthesize` with synth.mode=looks)"
            )
    with np.load(d / CROPS_FILE) as z:
        crops, group = z["crops"], z["group"]
    with np.load(d / LOOKS_FILE) as z:
        tables = z["tables"].astype(np.float32)
    return crops, group, tables, json.loads((d / LOOKS_MANIFEST).read_text(encoding="utf-8"))
