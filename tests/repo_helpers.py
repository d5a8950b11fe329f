"""Helpers for tests that run DVC in a fresh copy of this checkout on a tiny config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from lutml.config import compose, dump_params

REPO = Path(__file__).resolve().parent.parent
# Small enough for a whole pipeline in about a minute on 2 cores; same stages and code paths.
# 16 pairs = 2 per embedded photo, so the grouped split's 2 test photos hold >= 3 test pairs.
TINY = [
    "frames.per_photo=1", "frames.min_size=64", "frames.max_size=128",
    "synth.pairs=16", "synth.size=64", "synth.full_max=128",
    "fit.size=9", "fit.workers=1", "train.epochs=2", "train.batch_size=4", "train.validate_every=2",
    "train.val_pairs=2", "train.val_lut_size=9", "eval.max_pairs=3", "eval.preview_pairs=2",
]  # fmt: skip


def run(cmd: list[str], cwd: Path, timeout: int = 600) -> str:
    """Run `cmd` in `cwd` with the venv first on PATH and a repo-local MLflow store; assert success."""
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "MLFLOW_TRACKING_URI": f"sqlite:///{cwd / 'mlflow.db'}"}  # fmt: skip
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout + proc.stderr


def copy_checkout(dst: Path, overrides: list[str]) -> Path:
    """Copy this checkout's tracked and new files (not data/, tests/) to `dst`, params from `overrides`."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()  # fmt: skip
    for rel in files:
        if (REPO / rel).is_file() and not rel.startswith(("data/", "tests/")):
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, dst / rel)
    (dst / "params.yaml").write_text(dump_params(compose(overrides)))
    (dst / "dvc.lock").unlink(missing_ok=True)
    return dst


def commit_all(repo: Path) -> None:
    """`git init` + commit everything (DVC experiments need a git repository)."""
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "tiny"]):  # fmt: skip
        subprocess.run(cmd, cwd=repo, check=True)
