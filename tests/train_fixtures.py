"""Tiny real training data for the model/training tests, in the pipeline's layout.

Crops of photos shipped in scikit-image, graded with a known asymmetric LUT (red gain, blue lift,
a little green->red mix), written as data/pairs/{input,target}/<id>.png, data/split/*.txt and
the exact ground-truth LUT per pair as data/luts/gt/<id>.cube.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import skimage

from lutml.imageio import read_image, write_image
from lutml.lut import LUT3D, apply_lut, identity_table, write_cube
from lutml.resize import resize_image

PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg")


def known_grade(size: int = 9) -> LUT3D:
    """An asymmetric, monotone grade: red x1.15, blue lifted, 10% of green mixed into red."""
    t = identity_table(size)
    r, g, b = t[..., 0], t[..., 1], t[..., 2]
    out = np.stack([np.clip(1.15 * r * 0.9 + 0.1 * g, 0, 1), g**1.1, 0.08 + 0.9 * b], axis=-1)
    return LUT3D(out.astype(np.float32), title="known grade")


def make_pairs(
    root: Path, n_train: int = 6, n_test: int = 2, size: int = 64, seed: int = 0
) -> dict[str, Path]:
    """Write `n_train + n_test` pairs of `size` px under `root`; returns the stage paths."""
    rng = np.random.default_rng(seed)
    photos = [read_image(Path(skimage.__file__).parent / "data" / p) for p in PHOTOS]
    lut = known_grade()
    pairs, split, gt = root / "pairs", root / "split", root / "luts" / "gt"
    ids = [f"{i:05d}" for i in range(n_train + n_test)]
    for i, pair_id in enumerate(ids):
        photo = photos[i % len(photos)]
        crop = int(rng.integers(size, min(photo.shape[:2]) // 2))
        y, x = (int(rng.integers(0, photo.shape[k] - crop)) for k in (0, 1))

        inp = np.clip(resize_image(photo[y : y + crop, x : x + crop], (size, size), "area"), 0, 1)
        tgt = np.clip(apply_lut(lut, inp), 0, 1)
        write_image(pairs / "input" / f"{pair_id}.png", inp)
        write_image(pairs / "target" / f"{pair_id}.png", tgt)
        write_cube(lut, gt / f"{pair_id}.cube")
    split.mkdir(parents=True, exist_ok=True)
    (split / "train.txt").write_text("\n".join(ids[:n_train]) + "\n")
    (split / "test.txt").write_text("\n".join(ids[n_train:]) + "\n")
    return {"pairs": pairs, "split": split, "gt": gt, "models": root / "models"}


def free_ports(n: int) -> list[int]:
    """`n` free TCP ports on 127.0.0.1 (for a TF_CONFIG cluster of `n` local workers)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def run_local_cluster(script: str, args_of: list[list[str]], cwd: Path) -> list[dict]:
    """Run `script` (python -c) once per worker of a TF_CONFIG cluster on 127.0.0.1, worker i with
    the arguments `args_of[i]`; each prints one line ``RESULT <json>``: the results, in order.

    Waits for EVERY worker before judging any: killing the stragglers after the first one finished
    (as a test once did) SIGKILLed a worker that was still saving its last epoch.
    """
    cluster = {"worker": [f"127.0.0.1:{p}" for p in free_ports(len(args_of))]}
    procs = []
    for index, args in enumerate(args_of):
        task = {"type": "worker", "index": index}
        env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "TF_ENABLE_ONEDNN_OPTS": "0",
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": task}),
        }
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", script, *map(str, args)],
                env=env,
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    texts = []
    try:
        for proc in procs:
            texts.append(proc.communicate(timeout=300)[0])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    results = []
    for proc, text in zip(procs, texts, strict=True):
        assert proc.returncode == 0, text[-3000:]
        line = next(x for x in text.splitlines() if x.startswith("RESULT "))
        results.append(json.loads(line[7:]))
    return results
