"""The whole DVC pipeline on a tiny config in a fresh copy of this checkout, plus `lutml grade`.

frames -> synthesize -> split -> fit_luts -> train -> evaluate must run from a clean tree, a
second `dvc repro` must do nothing, and retraining from scratch must give the same LUT bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lutml.config import compose, dump_params
from lutml.evaluate import METHODS, METRICS

REPO = Path(__file__).resolve().parent.parent
TINY = [
    "frames.per_photo=1", "frames.min_size=64", "frames.max_size=128",
    "synth.pairs=12", "synth.size=64", "synth.full_max=128",
    "fit.size=9", "fit.workers=1", "train.epochs=2", "train.batch_size=4", "train.validate_every=2",
    "train.val_pairs=2", "train.val_lut_size=9", "eval.max_pairs=3", "eval.preview_pairs=2",
]  # fmt: skip

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, timeout: int = 600) -> str:
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "MLFLOW_TRACKING_URI": f"sqlite:///{cwd / 'mlflow.db'}"}  # fmt: skip
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's tracked and new files (not data/, .venv) as a fresh git repo, tiny params."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    dst = tmp_path_factory.mktemp("e2e") / "repo"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()  # fmt: skip
    for rel in files:
        src = REPO / rel
        if src.is_file() and not rel.startswith(("data/", "tests/")):
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    (dst / "params.yaml").write_text(dump_params(compose(TINY)))
    (dst / "dvc.lock").unlink(missing_ok=True)
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "tiny"]):  # fmt: skip
        subprocess.run(cmd, cwd=dst, check=True)
    return dst


def test_full_pipeline_tiny(repo: Path) -> None:
    out = run(["dvc", "repro"], repo)
    for stage in ("frames", "synthesize", "split", "fit_luts", "train", "evaluate"):
        assert f"Running stage '{stage}'" in out

    summary = json.loads((repo / "data/metrics/eval.json").read_text())
    assert summary["n_pairs"] == 3
    for m in METHODS:
        assert set(summary[m]) == set(METRICS)
    # The oracle is the best any LUT can do; identity does nothing to a degraded frame.
    assert summary["oracle"]["de00_mean"] < summary["identity"]["de00_mean"]
    assert summary["oracle"]["lut_mean_diff"] == pytest.approx(0.0, abs=1e-6)
    assert summary["identity"]["lut_mean_diff"] > 0.01
    for name in ("look.cube", "best.cube", "worst.cube", "preview.png", "look_preview.png"):
        assert (repo / "data/eval" / name).is_file(), name
    rows = (repo / "data/metrics/eval_pairs.csv").read_text().splitlines()
    assert rows[0].startswith("pair,id,ours_de00") and len(rows) == 4

    again = run(["dvc", "repro"], repo)
    assert "Running stage" not in again, again

    look = (repo / "data/eval/look.cube").read_bytes()
    run(["dvc", "repro", "-f", "train", "evaluate"], repo)
    assert (repo / "data/eval/look.cube").read_bytes() == look, "retraining changed the learned LUT"


def test_grade_cli_on_tiny_model(repo: Path, tmp_path: Path) -> None:
    models = repo / "data/models"
    if not (models / "generator.keras").is_file():
        run(["dvc", "repro", "train"], repo)
    image = repo / "data/pairs/full/input/00000.png"
    cube, preview = tmp_path / "look.cube", tmp_path / "ba.jpg"
    lutml = str(Path(sys.executable).parent / "lutml")
    out = run([lutml, "grade", str(image), "--model", str(models), "-o", str(cube), "--size", "17",
               "--strength", "0.5", "--preview", str(preview)], repo)  # fmt: skip
    assert "coverage" in out
    from lutml.imageio import read_image
    from lutml.lut import read_cube

    lut = read_cube(cube)
    assert lut.size == 17 and not lut.is_identity(atol=1e-4)
    assert read_image(preview).shape[1] > read_image(preview).shape[0]  # before | after side by side

    bad = subprocess.run([lutml, "grade", str(image), "--model", str(image), "-o", str(tmp_path / "x.cube")],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "not a Keras model" in bad.stderr
    assert not (tmp_path / "x.cube").exists()
    missing = subprocess.run([lutml, "grade", str(tmp_path / "nope.png"), "--model", str(models), "-o",
                              str(tmp_path / "y.cube")], capture_output=True, text=True)  # fmt: skip
    assert missing.returncode == 2 and "nope.png" in missing.stderr
