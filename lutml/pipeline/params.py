"""Reading `params.yaml` (composed from `conf/` by `dvc exp run`) and stage arguments.

Stages never compose Hydra config themselves: config flows conf/ -> params.yaml -> stages.
"""

from __future__ import annotations

import sys
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

PARAMS_FILE = "params.yaml"


def load_params(path: str | Path = PARAMS_FILE) -> DictConfig:
    """Load `params.yaml` as a read-only OmegaConf tree; stages convert it once into their typed
    config (`lutml.config.stages`, e.g. ``SplitStage.from_params(load_params())``)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: params file not found (run from the repository root)")
    cfg = OmegaConf.load(p)
    if not isinstance(cfg, DictConfig):
        raise ValueError(f"{p}: expected a mapping at the top level")
    OmegaConf.set_readonly(cfg, True)
    return cfg


def parse_paths(argv: list[str] | None, *names: str) -> list[Path]:
    """Positional path arguments of a stage, in the order dvc.yaml writes them."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != len(names):
        usage = " ".join(n.upper() for n in names)
        raise SystemExit(f"usage: {Path(sys.argv[0]).name} {usage} (got {len(args)} arguments)")
    return [Path(a) for a in args]
