"""Training crops of a corpus of any size as shards: the look estimator's material for
`train.strategy=multi_worker`, where each worker holds only its share of the crops.

The `synthesize` stage writes every training crop into one ``crops.npz`` (fine for the 126
embedded photos: 36 MB). A corpus of 100k photos would be ~33 GB of crops; here the photos of a
folder are cropped a shard at a time (memory: one shard) into::

    <out>/crops-00000.npz   uint8 crops (m, S, S, 3) and ``group`` (m,) the photo of each crop
    <out>/crops-00001.npz   ...
    <out>/shards.json       photo names, crops per photo, crop size, shard count

A worker of `W` reads shards ``worker, worker + W, ...`` (`read_crop_shards`): memory ~ corpus / W.
Crops are drawn as `lutml.data.looksynth.synthesize_looks` draws them (photo `i` with the generator
``[seed, 21, i]``), so the shards of the corpus' training photos hold the same crops as crops.npz.

    python -m lutml.data.crop_shards PHOTOS_DIR OUT_DIR [--per-photo 48 --size 48 --shard-photos 256]
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SHARD_GLOB, SHARDS_MANIFEST = "crops-*.npz", "shards.json"
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".exr")


def write_crop_shards(
    photos: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    per_photo: int,
    size: int,
    scale: tuple[float, float],
    seed: int,
    shard_photos: int = 256,
) -> dict:
    """Crop `photos` (`per_photo` square crops of `size` px each) into shards of `shard_photos`
    photos; returns the manifest written to ``shards.json``. Unreadable photos raise."""
    from lutml.data.looksynth import random_square_crops
    from lutml.imageio import read_image_full

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_shards = 0
    for lo in range(0, len(photos), int(shard_photos)):
        crops, group = [], []
        for i in range(lo, min(lo + int(shard_photos), len(photos))):
            rgb = read_image_full(photos[i]).as_float()
            rng = np.random.default_rng([seed, 21, i])
            crops.append(random_square_crops(rgb, int(per_photo), int(size), tuple(scale), rng))
            group += [i] * int(per_photo)
        np.savez(
            out / f"crops-{n_shards:05d}.npz",
            crops=np.concatenate(crops),
            group=np.asarray(group, np.int32),
        )
        n_shards += 1
    manifest = {
        "photos": [Path(p).name for p in photos],
        "per_photo": int(per_photo),
        "crop_size": int(size),
        "shards": n_shards,
    }
    (out / SHARDS_MANIFEST).write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    return manifest


def shard_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The shard files of `folder`, in order; raises FileNotFoundError when there are none."""
    files = sorted(Path(folder).glob(SHARD_GLOB))
    if not files:
        raise FileNotFoundError(
            f"{folder}: no {SHARD_GLOB} shards (write them with `python -m lutml.data.crop_shards`)"
        )
    return files


def read_crop_shards(
    folder: str | os.PathLike[str], worker: int = 0, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Crops uint8 (m, S, S, 3) and photo groups (m,) of the shards of `worker` of `workers`:
    shards ``worker, worker + workers, ...`` of `folder` (every shard for one worker)."""
    files = shard_files(folder)[int(worker) :: int(workers)]
    if not files:
        raise ValueError(
            f"{folder}: {len(shard_files(folder))} shards for {workers} workers: worker {worker} "
            "gets none (write smaller shards: --shard-photos)"
        )
    crops, groups = [], []
    for f in files:
        with np.load(f) as z:
            crops.append(z["crops"])
            groups.append(z["group"])
    return np.concatenate(crops), np.concatenate(groups)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lutml.data.crop_shards", description=__doc__)
    p.add_argument("photos_dir", type=Path, help="folder of photos (searched recursively)")
    p.add_argument("out_dir", type=Path)
    p.add_argument("--per-photo", type=int, default=48)
    p.add_argument("--size", type=int, default=48)
    p.add_argument("--scale", type=float, nargs=2, default=(0.3, 1.0))
    p.add_argument("--shard-photos", type=int, default=256)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args(argv)
    photos = sorted(
        f for f in a.photos_dir.rglob("*") if f.suffix.lower() in PHOTO_SUFFIXES and f.is_file()
    )
    if not photos:
        raise SystemExit(f"crop_shards: no photos ({', '.join(PHOTO_SUFFIXES)}) in {a.photos_dir}")
    m = write_crop_shards(
        photos, a.out_dir, a.per_photo, a.size, tuple(a.scale), a.seed, a.shard_photos
    )
    print(f"crop_shards: {len(photos)} photos -> {m['shards']} shards in {a.out_dir}")


if __name__ == "__main__":
    main()
