"""OpenEXR in and out (`lutml.imageio`), and EXR footage through `lutml apply`, `lutml fit`, the
frames stage and `lutml grade`'s still reader.

Fixtures are written here with the OpenEXR bindings (never committed). Scene-linear test footage
is made from corpus photos with OpenColorIO's inverse (working sRGB -> linear Rec.709 / ACEScg),
with a highlight pushed above 1 and a little noise below 0, and stored as half float.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lutml.imageio.exr as io
from lutml.cli import main
from lutml.cli.grade import _display_still
from lutml.color import delta_e_image
from lutml.config.frames import FramesConfig
from lutml.data.frames import make_frames
from lutml.data.looks import get_look
from lutml.imageio import (
    FLOAT_DEPTH,
    ImageReadError,
    ImageTooLargeError,
    image_size,
    list_images,
    read_image,
    read_image_full,
    write_image,
)
from lutml.lut import LUT3D, apply_lut, identity_table, read_cube, write_cube
from lutml.lut import spaces as S
from lutml.resize import fit_within

OpenEXR = pytest.importorskip("OpenEXR")
ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "data" / "corpus" / "photos"
RNG = np.random.default_rng(14)


def half(x: np.ndarray) -> np.ndarray:
    """What a half-float file holds of `x`, as float32."""
    return np.asarray(x, np.float32).astype(np.float16).astype(np.float32)


def write_channels(path: Path, channels: dict[str, np.ndarray], **header) -> Path:
    """An EXR with exactly these channels (contiguous planes: the bindings need them)."""
    planes = {k: np.ascontiguousarray(v) for k, v in channels.items()}
    with OpenEXR.File({"compression": OpenEXR.ZIP_COMPRESSION, **header}, planes) as f:
        f.write(str(path))
    return path


def red_gain(x: np.ndarray) -> np.ndarray:
    """An asymmetric look: red up 30 %, green and blue unchanged."""
    return np.clip(x * np.array([1.3, 1.0, 1.0], np.float32), 0, 1)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.clip(fit_within(read_image(PHOTOS / "butterfly.webp"), 96, "area"), 0, 1)


def scene_linear(photo: np.ndarray, space: str = "Linear Rec.709 (sRGB)") -> np.ndarray:
    """The photo as scene-linear footage with highlights above 1 and noise below 0."""
    lin = S.from_working(photo, space)
    h = lin.shape[0]
    lin[: h // 3] *= 4.0  # a bright band: up to 4x diffuse white
    lin[-4:] -= 0.01  # sensor noise around black
    return lin


# --- reading and writing ------------------------------------------------------------------------


def test_round_trip_keeps_values_outside_0_1_within_half_precision(tmp_path):
    rgb = RNG.uniform(-0.5, 6.0, (12, 17, 3)).astype(np.float32)
    rgb[0, 0] = [100.0, -2.0, 0.5]
    write_image(tmp_path / "a.exr", rgb)
    image = read_image_full(tmp_path / "a.exr")
    assert image.bit_depth == FLOAT_DEPTH and image.rgb.dtype == np.float32 and image.alpha is None
    np.testing.assert_array_equal(image.rgb, half(rgb))  # nothing clipped, half is the only loss
    np.testing.assert_array_equal(image.as_float(), half(rgb))
    assert image.rgb.max() == 100.0 and image.rgb.min() < -1.9
    np.testing.assert_array_equal(read_image(tmp_path / "a.exr"), np.clip(half(rgb), 0, 1))
    header = OpenEXR.File(str(tmp_path / "a.exr"), header_only=True).header()
    assert header["compression"] == OpenEXR.ZIP_COMPRESSION
    f = OpenEXR.File(str(tmp_path / "a.exr"), separate_channels=True)
    assert sorted(f.channels()) == ["B", "G", "R"]
    assert all(c.pixels.dtype == np.float16 for c in f.channels().values())
    assert image_size(tmp_path / "a.exr") == (17, 12)


def test_integer_images_are_written_as_0_1_and_huge_values_to_half_range(tmp_path):
    codes = RNG.integers(0, 65536, (5, 6, 3)).astype(np.uint16)
    write_image(tmp_path / "c.exr", codes)
    np.testing.assert_array_equal(read_image_full(tmp_path / "c.exr").rgb, half(codes / 65535.0))
    big = np.full((2, 2, 3), 1e6, np.float32)
    big[0, 0] = -1e6
    write_image(tmp_path / "big.exr", big)
    got = read_image_full(tmp_path / "big.exr").rgb
    assert got.max() == 65504.0 and got.min() == -65504.0  # half's largest, never inf


def test_alpha_is_carried(tmp_path):
    rgb = RNG.uniform(0, 2, (8, 9, 3)).astype(np.float32)
    alpha = RNG.uniform(0, 1, (8, 9)).astype(np.float32)
    write_image(tmp_path / "rgba.exr", rgb, alpha)
    image = read_image_full(tmp_path / "rgba.exr")
    np.testing.assert_array_equal(image.alpha, half(alpha))
    np.testing.assert_array_equal(image.rgb, half(rgb))
    # 8-bit RGBA PNG -> EXR: codes become [0, 1]
    rgb8, a8 = RNG.integers(0, 256, (8, 9, 3), np.uint8), RNG.integers(0, 256, (8, 9), np.uint8)
    write_image(tmp_path / "p.exr", rgb8, a8)
    np.testing.assert_array_equal(read_image_full(tmp_path / "p.exr").alpha, half(a8 / 255.0))
    with pytest.raises(ValueError, match="alpha shape"):
        write_image(tmp_path / "bad.exr", rgb, alpha[:4])
    assert not (tmp_path / "bad.exr").exists()


def test_luminance_only_file_is_expanded_to_rgb(tmp_path):
    y = RNG.uniform(-0.1, 3.0, (7, 5)).astype(np.float32)
    a = RNG.uniform(0, 1, (7, 5)).astype(np.float16)
    write_channels(tmp_path / "y.exr", {"Y": y, "A": a})
    image = read_image_full(tmp_path / "y.exr")
    np.testing.assert_array_equal(image.rgb, np.repeat(y[..., None], 3, axis=2))  # float: exact
    np.testing.assert_array_equal(image.alpha, a.astype(np.float32))


def test_extra_channels_are_ignored_and_nan_inf_are_not_colours(tmp_path):
    r = np.array([[np.nan, np.inf], [-np.inf, 2.5]], np.float32)
    ones = np.ones((2, 2), np.float32)
    write_channels(tmp_path / "n.exr", {"R": r, "G": ones, "B": ones, "Z": 9 * ones})
    np.testing.assert_array_equal(
        read_image_full(tmp_path / "n.exr").rgb[..., 0], [[0.0, 65504.0], [-65504.0, 2.5]]
    )


def test_detected_by_content_not_name(tmp_path):
    write_image(tmp_path / "a.exr", np.full((3, 4, 3), 1.5, np.float32))
    (tmp_path / "a.exr").rename(tmp_path / "really_exr.png")
    assert read_image_full(tmp_path / "really_exr.png").bit_depth == FLOAT_DEPTH
    write_image(tmp_path / "b.png", np.zeros((3, 4, 3), np.uint8))
    (tmp_path / "b.png").rename(tmp_path / "really_png.exr")
    assert read_image_full(tmp_path / "really_png.exr").bit_depth == 8


@pytest.mark.parametrize("keep", [8, 200, -40])
def test_damaged_file_is_one_error_naming_it_and_the_library_stays_quiet(tmp_path, capfd, keep):
    rgb = RNG.uniform(0, 4, (64, 80, 3)).astype(np.float32)
    write_image(tmp_path / "good.exr", rgb)
    data = (tmp_path / "good.exr").read_bytes()
    bad = tmp_path / "cut.exr"
    bad.write_bytes(data[:keep])
    capfd.readouterr()
    with pytest.raises(ImageReadError, match=r"cut\.exr: damaged or unreadable OpenEXR image"):
        read_image_full(bad)
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # the C library's complaints went into the one error
    print("still printing")  # the file descriptors were restored
    assert capfd.readouterr().out == "still printing\n"


def test_corrupt_pixel_data_is_one_error(tmp_path):
    write_image(tmp_path / "c.exr", RNG.uniform(0, 4, (64, 80, 3)).astype(np.float32))
    data = bytearray((tmp_path / "c.exr").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    (tmp_path / "c.exr").write_bytes(bytes(data))
    with pytest.raises(ImageReadError, match=r"c\.exr: damaged or unreadable OpenEXR image \(EXR_"):
        read_image_full(tmp_path / "c.exr")


def test_files_without_colour_channels_are_refused_clearly(tmp_path):
    z = np.ones((4, 4), np.float32)
    write_channels(tmp_path / "z.exr", {"Z": z})
    with pytest.raises(
        ImageReadError,
        match=r"z\.exr: OpenEXR image without R, G, B \(or Y\) channels \(it has: Z\)",
    ):
        read_image_full(tmp_path / "z.exr")
    write_channels(tmp_path / "layer.exr", {f"beauty.{c}": z for c in "RGB"})
    with pytest.raises(ImageReadError, match=r"it has: beauty\.B, beauty\.G, beauty\.R"):
        read_image_full(tmp_path / "layer.exr")
    write_channels(tmp_path / "rg.exr", {"R": z, "G": z})
    with pytest.raises(ImageReadError, match=r"rg\.exr: .*without R, G, B"):
        read_image_full(tmp_path / "rg.exr")
    u = np.ones((4, 4), np.uint32)
    write_channels(tmp_path / "u.exr", {"R": u, "G": u, "B": u})
    with pytest.raises(ImageReadError, match=r"u\.exr: OpenEXR channel \w holds uint32"):
        read_image_full(tmp_path / "u.exr")


def test_multi_part_file_is_refused(tmp_path):
    rgb = {c: np.ones((4, 4), np.float16) for c in "RGB"}
    parts = [OpenEXR.Part({}, rgb, "a"), OpenEXR.Part({}, {"Z": np.ones((4, 4), np.float32)}, "b")]
    with OpenEXR.File(parts) as f:
        f.write(str(tmp_path / "m.exr"))
    with pytest.raises(ImageReadError, match=r"m\.exr: multi-part OpenEXR \(2 parts\)"):
        read_image_full(tmp_path / "m.exr")


def test_pixel_limit_is_checked_from_the_header(tmp_path):
    write_image(tmp_path / "a.exr", np.zeros((30, 40, 3), np.float32))
    with pytest.raises(ImageTooLargeError, match=r"a\.exr: image is 40×30") as exc:
        read_image_full(tmp_path / "a.exr", max_pixels=1000)
    assert exc.value.size == (40, 30)


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def half_then_fail(tmp, rgb, alpha):
        Path(tmp).write_bytes(b"v/1\x01 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(io, "_write_exr", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_image(tmp_path / "out.exr", np.zeros((2, 2, 3), np.float32))
    assert list(tmp_path.iterdir()) == []


def test_folders_list_exr_frames_and_import_stays_light(tmp_path):
    for name in ("b.EXR", "a.exr", "c.png", "d.txt"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in list_images(tmp_path)] == ["a.exr", "b.EXR", "c.png"]
    code = (
        "import sys, lutml, lutml.imageio, lutml.cli\n"
        "from lutml.cli import build_parser; build_parser()\n"
        "print('OpenEXR' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr[-2000:]


# --- the commands -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ocio():
    return pytest.importorskip("PyOpenColorIO")


def test_apply_exr_with_input_space_equals_ocio_then_lut(ocio, photo, tmp_path, capsys):
    """`lutml apply look.cube shot.exr out.png --input-space linear` = OpenColorIO's conversion of
    the EXR's (half) values, above 1 included, then the LUT; 16-bit PNG out."""
    look = get_look("teal_orange")
    working = LUT3D(look(identity_table(33).reshape(-1, 3)).reshape(33, 33, 33, 3))
    write_cube(working, tmp_path / "look.cube")
    lin = scene_linear(photo)
    write_image(tmp_path / "shot.exr", lin)
    stored = read_image_full(tmp_path / "shot.exr").rgb
    assert stored.max() > 2.0 and stored.min() < 0.0
    out = tmp_path / "out.png"
    args = ["apply", str(tmp_path / "look.cube"), str(tmp_path / "shot.exr"), str(out)]
    assert main([*args, "--input-space", "linear"]) == 0
    printed = capsys.readouterr().out
    assert "16-bit" in printed and "input Linear Rec.709 (sRGB) converted to sRGB" in printed
    expected = apply_lut(working, S.to_working(stored, S.LINEAR))
    got = read_image_full(out)
    assert got.bit_depth == 16
    np.testing.assert_allclose(got.as_float(), np.clip(expected, 0, 1), atol=1.0 / 65535 + 1e-6)


def test_apply_exr_to_exr_keeps_float_output(photo, tmp_path, capsys):
    """No --input-space: the values go into the LUT as they are (its edge clamps them, with a
    note) and an EXR OUT keeps the LUT's output unclipped (a 1.5x gain LUT gives up to 1.5)."""
    gain = LUT3D(identity_table(17) * np.array([1.5, 1.0, 1.0], np.float32))
    write_cube(gain, tmp_path / "gain.cube")
    rgb = RNG.uniform(-0.2, 2.0, (10, 12, 3)).astype(np.float32)
    alpha = RNG.uniform(0, 1, (10, 12)).astype(np.float32)
    write_image(tmp_path / "in.exr", rgb, alpha)
    args = ["apply", str(tmp_path / "gain.cube"), str(tmp_path / "in.exr"), str(tmp_path / "o.exr")]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "lie outside the LUT's input range (0 to 1) and are clamped" in printed
    assert "half float, alpha kept" in printed
    out = read_image_full(tmp_path / "o.exr")
    expected = half(apply_lut(gain, half(rgb)))
    np.testing.assert_allclose(out.rgb, expected, rtol=1e-3, atol=1e-6)
    assert out.rgb[..., 0].max() > 1.49 and out.rgb.min() >= 0.0  # above 1 kept; clamped input
    np.testing.assert_array_equal(out.alpha, half(alpha))


def test_fit_exr_source_png_target_with_input_space(ocio, photo, tmp_path, capsys):
    """`lutml fit --source shot.exr --target graded.png --input-space linear`: the LUT (linear
    shaper + 3D) grades the EXR like the target, red-only gain included: measured mean ΔE00
    0.011, p99 0.30; bounds about 3x. Without --input-space the same pair fits, with a note."""
    lin = scene_linear(photo)
    write_image(tmp_path / "shot.exr", lin)
    cam = read_image_full(tmp_path / "shot.exr").rgb
    target = red_gain(S.to_working(cam, S.LINEAR))
    write_image(tmp_path / "graded.png", target, bit_depth=16)
    base = ["fit", "--source", str(tmp_path / "shot.exr"), "--target", str(tmp_path / "graded.png")]
    assert main([*base, "--input-space", "linear", "-o", str(tmp_path / "look.cube")]) == 0
    assert "note:" not in capsys.readouterr().out
    lut = read_cube(tmp_path / "look.cube")
    assert lut.shaper is not None
    d = delta_e_image(apply_lut(lut, cam), read_image(tmp_path / "graded.png"))
    assert d.mean() < 0.035 and np.percentile(d, 99) < 0.9, (d.mean(), np.percentile(d, 99))
    red = apply_lut(lut, cam)[..., 0] - S.to_working(cam, S.LINEAR)[..., 0]
    assert red.mean() > 0.08  # the red gain is in the LUT (0.12)

    assert main([*base, "-o", str(tmp_path / "plain.cube")]) == 0
    assert "shot.exr: " in capsys.readouterr().out  # values outside 0-1 clamped: noted


def test_frames_stage_converts_exr_values_above_1_unclipped(ocio, photo, tmp_path):
    """`frames.colour_space` on a folder of EXR frames: OpenColorIO sees the values above 1 (in
    ACEScg a channel above 1 changes the others after the gamut matrix, so clipping first would
    show); without a colour space the EXR is taken as display values, clipped, with a warning."""
    from sample_helpers import fake_corpus_cfg

    lin = scene_linear(photo, "ACEScg")
    write_image(tmp_path / "stills" / "a.exr", lin)
    stored = read_image_full(tmp_path / "stills" / "a.exr").rgb
    c = {
        "source": "folder",
        "path": str(tmp_path / "stills"),
        "graded": True,
        "colour_space": "acescg",
        "per_photo": 1,
        "crop": [0.6, 1.0],
        "min_size": 32,
        "max_size": 256,
        "video": {"fps": 5.0, "max_frames": 5, "duplicate_threshold": 0.01, "shot_threshold": 0.1},
    }
    corpus = fake_corpus_cfg(tmp_path / "corpus")
    make_frames(tmp_path / "f", FramesConfig.from_mapping(c, "frames"), "teal_orange", corpus, 0)
    graded = read_image_full(tmp_path / "f" / "graded" / "f00000.png")
    assert graded.bit_depth == 16
    unclipped = S.to_working(stored, "ACEScg")
    clipped_first = S.to_working(np.clip(stored, 0, 1), "ACEScg")
    np.testing.assert_allclose(graded.as_float(), unclipped, atol=1.0 / 65535 + 1e-6)
    assert np.abs(unclipped - clipped_first).max() > 0.05

    with pytest.warns(UserWarning, match=r"a\.exr: .* outside 0-1 and were clipped"):
        make_frames(
            tmp_path / "g",
            FramesConfig.from_mapping({**c, "colour_space": None}, "frames"),
            "teal_orange",
            corpus,
            0,
        )
    plain = read_image_full(tmp_path / "g" / "graded" / "f00000.png").as_float()
    np.testing.assert_allclose(plain, np.clip(stored, 0, 1), atol=1.0 / 65535 + 1e-6)


def test_grade_reads_an_exr_still_as_display_values_with_a_note(tmp_path, capsys):
    write_image(tmp_path / "still.exr", np.full((4, 4, 3), 1.5, np.float32))
    rgb = _display_still(tmp_path / "still.exr")
    assert rgb.max() == 1.0
    err = capsys.readouterr().err
    assert "still.exr: an EXR still is taken as display sRGB values; 100.0% of the pixels" in err


def test_missing_package_is_one_clear_error(tmp_path, monkeypatch):
    write_image(tmp_path / "a.exr", np.zeros((2, 2, 3), np.float32))
    monkeypatch.setitem(sys.modules, "OpenEXR", None)  # import fails as if not installed
    with pytest.raises(ValueError, match=r"a\.exr: OpenEXR files need the 'openexr' package"):
        read_image_full(tmp_path / "a.exr")
    with pytest.raises(ValueError, match=r"b\.exr: OpenEXR files need the 'openexr' package"):
        write_image(tmp_path / "b.exr", np.zeros((2, 2, 3), np.float32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.exr"]
