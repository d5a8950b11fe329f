"""One path per method: a plain `dvc repro` runs the default pipeline (dvc.yaml) only, and the
pair-trained method runs on its own pipeline (pipelines/pairs/dvc.yaml), on a tiny config, in a
fresh copy of this checkout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from repo_helpers import TINY, commit_all, copy_checkout, run

from lutml.pipeline.config import PAIRS_PARAMS, compose, dump_params, pipeline_overrides

pytestmark = pytest.mark.slow
PAIR_STAGES = ("synthesize", "split", "fit_luts", "train")
# The pair method at toy size: 8 pairs of 32 px, a 32 px pix2pix, one epoch.
TINY_PAIRS = [
    *TINY[:4],  # the frames' corpus and sizes, as the default pipeline's tiny config
    "synth.pairs=8",
    "synth.size=32",
    "synth.full_max=64",
    "fit.size=5",
    "fit.workers=1",
    "model.size=32",
    "model.width=4",
    "model.disc_width=4",
    "train.epochs=1",
    "train.batch_size=2",
    "train.validate_every=1",
    "train.val_pairs=1",
    "train.val_lut_size=5",
    "train.mlflow=false",
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    dst = copy_checkout(tmp_path_factory.mktemp("pairs") / "repo", TINY)
    params = compose(pipeline_overrides(PAIRS_PARAMS, TINY_PAIRS))
    (dst / PAIRS_PARAMS).write_text(dump_params(params))
    commit_all(dst)
    return dst


def test_plain_repro_plans_the_default_pipeline_only(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dvc repro` with no target (DVC's own code path, stopped before any stage runs) plans the
    stages of ./dvc.yaml only, none of pipelines/pairs (tests/pipeline/test_pipeline_e2e.py runs it)."""
    import dvc.repo.reproduce
    from dvc.repo import Repo

    planned: list[str] = []
    monkeypatch.setattr(
        dvc.repo.reproduce,
        "_reproduce",
        lambda steps, **kw: planned.extend(s.addressing for s in steps),
    )
    monkeypatch.chdir(repo)  # `dvc repro` at the repository root
    with Repo(str(repo)) as dvc_repo:
        dvc_repo.reproduce()
    assert sorted(planned) == sorted(
        ["frames", "synthesize", "split", "fit_luts", "train", "original", "evaluate"]
    )


def test_pair_pipeline_runs_on_its_own(repo: Path) -> None:
    out = run(["dvc", "repro", "pipelines/pairs/dvc.yaml"], repo)
    assert "Running stage 'frames'" in out  # the look's frames, from the default pipeline
    for stage in PAIR_STAGES:
        assert f"Running stage 'pipelines/pairs/dvc.yaml:{stage}'" in out, out
    for stage in ("synthesize", "split", "fit_luts", "train", "original", "evaluate"):
        assert f"Running stage '{stage}'" not in out, stage  # none of the look estimator's

    data = repo / "pipelines/pairs/data"
    manifest = json.loads((data / "pairs/manifest.json").read_text())
    assert manifest["mode"] == "grade" and len(manifest["pairs"]) == 8
    assert len(list((data / "luts/gt").glob("*.cube"))) == 8
    meta = json.loads((data / "models/model.json").read_text())
    assert meta["kind"] == "image" and meta["input_size"] == 32 and meta["look"] == "teal_orange"
    assert not (repo / "data/pairs").exists() and not (repo / "data/models").exists()

    again = run(["dvc", "repro", "pipelines/pairs/dvc.yaml"], repo)
    assert "Running stage" not in again, again
    lock = yaml.safe_load((repo / "pipelines/pairs/dvc.lock").read_text())
    assert set(lock["stages"]) == set(PAIR_STAGES)
