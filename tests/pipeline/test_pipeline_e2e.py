"""The whole DVC pipeline on a tiny config in a fresh copy of this checkout, plus `lutml grade`.

frames -> synthesize -> split -> fit_luts -> train (+ original) -> evaluate must run from a clean
tree, a second `dvc repro` must do nothing, and retraining from scratch must give the same LUT bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from repo_helpers import TINY, fresh_clone, run

from lutml.imageio import read_image, write_image
from lutml.lut import identity_table, read_cube
from lutml.pipeline.config import compose, dump_params
from lutml.pipeline.evaluate import METHODS, METRICS
from lutml.reliability import lut_distance
from lutml.trust import FEATURES, TRUST_VERSION

pytestmark = pytest.mark.slow
STAGES = ("frames", "synthesize", "split", "fit_luts", "train", "original", "evaluate")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's tracked and new files (not data/ but the corpus, .venv) as a fresh git repo."""
    return fresh_clone(tmp_path_factory.mktemp("e2e") / "repo")


def test_full_pipeline_tiny(repo: Path) -> None:
    out = run(["dvc", "repro"], repo)
    for stage in STAGES:
        assert f"Running stage '{stage}'" in out
    assert "pipelines/pairs" not in out  # the pair-trained method's pipeline runs only when asked

    summary = json.loads((repo / "data/metrics/eval.json").read_text())
    assert (
        summary["n_frames"] == 8 and summary["n_heldout"] == 4 and summary["look"] == "teal_orange"
    )
    for m in METHODS:
        assert set(summary[m]) == set(METRICS), m
    # The pair fit is the bound (story 1); identity does nothing.
    assert summary["pair_fit"]["de00_mean"] < 0.5 * summary["identity"]["de00_mean"]
    assert summary["ratio_to_identity"]["identity"] == 1.0
    assert set(summary["reliability"]) >= {"n_frames", "neutral_de00", "warnings", "reliable"}
    assert set(summary["single_still"]) == {"teal_orange", "teal_orange (new parameters)"}
    # the trust model (train.trust_sets) says how sure the look is, per part, in words
    trust = summary["trust"]
    assert [p["component"] for p in trust["parts"]] == ["tone", "saturation", "cast"]
    # the tiny run's frames can lie outside its tiny calibration: then no grade, no interval
    novel = all("every set the model was checked on" in p["why"] for p in trust["parts"])
    quantities = {"tone_mid", "saturation_gain", "cast_a", "cast_b"}
    assert set(trust["intervals"]) == (set() if novel else quantities)
    assert any(line.startswith("tone: ") for line in trust["lines"])
    meta = json.loads((repo / "data/models/model.json").read_text())
    assert meta["trust"]["version"] == TRUST_VERSION
    assert len(meta["trust"]["theta"]["tone"]) == len(FEATURES) + 1
    for name in ("look.cube", "look_preview.png", "compare.png", "frames.png"):
        assert (repo / "data/eval" / name).is_file(), name
    rows = (repo / "data/metrics/eval_photos.csv").read_text().splitlines()
    assert rows[0].startswith("photo,id,ours_de00") and len(rows) == 5
    report = run([sys.executable, "-m", "lutml.pipeline.report"], repo)
    assert "population statistics" in report and "data/eval/look.cube" in report
    assert "how sure the model is" in report

    again = run(["dvc", "repro"], repo)
    assert "Running stage" not in again, again

    look = (repo / "data/eval/look.cube").read_bytes()
    run(["dvc", "repro", "-f", "train", "evaluate"], repo)
    assert (repo / "data/eval/look.cube").read_bytes() == look, "retraining changed the learned LUT"

    # Across CPUs: oneDNN's kernels round differently per vector ISA. Retrained with AVX2 kernels
    # only (as on a CPU without AVX-512), the learned LUT may differ, within the tolerance that
    # docs/reproducibility.md gives.

    run(["dvc", "repro", "-f", "train", "evaluate"], repo, extra_env={"ONEDNN_MAX_CPU_ISA": "AVX2"})
    palette = identity_table(9).reshape(-1, 3)
    other = read_cube(repo / "data/eval/look.cube")
    (repo / "look_default_isa.cube").write_bytes(look)
    distance = lut_distance(read_cube(repo / "look_default_isa.cube"), other, palette)
    assert distance < 0.05, f"AVX2 retraining moved the learned LUT by {distance:.4f} dE00"
    run(["dvc", "repro", "-f", "train", "evaluate"], repo)  # back to this CPU's result
    assert (repo / "data/eval/look.cube").read_bytes() == look


def test_changing_the_look_does_not_retrain(repo: Path) -> None:
    """The look estimator never sees the look: a new look re-runs frames, original and evaluate only."""
    if not (repo / "data/models/look_encoder.keras").is_file():
        run(["dvc", "repro"], repo)

    (repo / "params.yaml").write_text(dump_params(compose([*TINY, "look=bleach_bypass"])))
    out = run(["dvc", "repro"], repo)
    assert "Running stage 'frames'" in out and "Running stage 'evaluate'" in out
    assert "Running stage 'train'" not in out and "Running stage 'fit_luts'" not in out
    assert json.loads((repo / "data/metrics/eval.json").read_text())["look"] == "bleach_bypass"


def test_grade_cli_on_tiny_model(repo: Path, tmp_path: Path) -> None:
    models = repo / "data/models"
    if not (models / "look_encoder.keras").is_file():
        run(["dvc", "repro", "train"], repo)
    image = next((repo / "data/frames/graded").glob("*.png"))
    cube, preview = tmp_path / "look.cube", tmp_path / "ba.jpg"
    lutml = str(Path(sys.executable).parent / "lutml")
    out = run(
        [
            lutml,
            "grade",
            str(image),
            "--model",
            str(models),
            "--reverse",
            "-o",
            str(cube),
            "--size",
            "17",
            "--strength",
            "0.5",
            "--preview",
            str(preview),
        ],
        repo,
    )
    assert "natural footage's colours" in out

    lut = read_cube(cube)
    moved = np.abs(lut.table - identity_table(17)).max()
    # a still unlike every calibration set of the tiny run gets no grade, and says so
    novel = "every set the model was checked on" in out
    assert lut.size == 17 and (moved < 1e-4 if novel else moved > 1e-4)
    assert (
        read_image(preview).shape[1] > read_image(preview).shape[0]
    )  # before | after side by side

    bad = subprocess.run(
        [lutml, "grade", str(image), "--model", str(image), "-o", str(tmp_path / "x.cube")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "not a Keras model" in bad.stderr
    assert not (tmp_path / "x.cube").exists()
    missing = subprocess.run(
        [
            lutml,
            "grade",
            str(tmp_path / "nope.png"),
            "--model",
            str(models),
            "-o",
            str(tmp_path / "y.cube"),
        ],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "nope.png" in missing.stderr
    grey = tmp_path / "grey.png"

    write_image(grey, read_image(image).mean(axis=2, keepdims=True).repeat(3, axis=2))
    warned = subprocess.run(
        [lutml, "grade", str(grey), "--model", str(models), "-o", str(tmp_path / "g.cube")],
        capture_output=True,
        text=True,
    )
    assert warned.returncode == 0 and "grayscale" in warned.stderr, warned.stderr
