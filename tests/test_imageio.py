"""lutml.imageio: 8/16-bit PNG/TIFF/JPEG, alpha, grayscale, palette, corrupt files, atomic writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lutml.imageio import ImageReadError, list_images, read_image, read_image_full, write_image


@pytest.fixture()
def rgb16() -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 65536, size=(7, 11, 3), dtype=np.uint16)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_round_trip_is_exact(tmp_path: Path, rgb16: np.ndarray, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    write_image(path, rgb16)
    img = read_image_full(path)
    assert img.bit_depth == 16 and img.alpha is None
    np.testing.assert_array_equal(img.rgb, rgb16)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_alpha_is_kept_separately(tmp_path: Path, suffix: str) -> None:
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, size=(5, 6, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, size=(5, 6), dtype=np.uint8)
    path = tmp_path / f"a{suffix}"
    write_image(path, rgb, alpha=alpha)
    img = read_image_full(path)
    np.testing.assert_array_equal(img.rgb, rgb)
    np.testing.assert_array_equal(img.alpha, alpha)


def test_float_write_rounds_to_nearest(tmp_path: Path) -> None:
    x = np.full((2, 2, 3), 0.5, np.float32)  # 127.5 -> 128 (round half to even gives 128)
    x[0, 0] = [0.2 / 255, 1.0, 1.7]  # rounds to 0, 255, clipped 255
    write_image(tmp_path / "f.png", x)
    got = read_image_full(tmp_path / "f.png").rgb
    assert got[0, 0].tolist() == [0, 255, 255] and got[1, 1, 0] == 128


def test_grayscale_and_palette_become_rgb(tmp_path: Path) -> None:
    g = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    Image.fromarray(g, "L").save(tmp_path / "g.png")
    img = read_image_full(tmp_path / "g.png")
    assert (
        img.rgb.shape == (3, 4, 3) and np.all(img.rgb[..., 0] == g) and np.all(img.rgb[..., 2] == g)
    )
    p = Image.fromarray(g, "L").convert("P")
    p.save(tmp_path / "p.png")
    assert read_image(tmp_path / "p.png").shape == (3, 4, 3)
    g16 = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    Image.fromarray(g16).save(tmp_path / "g16.png")
    img16 = read_image_full(tmp_path / "g16.png")
    assert img16.bit_depth == 16 and np.all(img16.rgb[..., 1] == g16)


def test_jpeg_round_trip_close(tmp_path: Path) -> None:
    x = np.tile(np.linspace(0, 1, 32, dtype=np.float32)[None, :, None], (16, 1, 3))
    write_image(tmp_path / "a.jpg", x)
    assert np.abs(read_image(tmp_path / "a.jpg") - x).max() < 3 / 255
    with pytest.raises(ValueError, match="JPEG"):
        write_image(tmp_path / "b.jpg", x, bit_depth=16)


def test_bad_files_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("not an image")
    good = tmp_path / "good.png"
    write_image(good, np.zeros((64, 64, 3), np.float32) + 0.3)
    (tmp_path / "trunc.png").write_bytes(good.read_bytes()[:60])
    for name in ("empty.png", "text.jpg", "trunc.png"):
        with pytest.raises(ImageReadError, match=name):
            read_image(tmp_path / name)
    with pytest.raises(FileNotFoundError, match="missing.png"):
        read_image(tmp_path / "missing.png")


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_image(tmp_path / "x.png", np.zeros((4, 4, 2), np.float32))
    with pytest.raises(ValueError):
        write_image(tmp_path / "x.bmp", np.zeros((4, 4, 3), np.float32))
    assert list(tmp_path.iterdir()) == []


def test_list_images_sorted_by_name(tmp_path: Path) -> None:
    for n in ("b.PNG", "a.jpg", "c.txt"):
        (tmp_path / n).write_bytes(b"x")
    assert [p.name for p in list_images(tmp_path)] == ["a.jpg", "b.PNG"]


def test_outputs_get_the_usual_file_mode(tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    os.umask(umask)
    write_image(tmp_path / "m.png", np.zeros((2, 2, 3), np.float32))
    assert (tmp_path / "m.png").stat().st_mode & 0o777 == 0o666 & ~umask
