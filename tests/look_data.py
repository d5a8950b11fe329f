"""Tiny look-estimator material in the pipeline's layout (synthesize, split, fit_luts outputs),
from synthetic photo-like crops and smooth random looks: seconds to write, seconds to train on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lutml.lut import identity_table


def smooth_crops(m: int, s: int, seed: int) -> np.ndarray:
    """Photo-like uint8 crops (m, s, s, 3): a base colour, smooth gradients and a little texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:s, 0:s] / s
    base = rng.uniform(40, 200, (m, 1, 1, 3))
    tilt = rng.normal(0, 60, (m, 2, 1, 1, 3))
    blob = rng.normal(0, 50, (m, 1, 1, 3)) * np.exp(
        -((xx - 0.5) ** 2 + (yy - 0.4) ** 2)[None, :, :, None] * 8
    )
    texture = rng.normal(0, 6, (m, s, s, 3))
    x = base + tilt[:, 0] * xx[None, :, :, None] + tilt[:, 1] * yy[None, :, :, None] + blob
    return np.clip(x + texture, 0, 255).astype(np.uint8)


def random_tables(n: int, size: int, seed: int) -> np.ndarray:
    """Smooth random looks (n, size, size, size, 3): per-channel gamma and gain plus a colour cast."""
    rng = np.random.default_rng(seed)
    ident = identity_table(size)[None]
    gamma = rng.uniform(0.6, 1.6, (n, 1, 1, 1, 3))
    gain = rng.uniform(0.8, 1.1, (n, 1, 1, 1, 3))
    cast = rng.normal(0, 0.03, (n, 1, 1, 1, 3))
    return np.clip(gain * ident**gamma + cast, 0, 1).astype(np.float32)


def make_look_data(
    root: Path, photos: int = 8, per_photo: int = 6, size: int = 16, looks: int = 24
) -> dict[str, Path]:
    """`pairs/` (crops.npz, looks.npz, looks.json), `split/split.json`, `luts/basis.npz` under `root`:
    the last two photos' crops and a quarter of the looks held out."""
    from lutml.data.looksynth import CROPS_FILE, LOOKS_FILE, LOOKS_MANIFEST
    from lutml.fit.basis import colour_weights, fit_basis, save_basis

    pairs, split, luts = root / "pairs", root / "split", root / "luts"
    for d in (pairs, split, luts):
        d.mkdir(parents=True, exist_ok=True)
    crops = smooth_crops(photos * per_photo, size, 0)
    group = np.repeat(np.arange(photos, dtype=np.int32), per_photo)
    tables = random_tables(looks, 5, 1)
    np.savez(pairs / CROPS_FILE, crops=crops, group=group)
    np.savez(pairs / LOOKS_FILE, tables=tables.astype(np.float16))
    manifest = {"photos": [f"p{i}" for i in range(photos)], "n_looks": looks, "lut_size": 5}
    (pairs / LOOKS_MANIFEST).write_text(json.dumps(manifest))
    n_test = 2 * per_photo
    parts = {
        "train_crops": list(range(len(crops) - n_test)),
        "test_crops": list(range(len(crops) - n_test, len(crops))),
        "train_looks": list(range(looks // 4, looks)),
        "test_looks": list(range(looks // 4)),
    }
    (split / "split.json").write_text(json.dumps(parts))
    tables16 = tables.astype(np.float16).astype(np.float32)  # as load_looks reads them
    weights = colour_weights(crops[parts["train_crops"]], 5, 0.1, 1.0)
    save_basis(fit_basis(tables16[parts["train_looks"]], weights, 6, 0), luts / "basis.npz")
    return {"pairs": pairs, "split": split, "luts": luts, "crops": crops[parts["train_crops"]]}
