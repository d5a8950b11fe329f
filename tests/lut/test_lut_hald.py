"""Hald CLUT images: the layout checked against ImageMagick's ``hald:`` identity, clipping, sizes.

ImageMagick (coders/hald.c, ReadHALDImage) makes the identity Hald of level L by walking blocks
of L rows: block y // L holds blue = y // L, and inside it green, then red (fastest) count up
through the L^2 values, each written as QuantumRange * value / (L^2 - 1), rounded. The test
re-implements that loop independently of lutml (pixels written one block at a time, pure
Python counters) and writes/reads PNGs with Pillow and pypng directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import png
import pytest
from lut_format_helpers import graded_lut, leftovers
from PIL import Image
from sample_helpers import asymmetric_lut

from lutml.lut import LUT1D, LUT3D, LutFormatWarning, apply_lut, identity_table
from lutml.lut.hald import hald_level, read_hald, write_hald


def imagemagick_identity(level: int, quantum: int) -> np.ndarray:
    """ImageMagick's ``hald:<level>`` image, (L^3, L^3, 3) integers in [0, quantum]."""
    cube = level * level
    side = level * cube
    image = np.zeros((side, side, 3), np.int64)
    for y in range(0, side, level):
        flat = image[y : y + level].reshape(-1, 3)  # the block of `level` rows, in raster order
        blue, q = y // level, 0
        for green in range(cube):
            for red in range(cube):
                flat[q] = [int(quantum * v / (cube - 1.0) + 0.5) for v in (red, green, blue)]
                q += 1
    return image


def read_png_independently(path: Path) -> np.ndarray:
    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    return np.vstack([np.asarray(r, np.int64) for r in rows]).reshape(height, width, info["planes"])


@pytest.mark.parametrize(("level", "bits"), [(2, 8), (3, 16), (4, 8), (8, 16)])
def test_identity_matches_imagemagick_both_ways(tmp_path: Path, level: int, bits: int):
    quantum = 2**bits - 1
    expected = imagemagick_identity(level, quantum)
    write_hald(LUT3D(identity_table(level * level)), tmp_path / "ours.png", bits=bits)
    np.testing.assert_array_equal(read_png_independently(tmp_path / "ours.png"), expected)
    theirs = tmp_path / "imagemagick.png"
    with open(theirs, "wb") as fh:
        png.Writer(expected.shape[1], expected.shape[0], greyscale=False, bitdepth=bits).write(
            fh, expected.reshape(expected.shape[0], -1).astype(np.uint8 if bits == 8 else np.uint16)
        )
    lut = read_hald(theirs)
    assert lut.size == level * level
    np.testing.assert_allclose(
        lut.table, identity_table(level * level), rtol=0, atol=0.5 / quantum + 1e-7
    )


def test_graded_hald_puts_each_colour_where_the_identity_has_its_input(tmp_path: Path):
    """Pixel (x, y) of a graded Hald = the grade of the colour at (x, y) in the identity Hald."""
    lut = graded_lut(64)  # level 8: the common 512 x 512 Hald
    write_hald(lut, tmp_path / "look.png", bits=16)
    graded = read_png_independently(tmp_path / "look.png") / 65535.0
    node = np.rint(imagemagick_identity(8, 65535) / 65535.0 * 63).astype(int)  # (r, g, b) node
    expected = lut.table[node[..., 0], node[..., 1], node[..., 2]]
    np.testing.assert_allclose(graded, expected, rtol=0, atol=0.5 / 65535 + 1e-7)
    with Image.open(tmp_path / "look.png") as im:
        assert im.size == (512, 512)
    back = read_hald(tmp_path / "look.png")
    np.testing.assert_allclose(back.table, lut.table, rtol=0, atol=0.5 / 65535 + 1e-7)


def test_8_bit_and_pillow(tmp_path: Path):
    lut = graded_lut(16)
    write_hald(lut, tmp_path / "look8.png", bits=8)
    with Image.open(tmp_path / "look8.png") as im:
        assert im.mode == "RGB" and im.size == (64, 64)
        pixels = np.asarray(im) / 255.0
    node = np.rint(imagemagick_identity(4, 255) / 255.0 * 15).astype(int)
    np.testing.assert_allclose(
        pixels, lut.table[node[..., 0], node[..., 1], node[..., 2]], rtol=0, atol=0.5 / 255 + 1e-7
    )
    np.testing.assert_allclose(
        read_hald(tmp_path / "look8.png").table, lut.table, atol=0.5 / 255 + 1e-7
    )


def test_clipping_and_baking_warn(tmp_path: Path):
    with pytest.warns(LutFormatWarning, match=r"holds outputs in \[0, 1\] only: .* were clipped"):
        write_hald(asymmetric_lut(16), tmp_path / "clipped.png")
    lut = graded_lut(9)
    lut.shaper = LUT1D(np.linspace(0, 1, 32)[:, None] ** np.array([0.5, 1.0, 2.0]))
    with pytest.warns(LutFormatWarning, match="1D shaper was baked into 9\\^3 nodes"):
        write_hald(lut, tmp_path / "baked.png")
    np.testing.assert_allclose(
        read_hald(tmp_path / "baked.png").table.reshape(-1, 3),
        apply_lut(lut, identity_table(9).reshape(-1, 3)),
        atol=0.5 / 65535 + 1e-6,
    )


def test_sizes_levels_and_refusals(tmp_path: Path):
    assert [hald_level(n) for n in (4, 9, 33, 64, 65, 256)] == [2, 3, None, 8, None, 16]
    target = tmp_path / "kept.png"
    target.write_bytes(b"old")
    with pytest.raises(
        ValueError,
        match=r"holds L\^2 nodes per axis \(4, 9, .*\); this LUT has 33: "
        r"resample it, e.g. `lutml convert IN kept.png --size 36`",
    ):
        write_hald(graded_lut(33), target)
    with pytest.raises(ValueError, match="8 or 16 bits, not 12"):
        write_hald(graded_lut(16), target, bits=12)
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []
    write_hald(graded_lut(33), tmp_path / "resampled.png", level=6)
    assert read_hald(tmp_path / "resampled.png").size == 36


@pytest.mark.parametrize(
    ("shape", "problem"), [((64, 32), "this image is 32x64"), ((30, 30), "30x30")]
)
def test_images_that_are_not_hald_are_refused(tmp_path: Path, shape: tuple[int, int], problem: str):
    Image.fromarray(np.zeros((*shape, 3), np.uint8)).save(tmp_path / "photo.png")
    with pytest.raises(
        ValueError, match=rf"photo\.png: a Hald CLUT is a square of L\^3 x L\^3 .*{problem}"
    ):
        read_hald(tmp_path / "photo.png")
