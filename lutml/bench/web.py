"""Load test: N concurrent grade or match requests against the web UI on 127.0.0.1.

    python -m lutml.bench web                      # 20 concurrent match requests, own server
    python -m lutml.bench web --mode grade --models-dir data/models
    python -m lutml.bench web --url http://127.0.0.1:8000 --requests 50
    python -m lutml.bench web --mode stills        # issue 23's figures (look of 30 stills, 4K
                                                   # preview after a slider move, RSS with 2 jobs,
                                                   # RSS after each of 20 more jobs, a graded video)

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

from lutml.data.looks import get_look
from lutml.imageio import read_image
from lutml.resize import resize_image
from lutml.web import create_app
from lutml.web.model_index import scan_models
from lutml.web.server import make_server


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _multipart(
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes]] | list[tuple[str, tuple[str, bytes]]],
) -> tuple[bytes, str]:
    """Encode a multipart/form-data body; returns (body, content type).

    `files` maps a field name to (filename, data), or lists (field name, (filename, data)) pairs
    where several files share one field name (the stills of a look)."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items() if isinstance(files, dict) else files:
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
    app = create_app({"LUTML_MODEL_DIRS": models_dirs})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server(app, "127.0.0.1", port, threads, **settings)
    server.lutml_app = app  # the bench reads its cache
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def build_job(mode: str, model: str | None, size: int) -> tuple[str, bytes, str]:
    """(path, body, content type) of one request made from scikit-image's coffee photo."""
    import skimage

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


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _PeakRSS:
    """Samples this process's RSS every 20 ms while active; `.peak` in MB."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


STAND_IN = """
import json, sys
import numpy as np, keras
from pathlib import Path
from lutml.models.files import LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
from lutml.models.look_encoder import LookEncoder
from lutml.models.look_inference import export_numpy_weights
folder = Path(sys.argv[1]); folder.mkdir(parents=True, exist_ok=True)
keras.utils.set_random_seed(0)
n, k = 17, 48
enc = LookEncoder(64, k, n, 384); enc.build_all()
rng = np.random.default_rng(0); m = n**3 * 3
enc.set_basis(rng.normal(0, 0.01, m), rng.normal(0, 0.002, (k, m)), np.ones(n**3))
enc.save(folder / LOOK_ENCODER_FILE); export_numpy_weights(enc, folder / LOOK_WEIGHTS_FILE)
(folder / META_FILE).write_text(json.dumps({"name": "look_encoder", "variant": "stand-in (untrained)",
    "kind": "look", "frame_size": 64, "lut_size": n, "look": None}))
"""


def stand_in_model(folder: Path) -> Path:
    """An untrained look estimator of the pipeline's shape (64 px tiles, 48 components, 17^3),
    built in a subprocess so TensorFlow never enters this (measured) process."""
    import subprocess

    subprocess.run([sys.executable, "-c", STAND_IN, str(folder)], check=True, capture_output=True)
    return folder


def bench_stills(
    base: str,
    model: str,
    n_stills: int,
    edge: int,
    repeats: int,
    timeout: float,
    video_seconds: int = 0,
    workdir: Path | None = None,
    cache=None,
) -> dict:
    """Issue 23's figures against a server at `base` running in this process.

    - look of `n_stills` JPEG stills (long edge `edge`, four graded photos of scikit-image's
      set, re-framed): upload, reading, estimation, neutral reading, first preview on screen;
    - a 3840x2160 footage frame: preview after a slider move (new settings each time);
    - peak RSS with two jobs in flight, and RSS after each of `repeats` further jobs (one after
      the other, each fetching its previews as the page does): the trend says whether memory
      stays flat;
    - with `video_seconds`: a 1920x1080 H.264 clip of that length (a new graded frame every
      second) as the input instead, written to `workdir`: upload to look on screen, peak RSS.
    """
    import skimage

    data = Path(skimage.__file__).parent / "data"
    photos = [
        read_image(data / n) for n in ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg")
    ]
    look = get_look("teal_orange")
    bodies = []
    for i in range(n_stills):
        p = photos[i % len(photos)]
        h, w = p.shape[:2]
        crop = p[(i * 7) % max(1, h // 8) :, (i * 13) % max(1, w // 8) :]
        scale = edge / max(crop.shape[:2])
        size = (round(crop.shape[0] * scale), round(crop.shape[1] * scale))
        still = look(np.clip(resize_image(crop, size, "bilinear"), 0, 1))
        buf = io.BytesIO()
        Image.fromarray(np.rint(still * 255).astype(np.uint8)).save(buf, format="JPEG", quality=92)
        bodies.append((f"still{i:02d}.jpg", buf.getvalue()))

    def post_stills(files: list[tuple[str, bytes]] = bodies) -> tuple[dict, dict]:
        body, ctype = _multipart({"model": model}, [("stills", f) for f in files])
        t0 = time.perf_counter()
        req = urllib.request.Request(
            base + "/api/looks", data=body, headers={"Content-Type": ctype}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            job = json.load(resp)["job"]
        marks = {"upload_s": time.perf_counter() - t0}
        while job["state"] in ("queued", "reading", "estimating"):
            time.sleep(0.05)
            with urllib.request.urlopen(f"{base}/api/jobs/{job['id']}", timeout=timeout) as resp:
                job = json.load(resp)["job"]
        if job["state"] != "done":
            raise RuntimeError(f"job {job['state']}: {job['error']}")
        marks["job_done_s"] = time.perf_counter() - t0
        view = job["look"]["view_url"]
        for part in ("before.jpg", "after.jpg", "reference.jpg"):
            with urllib.request.urlopen(f"{base}{view}/{part}", timeout=timeout) as resp:
                resp.read()
        marks["on_screen_s"] = time.perf_counter() - t0
        return job, marks

    out: dict = {"stills": n_stills, "edge": edge, "rss_start_mb": round(_rss_mb())}
    job, marks = post_stills()  # first: model load, numba compile
    out["first"] = {**{k: round(v, 2) for k, v in marks.items()}, **job["timings"]}
    job, marks = post_stills()
    out["warm"] = {**{k: round(v, 2) for k, v in marks.items()}, **job["timings"]}
    view = job["look"]["view_url"]

    frame = resize_image(photos[1], (2160, 3840), "bilinear")
    buf = io.BytesIO()
    Image.fromarray(np.rint(np.clip(frame, 0, 1) * 255).astype(np.uint8)).save(buf, format="PNG")
    body, ctype = _multipart({}, [("frames", ("uhd.png", buf.getvalue()))])
    t0 = time.perf_counter()
    req = urllib.request.Request(base + "/api/footage", data=body, headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        token = json.load(resp)["frames"][0]["token"]
    out["footage_upload_4k_s"] = round(time.perf_counter() - t0, 2)
    moves = []
    for k in range(12):
        q = f"frame={token}&strength={0.5 + k / 30:.2f}&tone={0.6 + k / 20:.2f}&cast=0.8"
        t0 = time.perf_counter()
        with urllib.request.urlopen(f"{base}{view}/after.jpg?{q}", timeout=timeout) as resp:
            resp.read()
        moves.append(time.perf_counter() - t0)
    out["preview_4k_slider_s"] = {
        "median": round(float(np.median(moves)), 3),
        "max": round(float(np.max(moves[1:])), 3),
        "first": round(moves[0], 3),
    }
    t0 = time.perf_counter()
    with urllib.request.urlopen(
        f"{base}{view}/after.jpg?frame={token}&full=1&strength=0.9", timeout=timeout
    ) as r:
        r.read()
    out["preview_4k_full_res_s"] = round(time.perf_counter() - t0, 2)

    out["rss_before_two_jobs_mb"] = round(_rss_mb())
    with _PeakRSS() as peak, ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: post_stills(), range(2)))
    out["rss_peak_two_jobs_mb"] = round(peak.peak)
    after = []
    for _ in range(repeats):
        post_stills()
        after.append(round(_rss_mb()))
    out["rss_after_each_job_mb"] = after
    if after:
        half = after[len(after) // 2 :]
        slope = float(np.polyfit(np.arange(len(half)), half, 1)[0]) if len(half) > 1 else 0.0
        out["rss_trend"] = {
            "first_mb": after[0],
            "last_mb": after[-1],
            "max_mb": max(after),
            "second_half_mb_per_job": round(slope, 1),
        }
    if cache is not None:  # what the server keeps on purpose: every look and the 4K frame
        out["cache_after_jobs"] = {"entries": len(cache), "mb": round(cache.nbytes / 2**20, 1)}
    if video_seconds and workdir is not None:
        clip = graded_clip(workdir / "graded.mp4", photos, look, video_seconds)
        with _PeakRSS() as peak:
            job, marks = post_stills([("graded.mp4", clip.read_bytes())])
        out["video"] = {
            "seconds": video_seconds,
            "size": "1920x1080",
            "mb": round(clip.stat().st_size / 2**20, 1),
            "frames_kept": job["look"]["info"]["video"]["frames"],
            **{k: round(v, 2) for k, v in marks.items()},
            **job["timings"],
            "rss_peak_mb": round(peak.peak),
        }
    return out


def graded_clip(path: Path, photos: list[np.ndarray], look, seconds: int, fps: int = 25) -> Path:
    """A 1920x1080 H.264 clip: every second a new re-framed photo graded with `look` (so the
    pipeline's sampling keeps one frame a second)."""
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(path), (1920, 1080), fps=fps, codec="libx264", quality=7, macro_block_size=8
    )
    writer.send(None)
    for i in range(seconds):
        p = photos[i % len(photos)]
        h, w = p.shape[:2]
        crop = p[(i * 11) % max(1, h // 6) :, (i * 17) % max(1, w // 6) :]
        frame = look(np.clip(resize_image(crop, (1080, 1920), "bilinear"), 0, 1))
        data = np.ascontiguousarray(np.rint(np.clip(frame, 0, 1) * 255).astype(np.uint8))
        for _ in range(fps):
            writer.send(data)
    writer.close()
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m lutml.bench web", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--url", help="a running server (default: start one in this process)")
    ap.add_argument("--mode", choices=["match", "grade", "stills"], default="match")
    ap.add_argument("--stills", type=int, default=30, help="--mode stills: stills per look")
    ap.add_argument("--edge", type=int, default=1024, help="--mode stills: long edge of a still")
    ap.add_argument(
        "--repeats",
        type=int,
        default=20,
        help="--mode stills: jobs one after another for the RSS trend",
    )
    ap.add_argument(
        "--video-seconds",
        type=int,
        default=30,
        help="--mode stills: length of the graded 1080p clip learned from (0: none)",
    )
    ap.add_argument("--model", help="model id for --mode grade (default: the first one found)")
    ap.add_argument("--models-dir", action="append", default=None)
    ap.add_argument("--requests", type=int, default=20, help="concurrent requests (default 20)")
    ap.add_argument("--size", type=int, default=33, help="LUT size (default 33)")
    ap.add_argument("--threads", type=int, default=4, help="waitress threads of the own server")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-request timeout, seconds")
    args = ap.parse_args(argv)
    if args.mode == "stills":
        return _main_stills(args)
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


def _main_stills(args: argparse.Namespace) -> int:
    import tempfile

    dirs = args.models_dir or ["data/models"]
    looks = [
        e for e in scan_models([Path(d) for d in dirs]).values() if e.meta.get("kind") == "look"
    ]
    tmp = tempfile.TemporaryDirectory(prefix="lutml-bench-")
    if not looks:
        dirs = [str(stand_in_model(Path(tmp.name) / "stand-in"))]
        looks = list(scan_models([Path(dirs[0])]).values())
    model = args.model or next(iter(scan_models([Path(d) for d in dirs])))
    base, server = _start_server(dirs, args.threads)
    try:
        out = bench_stills(
            base,
            model,
            args.stills,
            args.edge,
            args.repeats,
            args.timeout,
            args.video_seconds,
            Path(tmp.name),
            server.lutml_app.extensions["lutml_cache"],
        )
    finally:
        time.sleep(0.5)  # let waitress finish the last answers' sends before it closes
        server.close()
        tmp.cleanup()
    out["model"] = f"{model} ({looks[0].label})"
    out["cpus"] = len(os.sched_getaffinity(0))
    out["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out, indent=1))
    w = out["warm"]
    print(
        f"{args.stills} stills of {args.edge} px -> look on screen in {w['on_screen_s']:.2f} s "
        f"(upload {w['upload_s']:.2f} s, read {w['read_s']:.2f} s, estimate {w['estimate_s']:.2f} s, "
        f"neutral reading {w['neutral_s']:.2f} s; first job {out['first']['on_screen_s']:.2f} s); "
        f"4K preview after a slider move median {out['preview_4k_slider_s']['median']:.3f} s "
        f"(max {out['preview_4k_slider_s']['max']:.3f} s); RSS peak with two jobs "
        f"{out['rss_peak_two_jobs_mb']} MB, after each of {args.repeats} further jobs "
        f"{out['rss_after_each_job_mb']} MB"
    )
    v = out.get("video")
    if v:
        print(
            f"a {v['seconds']} s {v['size']} graded H.264 clip ({v['mb']} MB) -> look of "
            f"{v['frames_kept']} sampled frames on screen in {v['on_screen_s']:.2f} s (upload "
            f"{v['upload_s']:.2f} s, sampling {v['read_s']:.2f} s, estimate {v['estimate_s']:.2f} s); "
            f"RSS peak {v['rss_peak_mb']} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
