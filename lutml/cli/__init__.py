"""The `lutml` command: colour-grading tools on top of the library.

Each sub-command lives in its own module under `lutml.cli` exposing
``add_parser(subparsers)`` (which sets ``func`` on its parser). Modules are imported lazily
enough that `lutml apply` never pays for TensorFlow.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Order = order in `lutml --help`.
COMMANDS = ["apply", "info", "fit", "grade", "serve"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lutml",
        description="Learn a colour grade (look) from frames and ship it as a .cube 3D LUT.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"lutml.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"lutml.cli.{name}":
                continue  # command not built yet in this checkout
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"lutml {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
