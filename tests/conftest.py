"""Shared test fixtures: a tiny fake photo corpus, an asymmetric LUT, and the TensorFlow environment."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any test imports TensorFlow

from lutml.lut import LUT3D, identity_table  # noqa: E402  (after the TensorFlow environment)

CATEGORIES = ("animal", "building", "landscape")

#: The longest modules (docs/training-speed.md, "Test suite"), run first: under `make test`'s
#: `-n 2 --dist loadscope --no-loadscope-reorder` each goes to a worker early, so neither worker is left with one at the end.
LONGEST_FIRST = (
    "tests/pipeline/test_pipeline_e2e.py",
    "tests/train/test_train_sweep.py",
    "tests/train/test_train_pipeline.py",
    "tests/train/test_train_multiworker.py",
    "tests/train/test_look_distributed.py",
    "tests/train/test_palette_training.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable


def asymmetric_lut(size: int) -> LUT3D:
    """Red-only gain then a channel swap (out = 1.3 r -> blue, g -> red, b -> green) + a wiggle."""
    grid = identity_table(size)
    r, g, b = grid[..., 0] * 1.3, grid[..., 1], grid[..., 2]
    table = np.stack([g, b, r], axis=-1) + 0.01 * np.sin(9.0 * grid)
    return LUT3D(table.astype(np.float32), title=f"asymmetric {size}", comments=["made by a test"])


def smooth_photo(seed: int, h: int = 90, w: int = 120) -> np.ndarray:
    """A smooth random colour image (gradients), float32 (h, w, 3) in [0, 1]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    a = rng.random((3, 3))
    img = np.stack(
        [0.5 + 0.4 * np.sin(3 * a[c, 0] * x + 4 * a[c, 1] * y + 6 * a[c, 2]) for c in range(3)], -1
    )
    return img.astype(np.float32)


def make_fake_corpus(root: Path, n: int = 12, h: int = 90, w: int = 120) -> Path:
    """`n` smooth colour photos and a SOURCES.csv in `root` (the layout of data/corpus)."""
    from lutml.imageio import write_image

    if (root / "SOURCES.csv").is_file():
        return root
    rows = []
    for i in range(n):
        name = f"photo{i:02d}"
        write_image(root / "photos" / f"{name}.png", smooth_photo(100 + i, h, w))
        rows.append(
            {
                "file": f"photos/{name}.png",
                "title": name,
                "category": CATEGORIES[i % 3],
                "author": "test",
                "licence": "CC0-1.0",
                "source_url": "",
                "origin": "tests",
            }
        )
    with (root / "SOURCES.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


def fake_corpus_cfg(root: Path, n: int = 12, eval_: int = 3, look: int = 4):
    """A `corpus` config block for a fake corpus made in `root` (see `make_fake_corpus`)."""
    from lutml.config.corpus import CorpusConfig

    return CorpusConfig(root=str(make_fake_corpus(root, n)), eval=eval_, look=look)


def make_tiny_look_model(
    folder: Path, frame_size: int = 16, lut_size: int = 5, seed: int = 0
) -> Path:
    """An untrained (random) look estimator saved as the train stage saves one (.keras, .npz, model.json)."""
    import json

    import keras

    from lutml.models.files import LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
    from lutml.models.look_encoder import LookEncoder
    from lutml.models.look_inference import export_numpy_weights

    keras.utils.set_random_seed(seed)
    enc = LookEncoder(frame_size, 4, lut_size, 16)
    enc.build_all()
    rng = np.random.default_rng(seed)
    m = lut_size**3 * 3
    enc.set_basis(rng.normal(0, 0.01, m), rng.normal(0, 0.02, (4, m)), np.ones(lut_size**3))
    folder.mkdir(parents=True, exist_ok=True)
    enc.save(folder / LOOK_ENCODER_FILE)
    export_numpy_weights(enc, folder / LOOK_WEIGHTS_FILE)
    meta = {
        "name": "look_encoder",
        "variant": "tiny-look-estimator",
        "kind": "look",
        "frame_size": frame_size,
        "lut_size": lut_size,
        "look": None,
        "shrinkage": {"1": 0.8, "8": 1.0},
    }
    (folder / META_FILE).write_text(json.dumps(meta))
    return folder
