"""`dvc repro` of frames -> synthesize -> split in a fresh clone, on a tiny config.

Checks what DVC promises users: the stages run from a clean checkout, a second `dvc repro`
does nothing, and the same params give byte-identical pairs when everything is recomputed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lutml.config import compose, dump_params

REPO = Path(__file__).resolve().parent.parent
DATA_STAGES = ("frames", "synthesize", "split")
TINY = ["frames.per_photo=1", "frames.min_size=64", "frames.max_size=128",
        "synth.pairs=16", "synth.size=48", "synth.full_max=96"]  # fmt: skip

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path) -> str:
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(cwd), "DVC_NO_ANALYTICS": "1"}  # fmt: skip
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every output file; git's .gitignore bookkeeping (committed under data/) is not output."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".gitignore"}  # fmt: skip


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone of the committed repository with only the data stages and tiny params."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    # Copy the working-tree versions of the data code, so the test checks this checkout.
    for rel in [
        "lutml/looks.py",
        "lutml/data",
        "stages/frames.py",
        "stages/synthesize.py",
        "stages/split.py",
    ]:
        src, dst = REPO / rel, repo / rel
        if src.is_dir():
            shutil.copytree(
                src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(src, dst)
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    (repo / "dvc.yaml").write_text(
        yaml.safe_dump({"stages": {s: stages[s] for s in DATA_STAGES}}, sort_keys=False)
    )
    (repo / "params.yaml").write_text(dump_params(compose(TINY)))
    return repo


def test_repro_fresh_clone_then_noop_then_identical(clone: Path) -> None:
    out = run(["dvc", "repro", "split"], clone)
    for stage in DATA_STAGES:
        assert f"Running stage '{stage}'" in out
    pairs = clone / "data" / "pairs"
    assert len(list((pairs / "input").glob("*.png"))) == 16
    assert len(list((pairs / "full" / "target").glob("*.png"))) == 16
    train = (clone / "data/split/train.txt").read_text().split()
    test = (clone / "data/split/test.txt").read_text().split()
    assert len(train) + len(test) == 16 and train and test
    first = digest(clone / "data")

    again = run(["dvc", "repro", "split"], clone)
    assert "Running stage" not in again  # nothing changed: nothing runs

    shutil.rmtree(clone / "data")
    shutil.rmtree(clone / ".dvc" / "cache", ignore_errors=True)
    forced = run(["dvc", "repro", "--force", "split"], clone)
    assert "Running stage 'synthesize'" in forced
    assert digest(clone / "data") == first  # same params, byte-identical frames, pairs, split
