"""A stage's arguments: the positional paths dvc.yaml gives it (params.yaml is read by
`lutml.config.params.load_params`)."""

from __future__ import annotations

import sys
from pathlib import Path


def parse_paths(argv: list[str] | None, *names: str) -> list[Path]:
    """Positional path arguments of a stage, in the order dvc.yaml writes them."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != len(names):
        usage = " ".join(n.upper() for n in names)
        raise SystemExit(f"usage: {Path(sys.argv[0]).name} {usage} (got {len(args)} arguments)")
    return [Path(a) for a in args]
