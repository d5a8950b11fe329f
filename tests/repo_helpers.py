"""Helpers for tests that run DVC in a fresh copy of this checkout on a tiny config."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lutml.pipeline.config import compose, dump_params

REPO = Path(__file__).resolve().parent.parent
# Small enough for a whole pipeline in about two minutes on 2 cores; same stages and code paths.
TINY = [
    "corpus.eval=4",
    "corpus.look=8",
    "frames.max_size=192",
    "frames.min_size=64",
    "synth.n_looks=120",
    "synth.lut_size=9",
    "synth.crops.per_photo=2",
    "synth.crops.size=32",
    "fit.size=9",
    "fit.basis.n_components=8",
    "train.epochs=2",
    "train.steps_per_epoch=5",
    "train.batch_size=4",
    "train.crops_per_batch=16",
    "train.val_batches=2",
    "train.trust_sets=60",
    "train.tone_sets=40",
    "model.width=32",
    "model.set_max=4",
    "eval.score_size=96",
    "eval.single_refs=1",
    "eval.families=[teal_orange]",
    "original.pairs=8",
    "original.size=64",
    "original.train.epochs=1",
    "original.train.val_pairs=1",
]


def run(cmd: list[str], cwd: Path, timeout: int = 600, extra_env: dict | None = None) -> str:
    """Run `cmd` in `cwd` with the venv first on PATH and a repo-local MLflow store (plus
    `extra_env`); assert success."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
        "DVC_NO_ANALYTICS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MLFLOW_TRACKING_URI": f"sqlite:///{cwd / 'mlflow.db'}",
        **(extra_env or {}),
    }
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    )
    return proc.stdout + proc.stderr


def copy_checkout(dst: Path, overrides: list[str]) -> Path:
    """Copy this checkout's tracked and new files (not tests/, nor data/ but the corpus) to `dst`,
    params from `overrides`."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in files:
        if (REPO / rel).is_file() and (
            rel.startswith("data/corpus/") or not rel.startswith(("data/", "tests/"))
        ):
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, dst / rel)
    (dst / "params.yaml").write_text(dump_params(compose(overrides)))
    (dst / "dvc.lock").unlink(missing_ok=True)
    return dst


def commit_all(repo: Path) -> None:
    """`git init` + commit everything (DVC experiments need a git repository)."""
    for cmd in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "tiny"],
    ):
        subprocess.run(cmd, cwd=repo, check=True)


def fresh_clone(dst: Path, overrides: list[str] = TINY) -> Path:
    """This checkout copied to `dst` (as `copy_checkout`) and committed as a fresh git repository;
    skips the test where git is not installed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    copy_checkout(dst, overrides)
    commit_all(dst)
    return dst
