"""A Hydra sweep over network width through DVC's queue, on a tiny config in a fresh repo:
`dvc exp run --queue -S 'model.width=16,32'` then `dvc queue start`; each point trains, lands in
`dvc exp show` and appears in MLflow tagged with its DVC experiment name."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml
from repo_helpers import TINY, commit_all, copy_checkout, run

# One epoch per point is enough to check that every point trains and is logged.
SWEEP_TINY = [o for o in TINY if not o.startswith(("train.epochs", "model.width"))] + [
    "train.epochs=1"
]

pytestmark = pytest.mark.slow


def fresh_repo(dst: Path) -> Path:
    copy_checkout(dst, SWEEP_TINY)
    # The queue composes conf/ into params.yaml for every point: the tiny values go into conf/ too.
    # (config.yaml's `_self_` comes last, so its keys override the groups' defaults.)
    config = yaml.safe_load((dst / "conf" / "config.yaml").read_text())
    (dst / "conf" / "config.yaml").write_text(
        yaml.safe_dump(_merge(config, _as_tree(SWEEP_TINY)), sort_keys=False)
    )
    commit_all(dst)
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
    run(["dvc", "exp", "run", "--queue", "-S", "model.width=16,32"], repo)
    run(["dvc", "queue", "start", "-j", "1"], repo)
    deadline = time.time() + 600
    while time.time() < deadline:
        status = run(["dvc", "queue", "status"], repo)
        if "Queued" not in status and "Running" not in status:
            break
        time.sleep(5)
    assert status.count("Success") == 2, status + run(
        ["dvc", "queue", "logs", status.split()[-2]], repo
    )

    exps = json.loads(run(["dvc", "exp", "show", "--json"], repo))
    sizes = set()
    for commit in exps:
        for exp in commit.get("experiments") or []:
            for rev in exp["revs"]:
                params = rev["data"]["params"]["params.yaml"]["data"]
                sizes.add(params["model"]["width"])
    assert sizes == {16, 32}

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{repo / 'mlflow.db'}")
    # Training runs live in the "look-estimator" experiment; evaluate's runs (one per look) carry
    # the same variant tag in the look's experiment.
    runs = mlflow.search_runs(
        experiment_names=["look-estimator"], filter_string="tags.variant = 'look_encoder'"
    )
    assert sorted(runs["params.model.width"]) == ["16", "32"]  # one MLflow run per point
    assert all(runs["tags.dvc_exp_name"].str.len() > 0)
