"""`lutml serve`: the web UI under waitress (a production WSGI server; never Flask's dev server)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import signal
import threading
from collections.abc import Iterator

SUMMARY = "web UI: grade or match a frame, preview it, download the .cube"
HELP = (
    "Serve the lutml web UI. Models are found once at start in --models-dir "
    "(folders holding model.json) and chosen in the page by id. Set "
    "LUTML_SECRET_KEY to fix the secret key (otherwise a random one per process)."
)


EPILOG = """\
host names:
  The server answers only to the host names in --allowed-hosts (default: the --host address,
  localhost, 127.0.0.1 and ::1); any other Host header gets a 400. This stops DNS rebinding,
  where a web page re-points its own name at your machine to read this server. Binding all
  interfaces (--host 0.0.0.0) adds this machine's name; list every other name or address
  people type in the browser, e.g. --allowed-hosts grader.lan,192.168.1.20 (a leading dot,
  .example.lan, allows all its subdomains).

connections (waitress settings, see lutml.web.server):
  connection_limit 1000   open connections at once (waitress default 100, which 110 idle
                          half-open uploads filled)
  channel_timeout 30 s    a connection that sends nothing for this long is closed; uploads
                          that keep sending and requests being processed are never cut
  cleanup_interval 5 s    how often idle connections are looked for
  request bodies are capped at --max-upload-mb (+1 MB of form overhead) before buffering
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument(
        "--allowed-hosts",
        action="append",
        default=[],
        metavar="NAMES",
        help="comma-separated host names or addresses the server answers to, besides "
        "the default --host, localhost, 127.0.0.1 and ::1; repeatable",
    )
    p.add_argument(
        "--models-dir",
        action="append",
        default=None,
        metavar="DIR",
        help="folder of trained models; repeatable (default data/models)",
    )
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    p.add_argument(
        "--max-upload-mb", type=int, default=200, help="largest request body in MB (default 200)"
    )
    p.add_argument(
        "--max-megapixels",
        type=float,
        default=40.0,
        help="largest image in megapixels (default 40)",
    )
    p.add_argument(
        "--cache-mb",
        type=int,
        default=1024,
        help="memory for recent results (frames, previews, LUTs) in MB (default 1024)",
    )


def allowed_hosts(bind: str, extra: list[str]) -> list[str]:
    """Host names to serve: localhost, 127.0.0.1, ::1, the bound address and `extra` (comma lists)."""
    import socket

    names = ["localhost", "127.0.0.1", "::1"]
    try:
        wildcard = ipaddress.ip_address(bind.strip("[]")).is_unspecified
    except ValueError:  # a host name
        wildcard = False
    names += [bind.strip("[]"), socket.gethostname()] if wildcard else [bind.strip("[]")]
    names += [n.strip() for item in extra for n in item.split(",") if n.strip()]
    return list(dict.fromkeys(n.lower() for n in names))


def run(args: argparse.Namespace) -> int:
    from lutml.web import create_app, stop_work
    from lutml.web.server import SERVER_SETTINGS, make_server

    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {args.port}")
    if min(args.max_upload_mb, args.max_megapixels, args.threads, args.cache_mb) <= 0:
        raise ValueError(
            "--max-upload-mb, --max-megapixels, --threads and --cache-mb must be positive"
        )
    hosts = allowed_hosts(args.host, args.allowed_hosts)
    app = create_app(
        {
            "LUTML_MODEL_DIRS": args.models_dir or ["data/models"],
            "MAX_CONTENT_LENGTH": args.max_upload_mb * 1024 * 1024,
            "LUTML_MAX_PIXELS": int(args.max_megapixels * 1e6),
            "LUTML_CACHE_BYTES": args.cache_mb * 1024 * 1024,
            "LUTML_ALLOWED_HOSTS": hosts,
        }
    )
    try:
        server = make_server(app, args.host, args.port, args.threads)
    except OSError as exc:  # said with the address and what to do, not only "Address in use"
        reason = (exc.strerror or str(exc)).rstrip(".").lower()
        hint = {
            errno.EADDRINUSE: " (another server is listening there: stop it, or choose --port)",
            errno.EACCES: " (ports below 1024 need privileges: choose --port 1024 or above)",
            errno.EADDRNOTAVAIL: " (not an address of this machine: see --host)",
        }.get(exc.errno, "")
        raise OSError(
            exc.errno, f"cannot listen on {args.host}:{args.port}: {reason}{hint}"
        ) from None
    except ValueError as exc:
        if not str(exc).startswith("Invalid host/port"):
            raise
        raise ValueError(  # waitress's words for a host that resolves to no address
            f"cannot listen on {args.host}:{args.port}: no address found for host {args.host!r} "
            "(see --host)"
        ) from None
    models = app.extensions["lutml_registry"].entries
    print(f"lutml serve: {len(models)} model(s): {', '.join(models) or 'none (match mode only)'}")
    print(
        f"lutml serve: answering to host names {', '.join(hosts)}; "
        + ", ".join(f"{k} {v}" for k, v in SERVER_SETTINGS.items())
    )
    print(f"lutml serve: open http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    try:
        with _stop_on_sigterm() as stopped:
            server.run()  # returns once waitress has closed its sockets after SIGTERM or Ctrl-C
    finally:
        stop_work(app)  # jobs cancelled, no uploads left in the temp folder
    _reraise_stop(stopped)
    return 0


class _StopServing(SystemExit):
    """SIGTERM while serving. Waitress's event loop swallows every exception a connection's event
    raises except SystemExit, KeyboardInterrupt and its own ExitNow (each goes to the connection's
    handle_error), so `lutml.cli`'s `Terminated` raised mid-event was lost and the server ran on
    (4 of 15 SIGTERMs under load). A SystemExit reaches `server.run()`, which closes the server."""


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[list[int]]:
    """While serving (main thread only), SIGTERM raises `_StopServing`. Yields a list that holds,
    on exit, the signals `lutml.cli` saw meanwhile (its Ctrl-C handler, this SIGTERM handler)."""
    from lutml import cli

    seen: list[int] = []
    start = len(cli._SIGNALLED)
    main_thread = threading.current_thread() is threading.main_thread()

    def on_term(signum: int, frame: object) -> None:
        cli._SIGNALLED.append(signum)
        raise _StopServing(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term) if main_thread else None
    try:
        yield seen
    except _StopServing:  # outside waitress's loop (as it closed): stopping anyway
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        seen.extend(cli._SIGNALLED[start:])


def _reraise_stop(signalled: list[int]) -> None:
    """After waitress stopped for a signal: `lutml serve: terminated` (143) or `interrupted` (130)."""
    from lutml.cli import Terminated

    if signalled:
        raise Terminated if signalled[-1] == signal.SIGTERM else KeyboardInterrupt
