"""Stage `frames`: embedded photos, folders of stills, video, .cube looks, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sample_helpers import fake_corpus_cfg, smooth_photo

from lutml.config.frames import FramesConfig
from lutml.data.frames import make_frames as _make_frames
from lutml.data.frames import read_frames_manifest
from lutml.data.looks import get_look
from lutml.data.sources import video_frames
from lutml.imageio import read_image, read_image_full, write_image
from lutml.lut import LUT3D, write_cube

TINY = {
    "source": "embedded",
    "path": None,
    "graded": False,
    "colour_space": None,
    "per_photo": 1,
    "crop": [0.6, 1.0],
    "min_size": 64,
    "max_size": 160,
    "video": {"fps": 5.0, "max_frames": 50, "duplicate_threshold": 0.01, "shot_threshold": 0.12},
}


photo = smooth_photo


def make_frames(out: Path, c: dict, look, seed: int) -> dict:
    """The frames stage on a fake 12-photo corpus beside `out` (3 eval, 4 look, 5 train photos)."""
    cfg = FramesConfig.from_mapping(c, "frames")
    return _make_frames(out, cfg, look, fake_corpus_cfg(out.parent / "corpus"), seed)


def test_embedded_frames_graded_with_the_look(tmp_path: Path) -> None:
    m = make_frames(tmp_path / "frames", TINY, "teal_orange", seed=1)
    look = get_look("teal_orange")
    assert m["neutral"] and m["look"]["name"] == "teal_orange" and not m["skipped"]
    assert len(m["frames"]) == 4 and len(m["heldout"]) == 3  # the look and eval roles
    assert not {f["group"] for f in m["frames"]} & {h["group"] for h in m["heldout"]}
    for h in m["heldout"]:
        assert (tmp_path / "frames" / "heldout" / f"{h['id']}.png").is_file()
    for f in m["frames"]:
        neutral = read_image(tmp_path / "frames" / "neutral" / f"{f['id']}.png")
        graded = read_image(tmp_path / "frames" / "graded" / f"{f['id']}.png")
        assert 64 <= min(neutral.shape[:2]) and max(neutral.shape[:2]) <= 160
        assert list(neutral.shape[1::-1]) == f["size"]
        np.testing.assert_allclose(graded, look(neutral), atol=0.6 / 255)
    assert read_frames_manifest(tmp_path / "frames") == m


def test_embedded_frames_are_seeded(tmp_path: Path) -> None:
    crops = {**TINY, "per_photo": 2}
    a = make_frames(tmp_path / "a", crops, "teal_orange", seed=3)
    b = make_frames(tmp_path / "b", crops, "teal_orange", seed=3)
    c = make_frames(tmp_path / "c", crops, "teal_orange", seed=4)
    assert a["frames"] == b["frames"] and a["frames"] != c["frames"]
    assert len(a["frames"]) == 8
    for f in a["frames"][:3]:
        assert (tmp_path / "a/graded" / f"{f['id']}.png").read_bytes() == (
            tmp_path / "b/graded" / f"{f['id']}.png"
        ).read_bytes()


def test_folder_of_stills_with_bad_files_skipped(tmp_path: Path) -> None:
    src = tmp_path / "stills"
    write_image(src / "a.png", photo(0))
    write_image(src / "b16.png", photo(1), bit_depth=16)
    write_image(src / "c.tif", photo(2), bit_depth=16)
    write_image(src / "d.jpg", photo(3))
    write_image(src / "small.png", photo(4, 40, 50))
    (src / "broken.png").write_bytes((src / "a.png").read_bytes()[:200])  # truncated
    (src / "notes.txt").write_text("ignored: not an image")
    m = make_frames(
        tmp_path / "frames", {**TINY, "source": "folder", "path": str(src)}, "faded_film", seed=0
    )
    assert [f["source"] for f in m["frames"]] == ["a.png", "b16.png", "c.tif", "d.jpg"]
    assert len(m["skipped"]) == 2
    assert any("broken.png" in s for s in m["skipped"]) and any(
        "small.png" in s and "min_size" in s for s in m["skipped"]
    )
    assert read_image_full(tmp_path / "frames/graded/f00001.png").bit_depth == 16  # 16-bit kept
    np.testing.assert_allclose(
        read_image(tmp_path / "frames/neutral/f00002.png"), photo(2), atol=1e-4
    )


def test_already_graded_folder_has_no_neutral(tmp_path: Path) -> None:
    src = tmp_path / "stills"
    write_image(src / "a.png", photo(0))
    m = make_frames(
        tmp_path / "frames",
        {**TINY, "source": "folder", "path": str(src), "graded": True},
        "teal_orange",
        0,
    )
    assert not m["neutral"] and m["look"] is None and not (tmp_path / "frames/neutral").exists()
    np.testing.assert_allclose(
        read_image(tmp_path / "frames/graded/f00000.png"), photo(0), atol=0.6 / 255
    )


def test_bad_folders_fail_cleanly(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="empty: no PNG/JPEG/TIFF/EXR images"):
        make_frames(
            tmp_path / "out", {**TINY, "source": "folder", "path": str(empty)}, "teal_orange", 0
        )
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ValueError, match=r"no usable frame.*x\.jpg"):
        make_frames(
            tmp_path / "out", {**TINY, "source": "folder", "path": str(bad)}, "teal_orange", 0
        )
    assert not (tmp_path / "out").exists()  # no partial outputs
    assert {p.name for p in tmp_path.iterdir()} == {
        "empty",
        "bad",
        "corpus",
    }  # no staging leftovers
    with pytest.raises(FileNotFoundError, match="missing"):
        make_frames(
            tmp_path / "out",
            {**TINY, "source": "folder", "path": str(tmp_path / "missing")},
            "teal_orange",
            0,
        )
    with pytest.raises(ValueError, match="needs frames.path"):
        make_frames(tmp_path / "out", {**TINY, "source": "video"}, "teal_orange", 0)


def write_video(path: Path, shots: list[tuple[int, int, int]], frames_per_shot: int = 10) -> None:
    import imageio_ffmpeg

    w = imageio_ffmpeg.write_frames(str(path), (96, 80), fps=10, macro_block_size=16)
    w.send(None)
    for colour in shots:
        for _ in range(frames_per_shot):  # a static shot: near-duplicate frames
            w.send(np.broadcast_to(np.uint8(colour), (80, 96, 3)).copy().tobytes())
    w.close()


def test_video_frames_dedup_and_shots(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    write_video(video, [(200, 60, 40), (40, 160, 200), (90, 90, 90)])
    frames = list(
        video_frames(video, fps=5.0, max_frames=50, duplicate_threshold=0.01, shot_threshold=0.12)
    )
    assert [f.group for f in frames] == ["shot000", "shot001", "shot002"]  # duplicates dropped
    np.testing.assert_allclose(
        frames[1].rgb.mean(axis=(0, 1)), np.array([40, 160, 200]) / 255, atol=0.03
    )
    m = make_frames(
        tmp_path / "frames",
        {**TINY, "source": "video", "path": str(video), "min_size": 64},
        "bleach_bypass",
        0,
    )
    assert len(m["frames"]) == 3 and m["frames"][0]["source"].startswith("clip.mp4#t=")


def test_undecodable_video(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    with pytest.raises(ValueError, match="broken.mp4: cannot decode video"):
        make_frames(
            tmp_path / "out", {**TINY, "source": "video", "path": str(bad)}, "teal_orange", 0
        )
    assert not (tmp_path / "out").exists()


def test_cube_look_makes_graded_frames(tmp_path: Path) -> None:
    lut = LUT3D.identity(9)
    table = lut.table.copy()
    table[..., 0] = table[..., 0] * 0.8  # red-only gain (linear: exact between nodes)
    write_cube(LUT3D(table, title="red"), tmp_path / "red.cube")
    src = tmp_path / "stills"
    write_image(src / "a.png", photo(0))
    m = make_frames(
        tmp_path / "frames",
        {**TINY, "source": "folder", "path": str(src)},
        {"name": "cube", "path": str(tmp_path / "red.cube")},
        0,
    )
    assert m["look"]["path"].endswith("red.cube")
    neutral = read_image(tmp_path / "frames/neutral/f00000.png")
    graded = read_image(tmp_path / "frames/graded/f00000.png")
    np.testing.assert_allclose(graded[..., 0], neutral[..., 0] * 0.8, atol=1.5 / 255)
    np.testing.assert_allclose(graded[..., 1:], neutral[..., 1:], atol=1 / 255)


def test_invalid_cube_look_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cube"
    bad.write_text("LUT_3D_SIZE 2\n0 0 0\n1 0\n")
    with pytest.raises(ValueError, match="bad.cube"):
        make_frames(tmp_path / "out", TINY, {"name": "cube", "path": str(bad)}, 0)
    assert not (tmp_path / "out").exists()
