"""Issue 23 item 6 (memory): look jobs keep their stills as 8 bits and estimate one at a time;
a job waiting for the estimator can be cancelled and leaves nothing behind."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from web_helpers import known_grade, make_app, make_frame, png_bytes, wait_job

import lutml.web.look_routes as lr
import lutml.web.looks as looks
from lutml.imageio import ImageData
from lutml.web.looks import StillFrames, still_for_look


@pytest.fixture
def model_dirs(models_dir: Path) -> list[Path]:
    return [models_dir]  # conftest's tiny look estimator


def start(client, n: int, seed: int = 0) -> dict:
    images = [known_grade(make_frame(90, 120, seed=seed + i)) for i in range(n)]
    data = {
        "stills": [(io.BytesIO(png_bytes(im)), f"s{i}.png") for i, im in enumerate(images)],
        "model": "estimator",
    }
    resp = client.post("/api/looks", data=data, content_type="multipart/form-data")
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()["job"]


def test_stills_are_kept_as_8_bits_and_read_back_as_float():
    rgb8 = np.rint(make_frame(60, 80) * 255).astype(np.uint8)
    kept = still_for_look(ImageData(rgb8, None, 8, None), 10_000)
    assert kept is rgb8 or np.array_equal(kept, rgb8)  # small 8-bit still: as decoded
    rgb16 = (make_frame(600, 800) * 65535).astype(np.uint16)
    small = still_for_look(ImageData(rgb16, None, 16, None), 100_000)
    assert small.dtype == np.uint8 and small.shape == (200, 266, 3)  # 3x3 block means
    expect = rgb16[:600, :798].reshape(200, 3, 266, 3, 3).mean(axis=(1, 3)) / 65535
    assert np.abs(small / 255.0 - expect).max() <= 0.5 / 255 + 1e-6
    frames = StillFrames([rgb8, small])
    assert len(frames) == 2 and frames[0].dtype == np.float32
    np.testing.assert_array_equal(frames[0], rgb8.astype(np.float32) / np.float32(255))
    assert [f.shape for f in frames] == [(60, 80, 3), (200, 266, 3)]
    assert len(frames[1:]) == 1


def test_two_jobs_estimate_one_at_a_time(client, work, monkeypatch):
    real = lr.look_of_stills
    busy, most = [0], [0]
    lock = threading.Lock()

    def counted(*args, **kwargs):
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        try:
            time.sleep(0.3)
            return real(*args, **kwargs)
        finally:
            with lock:
                busy[0] -= 1

    monkeypatch.setattr(lr, "look_of_stills", counted)
    a, b = start(client, 3), start(client, 3, seed=10)
    a, b = wait_job(client, a), wait_job(client, b)
    assert a["state"] == b["state"] == "done", (a, b)
    assert most[0] == 1
    assert list(work.iterdir()) == []


def test_a_job_waiting_for_the_estimator_can_be_cancelled(client, work):
    assert lr._ESTIMATOR.acquire(timeout=5)  # another job's estimate, for as long as we like
    try:
        job = start(client, 2)
        end = time.monotonic() + 20
        while "Waiting for the estimator" not in job["step"]:
            assert time.monotonic() < end, job
            time.sleep(0.05)
            job = client.get(f"/api/jobs/{job['id']}").get_json()["job"]
        assert job["state"] == "estimating"
        client.post(f"/api/jobs/{job['id']}/cancel")
        job = wait_job(client, job, 10)
        assert job["state"] == "cancelled" and job["look"] is None
    finally:
        lr._ESTIMATOR.release()
    end = time.monotonic() + 5
    while list(work.iterdir()) and time.monotonic() < end:
        time.sleep(0.05)
    assert list(work.iterdir()) == []
    assert lr._ESTIMATOR.acquire(blocking=False)  # the cancelled job holds nothing
    lr._ESTIMATOR.release()


def test_the_app_limits_malloc_arenas(monkeypatch, models_dir, work):
    """glibc's per-thread arenas kept ~300 MB of freed stills and previews (bench web)."""
    import platform

    calls = []
    monkeypatch.setattr(looks, "limit_malloc_arenas", lambda *a: calls.append(a) or True)
    make_app(work, [models_dir])
    assert calls == [()]
    monkeypatch.undo()
    if platform.libc_ver()[0] == "glibc":
        assert looks.limit_malloc_arenas() is True


def test_a_job_leaves_out_blank_and_speck_stills_and_names_them(client, work):
    """A black frame and an 8x5 px speck among graded stills: the look is read from the others,
    the job lists the two with the skipped files (names as uploaded) and the look's reference is
    the first still read, not the black one. One speck alone fails the job naming it, never the
    model."""
    graded = [known_grade(make_frame(90, 120, seed=i)) for i in range(3)]
    uploads = [("Black.png", np.zeros((90, 120, 3))), ("speck.png", make_frame(5, 8))]
    uploads += [(f"s{i}.png", im) for i, im in enumerate(graded)]
    data = {
        "stills": [(io.BytesIO(png_bytes(im)), name) for name, im in uploads],
        "model": "estimator",
    }
    resp = client.post("/api/looks", data=data, content_type="multipart/form-data")
    job = wait_job(client, resp.get_json()["job"])
    assert job["state"] == "done", job
    info = job["look"]["info"]
    assert info["n_stills"] == 3 and info["stills"] == ["s0.png", "s1.png", "s2.png"]
    assert info["skipped"] == 2 and "is not used" not in (info["warning"] or "")
    reasons = {s["name"]: s["reason"] for s in job["skipped"]}
    assert reasons["Black.png"].startswith("Black.png is not used: nearly uniform")
    assert reasons["speck.png"].startswith("speck.png is not used: too small to read a look from")
    reference = client.get(job["look"]["reference_url"])
    assert reference.status_code == 200
    from PIL import Image

    assert np.asarray(Image.open(io.BytesIO(reference.data))).mean() > 20  # not the black still
    data = {
        "stills": [(io.BytesIO(png_bytes(make_frame(5, 8))), "speck.png")],
        "model": "estimator",
    }
    resp = client.post("/api/looks", data=data, content_type="multipart/form-data")
    job = wait_job(client, resp.get_json()["job"])
    assert job["state"] == "failed"
    assert job["error"].startswith("speck.png: too small to read a look from (8x5 px")
    assert "model" not in job["error"]
