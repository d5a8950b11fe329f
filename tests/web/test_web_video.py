"""Issue 23: one short graded video as the input of Learn a look - frames sampled as the
pipeline's video source samples them, limits, one clear message for a bad video, nothing left
in the server's temp space. The videos are made in tmp_path at test time (a few KB each)."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from web_helpers import (
    known_grade,
    make_app,
    make_frame,
    png_bytes,
    wait_empty,
    wait_job,
    write_video,
)

import lutml.web.look_routes as look_routes
import lutml.web.video as video
from lutml.grade import look_of_stills
from lutml.lut import read_lut
from lutml.models.inference import load_any_model
from lutml.web.video import (
    DUPLICATE_THRESHOLD,
    FRAME_MAX_SIZE,
    MAX_VIDEO_FRAMES,
    SAMPLE_FPS,
    SHOT_THRESHOLD,
    VideoInfo,
    container,
    sampled_frames,
    sniff_video,
)

REPO = Path(__file__).resolve().parents[2]


def graded_frames(n: int, h: int = 96, w: int = 128, seed: int = 0) -> list[np.ndarray]:
    return [known_grade(make_frame(h, w, seed=seed + i)) for i in range(n)]


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """4 s: four different graded frames, one a second (the sampling keeps each)."""
    return write_video(tmp_path_factory.mktemp("video") / "clip.mp4", graded_frames(4))


@pytest.fixture
def model_dirs(models_dir: Path) -> list[Path]:
    return [models_dir]  # conftest's tiny look estimator


def start(client, uploads: list[tuple[bytes, str]], **form) -> dict:
    data = {"stills": [(io.BytesIO(b), n) for b, n in uploads], "model": "estimator", **form}
    return client.post("/api/looks", data=data, content_type="multipart/form-data")


def run_job(client, uploads: list[tuple[bytes, str]], **form) -> dict:
    resp = start(client, uploads, **form)
    assert resp.status_code == 202, resp.get_json()
    return wait_job(client, resp.get_json()["job"])


def ffmpeg_running_on(folder: Path) -> list[str]:
    """Command lines of processes (ffmpeg) that read a file under `folder`."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(folder) in cmd and "ffmpeg" in cmd:
            found.append(cmd)
    return found


def test_sampling_is_the_pipelines():
    frames = yaml.safe_load((REPO / "conf" / "config.yaml").read_text())["frames"]
    assert frames["max_size"] == FRAME_MAX_SIZE
    assert frames["video"] == {
        "fps": SAMPLE_FPS,
        "max_frames": MAX_VIDEO_FRAMES,
        "duplicate_threshold": DUPLICATE_THRESHOLD,
        "shot_threshold": SHOT_THRESHOLD,
    }


def test_sniff_video_by_contents(clip, tmp_path):
    assert sniff_video(clip.read_bytes()[:256])
    avi = tmp_path / "a.avi"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=2:duration=1", "-c:v", "mpeg4", str(avi))
    mkv = tmp_path / "a.mkv"
    ffmpeg("-i", str(clip), "-c", "copy", str(mkv))
    assert container(avi.read_bytes()[:256]) == "avi"
    assert container(mkv.read_bytes()[:256]) == "matroska"
    assert container(clip.read_bytes()[:256]) == "mov"
    for not_video in (png_bytes(make_frame()), b"hello", b"", b"GIF89a" + b"\0" * 300):
        assert not sniff_video(not_video[:256])


def test_look_of_a_video_is_the_look_of_its_sampled_frames(client, models_dir, clip, work):
    job = run_job(client, [(clip.read_bytes(), "Dusk clip.mp4")])
    assert job["state"] == "done", job
    look = job["look"]
    video = look["info"]["video"]
    assert video["name"] == "Dusk clip.mp4" and (video["width"], video["height"]) == (128, 96)
    assert video["frames"] == look["info"]["n_stills"] == 4 and video["duration_s"] == 4.0
    assert look["info"]["stills"] == [f"Dusk clip.mp4 @ 0:0{t}" for t in range(4)]
    assert look["name"] == "dusk-clip"
    assert job["done"] == job["total"] == 4
    assert set(look["info"]["timings"]) >= {"read_s", "estimate_s", "neutral_s", "total_s"}
    wait_empty(work)  # the upload is gone with the job's folder
    # the same frames as the pipeline's video source gives (lutml.data.sources.video_frames)
    frames = [rgb / np.float32(255) for rgb, _ in sampled_frames(clip, "c", 10**6, 200)]
    assert len(frames) == 4
    assert np.abs(frames[2] - graded_frames(4)[2]).mean() < 0.03  # H.264 at high quality
    direct = look_of_stills(load_any_model(models_dir / "estimator"), frames, size=17).lut
    resp = client.get(f"{look['view_url']}/lut?format=cube&size=17")
    assert resp.headers["Content-Disposition"].endswith("dusk-clip-17.cube")

    (work.parent / "v.cube").write_bytes(resp.data)
    np.testing.assert_allclose(read_lut(work.parent / "v.cube").table, direct.table, atol=2e-3)
    assert client.get(f"{look['view_url']}/after.jpg?strength=0.5").status_code == 200


def test_frames_get_the_frames_stages_size():
    hd = VideoInfo(1920, 1080, 30.0, 25.0, "h264")
    assert hd.frame_pixels(10**6) == 1024 * 576 + 1 and hd.frame_pixels(200_000) == 200_000
    assert VideoInfo(640, 480, 3.0, 25.0, "h264").frame_pixels(10**6) == 640 * 480 + 1


def test_large_video_frames_are_downscaled_by_ffmpeg(clip):
    got = list(sampled_frames(clip, "c", 3000, 200))
    assert len(got) == 4
    h, w = got[0][0].shape[:2]
    assert h * w <= 3000 and abs(w / h - 128 / 96) < 0.05 and got[0][0].dtype == np.uint8


def test_a_non_video_named_mp4_is_one_clear_message(client, work):
    job = run_job(client, [(b"this is not a video at all\n" * 40, "holiday.mp4")])
    assert job["state"] == "failed" and job["look"] is None
    assert job["error"].startswith("holiday.mp4 is not a video that can be read")
    assert "whatever its name says" in job["error"]
    assert str(work) not in job["error"] and "/tmp" not in job["error"]
    wait_empty(work)


def test_a_playlist_named_mp4_never_reaches_ffmpeg(client, work, monkeypatch):
    """ffmpeg would follow an HLS playlist or concat script to other files or URLs; the web
    hands it only files whose first bytes name a video container, with that demuxer forced."""
    import imageio_ffmpeg

    def never(*_a, **_k):
        raise AssertionError("ffmpeg was asked to guess what this file is")

    monkeypatch.setattr(imageio_ffmpeg, "read_frames", never)
    playlist = (
        b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    )
    for data, name in (
        (playlist, "clip.mp4"),
        (b"ffconcat version 1.0\nfile '/etc/hosts'\n", "c.mov"),
    ):
        job = run_job(client, [(data, name)])
        assert job["state"] == "failed"
        assert job["error"].startswith(f"{name} is not a video that can be read (its contents")
    wait_empty(work)


def test_an_empty_video_is_one_clear_message(client, work, tmp_path):
    job = run_job(client, [(b"", "empty.mp4")])
    assert job["state"] == "failed" and job["error"] == "empty.mp4 is an empty file."
    none = tmp_path / "none.mp4"  # a valid MP4 with a video stream and no frame in it
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=2:duration=1", "-frames:v", "0", str(none))
    job = run_job(client, [(none.read_bytes(), "none.mp4")])
    assert job["state"] == "failed"
    assert job["error"].startswith(
        "none.mp4 is not a video that can be read (it holds no video frames)"
    )
    audio = tmp_path / "sound.m4a"  # sound only
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", str(audio))
    job = run_job(client, [(audio.read_bytes(), "sound.m4a")])
    assert job["state"] == "failed" and "(it holds no video frames)" in job["error"], job
    wait_empty(work)


def test_a_too_long_video_is_refused_before_it_is_decoded(models_dir, work, clip, monkeypatch):
    def never(*_a, **_k):
        raise AssertionError("decoded a video that is too long")

    monkeypatch.setattr(look_routes, "sampled_frames", never)
    client = make_app(work, [models_dir], LUTML_MAX_VIDEO_S=3).test_client()
    job = run_job(client, [(clip.read_bytes(), "long.mp4")])
    assert job["state"] == "failed"
    assert job["error"].startswith("long.mp4 is 0:04 long; the limit is 0:03")
    client = make_app(work, [models_dir], LUTML_MAX_PIXELS=10_000).test_client()
    job = run_job(client, [(clip.read_bytes(), "big.mp4")])
    assert job["state"] == "failed" and job["error"].startswith("big.mp4 has frames of 128×96")
    assert "megapixels; the limit is" in job["error"]
    wait_empty(work)


def test_a_video_with_stills_is_refused_and_leaves_nothing(client, clip, work):
    resp = start(client, [(png_bytes(make_frame()), "a.png"), (clip.read_bytes(), "b.mov")])
    assert resp.status_code == 400
    assert resp.get_json()["error"].startswith("b.mov is a video: a look is learned from one video")
    assert list(work.iterdir()) == []


def test_a_video_is_known_by_its_contents_whatever_its_name(client, clip):
    job = run_job(client, [(clip.read_bytes(), "looks-like-a.png")])
    assert job["state"] == "done" and job["look"]["info"]["video"]["frames"] == 4


def test_cancel_stops_ffmpeg_and_removes_the_upload(models_dir, work, tmp_path, monkeypatch):
    real = video.sampled_frames

    def slow(*args, **kwargs):
        for item in real(*args, **kwargs):
            time.sleep(0.4)
            yield item

    monkeypatch.setattr(look_routes, "sampled_frames", slow)
    longer = write_video(tmp_path / "longer.mp4", graded_frames(12, 64, 64), fps=2, hold=2)
    client = make_app(work, [models_dir]).test_client()
    job = start(client, [(longer.read_bytes(), "longer.mp4")]).get_json()["job"]
    end = time.monotonic() + 10
    while job["done"] < 1 and time.monotonic() < end:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").get_json()["job"]
    assert job["state"] == "reading" and job["total"] == 12, job
    assert "Sampling the video" in job["step"]
    assert client.post(f"/api/jobs/{job['id']}/cancel").status_code == 200
    job = wait_job(client, job, 10)
    assert job["state"] == "cancelled" and job["look"] is None and job["done"] < 12
    wait_empty(work)
    end = time.monotonic() + 5
    while ffmpeg_running_on(work) and time.monotonic() < end:
        time.sleep(0.05)
    assert ffmpeg_running_on(work) == []


def test_page_offers_video_input(client):
    page = client.get("/").get_data(as_text=True)
    assert "video/*" in page and "one short graded video (at most 3:20 long" in page


def test_a_video_look_report_speaks_of_its_frames():
    """The trust words are written for stills; a video's look says "the video's frames"."""
    from lutml.web.look_routes import _of_video

    assert _of_video("tone: unsure - your stills are mostly dark") == (
        "tone: unsure - the video's frames are mostly dark"
    )
    assert _of_video("No single look found: the stills disagree about the look") == (
        "No single look found: the video's frames disagree about the look"
    )
    assert _of_video("Your stills' blacks are deep") == "The video's frames' blacks are deep"
