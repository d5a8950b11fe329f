"""lutml.imageio: 8/16-bit PNG/TIFF/JPEG, alpha, grayscale, palette, corrupt files, atomic writes;
TIFF layout from the tags, one pixel limit for every reader checked from the header, multi-page
TIFFs read one page (issue 12, items 3-5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image
from sample_helpers import png_claiming

from lutml.imageio import ImageReadError, list_images, read_image, read_image_full, write_image

RNG = np.random.default_rng(3)


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


# ---------------------------------------------------------------- TIFF layout, pixel limit, pages


@pytest.mark.parametrize("width", [3, 4, 5])
@pytest.mark.parametrize("samples", [3, 4])
def test_planar_tiff_layout_comes_from_the_tags(tmp_path: Path, width: int, samples: int):
    """A planar (separate) TIFF 3 or 4 pixels wide looked like (H, W, C) and was read transposed."""
    pixels = RNG.integers(0, 65536, (7, width, samples), dtype=np.uint16)
    path = tmp_path / "planar.tif"
    extra = ["unassalpha"] if samples == 4 else None
    tifffile.imwrite(
        path,
        np.moveaxis(pixels, -1, 0),
        photometric="rgb",
        planarconfig="separate",
        extrasamples=extra,
    )
    img = read_image_full(path)
    np.testing.assert_array_equal(img.rgb, pixels[..., :3])
    if samples == 4:
        np.testing.assert_array_equal(img.alpha, pixels[..., 3])


def test_contiguous_tiff_3_rows_high_is_not_taken_for_planar(tmp_path: Path):
    pixels = RNG.integers(0, 256, (3, 8, 3), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "c.tif", pixels, photometric="rgb")
    np.testing.assert_array_equal(read_image_full(tmp_path / "c.tif").rgb, pixels)


def test_planar_grey_with_alpha(tmp_path: Path):
    pixels = RNG.integers(0, 65536, (2, 10, 12), dtype=np.uint16)
    tifffile.imwrite(
        tmp_path / "ga.tif",
        pixels,
        photometric="minisblack",
        planarconfig="separate",
        extrasamples=["unassalpha"],
    )
    img = read_image_full(tmp_path / "ga.tif")
    np.testing.assert_array_equal(img.rgb, np.repeat(pixels[0][..., None], 3, axis=2))
    np.testing.assert_array_equal(img.alpha, pixels[1])


def test_palette_and_min_is_white_tiffs_mean_their_colours(tmp_path: Path):
    index = np.array([[0, 1], [2, 1]], np.uint8)
    cmap = np.zeros((3, 256), np.uint16)
    cmap[:, 1] = (65535, 0, 0)
    cmap[:, 2] = (0, 32896, 65535)  # 128 * 257
    tifffile.imwrite(tmp_path / "p.tif", index, photometric="palette", colormap=cmap)
    img = read_image_full(tmp_path / "p.tif")
    assert img.bit_depth == 8
    np.testing.assert_array_equal(img.rgb[0, 1], [255, 0, 0])
    np.testing.assert_array_equal(img.rgb[1, 0], [0, 128, 255])
    grey = RNG.integers(0, 256, (4, 5), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "w.tif", grey, photometric="miniswhite")
    np.testing.assert_array_equal(read_image_full(tmp_path / "w.tif").rgb[..., 0], 255 - grey)


def test_cmyk_tiff_is_refused_not_read_as_rgba(tmp_path: Path):
    tifffile.imwrite(tmp_path / "k.tif", np.zeros((4, 4, 4), np.uint8), photometric="separated")
    with pytest.raises(ImageReadError, match="colour model SEPARATED is not supported"):
        read_image_full(tmp_path / "k.tif")


def test_multipage_tiff_reads_its_first_page_only(tmp_path: Path, monkeypatch):
    pages = RNG.integers(0, 256, (5, 20, 30), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "m.tif", pages, photometric="minisblack")  # one series of 5 pages
    decoded = []
    original = tifffile.TiffPage.asarray

    def asarray(self, *args, **kwargs):
        decoded.append(self.index)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(tifffile.TiffPage, "asarray", asarray)
    img = read_image_full(tmp_path / "m.tif")
    np.testing.assert_array_equal(img.rgb, np.repeat(pages[0][..., None], 3, axis=2))
    assert decoded == [0]


@pytest.mark.parametrize("bits", [8, 16])
def test_every_png_reader_checks_the_pixel_limit_from_the_header(tmp_path: Path, bits: int):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(100_000, 100_000, bits))
    with pytest.raises(
        ImageReadError, match=r"100000×100000 = 10000\.0 megapixels, over the 89\.5 megapixel"
    ):
        read_image_full(path)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".jpg"])
def test_limit_is_pillows_and_applies_before_decoding(tmp_path: Path, monkeypatch, suffix: str):
    """One limit (PIL.Image.MAX_IMAGE_PIXELS) for 8/16-bit PNG, TIFF and JPEG, checked before decoding."""
    path = tmp_path / f"a{suffix}"
    write_image(
        path,
        RNG.integers(0, 65536, (40, 50, 3), dtype=np.uint16)
        if suffix != ".jpg"
        else RNG.integers(0, 256, (40, 50, 3), dtype=np.uint8),
    )
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded pixels of an image over the limit")

    monkeypatch.setattr(tifffile.TiffPage, "asarray", no_decoding)
    monkeypatch.setattr("png.Reader.asDirect", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(
        ImageReadError, match=r"50×40 = 0\.0 megapixels, over the 0\.0 megapixel limit"
    ) as info:
        read_image_full(path)
    assert (info.value.size, info.value.pixels, info.value.limit) == ((50, 40), 2000, 1000)


def test_jpeg_far_over_the_limit_says_so(tmp_path: Path, monkeypatch):
    """Past twice the limit Pillow refuses in Image.open itself; the message still says 'too large'."""
    path = tmp_path / "a.jpg"
    write_image(path, RNG.integers(0, 256, (40, 50, 3), dtype=np.uint8))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)
    with pytest.raises(ImageReadError, match="megapixels, over the") as info:
        read_image_full(path)
    assert (info.value.pixels, info.value.limit) == (2000, 500)


def test_decoder_messages_do_not_repeat_the_path(tmp_path: Path):
    path = tmp_path / "junk.png"
    path.write_bytes(
        png_claiming(16, 16, 8)[:29] + b"junk" * 10
    )  # IHDR without its CRC: unidentifiable
    with pytest.raises(ImageReadError) as info:
        read_image_full(path)
    assert str(info.value).count(str(path)) == 1, info.value
