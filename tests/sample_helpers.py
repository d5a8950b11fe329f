"""Tiny synthetic samples the tests build on: an asymmetric LUT, smooth photos, a fake photo corpus
and an untrained look estimator saved as the train stage saves one (or as its NumPy weights only),
a PNG that only claims a size, where a JPEG's entropy-coded data lies (to damage it).

Imported as `from sample_helpers import ...` from any tests/ subfolder (pytest's pythonpath): a
module of its own, not conftest.py, because several conftest.py files exist and which one
`import conftest` finds depends on the test folder pytest collected first.
"""

from __future__ import annotations

import csv
import json
import struct
import zlib
from pathlib import Path

import numpy as np

from lutml.config.corpus import CorpusConfig
from lutml.imageio import write_image
from lutml.lut import LUT3D, identity_table
from lutml.models.files import LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
from lutml.models.look_inference import colour_features_np, export_numpy_weights

CATEGORIES = ("animal", "building", "landscape")


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
    return CorpusConfig(root=str(make_fake_corpus(root, n)), eval=eval_, look=look)


def make_tiny_look_model(
    folder: Path, frame_size: int = 16, lut_size: int = 5, seed: int = 0
) -> Path:
    """An untrained (random) look estimator saved as the train stage saves one (.keras, .npz, model.json)."""
    import keras

    from lutml.models.look_encoder import LookEncoder

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


def make_numpy_look_model(folder: Path, **meta: object) -> Path:
    """A random look estimator as `look_encoder.npz` + `model.json` only (no .keras, no TF): what
    `lutml grade` and the web app read. `meta` adds keys to model.json (e.g. ``shrinkage``).

    Also used by scripts/adversarial/fixtures.py (the adversarial pass's small model)."""
    rng = np.random.default_rng(0)
    f = colour_features_np(np.zeros((1, 4, 4, 3), np.float32)).shape[1]
    m = 5**3 * 3
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(
        folder / LOOK_WEIGHTS_FILE,
        frame_size=np.int64(16),
        lut_size=np.int64(5),
        mean=rng.normal(0, 0.01, m).astype(np.float32),
        basis=rng.normal(0, 0.02, (4, m)).astype(np.float32),
        node_weights=np.ones(125, np.float32),
        **{
            "frame.00.kernel": rng.normal(0, 0.05, (f, 8)).astype(np.float32),
            "frame.00.bias": np.zeros(8, np.float32),
            "head.00.kernel": rng.normal(0, 0.05, (8 + f, 4)).astype(np.float32),
            "head.00.bias": np.zeros(4, np.float32),
        },
    )
    base = {"name": "look_encoder", "kind": "look", "frame_size": 16, "lut_size": 5}
    (folder / META_FILE).write_text(json.dumps({**base, **meta}))
    return folder


def jpeg_scan_bounds(data: bytes) -> tuple[int, int]:
    """(start, end) of the first scan's entropy-coded data of a JPEG (`data`, the whole file).

    Also used by scripts/adversarial/fixtures.py (its damaged JPEGs)."""
    sos = data.find(b"\xff\xda")
    start = sos + 2 + struct.unpack(">H", data[sos + 2 : sos + 4])[0]
    end = start
    while True:
        end = data.find(b"\xff", end)
        if data[end + 1] not in (0x00, *range(0xD0, 0xD8)):
            return start, end
        end += 2


def png_claiming(width: int, height: int, bit_depth: int = 8) -> bytes:
    """A PNG whose IHDR claims a size (huge: a decompression bomb's calling card), followed by a few
    bytes of nothing (never decodable)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\x00" * 64
