"""Issue 12, web items 9-12: host allow-list (DNS rebinding), waitress limits under a slow-client
flood, no server paths in messages, the right error for each oversize request, all as JSON."""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from web_helpers import known_grade, make_frame, png_bytes, raw_exchange, served_in_child

from lutml.bench.web import _multipart, _start_server
from lutml.cli.serve import allowed_hosts
from lutml.web import create_app
from lutml.web.server import SERVER_SETTINGS


@pytest.fixture(scope="module")
def pair() -> dict[str, tuple[io.BytesIO, str]]:
    frame = np.rint(make_frame() * 255) / 255
    return {"before": png_bytes(frame), "after": png_bytes(known_grade(frame))}


def form(pair, before: bytes | None = None, **fields) -> dict:
    return {
        "before": (io.BytesIO(before or pair["before"]), "b.png"),
        "after": (io.BytesIO(pair["after"]), "a.png"),
        "size": "17",
        **fields,
    }


# --- item 9: DNS rebinding ------------------------------------------------------------------


def test_foreign_host_names_are_refused(client, pair):
    for method in ("get", "post"):
        headers = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
        kwargs = (
            {"data": form(pair), "content_type": "multipart/form-data"} if method == "post" else {}
        )
        resp = getattr(client, method)(
            "/" if method == "get" else "/api/match", headers=headers, **kwargs
        )
        assert resp.status_code == 400, resp.data[:200]
        assert "does not answer to the host name 'evil.example'" in resp.get_json()["error"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"):
        assert client.get("/api/models", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_come_from_serve(tmp_path):
    assert allowed_hosts("127.0.0.1", []) == ["localhost", "127.0.0.1", "::1"]
    hosts = allowed_hosts("0.0.0.0", ["Grader.lan, 192.168.1.20", ".studio.lan"])
    assert {"0.0.0.0", socket.gethostname().lower(), "grader.lan", "192.168.1.20"} <= set(hosts)
    app = create_app({"TESTING": True, "LUTML_MODEL_DIRS": [], "LUTML_ALLOWED_HOSTS": hosts})
    assert app.test_client().get("/", headers={"Host": "grader.lan:8000"}).status_code == 200
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400


# --- item 11: no server paths ---------------------------------------------------------------


def test_decoder_errors_show_no_server_path(client, pair, work):
    junk = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
        + b"junk" * 10
    )
    resp = client.post("/api/match", data=form(pair, junk), content_type="multipart/form-data")
    message = resp.get_json()["error"]
    assert resp.status_code == 400 and "could not be decoded" in message
    assert str(work) not in message and "lutml-web-" not in message and "/tmp" not in message, (
        message
    )


# --- item 12: the right message for each refusal ----------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{f"f{i}": "x" for i in range(2000)}, {"note": "x" * 600_000}],
    ids=["2000-fields", "600kB-field"],
)
def test_form_limits_are_not_called_upload_size(client, pair, extra):
    resp = client.post("/api/match", data=form(pair, **extra), content_type="multipart/form-data")
    assert resp.status_code == 413
    message = resp.get_json()["error"]
    assert (
        "more than 1000 fields or a text field over 500 kB" in message and "MB limit" not in message
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF) claims `width` x `height`."""
    buf = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    i = 2
    while data[i + 1] not in (0xC0, 0xC1, 0xC2):
        i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    data[i + 5 : i + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_jpeg_bomb_is_called_too_large_not_damaged(client, pair):
    resp = client.post(
        "/api/match",
        data=form(pair, jpeg_claiming(20_000, 20_000)),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert "is 400.0 megapixels; the limit is 40.0 megapixels" in resp.get_json()["error"]


# --- items 10 and 12 against the real `lutml serve` -----------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> str:
    """`lutml serve --max-upload-mb 1` in a child process; its base URL."""
    models = str(tmp_path_factory.mktemp("models"))
    with served_in_child("--max-upload-mb", "1", "--models-dir", models) as (base, _):
        yield base


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_bodies_over_the_limit_get_the_json_error(served, chunked):
    """Past the upload limit + 1 MB waitress answers itself: that answer is JSON too."""
    body = b"\0" * (3 * 1024 * 1024)
    blocks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    if chunked:
        head = b"Transfer-Encoding: chunked\r\n"
        blocks = [b"%x\r\n%s\r\n" % (len(b), b) for b in blocks] + [b"0\r\n\r\n"]
    else:
        head = b"Content-Length: %d\r\n" % len(body)
    host, port = served.removeprefix("http://").split(":")
    status, fields, payload = raw_exchange(
        host,
        int(port),
        b"POST /api/match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        + head
        + b"\r\n",
        blocks,
    )
    assert (status, fields.get("content-type")) == (413, "application/json"), payload[:200]
    assert (
        json.loads(payload)["error"]
        == "The upload is larger than the 1 MB limit. Export a smaller frame."
    )


def test_normal_request_succeeds_during_a_slow_client_flood(served):
    """150 connections that start an upload and go quiet (more than waitress's default limit of 100)."""
    host, port = served.removeprefix("http://").split(":")
    flood = []
    try:
        for _ in range(150):
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(
                b"POST /api/match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                b"boundary=x\r\nContent-Length: 900000\r\n\r\n--x\r\n"
            )
            flood.append(s)
        time.sleep(0.3)
        start = time.monotonic()
        with urllib.request.urlopen(served + "/api/models", timeout=10) as resp:
            assert resp.status == 200 and json.load(resp) == {"models": []}
        assert time.monotonic() - start < 5
    finally:
        for s in flood:
            s.close()


def test_idle_connections_are_closed_after_channel_timeout(tmp_path):
    assert SERVER_SETTINGS["connection_limit"] >= 1000 and SERVER_SETTINGS["channel_timeout"] <= 30
    base, server = _start_server([str(tmp_path)], threads=1, channel_timeout=1, cleanup_interval=1)
    host, port = base.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(
                b"POST /api/match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nab"
            )
            start = time.monotonic()
            assert s.recv(100) == b""  # closed by the server, not by the 10 s socket timeout
            assert time.monotonic() - start < 5
    finally:
        server.close()


def test_serve_help_documents_the_connection_settings():
    done = subprocess.run(
        [sys.executable, "-m", "lutml.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert "--allowed-hosts" in done.stdout
    for setting in ("connection_limit 1000", "channel_timeout 30 s", "cleanup_interval 5 s"):
        assert setting in done.stdout


# --- item 13: memory ------------------------------------------------------------------------------


def _rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS"))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_memory_settles_after_the_first_result(tmp_path):
    """`lutml serve --cache-mb 50`: 3 MP results must not keep adding heap (was +140 MB over 4, +430 over 10).

    The heap grows once or twice by an arena's worth (waitress's worker threads each get a malloc arena,
    and which arenas hold what varies from run to run: after-request RSS measured 273, 336, then 299 or 341
    MB), usually in the first three requests but on a loaded machine as late as the sixth (275 x 5, then
    319 MB); it must not keep growing. A leak of one frame per request (~45 MB) adds ~180 MB over the
    four requests after the warm-up and fails both checks.
    """
    frame = make_frame(1500, 2000, seed=1)
    body, ctype = _multipart(
        {"size": "33"},
        {"before": ("b.png", png_bytes(frame)), "after": ("a.png", png_bytes(known_grade(frame)))},
    )
    with served_in_child("--cache-mb", "50", "--models-dir", str(tmp_path)) as (base, proc):
        rss = []
        for _ in range(7):
            req = urllib.request.Request(
                base + "/api/match", data=body, headers={"Content-Type": ctype}
            )
            with urllib.request.urlopen(req, timeout=120) as resp:
                result = json.load(resp)
            urllib.request.urlopen(base + result["image_url"], timeout=120).read()
            rss.append(_rss_mb(proc.pid))
    assert rss[-1] <= max(rss[:3]) + 75, rss  # at most one late arena after the warm-up
    assert rss[-1] <= rss[0] + 120, rss
