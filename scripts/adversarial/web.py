"""The web side of the harness: a real `lutml serve` in a child process, raw HTTP to it.

A `WebCase` sends its requests and returns the problems it saw. Every answer is also checked by
`judge`: never a 500, an error is JSON with one ``error`` message, no traceback and no server
path in any body; after each case the server must still answer and its log must hold no new
traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from web_helpers import free_port, raw_exchange

from .harness import LUTML


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def error(self) -> str:
        return str(self.json().get("error", ""))


class Server:
    """`lutml serve` on a free port; `log` collects its stderr."""

    def __init__(self, work: Path, models: Path, *extra: str):
        self.port = free_port()
        self.work = work
        self.log = work / f"serve-{self.port}.log"
        self._log_fh = open(self.log, "wb")  # noqa: SIM115 (closed in stop)
        env = {**os.environ, "TMPDIR": str(work / "server_tmp")}
        (work / "server_tmp").mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [LUTML, "serve", "--port", str(self.port), "--models-dir", str(models), *extra],
            stdout=self._log_fh, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            try:
                if self.request("GET", "/api/models").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"lutml serve did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log_fh.close()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        host: str | None = None,
        timeout: float = 300,
    ) -> Reply:
        """One request on its own connection, by hand: any Host header can be sent, and an
        answer that comes before the whole body was taken (413) is still read."""
        head = [f"{method} {path} HTTP/1.1",
                f"Host: {host if host is not None else f'127.0.0.1:{self.port}'}",
                "Connection: close"]  # fmt: skip
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body is not None and "Content-Length" not in (headers or {}):
            head.append(f"Content-Length: {len(body)}")
        body = body or b""
        status, fields, payload = raw_exchange(
            "127.0.0.1",
            self.port,
            ("\r\n".join(head) + "\r\n\r\n").encode("latin-1"),
            (body[at : at + 65536] for at in range(0, len(body), 65536)),
            timeout,
        )
        if fields.get("transfer-encoding") == "chunked":
            payload = _unchunk(payload)
        return Reply(status, fields, payload)

    def post(
        self,
        path: str,
        fields: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        **kw,
    ) -> Reply:
        body, ctype = multipart(fields or {}, files or {})
        headers = {"Content-Type": ctype, **kw.pop("headers", {})}
        return self.request("POST", path, body, headers, **kw)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, rest = data.partition(b"\r\n")
        n = int(size.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out += rest[:n]
        data = rest[n + 2 :]
    return out


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    return multipart_many(fields, "", [], files)


def multipart_many(
    fields: dict[str, str],
    field: str,
    many: list[tuple[str, bytes]],
    files: dict[str, tuple[str, bytes]] | None = None,
) -> tuple[bytes, str]:
    """A multipart body: text `fields`, several files under one name `field`, and `files`."""
    files = [*(files or {}).items(), *((field, f) for f in many)]
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, data) in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class WebCase:
    category: str
    name: str
    go: Callable[[Server], list[str]]  # the problems seen
    server: str = "main"  # which server of `servers` runs it


def judge(reply: Reply, work: Path, want: int | tuple[int, ...], words: str | None = None,
          absent: str | None = None) -> list[str]:  # fmt: skip
    """The problems of one answer: the status, the JSON error, tracebacks, server paths."""
    wanted = want if isinstance(want, tuple) else (want,)
    problems = []
    text = reply.body.decode("utf-8", "replace")
    if reply.status not in wanted:
        problems.append(f"HTTP {reply.status}, expected {wanted}: {text[:200]!r}")
    if reply.status >= 400 and not reply.error:
        problems.append(f"HTTP {reply.status} without a JSON error: {text[:200]!r}")
    if "Traceback" in text:
        problems.append("traceback in the answer")
    if str(work) in text or "/tmp/" in text or "lutml-web-" in text:
        problems.append(f"server path in the answer: {text[:200]!r}")
    if words is not None and words not in text:
        problems.append(f"missing {words!r}: {text[:300]!r}")
    if absent is not None and absent in text:
        problems.append(f"says {absent!r}: {text[:300]!r}")
    return problems


def run_web_case(case: WebCase, server: Server) -> list[str]:
    before = server.log_text().count("Traceback")
    try:
        problems = case.go(server)
    except Exception as exc:  # the harness's own request failed: the server hung up, ...
        problems = [f"request failed: {type(exc).__name__}: {exc}"]
    time.sleep(0.05)
    if server.log_text().count("Traceback") > before:
        problems.append("traceback in the server log: " + server.log_text()[-400:])
    if server.proc.poll() is not None:
        problems.append(f"server died (exit {server.proc.returncode})")
    return problems
