"""Damaged JPEGs are errors (issue 24 item 7): corrupt compressed data in the middle of a scan, a
restart marker out of order, bytes left over after the last block, a file cut short - also
when something in the process set Pillow's LOAD_TRUNCATED_IMAGES - and sound JPEGs of every
layout still read. Each damaged file is made in tmp_path from a small sound one."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile
from sample_helpers import jpeg_scan_bounds
from web_helpers import known_grade, make_frame, png_bytes

from lutml.imageio import ImageReadError, read_image_full
from lutml.imageio.jpeg import _jpeg_scans
from lutml.lut import LUT3D, write_cube
from lutml.web import create_app

ROOT = Path(__file__).resolve().parents[2]


def photo(h: int = 192, w: int = 256, seed: int = 0) -> np.ndarray:
    """A smooth, colourful uint8 frame with some texture (so that blocks carry AC data)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    img = np.stack([0.5 + 0.4 * np.sin(7 * x + 3 * c + 5 * y * c) for c in range(3)], -1)
    img += rng.normal(0, 0.03, img.shape)
    return np.clip(img * 255, 0, 255).astype(np.uint8)


def jpeg(tmp_path: Path, name: str = "ok.jpg", **options) -> bytes:
    Image.fromarray(photo()).save(tmp_path / name, quality=90, **options)
    return (tmp_path / name).read_bytes()


def write(tmp_path: Path, data: bytes, name: str = "bad.jpg") -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


@pytest.mark.parametrize(
    "options", [{}, {"progressive": True}, {"restart_marker_blocks": 4}], ids=str
)
def test_zeroed_middle_of_a_scan_is_an_error(tmp_path, options):
    """200 bytes of the scan overwritten with zeros (across a restart marker where there are
    some): libjpeg decodes garbage and only warns."""
    data = jpeg(tmp_path, **options)
    start, end = jpeg_scan_bounds(data)
    at = data.find(b"\xff\xd0", start) - 100 if "restart_marker_blocks" in options else start
    at += (end - start) // 2 if at == start else 0
    bad = write(tmp_path, data[:at] + bytes(200) + data[at + 200 :])
    with pytest.raises(ImageReadError, match=r"bad\.jpg: damaged JPEG: corrupt compressed data"):
        read_image_full(bad)


def test_bytes_cut_from_the_middle_of_a_scan_are_an_error(tmp_path):
    data = jpeg(tmp_path)
    start, end = jpeg_scan_bounds(data)
    at = start + (end - start) // 3
    while b"\xff" in data[at - 1 : at + 65]:
        at += 7
    bad = write(tmp_path, data[:at] + data[at + 64 :])
    with pytest.raises(ImageReadError, match=r"bad\.jpg: damaged JPEG: (corrupt|its compressed)"):
        read_image_full(bad)


def test_restart_markers_out_of_order_are_an_error(tmp_path):
    data = bytearray(jpeg(tmp_path, restart_marker_blocks=4))
    start, end = jpeg_scan_bounds(bytes(data))
    first = data.find(b"\xff\xd0", start)
    data[first + 1] = 0xD3  # RST3 where RST0 belongs
    bad = write(tmp_path, bytes(data))
    with pytest.raises(ImageReadError, match="restart marker missing or out of order"):
        read_image_full(bad)


def test_bytes_left_over_after_the_last_block_are_an_error(tmp_path):
    """A spliced file: the frame is complete before its data ends (libjpeg skips the rest)."""
    data = jpeg(tmp_path)
    start, end = jpeg_scan_bounds(data)
    bad = write(tmp_path, data[:end] + bytes(range(1, 200)) + data[end:])
    with pytest.raises(ImageReadError, match="data left over after the last block"):
        read_image_full(bad)


def test_a_multi_picture_jpeg_is_checked_too(tmp_path):
    """Phones and 3D cameras write MPO (Pillow's format "MPO", not "JPEG"): its first image."""
    Image.fromarray(photo()).save(
        tmp_path / "m.mpo",
        format="MPO",
        save_all=True,
        append_images=[Image.fromarray(photo(seed=1))],
    )
    data = (tmp_path / "m.mpo").read_bytes()
    assert read_image_full(tmp_path / "m.mpo").rgb.shape == (192, 256, 3)
    start, end = jpeg_scan_bounds(data)
    at = (start + end) // 2
    bad = write(tmp_path, data[:at] + bytes(200) + data[at + 200 :], "bad.mpo")
    with pytest.raises(ImageReadError, match=r"bad\.mpo: damaged JPEG"):
        read_image_full(bad)


def test_a_jpeg_of_many_scans_is_checked_in_little_memory(tmp_path):
    """Nothing is kept per scan (a file may repeat a scan thousands of times): 300 extra copies
    of a progressive file's DC refinement scan are read within a few MB of Python memory."""
    import tracemalloc

    data = jpeg(tmp_path, "p.jpg", progressive=True)
    read_image_full(tmp_path / "p.jpg")  # numba's first call (cache load) is not measured
    sos = [i for i in range(len(data) - 1) if data[i : i + 2] == b"\xff\xda"]
    ends, _ = _jpeg_scans(data)
    k = next(
        j
        for j, i in enumerate(sos)
        if data[i + 5 + 2 * data[i + 4]] == 0 and data[i + 7 + 2 * data[i + 4]] >> 4
    )  # Ss = 0, Ah > 0
    many = write(
        tmp_path, data[: ends[k]] + data[sos[k] : ends[k]] * 300 + data[ends[k] :], "many.jpg"
    )
    tracemalloc.start()
    try:
        assert read_image_full(many).rgb.shape == (192, 256, 3)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6, f"{peak / 1e6:.0f} MB"


def test_error_names_the_scan_and_the_byte(tmp_path):
    data = jpeg(tmp_path, progressive=True)
    start, end = jpeg_scan_bounds(data)
    at = (start + end) // 2
    bad = write(tmp_path, data[:at] + bytes(200) + data[at + 200 :])
    with pytest.raises(ImageReadError, match=r"in scan 1 of \d+, near byte \d+ of \d+"):
        read_image_full(bad)


@pytest.mark.parametrize("suffix", ["jpg", "png"])
def test_cut_files_are_errors_even_with_load_truncated_images_set(tmp_path, monkeypatch, suffix):
    """Some library in the process may set Pillow's global; our reads must not honour it."""
    Image.fromarray(photo()).save(tmp_path / f"ok.{suffix}")
    data = (tmp_path / f"ok.{suffix}").read_bytes()
    cut = write(tmp_path, data[: len(data) * 2 // 3], f"cut.{suffix}")
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ImageReadError, match=rf"cut\.{suffix}"):
        read_image_full(cut)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as it was


@pytest.mark.parametrize(
    "options",
    [{"subsampling": 0}, {"subsampling": 1}, {"subsampling": 2, "progressive": True},
     {"restart_marker_blocks": 1}, {"restart_marker_rows": 1, "progressive": True},
     {"optimize": True, "quality": 100}, {"quality": 1}],
    ids=str,
)  # fmt: skip
@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
@pytest.mark.parametrize("size", [(1, 1), (9, 17), (8, 300), (131, 77)], ids=str)
def test_sound_jpegs_of_every_layout_read(tmp_path, options, mode, size):
    h, w = size
    img = Image.fromarray(photo(max(h, 16), max(w, 16))).resize((w, h)).convert(mode)
    img.save(tmp_path / "s.jpg", **options)
    assert read_image_full(tmp_path / "s.jpg").rgb.shape == (h, w, 3)


def test_lutml_apply_refuses_a_corrupt_jpeg_and_writes_nothing(tmp_path):
    write_cube(LUT3D.identity(3), tmp_path / "id.cube")
    data = jpeg(tmp_path)
    start, end = jpeg_scan_bounds(data)
    at = (start + end) // 2
    bad = write(tmp_path, data[:at] + bytes(200) + data[at + 200 :])
    out = subprocess.run(
        [sys.executable, "-m", "lutml.cli", "apply", str(tmp_path / "id.cube"), str(bad),
         str(tmp_path / "o.png")],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert f"{bad}: damaged JPEG: corrupt compressed data" in lines[0]
    assert not (tmp_path / "o.png").exists()


def test_web_match_refuses_a_corrupt_jpeg(tmp_path):
    client = create_app(
        {"TESTING": True, "LUTML_MODEL_DIRS": [], "LUTML_TMP_DIR": str(tmp_path)}
    ).test_client()
    frame = np.rint(make_frame() * 255) / 255
    buf = io.BytesIO()
    Image.fromarray((frame * 255).astype(np.uint8)).save(buf, format="JPEG", quality=95)
    data = buf.getvalue()
    start, end = jpeg_scan_bounds(data)
    at = (start + end) // 2
    bad = data[:at] + bytes(120) + data[at + 120 :]
    form = {
        "before": (io.BytesIO(bad), "shot.jpg"),
        "after": (io.BytesIO(png_bytes(known_grade(frame))), "a.png"),
        "size": "17",
    }
    resp = client.post("/api/match", data=form, content_type="multipart/form-data")
    assert resp.status_code == 400, resp.get_data(as_text=True)[:500]
    message = resp.get_json()["error"]
    assert "before image (shot.jpg) could not be decoded: damaged JPEG" in message
    assert str(tmp_path) not in message


def test_a_jpeg_without_huffman_tables_falls_back_to_the_junk_test(tmp_path):
    """Motion-JPEG frames carry no DHT (libjpeg-turbo uses the standard tables): the walker
    leaves them to the older test, which still reads a sound one and refuses a patched header."""
    data = jpeg(tmp_path)
    out, pos = bytearray(data[:2]), 2
    while data[pos + 1] != 0xDA:  # copy every segment but the Huffman tables
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if data[pos + 1] != 0xC4:
            out += data[pos : pos + 2 + length]
        pos += 2 + length
    out += data[pos:]
    sound = write(tmp_path, bytes(out), "mjpeg.jpg")
    assert read_image_full(sound).rgb.shape == (192, 256, 3)
    i = out.find(b"\xff\xc0")
    patched = bytes(out[: i + 5]) + struct.pack(">HH", 2000, 2000) + bytes(out[i + 9 :])
    with pytest.raises(ImageReadError, match="ends before the 2000x2000 frame is filled"):
        read_image_full(write(tmp_path, patched))
