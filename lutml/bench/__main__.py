"""Dispatch `python -m lutml.bench NAME [args…]` to `lutml.bench.NAME.main(args)`."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import lutml.bench


def main() -> None:
    names = sorted(
        m.name for m in pkgutil.iter_modules(lutml.bench.__path__) if not m.name.startswith("_")
    )
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        raise SystemExit(f"usage: python -m lutml.bench {{{','.join(names)}}} [options]")
    module = importlib.import_module(f"lutml.bench.{sys.argv[1]}")
    raise SystemExit(module.main(sys.argv[2:]))


if __name__ == "__main__":
    main()
