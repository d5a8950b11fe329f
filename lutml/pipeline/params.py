"""A stage's arguments: the positional paths dvc.yaml gives it (params.yaml is read by
`lutml.config.params.load_params`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TypeVar

from lutml.config.params import load_params
from lutml.config.stages import Stage
from lutml.config.validators import ConfigError

S = TypeVar("S", bound=Stage)


def parse_paths(argv: list[str] | None, *names: str) -> list[Path]:
    """Positional path arguments of a stage, in the order dvc.yaml writes them.

    Every stage calls it first; it also puts the stage's BLAS on one thread (`one_blas_thread`).
    """
    one_blas_thread()
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != len(names):
        usage = " ".join(n.upper() for n in names)
        raise SystemExit(f"usage: {Path(sys.argv[0]).name} {usage} (got {len(args)} arguments)")
    return [Path(a) for a in args]


def train_stage_start(argv: list[str] | None, stage: type[S]) -> tuple[list[Path], S]:
    """The start both `train` stages share (stages/train.py, pipelines/pairs/stages/train.py):
    their paths (pairs, split, LUTs, models) and their config, a bad one ending the stage with its
    message; TensorFlow's log level is set before it loads, and oneDNN is off for a multi-worker
    strategy (see lutml.train.strategy)."""
    paths = parse_paths(argv, "pairs_dir", "split_dir", "luts_dir", "out_dir")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads
    try:
        cfg = stage.from_params(load_params())
    except ConfigError as exc:
        raise SystemExit(f"train: {exc}") from exc
    if cfg.train.strategy == "multi_worker":
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    return paths, cfg


def one_blas_thread() -> None:
    """Linear algebra of this process on one BLAS thread (NumPy's OpenBLAS), for the whole stage.

    OpenBLAS's results depend on its thread count: the look basis's randomized SVD gives other
    bits on 1 and 2 threads, so a stage's outputs would depend on the machine's cores. On one thread
    they do not. It is also faster here: the stages' matrices are small and OpenBLAS's idle threads
    spin on a loaded machine (the look estimator's forward pass: 1.3 ms a call on one thread,
    34 ms on two with other jobs running). TensorFlow does not use OpenBLAS: training is unchanged.
    """
    import numpy  # noqa: F401  (loads OpenBLAS: a limit applies to the libraries loaded so far)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
