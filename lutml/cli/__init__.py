"""The `lutml` command: colour-grading tools on top of the library.

Each sub-command lives in its own module under `lutml.cli` exposing
``add_parser(subparsers)`` (which sets ``func`` on its parser). Modules are imported lazily
enough that `lutml apply` never pays for TensorFlow.

Failures a user can cause (bad input, a full disk, a read-only folder, Ctrl-C) end with one
line on stderr, ``lutml <command>: error: <path>: <reason>``, never a traceback: exit status 2
for bad input and OS errors, 130 for Ctrl-C, 143 for SIGTERM (outputs are written atomically,
so an interrupted command leaves no partial file behind).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
import threading
from collections.abc import Iterator

# Order = order in `lutml --help`.
COMMANDS = ["apply", "info", "fit", "convert", "grade", "serve"]


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that `finally` blocks and atomic writes clean up."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lutml",
        description="Learn a colour grade (look) from frames and ship it as a .cube 3D LUT.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"lutml.cli.{name}").add_parser(sub)
    return parser


def describe_os_error(exc: OSError) -> str:
    """``<path>: <reason>`` of an OSError, as the shell would say it (no errno numbers)."""
    reason = exc.strerror or (str(exc.args[0]) if exc.args else type(exc).__name__)
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason}"


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into `Terminated` while a command runs (main thread only), then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    prog = "lutml"
    try:
        with _sigterm_raises():
            args = build_parser().parse_args(argv)
            prog = f"lutml {args.command}"
            return int(args.func(args) or 0)
    except ValueError as exc:  # the library's messages already start with the file they are about
        print(f"{prog}: error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"{prog}: error: {describe_os_error(exc)}", file=sys.stderr)
    except MemoryError:
        print(
            f"{prog}: error: not enough memory (try a smaller image or LUT size)", file=sys.stderr
        )
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{prog}: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    return 2


if __name__ == "__main__":
    sys.exit(main())
