"""Issue 24 (hardening, second pass), CLI side: interrupted fits, damaged model folders, EXR
output of 8/16-bit input, non-regular files (the `.cube` memory bounds are in
tests/lut/test_lut_cube.py), damaged JPEGs, fits of pairs that make no sense, kept file modes and
symlinks, early output checks without temp names, grade's
--smoothness, and the minor notes/errors of item 12. Every test of a fix failed on 36fdfc5 (the
FIFO and /dev/zero ones hung or ran out of memory there); the few that passed guard what already
worked and must keep working (sound JPEGs and pairs, a cut JPEG, a link to an input).

The look models here are tiny NumPy weight files built without TensorFlow (`tiny_look_model`),
the way the train stage exports them (`look_encoder.npz` + `model.json`).
"""

from __future__ import annotations

import json
import os
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import lutml.cli as cli
import lutml.cli.fit as fit
import lutml.fit
import lutml.grade
from lutml.atomic import atomic_path, public_text
from lutml.cli import main
from lutml.cli.fit import CHECK_PIXELS, FIT_DE00_WARN, fit_warning
from lutml.imageio import ImageReadError, read_image_full, write_image
from lutml.lut import LUT3D, read_cube, write_cube
from lutml.models.look_inference import colour_features_np, load_look_model
from lutml.web import jobs

ROOT = Path(__file__).resolve().parents[2]


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.strip().splitlines() if not line.startswith("note: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def photo(h: int = 96, w: int = 128, seed: int = 0) -> np.ndarray:
    """A smooth, colourful uint8 frame (gradients + blobs), not noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    img = np.stack(
        [
            0.5 + 0.4 * np.sin(6 * x + rng.uniform(0, 6)),
            0.5 + 0.4 * np.sin(5 * y + rng.uniform(0, 6)),
            0.5 + 0.4 * np.cos(4 * (x + y) + rng.uniform(0, 6)),
        ],
        axis=-1,
    )
    return np.rint(np.clip(img, 0, 1) * 255).astype(np.uint8)


def save(path: Path, arr: np.ndarray) -> Path:
    Image.fromarray(arr).save(path)
    return path


# ---------------------------------------------------------------- tiny look models (no TF)


def tiny_weights(frame_size: int = 16, lut_size: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    f = colour_features_np(np.zeros((1, 4, 4, 3), np.float32)).shape[1]
    m = lut_size**3 * 3
    return {
        "frame_size": np.int64(frame_size),
        "lut_size": np.int64(lut_size),
        "mean": rng.normal(0, 0.01, m).astype(np.float32),
        "basis": rng.normal(0, 0.02, (4, m)).astype(np.float32),
        "node_weights": np.ones(lut_size**3, np.float32),
        "frame.00.kernel": rng.normal(0, 0.05, (f, 8)).astype(np.float32),
        "frame.00.bias": np.zeros(8, np.float32),
        "head.00.kernel": rng.normal(0, 0.05, (8 + f, 4)).astype(np.float32),
        "head.00.bias": np.zeros(4, np.float32),
    }


def tiny_look_model(folder: Path, weights: dict | None = None, meta: object = "default") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "look_encoder.npz", **(weights or tiny_weights()))
    if meta == "default":
        meta = {
            "name": "look_encoder",
            "variant": "tiny",
            "kind": "look",
            "frame_size": 16,
            "lut_size": 5,
            "shrinkage": {"1": 0.8, "8": 1.0},
        }
    if meta is not None:
        (folder / "model.json").write_text(json.dumps(meta))
    return folder


@pytest.fixture
def still(tmp_path: Path) -> Path:
    return save(tmp_path / "still.png", photo(80, 120, seed=3))


def grade(model: Path, still: Path, out: Path, *extra: str) -> int:
    return main(["grade", str(still), "--model", str(model), "-o", str(out), *extra])


def test_a_tiny_look_model_grades(tmp_path, still, capsys):
    assert grade(tiny_look_model(tmp_path / "m"), still, tmp_path / "look.cube") == 0
    assert read_cube(tmp_path / "look.cube").size == 33


# ---------------------------------------------------------------- item 1: Ctrl-C during fit


def test_ctrl_c_inside_compiled_code_is_an_interruption(tmp_path, monkeypatch, capsys):
    """numba turns a KeyboardInterrupt inside a jitted call into a SystemError."""

    def fit(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise SystemError(
                "CPUDispatcher(<function _csr_times3>) returned a result with an exception set"
            ) from exc

    monkeypatch.setattr(lutml.fit, "fit_lut_report", fit)
    a, b = save(tmp_path / "a.png", photo()), save(tmp_path / "b.png", photo(seed=1))
    rc = main(["fit", "--source", str(a), "--target", str(b), "-o", str(tmp_path / "o.cube")])
    assert rc == 130
    assert capsys.readouterr().err.strip() == "lutml fit: interrupted"
    assert not list(tmp_path.glob("o.cube*")) and not list(tmp_path.glob(".*"))


def test_any_failure_after_sigint_is_the_interruption(tmp_path, monkeypatch, capsys):
    import signal

    # Python's own Ctrl-C handler, whatever the runner inherited (a shell's background job, as CI
    # may be, starts with SIGINT ignored, and then raise_signal would do nothing)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def fit(*args, **kwargs):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            raise RuntimeError("a library swallowed the interrupt") from None

    monkeypatch.setattr(lutml.fit, "fit_lut_report", fit)
    a, b = save(tmp_path / "a.png", photo()), save(tmp_path / "b.png", photo(seed=1))
    try:
        rc = main(["fit", "--source", str(a), "--target", str(b), "-o", str(tmp_path / "o.cube")])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert rc
    assert capsys.readouterr().err.strip() == "lutml fit: interrupted"


# ---------------------------------------------------------------- items 2, 3: damaged models


def _npz_without(key: str) -> dict:
    w = tiny_weights()
    del w[key]
    return w


def _npz_with(key: str, value) -> dict:
    w = tiny_weights()
    w[key] = value
    return w


DAMAGE = {
    "json_list": (lambda m: (m / "model.json").write_text("[1, 2]"), "model.json", "JSON object"),
    "json_bad": (lambda m: (m / "model.json").write_text("{"), "model.json", "invalid JSON"),
    "json_missing": (lambda m: (m / "model.json").unlink(), "model.json", "missing"),
    "json_shrinkage": (
        lambda m: (m / "model.json").write_text(json.dumps({"kind": "look", "shrinkage": [1]})),
        "model.json",
        "shrinkage",
    ),
    "json_kind": (
        lambda m: (m / "model.json").write_text(json.dumps({"kind": "image"})),
        "model.json",
        "kind",
    ),
    "json_size_disagrees": (
        lambda m: (m / "model.json").write_text(json.dumps({"kind": "look", "lut_size": 9})),
        "look_encoder.npz",
        "model.json says 9",
    ),
    "npz_empty": (lambda m: (m / "look_encoder.npz").write_bytes(b""), "look_encoder.npz", "empty"),
    "npz_truncated": (
        lambda m: (m / "look_encoder.npz").write_bytes(
            (m / "look_encoder.npz").read_bytes()[:3000]
        ),
        "look_encoder.npz",
        "damaged",
    ),
    "npz_text": (
        lambda m: (m / "look_encoder.npz").write_text("hello"),
        "look_encoder.npz",
        "damaged",
    ),
    "npz_no_basis": (
        lambda m: np.savez(m / "look_encoder.npz", **_npz_without("basis")),
        "look_encoder.npz",
        "'basis' is missing",
    ),
    "npz_no_head": (
        lambda m: np.savez(
            m / "look_encoder.npz",
            **{k: v for k, v in tiny_weights().items() if not k.startswith("head")},
        ),
        "look_encoder.npz",
        "head",
    ),
    "npz_wrong_shape": (
        lambda m: np.savez(
            m / "look_encoder.npz", **_npz_with("head.00.kernel", np.zeros((7, 4), np.float32))
        ),
        "look_encoder.npz",
        "shape",
    ),
    "npz_basis_rows": (
        lambda m: np.savez(
            m / "look_encoder.npz", **_npz_with("basis", np.zeros((3, 375), np.float32))
        ),
        "look_encoder.npz",
        "basis",
    ),
    "npz_bias_1e30": (
        lambda m: np.savez(
            m / "look_encoder.npz", **_npz_with("head.00.bias", np.full(4, 1e30, np.float32))
        ),
        "look_encoder.npz",
        "1e+30",
    ),
    "npz_bias_50": (  # within the weight bound, but the LUT it gives is no look
        lambda m: np.savez(
            m / "look_encoder.npz", **_npz_with("head.00.bias", np.full(4, 500.0, np.float32))
        ),
        "look_encoder.npz",
        "impossible LUT",
    ),
    "npz_nan": (
        lambda m: np.savez(
            m / "look_encoder.npz", **_npz_with("mean", np.full(375, np.nan, np.float32))
        ),
        "look_encoder.npz",
        "NaN",
    ),
    "npz_int_weights": (
        lambda m: np.savez(m / "look_encoder.npz", **_npz_with("mean", np.zeros(375, np.int64))),
        "look_encoder.npz",
        "floating point",
    ),
    "npz_lut_size": (
        lambda m: np.savez(m / "look_encoder.npz", **_npz_with("lut_size", np.int64(100000))),
        "look_encoder.npz",
        "lut_size",
    ),
    "npz_is_a_folder": (
        lambda m: ((m / "look_encoder.npz").unlink(), (m / "look_encoder.npz").mkdir()),
        "look_encoder.npz",
        "regular file",
    ),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_look_model_is_one_line_naming_the_file(tmp_path, still, capsys, case):
    model = tiny_look_model(tmp_path / "m")
    damage, name, words = DAMAGE[case]
    damage(model)
    out = tmp_path / "look.cube"
    assert grade(model, still, out) == 2
    line = one_error_line(capsys)
    assert line.startswith("lutml grade: error: ") and str(model / name) in line, line
    assert words in line, line
    assert not out.exists()


def grade_in_child(model: Path, still: Path, out: Path) -> subprocess.CompletedProcess:
    """`lutml grade STILL --model MODEL -o OUT` in a fresh interpreter, which prints the exit
    status and whether TensorFlow was imported."""
    code = (
        "import sys; from lutml.cli import main; "
        f"rc = main(['grade', {str(still)!r}, '--model', {str(model)!r}, '-o', "
        f"{str(out)!r}]); print(rc, 'tensorflow' in sys.modules)"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)


def test_a_damaged_keras_model_is_named_before_tensorflow(tmp_path, still, capsys):
    model = tmp_path / "img"
    model.mkdir()
    (model / "generator.keras").write_bytes(b"PK\x03\x04 cut short")
    run = grade_in_child(model, still, tmp_path / "o.cube")
    assert run.stdout.split() == ["2", "False"], run.stdout + run.stderr
    assert "generator.keras: cannot load Keras model" in run.stderr


def test_a_wrong_model_path_is_reported_before_tensorflow(tmp_path, still):
    run = grade_in_child(tmp_path / "nope", still, tmp_path / "o.cube")
    assert run.stdout.split() == ["2", "False"], run.stdout + run.stderr
    assert f"{tmp_path / 'nope'}: model folder or file not found" in run.stderr


def test_a_folder_without_a_model_says_so(tmp_path, still, capsys):
    (tmp_path / "empty").mkdir()
    assert grade(tmp_path / "empty", still, tmp_path / "o.cube") == 2
    assert "not a model folder" in one_error_line(capsys)


def test_load_look_model_checks_the_folder(tmp_path):
    model = tiny_look_model(tmp_path / "m", meta=[1, 2])
    with pytest.raises(ValueError, match="expected a JSON object"):
        load_look_model(model)


# ---------------------------------------------------------------- item 4: EXR out unclipped


@pytest.mark.parametrize("bits", [8, 16])
def test_apply_to_exr_keeps_the_lut_output_unclipped(tmp_path, bits, capsys):
    pytest.importorskip("OpenEXR")

    lut = LUT3D.identity(2)
    lut.table = lut.table * 2.0
    write_cube(lut, tmp_path / "gain2.cube")
    ramp = np.tile(np.linspace(0, 1, 256, dtype=np.float32)[None, :, None], (4, 1, 3))
    write_image(tmp_path / "src.png", ramp, bit_depth=bits)
    assert main(["apply", str(tmp_path / "gain2.cube"), str(tmp_path / "src.png"),
                 str(tmp_path / "g2.exr")]) == 0  # fmt: skip
    out = read_image_full(tmp_path / "g2.exr").rgb
    assert out.max() == pytest.approx(2.0, abs=2e-3)
    assert len(np.unique(out[..., 0])) > 200


# ---------------------------------------------------------------- item 5: files and memory


def test_info_refuses_a_link_to_dev_zero(tmp_path, capsys):
    (tmp_path / "z.cube").symlink_to("/dev/zero")
    assert main(["info", str(tmp_path / "z.cube")]) == 2
    assert "not a regular file" in one_error_line(capsys)


@pytest.mark.parametrize("suffix", [".cube", ".3dl", ".csp", ".clf", ".png"])
def test_luts_refuse_a_fifo(tmp_path, suffix, capsys):
    fifo = tmp_path / f"f{suffix}"
    os.mkfifo(fifo)
    assert main(["info", str(fifo)]) == 2
    assert "not a regular file" in one_error_line(capsys)


def test_apply_refuses_a_device_as_image(tmp_path, capsys):
    write_cube(LUT3D.identity(3), tmp_path / "id.cube")
    (tmp_path / "z.png").symlink_to("/dev/zero")
    assert main(["apply", str(tmp_path / "id.cube"), str(tmp_path / "z.png"),
                 str(tmp_path / "o.png")]) == 2  # fmt: skip
    assert "not a regular file" in one_error_line(capsys)


def test_info_caps_comments(tmp_path, capsys):
    lines = [f"# comment {i} " + "y" * 500 for i in range(5000)] + ["LUT_3D_SIZE 2"]
    lines += [f"{r} {g} {b}" for b in (0, 1) for g in (0, 1) for r in (0, 1)]
    (tmp_path / "c.cube").write_text("\n".join(lines) + "\n")
    lut = read_cube(tmp_path / "c.cube")
    assert len(lut.comments) == 1001 and lut.comments[-1].startswith("... 4,000 more")
    assert main(["info", str(tmp_path / "c.cube")]) == 0
    out = capsys.readouterr().out
    assert len(out) < 10_000 and "more comment lines" in out


def test_grade_keeps_at_most_a_megapixel_per_still(tmp_path, monkeypatch, capsys):
    seen = []
    real = lutml.grade.look_of_stills

    def spy(model, images, **kwargs):
        seen.extend(img.shape for img in images)
        return real(model, images, **kwargs)

    monkeypatch.setattr(lutml.grade, "look_of_stills", spy)
    big = save(
        tmp_path / "big.png", np.asarray(Image.fromarray(photo(100, 150)).resize((1800, 1200)))
    )
    assert grade(tiny_look_model(tmp_path / "m"), big, tmp_path / "o.cube") == 0
    ((h, w, _c),) = seen
    assert h * w <= 1 << 20 and abs(w / h - 1.5) < 0.01


# ---------------------------------------------------------------- item 7: damaged JPEG


def _patched_jpeg(tmp_path: Path, w: int, h: int) -> Path:
    Image.fromarray(photo(256, 384)).save(tmp_path / "ok.jpg", quality=90)
    data = (tmp_path / "ok.jpg").read_bytes()
    i = data.find(b"\xff\xc0")
    (tmp_path / "bad.jpg").write_bytes(data[: i + 5] + struct.pack(">HH", h, w) + data[i + 9 :])
    return tmp_path / "bad.jpg"


@pytest.mark.parametrize("size", [(2000, 2000), (9000, 9000)])
def test_a_jpeg_with_too_little_data_is_an_error(tmp_path, size, capsys):
    write_cube(LUT3D.identity(3), tmp_path / "id.cube")
    bad = _patched_jpeg(tmp_path, *size)
    assert main(["apply", str(tmp_path / "id.cube"), str(bad), str(tmp_path / "o.png")]) == 2
    line = one_error_line(capsys)
    assert f"{bad}: damaged JPEG" in line and not (tmp_path / "o.png").exists()


def test_a_progressive_jpeg_with_too_little_data_is_an_error(tmp_path):
    """The DC scan runs out (not the last scan): junk goes at the end of every scan."""
    Image.fromarray(photo(256, 384)).save(tmp_path / "p.jpg", quality=90, progressive=True)
    data = (tmp_path / "p.jpg").read_bytes()
    i = data.find(b"\xff\xc2")
    (tmp_path / "bad.jpg").write_bytes(
        data[: i + 5] + struct.pack(">HH", 2000, 2000) + data[i + 9 :]
    )
    with pytest.raises(ImageReadError, match="damaged JPEG"):
        read_image_full(tmp_path / "bad.jpg")


def test_a_jpeg_cut_short_is_an_error(tmp_path):
    Image.fromarray(photo(256, 384)).save(tmp_path / "ok.jpg", quality=90)
    data = (tmp_path / "ok.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImageReadError, match="cut.jpg"):
        read_image_full(tmp_path / "cut.jpg")


@pytest.mark.parametrize(
    "options",
    [{}, {"progressive": True}, {"subsampling": 2}, {"restart_marker_blocks": 2},
     {"optimize": True}, {"quality": 5}],
)  # fmt: skip
def test_sound_jpegs_still_read(tmp_path, options):
    Image.fromarray(photo(200, 300)).save(tmp_path / "s.jpg", **options)
    assert read_image_full(tmp_path / "s.jpg").rgb.shape == (200, 300, 3)
    Image.fromarray(photo(200, 300)).convert("L").save(tmp_path / "g.jpg", **options)
    assert read_image_full(tmp_path / "g.jpg").rgb.shape == (200, 300, 3)


# ---------------------------------------------------------------- item 8: pairs that make no sense


def test_fit_warns_about_a_pair_of_different_photos(tmp_path, capsys):
    a = save(tmp_path / "a.png", photo(96, 128, seed=1))
    b = save(tmp_path / "b.png", photo(96, 128, seed=2)[::-1, ::-1].copy())
    assert main(["fit", "--source", str(a), "--target", str(b), "-o",
                 str(tmp_path / "o.cube"), "--size", "9"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"warning: {a} -> {b}: The LUT reproduces the after image only to a mean ΔE00 of" in err


def test_fit_warns_about_a_pair_image_that_is_no_side_by_side(tmp_path, capsys):
    halves = [photo(96, 128, seed=1), photo(96, 128, seed=2)[::-1, ::-1]]
    sbs = save(tmp_path / "p.png", np.concatenate(halves, axis=1))  # an ordinary photo
    assert main(["fit", "--pair", str(sbs), "-o", str(tmp_path / "o.cube"), "--size", "9"]) == 0
    assert "reproduces the after image only" in capsys.readouterr().err


def test_fit_is_quiet_about_a_sound_pair(tmp_path, capsys):
    src = photo(96, 128, seed=1)
    a = save(tmp_path / "a.png", src)
    b = save(
        tmp_path / "b.png", np.clip(src.astype(int) * [1.1, 1.0, 0.9], 0, 255).astype(np.uint8)
    )
    assert main(["fit", "--source", str(a), "--target", str(b), "-o", str(tmp_path / "o.cube"),
                 "--size", "9"]) == 0  # fmt: skip
    assert "warning" not in capsys.readouterr().err


def test_the_fit_warning_is_the_web_match_warning():
    assert (FIT_DE00_WARN, CHECK_PIXELS) == (jobs.FIT_DE00_WARN, jobs.CHECK_PIXELS)
    assert fit_warning(29.6) == jobs._fit_warning(29.6, "match")
    assert fit_warning(1.0) is None


# ---------------------------------------------------------------- item 9: modes and symlinks


@pytest.fixture
def apply_args(tmp_path: Path):
    write_cube(LUT3D.identity(3), tmp_path / "id.cube")
    save(tmp_path / "in.png", photo())
    (tmp_path / "out").mkdir()
    return lambda out: ["apply", str(tmp_path / "id.cube"), str(tmp_path / "in.png"), str(out)]


@pytest.mark.parametrize("mode", [0o600, 0o444, 0o640])
def test_overwriting_keeps_the_mode(tmp_path, apply_args, mode):
    out = tmp_path / "out" / "private.png"
    save(out, photo(10, 10))
    out.chmod(mode)
    assert main(apply_args(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert Image.open(out).size == (128, 96)


def test_convert_keeps_the_mode(tmp_path):
    write_cube(LUT3D.identity(3), tmp_path / "a.cube")
    write_cube(LUT3D.identity(4), tmp_path / "b.cube")
    (tmp_path / "b.cube").chmod(0o600)
    assert main(["convert", str(tmp_path / "a.cube"), str(tmp_path / "b.cube")]) == 0
    assert stat.S_IMODE((tmp_path / "b.cube").stat().st_mode) == 0o600
    assert read_cube(tmp_path / "b.cube").size == 3


def test_a_symlinked_output_is_written_through(tmp_path, apply_args, capsys):
    real = tmp_path / "out" / "real.png"
    save(real, photo(10, 10))
    real.chmod(0o600)
    link = tmp_path / "link.png"
    link.symlink_to(real)
    assert main(apply_args(link)) == 0
    assert link.is_symlink() and Image.open(real).size == (128, 96)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert (
        f"note: {link} is a symbolic link: writing through it to {real}" in capsys.readouterr().out
    )
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_a_symlink_loop_is_one_error(tmp_path, apply_args, capsys):
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    assert main(apply_args(tmp_path / "loop.png")) == 2
    assert "circle of symbolic links" in one_error_line(capsys)


def test_a_symlink_to_an_input_is_still_refused(tmp_path, apply_args, capsys):
    (tmp_path / "l.png").symlink_to(tmp_path / "in.png")
    assert main(apply_args(tmp_path / "l.png")) == 2
    assert "would overwrite the input" in one_error_line(capsys)


# ---------------------------------------------------------------- item 10: early checks


def test_fit_refuses_a_3dl_of_2_nodes_before_reading(tmp_path, monkeypatch, capsys):
    def never(*args):
        raise AssertionError("frames read before the output was checked")

    monkeypatch.setattr(fit, "load_pairs", never)
    a, b = save(tmp_path / "a.png", photo()), save(tmp_path / "b.png", photo(seed=1))
    rc = main(["fit", "--source", str(a), "--target", str(b), "-o", str(tmp_path / "s2.3dl"),
               "--size", "2"])  # fmt: skip
    assert rc == 2
    line = one_error_line(capsys)
    assert f"{tmp_path / 's2.3dl'}: a .3dl needs at least 4 nodes" in line
    assert "lutml-tmp" not in line


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--size", "0"], "--size must be between 2"),
        (["--smoothness", "nan"], "smoothness"),
        (["--smoothness", "-5"], "smoothness"),
    ],
)
def test_fit_checks_options_before_reading(tmp_path, monkeypatch, capsys, argv, words):
    monkeypatch.setattr(fit, "load_pairs", lambda *a: (_ for _ in ()).throw(AssertionError))
    a, b = save(tmp_path / "a.png", photo()), save(tmp_path / "b.png", photo(seed=1))
    rc = main(
        ["fit", "--source", str(a), "--target", str(b), "-o", str(tmp_path / "o.cube"), *argv]
    )
    assert rc == 2 and words in one_error_line(capsys)


def test_grade_warnings_never_show_temp_names(tmp_path, still, capsys):
    pytest.importorskip("PyOpenColorIO")
    model = tiny_look_model(tmp_path / "m")
    assert grade(model, still, tmp_path / "glog.3dl", "--input-space", "logc3", "--size", "17") == 0
    err = capsys.readouterr().err
    assert "lutml-tmp" not in err and f"{tmp_path / 'glog.3dl'}" in err


def test_grade_refuses_a_3dl_of_3_nodes_before_the_model(tmp_path, still, capsys):
    assert grade(tmp_path / "no-model", still, tmp_path / "g.3dl", "--size", "3") == 2
    assert "a .3dl needs at least 4 nodes" in one_error_line(capsys)


def test_temp_names_are_replaced_in_messages(tmp_path):
    with pytest.raises(ValueError) as info, atomic_path(tmp_path / "x.3dl") as tmp:
        raise ValueError(f"{tmp}: something is wrong")
    assert str(info.value) == f"{tmp_path / 'x.3dl'}: something is wrong"
    assert public_text("/a/.s2.3dl.lutml-tmp-0123abcd-77-ab_d1234.3dl: bad") == "/a/s2.3dl: bad"


# ---------------------------------------------------------------- item 11: grade --smoothness


@pytest.mark.parametrize("value", ["nan", "-5", "inf"])
def test_grade_rejects_a_bad_smoothness(tmp_path, still, capsys, value):
    model = tiny_look_model(tmp_path / "m")
    assert grade(model, still, tmp_path / "o.cube", "--smoothness", value) == 2
    assert "--smoothness must be a finite number >= 0" in one_error_line(capsys)
    assert not (tmp_path / "o.cube").exists()


def test_grade_says_smoothness_does_nothing_for_a_look_model(tmp_path, still, capsys):
    assert (
        grade(tiny_look_model(tmp_path / "m"), still, tmp_path / "o.cube", "--smoothness", "3") == 0
    )
    assert "--smoothness has no effect with a look model" in capsys.readouterr().err


# ---------------------------------------------------------------- item 12: notes and errors


def test_multi_page_tiff_is_noted(tmp_path, capsys):
    import tifffile

    write_cube(LUT3D.identity(3), tmp_path / "id.cube")
    with tifffile.TiffWriter(tmp_path / "m.tif") as tif:
        tif.write(photo(), photometric="rgb")
        tif.write(photo(seed=4), photometric="rgb")
    assert main(["apply", str(tmp_path / "id.cube"), str(tmp_path / "m.tif"),
                 str(tmp_path / "o.png")]) == 0  # fmt: skip
    assert f"note: {tmp_path / 'm.tif'}: 2 pages (a multi-page TIFF); only the first is used" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("bits", [8, 16])
def test_animated_png_is_noted(tmp_path, bits):
    frames = [Image.fromarray(photo(seed=s)) for s in range(3)]
    if bits == 16:  # pypng path: the acTL chunk is read by lutml
        write_image(tmp_path / "s.png", photo().astype(np.uint16) * 257, bit_depth=16)
        data = (tmp_path / "s.png").read_bytes()
        actl = b"acTL" + struct.pack(">II", 3, 0)
        import zlib

        chunk = struct.pack(">I", 8) + actl + struct.pack(">I", zlib.crc32(actl))
        (tmp_path / "a.png").write_bytes(data[:33] + chunk + data[33:])
    else:
        frames[0].save(tmp_path / "a.png", save_all=True, append_images=frames[1:])
    notes = read_image_full(tmp_path / "a.png").notes
    assert notes == [f"{tmp_path / 'a.png'}: 3 frames (an animated PNG); only the first is used"]


def _exr(path: Path, channels: dict[str, np.ndarray]) -> Path:
    OpenEXR = pytest.importorskip("OpenEXR")
    planes = {k: np.ascontiguousarray(v) for k, v in channels.items()}
    with OpenEXR.File({"compression": OpenEXR.ZIP_COMPRESSION}, planes) as f:
        f.write(str(path))
    return path


def test_xyz_exr_is_refused(tmp_path):
    plane = np.full((8, 8), 0.5, np.float32)
    _exr(tmp_path / "xyz.exr", {"X": plane, "Y": plane, "Z": plane})
    with pytest.raises(ImageReadError, match="CIE XYZ"):
        read_image_full(tmp_path / "xyz.exr")


def test_all_nan_exr_is_refused_and_some_nan_noted(tmp_path):
    nan = np.full((8, 8), np.nan, np.float32)
    _exr(tmp_path / "nan.exr", {"R": nan, "G": nan, "B": nan})
    with pytest.raises(ImageReadError, match="every pixel .* is NaN"):
        read_image_full(tmp_path / "nan.exr")
    some = np.full((8, 8), 0.5, np.float32)
    some[0, :2] = np.nan
    _exr(tmp_path / "some.exr", {"R": some, "G": some, "B": some})
    assert read_image_full(tmp_path / "some.exr").notes == [
        f"{tmp_path / 'some.exr'}: 3.12% of the pixels are NaN and were read as 0"
    ]


@pytest.mark.parametrize(
    "data", [b"II*\x00\x08\x00\x00\x00", b"MM\x00*\x00\x00\x00\x08" + b"\0" * 6]
)
def test_empty_tiff_is_one_clean_error(tmp_path, data):
    write_cube(LUT3D.identity(3), tmp_path / "id.cube")
    (tmp_path / "e.tif").write_bytes(data)
    code = (
        "from lutml.cli import main; "
        f"main(['apply', {str(tmp_path / 'id.cube')!r}, {str(tmp_path / 'e.tif')!r}, "
        f"{str(tmp_path / 'o.png')!r}])"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.stderr.strip() == (
        f"lutml apply: error: {tmp_path / 'e.tif'}: TIFF file holds no image (no readable page)"
    ), run.stderr


def test_apply_refuses_a_missing_output_folder(tmp_path, apply_args, capsys):
    out = tmp_path / "missing" / "deeper" / "o.png"
    assert main(apply_args(out)) == 2
    line = one_error_line(capsys)
    assert f"{out}: the folder {out.parent} of output does not exist" in line
    assert not (tmp_path / "missing").exists()


def test_npz_member_damage_is_one_error(tmp_path, still, capsys):
    """A bit flip inside one array of the zip (CRC mismatch) is caught too."""
    model = tiny_look_model(tmp_path / "m")
    path = model / "look_encoder.npz"
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("basis.npy")
    data = bytearray(path.read_bytes())
    data[info.header_offset + 30 + len(info.filename) + 200] ^= 0xFF
    path.write_bytes(bytes(data))
    assert grade(model, still, tmp_path / "o.cube") == 2
    assert "look_encoder.npz: damaged look model weights" in one_error_line(capsys)


def test_random_bytes_as_weights_never_suggest_unsafe_loading(tmp_path, still, capsys):
    """NumPy reads some random bytes as a pickle and its message advises `allow_pickle=`: the
    error says what the file is instead."""
    model = tiny_look_model(tmp_path / "m")
    (model / "look_encoder.npz").write_bytes(b"\x80\x04" + bytes(range(256)) * 8)
    assert grade(model, still, tmp_path / "o.cube") == 2
    line = one_error_line(capsys)
    assert "look_encoder.npz: damaged look model weights" in line and "pickled" in line
    assert "allow_pickle" not in line and "trust" not in line


def test_ctrl_c_while_the_commands_load_names_the_command(monkeypatch, capsys):
    """SIGINT before parsing ends (the parser imports every command: ~1 s) said 'lutml:'."""

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(["grade", "a.png", "-o", "x.cube"]) == 130
    assert capsys.readouterr().err.strip() == "lutml grade: interrupted"
    assert main(["--help"]) == 130
    assert capsys.readouterr().err.strip() == "lutml: interrupted"
