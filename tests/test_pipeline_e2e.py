"""The whole DVC pipeline on a tiny config in a fresh copy of this checkout, plus `lutml grade`.

frames -> synthesize -> split -> fit_luts -> train -> evaluate must run from a clean tree, a
second `dvc repro` must do nothing, and retraining from scratch must give the same LUT bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from repo_helpers import TINY, commit_all, copy_checkout, run

from lutml.evaluate import METHODS, METRICS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's tracked and new files (not data/, .venv) as a fresh git repo, tiny params."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    dst = copy_checkout(tmp_path_factory.mktemp("e2e") / "repo", TINY)
    commit_all(dst)
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
