"""`dvc repro` of frames -> synthesize -> split in a fresh copy of this checkout, on a tiny config.

Checks what DVC promises users: the stages run from a clean checkout, a second `dvc repro`
does nothing, and the same params give byte-identical outputs when everything is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from repo_helpers import fresh_clone, run

DATA_STAGES = ("frames", "synthesize", "split")

pytestmark = pytest.mark.slow


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every output file; git's .gitignore bookkeeping (committed under data/) is not output."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".gitignore" and "corpus" not in p.parts
    }


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_clone(tmp_path_factory.mktemp("clone") / "repo")


def test_repro_fresh_clone_then_noop_then_identical(clone: Path) -> None:
    # frames is not upstream of split (synthesize crops the corpus itself): both are targets
    out = run(["dvc", "repro", "frames", "split"], clone)
    for stage in DATA_STAGES:
        assert f"Running stage '{stage}'" in out
    frames = json.loads((clone / "data/frames/frames.json").read_text())
    assert len(frames["frames"]) == 8 and len(frames["heldout"]) == 4  # corpus.look / corpus.eval
    with np.load(clone / "data/pairs/crops.npz") as z:
        assert z["crops"].shape == (
            2 * 114,
            32,
            32,
            3,
        )  # 2 crops of each of the 114 training photos
    split = json.loads((clone / "data/split/split.json").read_text())
    assert len(split["train_looks"]) + len(split["test_looks"]) == 120
    first = digest(clone / "data")

    again = run(["dvc", "repro", "frames", "split"], clone)
    assert "Running stage" not in again  # nothing changed: nothing runs

    for sub in ("frames", "pairs", "split"):
        shutil.rmtree(clone / "data" / sub)
    shutil.rmtree(clone / ".dvc" / "cache", ignore_errors=True)
    forced = run(["dvc", "repro", "--force", "frames", "split"], clone)
    assert "Running stage 'synthesize'" in forced
    assert (
        digest(clone / "data") == first
    )  # same params, byte-identical frames, crops, looks, split
