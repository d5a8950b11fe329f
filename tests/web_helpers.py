"""Shared fixtures for the web UI tests: small real frames with a known asymmetric grade."""

from __future__ import annotations

import contextlib
import io
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator

import numpy as np
from PIL import Image

from lutml.web import create_app


def make_frame(h: int = 60, w: int = 80, seed: int = 0) -> np.ndarray:
    """float32 (h, w, 3) in [0, 1]: a colour ramp on the left, random colour tiles on the right,
    so the frame covers a good part of the RGB cube."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = np.stack([x / (w - 1), y / (h - 1), 0.5 + 0.5 * np.sin(x / 5.0 + y / 7.0)], axis=-1)
    tiles = rng.random((h // 4 + 1, w // 4 + 1, 3)).repeat(4, 0).repeat(4, 1)[:h, :w]
    frame = np.where((x < w / 2)[..., None], ramp, tiles)
    return np.clip(frame, 0.0, 1.0).astype(np.float32)


def known_grade(rgb: np.ndarray) -> np.ndarray:
    """An asymmetric, smooth grade (a transposed LUT axis cannot pass for it):
    R' = 0.1 + 0.85 G, G' = R^1.3, B' = 0.9 B + 0.05."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return np.stack([0.1 + 0.85 * g, r**1.3, 0.9 * b + 0.05], axis=-1).astype(np.float32)


def png_bytes(rgb: np.ndarray, mode: str = "RGB") -> bytes:
    """Encode float [0, 1] RGB (or uint8 RGB/RGBA) as an 8-bit PNG."""
    arr = rgb if rgb.dtype == np.uint8 else np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr, mode).save(buf, format="PNG")
    return buf.getvalue()


def decode(data: bytes) -> np.ndarray:
    """Decode PNG/JPEG bytes to float32 RGB in [0, 1]."""
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"), np.float32) / 255.0


def write_video(path, frames: list[np.ndarray], fps: int = 4, hold: int = 4):
    """`frames` (float RGB in [0, 1], all one size) as an H.264 MP4 made by imageio-ffmpeg's
    ffmpeg, each shown for `hold` frames at `fps` (a few KB for small frames)."""
    import imageio_ffmpeg

    h, w = frames[0].shape[:2]
    writer = imageio_ffmpeg.write_frames(
        str(path), (w, h), fps=fps, codec="libx264", quality=9, macro_block_size=1,
        output_params=["-g", "1"],  # every frame a key frame: what is decoded is what was written
    )  # fmt: skip
    writer.send(None)
    for f in frames:
        data = np.ascontiguousarray(np.rint(np.clip(f, 0, 1) * 255).astype(np.uint8))
        for _ in range(hold):
            writer.send(data)
    writer.close()
    return path


def wait_job(client, job: dict, timeout: float = 60.0) -> dict:
    """Poll a look job of the web app until it has ended; its last state."""
    import time

    end = time.monotonic() + timeout
    while job["state"] in ("queued", "reading", "estimating"):
        assert time.monotonic() < end, job
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").get_json()["job"]
    return job


def wait_empty(folder, timeout: float = 5.0) -> None:
    """Wait until `folder` (the server's temp space) is empty; fail if it is not within `timeout`."""
    import time

    end = time.monotonic() + timeout
    while list(folder.iterdir()) and time.monotonic() < end:
        time.sleep(0.05)
    assert list(folder.iterdir()) == []


def make_app(work, model_dirs=(), **config):
    """The web app as the tests run it: TESTING, models from `model_dirs`, `work` as its temp space
    (LUTML_TMP_DIR) and any other `config` keys."""
    return create_app(
        {
            "TESTING": True,
            "LUTML_MODEL_DIRS": list(model_dirs),
            "LUTML_TMP_DIR": str(work),
            **config,
        }
    )


def raw_exchange(
    host: str, port: int, head: bytes, body_chunks: Iterable[bytes] = (), timeout: float = 30
) -> tuple[int, dict[str, str], bytes]:
    """Send a request by hand on its own connection (the server may answer, and close, before the
    body is in) and read the answer to its end: (status, header fields by lower-case name, body
    as sent). Also used by scripts/adversarial/web.py."""
    data = b""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(head)
            for chunk in body_chunks:
                s.sendall(chunk)
        except OSError:
            pass  # answered and closed early: read the answer
        try:
            while chunk := s.recv(65536):
                data += chunk
        except OSError:
            pass
    header, _, payload = data.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        raise ConnectionError(f"no HTTP answer ({len(data)} bytes)")
    fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    fields = {k.strip().lower(): v.strip() for k, v in fields.items()}
    return int(lines[0].split()[1]), fields, payload


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_in_child(
    *options: str, env: dict[str, str] | None = None, stderr: int = subprocess.DEVNULL
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`lutml serve --port PORT *options` in a child process (environment `env`, stderr to
    `stderr`: PIPE gives text), once it answers (within 60 s): (its base URL, the process);
    terminated on exit, which must stop it within 30 s."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lutml.cli", "serve", "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/models", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("lutml serve did not stop within 30 s of SIGTERM") from None


@contextlib.contextmanager
def served_in_thread(app) -> Iterator[str]:
    """`app` under waitress (4 threads) in a daemon thread of this process: its base URL."""
    import waitress

    port = free_port()
    srv = waitress.create_server(app, host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=srv.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.close()
