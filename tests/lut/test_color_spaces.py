"""Camera colour spaces (`lutml.lut.spaces`, `--input-space`, `frames.colour_space`) by round trip.

Real photos of the corpus (256 px) are made into camera footage with OpenColorIO's inverse
(working sRGB -> S-Log3 S-Gamut3.Cine, ARRI LogC3, linear Rec.709); the reference is OpenColorIO's
conversion back followed by the look (`teal_orange`). Measured mean ΔE00 of a 33^3 exported LUT
against that reference (butterfly, brandenburg_gate_dusk, bee_flower; November 2026):

================================  ===================  ===========================
space                             mean ΔE00 per photo  99th percentile per photo
================================  ===================  ===========================
S-Log3 S-Gamut3.Cine              0.056 0.094 0.110    0.33 0.66 0.75
ARRI LogC3 (EI800)                0.059 0.084 0.083    0.33 0.63 0.53
Linear Rec.709 (sRGB)             0.019 0.046 0.021    0.18 0.49 0.11
================================  ===================  ===========================

(without the shaper, a plain [0, 1] lattice on the log values: 0.16-0.42 mean, 0.9-3.1 p99).
The bounds below are about twice the measurements.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lutml.cli import main
from lutml.color import delta_e_image
from lutml.config.frames import FramesConfig
from lutml.data.frames import make_frames as _make_frames
from lutml.data.looks import get_look
from lutml.imageio import read_image, write_image
from lutml.lut import LUT3D, apply_lut, identity_table, read_cube, write_cube
from lutml.lut import spaces as S
from lutml.pipeline.evaluate import CAMERA_LUT, EvalData, _write_outputs
from lutml.resize import fit_within

OCIO = pytest.importorskip("PyOpenColorIO")
PHOTOS = Path(__file__).resolve().parents[2] / "data" / "corpus" / "photos"
NAMES = ["butterfly", "brandenburg_gate_dusk", "bee_flower", "aitzgorri_autumn"]
SPACES = ["S-Log3 S-Gamut3.Cine", "ARRI LogC3 (EI800)", "Linear Rec.709 (sRGB)"]
BOUND = {
    "S-Log3 S-Gamut3.Cine": (0.22, 1.5),
    "ARRI LogC3 (EI800)": (0.2, 1.3),
    "Linear Rec.709 (sRGB)": (0.1, 1.0),
}  # (mean, p99) ΔE00


@pytest.fixture(scope="module")
def photos() -> dict[str, np.ndarray]:
    return {
        n: np.clip(fit_within(read_image(PHOTOS / f"{n}.webp"), 256, "area"), 0, 1) for n in NAMES
    }


def reference(cam: np.ndarray, space: str, look) -> np.ndarray:
    """OpenColorIO's conversion to working sRGB, then the look."""
    return look(S.to_working(cam, space))


def ocio_file_apply(path: Path, rgb: np.ndarray) -> np.ndarray:
    transform = OCIO.FileTransform(src=str(path), interpolation=OCIO.INTERP_TETRAHEDRAL)
    proc = OCIO.Config.CreateRaw().getProcessor(transform).getDefaultCPUProcessor()
    out = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    proc.applyRGB(out.reshape(-1, 3))
    return out


def test_names_resolve_and_unknown_ones_list_the_valid_ones() -> None:
    assert S.resolve_space("logc3") == "ARRI LogC3 (EI800)"
    assert S.resolve_space("LogC4") == "ARRI LogC4"
    assert S.resolve_space("acescct") == "ACEScct"
    assert S.resolve_space("s-log3 s-gamut3.cine") == "S-Log3 S-Gamut3.Cine"
    assert S.resolve_space("linear") == "Linear Rec.709 (sRGB)"
    assert S.resolve_space("sRGB - Texture") == S.WORKING
    assert S.resolve_space("canonlog3") == "CanonLog3 CinemaGamut D55"
    with pytest.raises(ValueError, match="ambiguous.*'S-Log3 S-Gamut3'.*'S-Log3 S-Gamut3.Cine'"):
        S.resolve_space("slog3")
    with pytest.raises(
        ValueError, match=r"unknown colour space 'LogC9'; valid names: .*'ACEScct'.*'ARRI LogC4'"
    ):
        S.resolve_space("LogC9")
    assert "Raw" not in S.list_spaces() and "V-Log V-Gamut" in S.list_spaces()


@pytest.mark.parametrize("space", SPACES)
def test_exported_lut_equals_ocio_then_look(photos, space) -> None:
    """(a) camera image -> exported LUT  ≡  OpenColorIO to working sRGB -> look."""
    look = get_look("teal_orange")
    lut = S.export_for_space(look, space, 33)
    assert (lut.shaper is not None) == (space != S.WORKING)
    for name in NAMES[:3]:
        cam = S.from_working(photos[name], space)
        d = delta_e_image(apply_lut(lut, cam), reference(cam, space, look))
        mean_bound, p99_bound = BOUND[space]
        assert d.mean() < mean_bound and np.percentile(d, 99) < p99_bound, (
            name,
            d.mean(),
            np.percentile(d, 99),
        )


def test_export_of_a_working_lut_composes(photos) -> None:
    """What `lutml grade --input-space` does: a 33^3 working-space LUT carried to camera input."""
    look = get_look("teal_orange")
    working = LUT3D(look(identity_table(33).reshape(-1, 3)).reshape(33, 33, 33, 3), title="t")
    lut = S.export_for_space(working, "ARRI LogC3 (EI800)", 33)
    assert lut.title == "t (ARRI LogC3 (EI800) in)"
    cam = S.from_working(photos["butterfly"], "ARRI LogC3 (EI800)")
    ours = apply_lut(lut, cam)
    assert delta_e_image(ours, apply_lut(working, S.to_working(cam, "logc3"))).mean() < 0.2


def test_cube_with_shaper_is_read_by_ocio(photos, tmp_path) -> None:
    """(c) the Resolve shaper + 3D .cube is what OpenColorIO's FileTransform applies too."""
    look = get_look("teal_orange")
    lut = S.export_for_space(look, "S-Log3 S-Gamut3.Cine", 33)
    write_cube(lut, tmp_path / "slog3.cube")
    text = (tmp_path / "slog3.cube").read_text()
    assert "LUT_1D_SIZE 4096" in text and "LUT_3D_SIZE 33" in text and "LUT_1D_INPUT_RANGE" in text
    cam = S.from_working(photos["bee_flower"], "S-Log3 S-Gamut3.Cine")
    ours = apply_lut(read_cube(tmp_path / "slog3.cube"), cam)
    theirs = ocio_file_apply(tmp_path / "slog3.cube", cam)
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-4)
    assert delta_e_image(theirs, reference(cam, "S-Log3 S-Gamut3.Cine", look)).mean() < 0.22


def test_asymmetric_grade_keeps_axis_order() -> None:
    """(e) a red-only gain through the export stays red-only (a swapped axis would move green/blue)."""

    def red_gain(x):
        return np.clip(x * np.array([1.3, 1.0, 1.0], np.float32), 0, 1)

    space = "ARRI LogC3 (EI800)"
    lut = S.export_for_space(red_gain, space, 33)
    rng = np.random.default_rng(3)
    working = rng.uniform(0.05, 0.7, (2000, 3)).astype(np.float32)
    working[:, 1:] *= rng.uniform(0.1, 1.0, (2000, 1))  # saturated reds among them
    cam = S.from_working(working, space)
    out = apply_lut(lut, cam)
    expected = red_gain(S.to_working(cam, space))
    assert np.abs(out - expected).mean(axis=0).max() < 0.003  # measured 0.0014-0.0016
    assert (out[:, 0] - S.to_working(cam, space)[:, 0]).mean() > 0.1  # red went up (0.11)
    assert np.abs(out[:, 1:] - S.to_working(cam, space)[:, 1:]).mean() < 0.003  # green, blue kept
    swapped = LUT3D(lut.table.transpose(2, 1, 0, 3), shaper=lut.shaper)  # r and b axes exchanged
    assert np.abs(apply_lut(swapped, cam) - expected).mean() > 0.03


def test_fit_input_space_recovers_the_look(photos, tmp_path, capsys) -> None:
    """(b) `lutml fit --input-space` on two S-Log3/graded pairs grades another photo's S-Log3 like
    OpenColorIO + the look: measured mean ΔE00 0.39 (bee_flower) and 0.055 (aitzgorri_autumn)."""
    look, space = get_look("teal_orange"), "S-Log3 S-Gamut3.Cine"
    args = ["fit", "-o", str(tmp_path / "fit.cube"), "--input-space", "s-log3 s-gamut3.cine"]
    for name in NAMES[:2]:
        write_image(
            tmp_path / f"{name}_slog3.png", S.from_working(photos[name], space), bit_depth=16
        )
        write_image(tmp_path / f"{name}_graded.png", look(photos[name]), bit_depth=16)
        args += [
            "--source",
            str(tmp_path / f"{name}_slog3.png"),
            "--target",
            str(tmp_path / f"{name}_graded.png"),
        ]
    assert main(args) == 0
    assert "input colour space: S-Log3 S-Gamut3.Cine (1D shaper + 3D" in capsys.readouterr().out
    lut = read_cube(tmp_path / "fit.cube")
    assert lut.shaper is not None and lut.size == 33
    for name, bound in (("bee_flower", 0.8), ("aitzgorri_autumn", 0.15)):
        cam = S.from_working(photos[name], space)
        d = delta_e_image(apply_lut(lut, cam), reference(cam, space, look))
        assert d.mean() < bound, (name, d.mean())


def test_apply_input_space_previews_log_footage(photos, tmp_path, capsys) -> None:
    look = get_look("teal_orange")
    working = LUT3D(look(identity_table(33).reshape(-1, 3)).reshape(33, 33, 33, 3))
    write_cube(working, tmp_path / "look.cube")
    cam = S.from_working(photos["butterfly"], "ARRI LogC4")
    write_image(tmp_path / "logc4.png", cam, bit_depth=16)
    out = tmp_path / "preview.png"
    assert (
        main(
            [
                "apply",
                str(tmp_path / "look.cube"),
                str(tmp_path / "logc4.png"),
                str(out),
                "--input-space",
                "logc4",
            ]
        )
        == 0
    )
    assert "input ARRI LogC4 converted to sRGB" in capsys.readouterr().out
    expected = apply_lut(working, S.to_working(read_image(tmp_path / "logc4.png"), "ARRI LogC4"))
    np.testing.assert_allclose(read_image(out), np.clip(expected, 0, 1), atol=1.0 / 65535 + 1e-6)


def test_apply_refuses_to_convert_twice_for_a_camera_lut(photos, tmp_path, capsys) -> None:
    """A LUT exported for a camera space says so in its .cube; `apply --input-space` with it
    would convert the footage twice (measured: 17 ΔE00 off instead of 0.13): one error, no file."""
    space = "ARRI LogC3 (EI800)"
    lut = S.export_for_space(get_look("bleach_bypass"), space, size=17)
    assert S.declared_input_space(lut) == space
    write_cube(lut, tmp_path / "camera.cube")
    assert S.declared_input_space(read_cube(tmp_path / "camera.cube")) == space
    assert S.declared_input_space(LUT3D(identity_table(5))) is None
    write_image(tmp_path / "logc3.png", S.from_working(photos["butterfly"], space), bit_depth=16)
    argv = ["apply", str(tmp_path / "camera.cube"), str(tmp_path / "logc3.png")]
    assert main([*argv, str(tmp_path / "twice.png"), "--input-space", "logc3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "camera.cube already takes ARRI LogC3 (EI800) in" in err[0]
    assert not (tmp_path / "twice.png").exists()
    assert main([*argv, str(tmp_path / "once.png")]) == 0  # the right call: the LUT converts


@pytest.mark.parametrize("command", ["fit", "grade", "apply"])
def test_unknown_space_is_one_error_and_writes_nothing(photos, tmp_path, capsys, command) -> None:
    """(d) exit status 2, one line naming the bad name and listing the valid ones, no file."""
    img = tmp_path / "in.png"
    write_image(img, photos["butterfly"])
    out = tmp_path / "out.cube"
    argv = {
        "fit": ["fit", "--source", str(img), "--target", str(img), "-o", str(out)],
        "grade": ["grade", str(img), "--model", str(tmp_path / "no_model"), "-o", str(out)],
        "apply": ["apply", str(tmp_path / "no.cube"), str(img), str(tmp_path / "out.png")],
    }[command]
    assert main([*argv, "--input-space", "LogC9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"lutml {command}: error: unknown colour space 'LogC9'"
    )
    assert "'ARRI LogC3 (EI800)'" in err[0] and "'S-Log3 S-Gamut3.Cine'" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_frames_in_a_camera_space_are_converted_first(photos, tmp_path) -> None:
    """`frames.colour_space`: folder frames in LogC3 become working sRGB before the stage grades them."""
    from sample_helpers import fake_corpus_cfg

    def make_frames(out, c, look, corpus, seed):
        return _make_frames(out, FramesConfig.from_mapping(c, "frames"), look, corpus, seed)

    src = tmp_path / "stills"
    write_image(
        src / "a.png", S.from_working(photos["butterfly"], "ARRI LogC3 (EI800)"), bit_depth=16
    )
    c = {
        "source": "folder",
        "path": str(src),
        "graded": True,
        "colour_space": "logc3",
        "per_photo": 1,
        "crop": [0.6, 1.0],
        "min_size": 64,
        "max_size": 256,
        "video": {
            "fps": 5.0,
            "max_frames": 50,
            "duplicate_threshold": 0.01,
            "shot_threshold": 0.12,
        },
    }
    corpus = fake_corpus_cfg(tmp_path / "corpus")
    m = make_frames(tmp_path / "frames", c, "teal_orange", corpus, 0)
    assert m["colour_space"] == "ARRI LogC3 (EI800)"
    graded = read_image(tmp_path / "frames" / "graded" / "f00000.png")
    assert np.abs(graded - photos["butterfly"]).max() < 2e-3  # 16-bit LogC3 and back
    with pytest.raises(ValueError, match="unknown colour space 'LogC9'"):
        make_frames(tmp_path / "bad", {**c, "colour_space": "LogC9"}, "teal_orange", corpus, 0)
    with pytest.raises(
        ValueError, match="frames.colour_space='logc3' is for frames.source=folder or video"
    ):
        make_frames(tmp_path / "bad", {**c, "source": "embedded"}, "teal_orange", corpus, 0)
    assert not (tmp_path / "bad").exists()


@pytest.mark.slow
def test_grade_input_space_exports_the_look_for_the_camera(photos, tmp_path, capsys) -> None:
    """`lutml grade --input-space`: the LUT is `export_for_space` of the sRGB LUT the same still gives
    (a tiny untrained look model: loading it needs TensorFlow); the preview stays sRGB."""
    from sample_helpers import make_tiny_look_model

    models = make_tiny_look_model(tmp_path / "models")
    still = tmp_path / "still.png"
    write_image(still, photos["butterfly"])
    plain, cam = tmp_path / "look.cube", tmp_path / "look_logc3.cube"

    def grade(out: Path, preview: str, *options: str) -> int:
        args = ["grade", str(still), "--model", str(models), "-o", str(out), "--size", "17"]
        return main([*args, *options, "--preview", str(tmp_path / preview)])

    assert grade(plain, "p_srgb.png") == 0
    assert grade(cam, "p.png", "--input-space", "logc3") == 0
    assert "the LUT takes ARRI LogC3 (EI800) in (1D shaper + 3D)" in capsys.readouterr().out
    expected = S.export_for_space(read_cube(plain), "ARRI LogC3 (EI800)", 17)
    got = read_cube(cam)
    np.testing.assert_allclose(got.table, expected.table, atol=1e-6)
    np.testing.assert_array_equal(got.shaper.table, expected.shaper.table)
    assert (tmp_path / "p.png").read_bytes() == (tmp_path / "p_srgb.png").read_bytes()


def test_evaluate_writes_the_camera_lut_only_for_camera_frames(photos, tmp_path) -> None:
    """data/eval/look_camera.cube: the learned look for the frames' camera space (and gone without one)."""
    from types import SimpleNamespace

    look = get_look("teal_orange")
    ours = LUT3D(
        look(identity_table(9).reshape(-1, 3)).reshape(9, 9, 9, 3), title="lutml learned look"
    )
    small = [fit_within(photos["butterfly"], 64, "area")]
    cfg = SimpleNamespace(preview_photos=1)

    def write(manifest: dict) -> None:
        data = EvalData(small, None, small, ["a"], None, manifest)
        _write_outputs(
            tmp_path / "eval",
            tmp_path / "metrics",
            {},
            [{"photo": 0}],
            {"ours": [ours]},
            data,
            None,
            cfg,
        )

    write({"colour_space": "ARRI LogC3 (EI800)"})
    cam = read_cube(tmp_path / "eval" / CAMERA_LUT)
    assert (
        cam.size == 9 and cam.shaper is not None and "ARRI LogC3 (EI800) in" in cam.comments[0]
    )  # the Resolve form: title as comment
    write({})
    assert (
        not (tmp_path / "eval" / CAMERA_LUT).exists()
        and (tmp_path / "eval" / "look.cube").is_file()
    )
