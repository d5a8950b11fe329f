"""The `lutml` command: colour-grading tools on top of the library.

Each sub-command lives in its own module under `lutml.cli` exposing ``SUMMARY`` (its line in
`lutml --help`), ``HELP`` (its description, printed as written; ``EPILOG`` optional),
``add_arguments(parser)`` and ``run(args)``; `build_parser` makes the sub-parsers from them. The
modules import the library inside ``run``, so `lutml --help` stays fast and `lutml apply`
never pays for TensorFlow.

Failures a user can cause (bad input, a full disk, a read-only folder, Ctrl-C) end with one
line on stderr, ``lutml <command>: error: <path>: <reason>``, never a traceback: exit status 2
for bad input and OS errors, 130 for Ctrl-C, 143 for SIGTERM (outputs are written atomically,
so an interrupted command leaves no partial file behind).

Ctrl-C is recognised however it surfaces: compiled code (numba) interrupted mid-call raises a
`SystemError` carrying the `KeyboardInterrupt`; any failure after a SIGINT arrived is reported
as the interruption it is. Messages never show a temporary file's name (`lutml.atomic`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
import threading
from collections.abc import Iterator

from lutml.atomic import public_text

# Order = order in `lutml --help`.
COMMANDS = ["apply", "info", "fit", "convert", "grade", "serve"]


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that `finally` blocks and atomic writes clean up."""


_SIGNALLED: list[int] = []  # signals received while the current command ran (SIGINT, SIGTERM)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lutml",
        description="Learn a colour grade (look) from frames and ship it as a .cube 3D LUT.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        command = importlib.import_module(f"lutml.cli.{name}")
        p = sub.add_parser(
            name,
            help=command.SUMMARY,
            description=command.HELP,
            epilog=getattr(command, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(p)
        p.set_defaults(func=command.run)
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

    def on_term(signum: int, frame: object) -> None:
        _SIGNALLED.append(signum)
        raise Terminated

    def on_int(signum: int, frame: object) -> None:
        _SIGNALLED.append(signum)
        raise KeyboardInterrupt

    _SIGNALLED.clear()
    previous = signal.signal(signal.SIGTERM, on_term)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:  # not when SIGINT is ignored (nohup, &)
        signal.signal(signal.SIGINT, on_int)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)


def _interruption(exc: BaseException) -> type[BaseException] | None:
    """KeyboardInterrupt or Terminated if `exc` is (or was caused by) one, or came after one."""
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt | Terminated):
            return type(e) if isinstance(e, Terminated) else KeyboardInterrupt
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    if _SIGNALLED:  # e.g. a library turned the interrupt into its own error
        return Terminated if _SIGNALLED[-1] == signal.SIGTERM else KeyboardInterrupt
    return None


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    # Named before parsing: Ctrl-C while the parser imports the commands says which one stopped.
    prog = f"lutml {words[0]}" if words and words[0] in COMMANDS else "lutml"
    try:
        with _sigterm_raises():
            args = build_parser().parse_args(argv)
            prog = f"lutml {args.command}"
            return int(args.func(args) or 0)
    except SystemExit:  # argparse's own errors and --help
        raise
    except BaseException as exc:
        interrupted = _interruption(exc)
        if interrupted is KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        if interrupted is Terminated:
            print(f"{prog}: terminated", file=sys.stderr)
            return 128 + signal.SIGTERM
        if isinstance(exc, ValueError):  # the library's messages start with the file they are about
            message = str(exc)
        elif isinstance(exc, OSError):
            message = describe_os_error(exc)
        elif isinstance(exc, MemoryError):
            message = "not enough memory (try a smaller image or LUT size)"
        else:
            raise
        print(f"{prog}: error: {public_text(message)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
