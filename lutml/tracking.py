"""MLflow set-up shared by training and evaluation.

The store comes from `MLFLOW_TRACKING_URI` (e.g. a team server); by default a SQLite file
`mlflow.db` in the working directory (the repo root when DVC runs a stage), with artifacts in
`./mlruns/`. Browse it with `mlflow ui --backend-store-uri sqlite:///mlflow.db`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_DB = "mlflow.db"


def tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI` or ``sqlite:///<cwd>/mlflow.db``."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / DEFAULT_DB}"


def git_revision() -> str:
    """Current git commit (short) or 'unknown' outside a repository."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_tags(look: str, variant: str) -> dict[str, str]:
    """Tags every lutml run carries: look, model variant, git revision, DVC experiment name."""
    return {
        "look": look,
        "variant": variant,
        "git_revision": git_revision(),
        "dvc_exp_name": os.environ.get("DVC_EXP_NAME", ""),
    }


@contextlib.contextmanager
def mlflow_run(
    run_id: str | None = None,
    experiment: str = "lutml",
    run_name: str | None = None,
    tags: dict[str, str] | None = None,
) -> Iterator[Any]:
    """Open (or re-open, by `run_id`) an MLflow run; yields the `mlflow` module.

    Re-opening lets the evaluate stage add its metrics and pictures to the training's run, so
    the MLflow UI shows one row per trained look/variant with everything in it. A `run_id` that
    the store does not know (e.g. another tracking server) starts a new run instead.
    """
    os.environ.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
    if run_id is not None:
        try:
            mlflow.get_run(run_id)
        except Exception:  # unknown in this store
            run_id = None
    if run_id is None:
        mlflow.set_experiment(experiment)
    with mlflow.start_run(run_id=run_id, run_name=None if run_id else run_name, tags=tags):
        yield mlflow
