"""The app under waitress: connection limits and timeouts that survive slow clients, JSON errors.

Waitress defaults let 100 connections that never finish their request (half-open uploads,
idle keep-alives) fill the server for 2 minutes: it stops accepting and every other visitor
waits. `SERVER_SETTINGS` holds what `lutml serve` uses instead, and why:

- ``connection_limit`` 1000 (waitress: 100). An open connection costs one file descriptor and
  a few kB, nothing more: waitress reads request bodies in its I/O loop and hands a request to
  a worker thread only once it is complete, so slow clients never hold a worker. The soft
  open-files limit is raised to fit when it is lower.
- ``channel_timeout`` 30 s (waitress: 120). A connection that sends nothing for 30 s is closed:
  a stalled upload or an idle keep-alive. An upload that keeps sending is never idle, and a
  request being processed (a slow fit) is never cut: waitress only closes connections with no
  request in progress.
- ``cleanup_interval`` 5 s (waitress: 30): how often idle connections are looked for, so the
  timeout holds to within 5 s.

A client that trickles a byte every few seconds on hundreds of connections can still fill the
limit; the server is meant for a workstation or a trusted network, not the open internet.
Errors waitress answers itself (a body over the upload limit, a malformed request) are JSON
``{"error": ...}`` like the app's own, not waitress's plain text.
"""

from __future__ import annotations

import json
import resource
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

SERVER_SETTINGS: dict[str, int] = {
    "connection_limit": 1000,
    "channel_timeout": 30,
    "cleanup_interval": 5,
}
# Per-response headers of the app (lutml.web.routes.security_headers), for waitress's own errors too.
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]


def upload_too_large_message(limit_bytes: int) -> str:
    return f"The upload is larger than the {limit_bytes // (1024 * 1024)} MB limit. Export a smaller frame."


class _JSONErrorTask(ErrorTask):
    """Waitress's own error responses (413, 400, 431, ...) as the app's JSON errors."""

    def execute(self) -> None:
        error = self.request.error
        if error.code == 413:
            message = upload_too_large_message(self.channel.upload_limit)
        else:
            message = f"{error.reason}: {error.body}"
        body = json.dumps({"error": message}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"), *SECURITY_HEADERS])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    error_task_class = _JSONErrorTask
    upload_limit = 0  # the app's MAX_CONTENT_LENGTH, set per server by make_server


def _raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def make_server(app: Any, host: str, port: int, threads: int, **overrides: int) -> Any:
    """A waitress server for `app` (a `lutml.web.create_app` app) with `SERVER_SETTINGS`.

    Waitress buffers a whole request before the app sees it, so its body limit is the app's
    upload limit (plus 1 MB of form overhead). `overrides` replace `SERVER_SETTINGS` entries
    (tests use short timeouts). Call ``.run()`` to serve, ``.close()`` to stop.
    """
    settings = SERVER_SETTINGS | overrides
    _raise_open_files_limit(settings["connection_limit"] + 64)  # + listening sockets, logs, models
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024,
        **settings,
    )
    # One listening socket per address `host` resolves to; every one makes JSON-error channels.
    channel = type("_Channel", (_Channel,), {"upload_limit": app.config["MAX_CONTENT_LENGTH"]})
    socket_map = server.map if hasattr(server, "map") else server._map  # several sockets, or one
    for dispatcher in list(socket_map.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = channel
    return server
