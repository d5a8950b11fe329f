"""A Hydra sweep over network size through DVC's queue, on a tiny config in a fresh repo:
`dvc exp run --queue -S 'model.size=32,64'` then `dvc queue start`; each point trains, lands in
`dvc exp show` and appears in MLflow tagged with its DVC experiment name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from lutml.config import compose, dump_params

REPO = Path(__file__).resolve().parent.parent
TINY = [
    "frames.per_photo=1", "frames.min_size=64", "frames.max_size=128",
    "synth.pairs=12", "synth.size=64", "synth.full_max=128",
    "fit.size=9", "fit.workers=1", "train.epochs=1", "train.batch_size=4", "train.validate_every=1",
    "train.val_pairs=1", "train.val_lut_size=5", "eval.max_pairs=2", "eval.preview_pairs=1",
]  # fmt: skip

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, timeout: int = 600) -> str:
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "MLFLOW_TRACKING_URI": f"sqlite:///{cwd / 'mlflow.db'}"}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


def fresh_repo(dst: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    for rel in files:
        if (REPO / rel).is_file() and not rel.startswith(("data/", "tests/")):
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, dst / rel)
    (dst / "params.yaml").write_text(dump_params(compose(TINY)))
    (dst / "dvc.lock").unlink(missing_ok=True)
    # The queue composes conf/ into params.yaml for every point: the tiny values go into conf/ too.
    # (config.yaml's `_self_` comes last, so its keys override the groups' defaults.)
    config = yaml.safe_load((dst / "conf" / "config.yaml").read_text())
    (dst / "conf" / "config.yaml").write_text(yaml.safe_dump(_merge(config, _as_tree(TINY)), sort_keys=False))
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "tiny"]):
        subprocess.run(cmd, cwd=dst, check=True)
    return dst


def _merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        base[key] = _merge(base.get(key) or {}, value) if isinstance(value, dict) else value
    return base


def _as_tree(overrides: list[str]) -> dict:
    tree: dict = {}
    for item in overrides:
        key, value = item.split("=", 1)
        *parents, leaf = key.split(".")
        node = tree
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = yaml.safe_load(value)
    return tree


def test_queued_size_sweep_trains_each_point_and_logs_it(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = fresh_repo(tmp_path / "repo")
    run(["dvc", "exp", "run", "--queue", "-S", "model.size=32,64"], repo)
    run(["dvc", "queue", "start", "-j", "1"], repo)
    deadline = time.time() + 600
    while time.time() < deadline:
        status = run(["dvc", "queue", "status"], repo)
        if "Queued" not in status and "Running" not in status:
            break
        time.sleep(5)
    assert status.count("Success") == 2, status + run(["dvc", "queue", "logs", status.split()[-2]], repo)

    exps = json.loads(run(["dvc", "exp", "show", "--json"], repo))
    sizes = set()
    for commit in exps:
        for exp in commit.get("experiments") or []:
            for rev in exp["revs"]:
                params = rev["data"]["params"]["params.yaml"]["data"]
                sizes.add(params["model"]["size"])
    assert sizes == {32, 64}

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{repo / 'mlflow.db'}")
    runs = mlflow.search_runs(search_all_experiments=True, filter_string="tags.variant = 'pix2pix64'")
    assert sorted(runs["params.model.size"]) == ["32", "64"]  # one MLflow run per point
    assert all(runs["tags.dvc_exp_name"].str.len() > 0)
