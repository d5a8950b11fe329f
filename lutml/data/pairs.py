"""Reading the synthesized pairs and the split: the API training and evaluation code against.

Pairs are (input, target) images: `input` is a degraded (or differently graded) version of
`target`, and the model learns input -> target. Working-size images are square
(`manifest["size"]` px); `full=True` gives the same crop at the frame's full resolution.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lutml.imageio import read_image

MANIFEST = "manifest.json"
SPLIT_NAMES = ("train", "test")


def pair_paths(
    pairs_dir: str | os.PathLike[str], pair_id: str, full: bool = False
) -> tuple[Path, Path]:
    """(input, target) PNG paths of pair `pair_id`; `full=True` for the full-resolution crop."""
    root = Path(pairs_dir) / "full" if full else Path(pairs_dir)
    return root / "input" / f"{pair_id}.png", root / "target" / f"{pair_id}.png"


def load_pair(
    pairs_dir: str | os.PathLike[str], pair_id: str, full: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Load one pair as float32 RGB arrays (H, W, 3) in [0, 1], sRGB-encoded.

    Parameters
    ----------
    pairs_dir : the `synthesize` output folder (e.g. ``data/pairs``)
    pair_id : an id from `read_split` or the manifest (e.g. ``"00042"``)
    full : False for the working-size square crop, True for the same crop at full resolution

    Returns
    -------
    (input, target) : both float32, same shape (H, W, 3)
    """
    inp_path, tgt_path = pair_paths(pairs_dir, pair_id, full)
    inp, tgt = read_image(inp_path), read_image(tgt_path)
    if inp.shape != tgt.shape:
        raise ValueError(f"{inp_path}: shape {inp.shape} differs from its target {tgt.shape}")
    return inp, tgt


def read_manifest(pairs_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The pairs manifest: ``{"look", "mode", "size", "seed", "pairs": [{"id", "group", ...}]}``."""
    path = Path(pairs_dir) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no pairs manifest (run `dvc repro synthesize`)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("pairs"), list):
        raise ValueError(f"{path}: expected an object with a 'pairs' list")
    return manifest


def pair_groups(pairs_dir: str | os.PathLike[str]) -> dict[str, str]:
    """pair id -> group (the source photo / shot); pairs of one group are never split apart."""
    return {str(p["id"]): str(p.get("group", p["id"])) for p in read_manifest(pairs_dir)["pairs"]}


def read_split(split_dir: str | os.PathLike[str]) -> dict[str, list[str]]:
    """The split lists: ``{"train": [ids...], "test": [ids...]}`` from `train.txt`/`test.txt`."""
    out: dict[str, list[str]] = {}
    for name in SPLIT_NAMES:
        path = Path(split_dir) / f"{name}.txt"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: split list missing (run `dvc repro split`)")
        out[name] = [
            line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    return out
