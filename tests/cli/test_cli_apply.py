"""`lutml apply` and `lutml info`, through `lutml.cli.main` and once through the installed command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sample_helpers import asymmetric_lut

from lutml.cli import main
from lutml.imageio import read_image_full, write_image
from lutml.lut import LUT3D, apply_lut, identity_table, write_cube

RNG = np.random.default_rng(5)


@pytest.fixture
def look(tmp_path: Path) -> tuple[Path, LUT3D]:
    lut = asymmetric_lut(17)
    lut.table = np.clip(lut.table, 0, 1)
    write_cube(lut, tmp_path / "look.cube")
    return tmp_path / "look.cube", lut


def rgb8(h: int = 24, w: int = 32) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize(("suffix", "bits"), [(".png", 8), (".png", 16), (".tif", 8), (".tif", 16)])
def test_apply_keeps_bit_depth_and_matches_the_library(tmp_path, look, suffix, bits):
    cube, lut = look
    dtype = np.uint8 if bits == 8 else np.uint16
    img = RNG.integers(0, np.iinfo(dtype).max + 1, (20, 30, 3)).astype(dtype)
    write_image(tmp_path / f"in{suffix}", img)
    assert (
        main(["apply", str(cube), str(tmp_path / f"in{suffix}"), str(tmp_path / f"out{suffix}")])
        == 0
    )
    out = read_image_full(tmp_path / f"out{suffix}")
    assert out.bit_depth == bits and out.alpha is None
    np.testing.assert_array_equal(out.rgb, apply_lut(lut, img))


def test_alpha_is_carried_over_and_options_apply(tmp_path, look, capsys):
    cube, lut = look
    img, alpha = rgb8(), RNG.integers(0, 256, (24, 32), dtype=np.uint8)
    write_image(tmp_path / "in.png", img, alpha)
    args = [
        "apply",
        str(cube),
        str(tmp_path / "in.png"),
        str(tmp_path / "out.png"),
        "--strength",
        "0.5",
        "--interpolation",
        "trilinear",
    ]
    assert main(args) == 0
    assert "alpha kept" in capsys.readouterr().out
    out = read_image_full(tmp_path / "out.png")
    np.testing.assert_array_equal(out.alpha, alpha)
    np.testing.assert_array_equal(out.rgb, apply_lut(lut, img, "trilinear", 0.5))


@pytest.mark.parametrize("mode", ["L", "P"])
def test_greyscale_and_palette_are_graded_as_rgb(tmp_path, look, mode):
    cube, lut = look
    source = Image.fromarray(rgb8()).convert(mode)
    source.save(tmp_path / "in.png")
    assert main(["apply", str(cube), str(tmp_path / "in.png"), str(tmp_path / "out.png")]) == 0
    expected = apply_lut(lut, np.asarray(source.convert("RGB")))
    np.testing.assert_array_equal(read_image_full(tmp_path / "out.png").rgb, expected)


def test_jpeg_output_8bit_and_16bit_note(tmp_path, look, capsys):
    cube, lut = look
    ramp = np.linspace(0, 255, 32).astype(np.uint8)
    img8 = np.stack(np.broadcast_arrays(ramp[None, :], ramp[::-1, None][:24], 128), -1).astype(
        np.uint8
    )
    img16 = img8.astype(np.uint16) * 257  # smooth, so JPEG loss stays small
    write_image(tmp_path / "in16.png", img16)
    assert main(["apply", str(cube), str(tmp_path / "in16.png"), str(tmp_path / "out.jpg")]) == 0
    assert "rounded to 8 bits" in capsys.readouterr().out
    out = read_image_full(tmp_path / "out.jpg")
    assert out.bit_depth == 8
    expected = apply_lut(lut, img8).astype(int)
    assert np.abs(out.rgb.astype(int) - expected).mean() < 2  # JPEG loss only


def test_refusals_write_nothing(tmp_path, look, capsys):
    cube, _ = look
    write_image(tmp_path / "rgba.png", rgb8(), RNG.integers(0, 256, (24, 32), dtype=np.uint8))
    assert main(["apply", str(cube), str(tmp_path / "rgba.png"), str(tmp_path / "out.jpg")]) == 2
    assert "alpha channel, which JPEG cannot hold" in capsys.readouterr().err
    bad = tmp_path / "bad.cube"
    bad.write_text("LUT_3D_SIZE 2\n0 0 0\n1 0\n")
    assert main(["apply", str(bad), str(tmp_path / "rgba.png"), str(tmp_path / "out.png")]) == 2
    assert f"{bad} line 3: expected 3 numbers, got 2" in capsys.readouterr().err
    assert main(["apply", str(cube), str(tmp_path / "missing.png"), str(tmp_path / "out.png")]) == 2
    assert "missing.png" in capsys.readouterr().err
    assert main(["apply", str(cube), str(tmp_path / "rgba.png"), str(tmp_path / "out.gif")]) == 2
    assert "unsupported output format '.gif'" in capsys.readouterr().err
    assert (
        main(
            [
                "apply",
                str(cube),
                str(tmp_path / "rgba.png"),
                str(tmp_path / "o.png"),
                "--strength",
                "3",
            ]
        )
        == 2
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.cube", "look.cube", "rgba.png"]


def test_info_text_and_json(tmp_path, look, capsys):
    cube, lut = look
    assert main(["info", str(cube)]) == 0
    text = capsys.readouterr().out
    assert "17 x 17 x 17" in text and "identity     no" in text and "made by a test" in text
    assert main(["info", str(cube), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["size"] == 17 and facts["identity"] is False
    np.testing.assert_allclose(facts["output_max"], lut.table.reshape(-1, 3).max(0), rtol=1e-6)
    write_cube(LUT3D.identity(5), tmp_path / "id.cube")
    assert main(["info", str(tmp_path / "id.cube"), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["identity"] is True and facts["monotonic"] == [True, True, True]
    inverted = identity_table(5)
    inverted[..., 1] = 1 - inverted[..., 1]  # green runs backwards
    write_cube(LUT3D(inverted), tmp_path / "inv.cube")
    assert main(["info", str(tmp_path / "inv.cube"), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["monotonic"] == [True, False, True] and facts["largest_dip"] == [0, 0.25, 0]
    assert main(["info", str(tmp_path / "inv.cube")]) == 0
    assert "monotonic    R yes  G no (falls by up to 0.25)  B yes" in capsys.readouterr().out
    noisy = identity_table(5)
    noisy[..., 0] = 0.5
    noisy[1, 2, 3, 0] -= 1e-5  # a flat line (a channel swap's) with float noise: monotonic
    noisy[2, 2, 3, 2] -= 0.3  # a real dip
    write_cube(LUT3D(noisy), tmp_path / "noisy.cube")
    assert main(["info", str(tmp_path / "noisy.cube"), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["monotonic"] == [True, True, False]


def test_installed_entry_point(tmp_path, look):
    cube, lut = look
    img = rgb8()
    write_image(tmp_path / "in.png", img)
    lutml = Path(sys.executable).parent / "lutml"
    done = subprocess.run(
        [str(lutml), "apply", str(cube), str(tmp_path / "in.png"), str(tmp_path / "out.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    np.testing.assert_array_equal(read_image_full(tmp_path / "out.png").rgb, apply_lut(lut, img))
    done = subprocess.run(
        [str(lutml), "info", str(tmp_path / "nope.cube")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "nope.cube" in done.stderr
