"""Load test: N concurrent grade or match requests against the web UI on 127.0.0.1.

    python -m lutml.bench web                      # 20 concurrent match requests, own server
    python -m lutml.bench web --mode grade --models-dir data/models
    python -m lutml.bench web --url http://127.0.0.1:8000 --requests 50

Without --url it starts the app under waitress on a free port in this process. Every request
must succeed (HTTP 200 with a token, then the .cube download); latency p50/p95 is printed.
Frames come from scikit-image's bundled photos (no downloads).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """Encode a multipart/form-data body; returns (body, content type)."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def one_request(
    base: str, path: str, body: bytes, ctype: str, timeout: float
) -> tuple[float, float]:
    """POST one job, then download its .cube.

    Returns (seconds for the job request, seconds including the download); raises on any failure.
    """
    start = time.perf_counter()
    req = urllib.request.Request(
        base + path, data=body, headers={"Content-Type": ctype}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        result = json.load(resp)
    job = time.perf_counter() - start
    with urllib.request.urlopen(base + result["cube_url"], timeout=timeout) as resp:
        if not resp.read().lstrip().startswith((b"TITLE", b"#", b"LUT_3D_SIZE", b"DOMAIN")):
            raise ValueError("download is not a .cube file")
    return job, time.perf_counter() - start


def _start_server(models_dirs: list[str], threads: int, **settings: int) -> tuple[str, object]:
    """The app under waitress exactly as `lutml serve` runs it (`settings` override its waitress ones)."""
    from lutml.web import create_app
    from lutml.web.server import make_server

    app = create_app({"LUTML_MODEL_DIRS": models_dirs})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server(app, "127.0.0.1", port, threads, **settings)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def build_job(mode: str, model: str | None, size: int) -> tuple[str, bytes, str]:
    """(path, body, content type) of one request made from scikit-image's coffee photo."""
    import skimage

    from lutml.data.looks import get_look
    from lutml.imageio import read_image

    before = read_image(Path(skimage.__file__).parent / "data" / "coffee.png")
    if mode == "match":
        files = {
            "before": ("coffee.png", _png(before)),
            "after": ("graded.png", _png(get_look("teal_orange")(before))),
        }
        return ("/api/match", *_multipart({"size": str(size)}, files))
    if not model:
        raise ValueError(
            "--mode grade needs a model: pass --model ID or a --models-dir holding one"
        )
    return (
        "/api/grade",
        *_multipart({"size": str(size), "model": model}, {"frame": ("coffee.png", _png(before))}),
    )


def run_load(base: str, path: str, body: bytes, ctype: str, requests: int, timeout: float) -> dict:
    """Fire `requests` jobs at once; returns counts and latency percentiles in seconds.

    `p50_s`/`p95_s`/`max_s` time the grade/match request itself; `*_total_s` add the .cube
    download, which queues behind the other jobs in the server's FIFO task queue.
    """
    errors: list[str] = []

    def job(_: int) -> tuple[float, float] | None:
        try:
            return one_request(base, path, body, ctype, timeout)
        except Exception as exc:  # collect every failure, report them all
            errors.append(f"{type(exc).__name__}: {exc}")
            return None

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=requests) as pool:
        times = [t for t in pool.map(job, range(requests)) if t is not None]
    wall = time.perf_counter() - start
    lat = np.array(times) if times else np.full((1, 2), np.nan)
    return {
        "ok": len(times),
        "failed": len(errors),
        "errors": errors[:5],
        "wall_s": wall,
        "p50_s": float(np.percentile(lat[:, 0], 50)),
        "p95_s": float(np.percentile(lat[:, 0], 95)),
        "max_s": float(lat[:, 0].max()),
        "p50_total_s": float(np.percentile(lat[:, 1], 50)),
        "p95_total_s": float(np.percentile(lat[:, 1], 95)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m lutml.bench web", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--url", help="a running server (default: start one in this process)")
    ap.add_argument("--mode", choices=["match", "grade"], default="match")
    ap.add_argument("--model", help="model id for --mode grade (default: the first one found)")
    ap.add_argument("--models-dir", action="append", default=None)
    ap.add_argument("--requests", type=int, default=20, help="concurrent requests (default 20)")
    ap.add_argument("--size", type=int, default=33, help="LUT size (default 33)")
    ap.add_argument("--threads", type=int, default=4, help="waitress threads of the own server")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-request timeout, seconds")
    args = ap.parse_args(argv)
    server = None
    base = args.url
    if base is None:
        base, server = _start_server(args.models_dir or ["data/models"], args.threads)
    model = args.model
    if args.mode == "grade" and not model:
        with urllib.request.urlopen(base + "/api/models", timeout=30) as resp:
            found = json.load(resp)["models"]
        model = found[0]["id"] if found else None
    path, body, ctype = build_job(args.mode, model, args.size)
    stats = run_load(base.rstrip("/"), path, body, ctype, args.requests, args.timeout)
    print(
        f"{args.mode}{' ' + model if model else ''}: {args.requests} concurrent requests "
        f"(coffee.png 600x400, LUT {args.size}^3) -> {stats['ok']} ok, {stats['failed']} failed; "
        f"latency p50 {stats['p50_s']:.2f} s, p95 {stats['p95_s']:.2f} s, max {stats['max_s']:.2f} s; "
        f"with .cube download p50 {stats['p50_total_s']:.2f} s, p95 {stats['p95_total_s']:.2f} s; "
        f"wall {stats['wall_s']:.2f} s; {len(os.sched_getaffinity(0))} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for err in stats["errors"]:
        print("  error:", err, file=sys.stderr)
    if server is not None:
        server.close()
    return 0 if stats["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
