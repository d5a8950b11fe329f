"""Adversarial pass over the `lutml` command line (issue 24, CLI side).

Runs the issue's CLI cases and more of the same kinds against `.venv/bin/lutml` in a scratch
folder and prints a table: category, tried, clean, misbehaved. A case is *clean* when the
command ends with the expected exit status, prints no traceback, says an error in one line
(``lutml <cmd>: error: ...``; argparse's usage errors excepted), never shows a temporary
file name, leaves no temporary file behind, prints what the case expects, stays within its
memory bound (peak RSS of the process, from wait4) and passes its own check of the result.

    .venv/bin/python scripts/adversarial_pass.py [--quick] [--keep DIR] [--only CATEGORY]

--quick skips the slow cases (256^3 LUTs, 30 x 24 MP stills, 11 interrupted 12 MP fits).
Every command runs with RLIMIT_AS = 8 GB so that a regression cannot take the machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
LUTML = str(Path(sys.executable).parent / "lutml")
MODEL = ROOT / "data" / "models"
AS_LIMIT = 8 << 30


@dataclass
class Case:
    category: str
    name: str
    argv: list[str] | Callable[[], list[str]]
    rc: int | tuple[int, ...] = 0
    expect: str | None = None  # must appear in stdout + stderr
    max_rss_mb: float | None = None
    check: Callable[[], str | None] | None = None  # returns a problem, or None
    signal_after: float | None = None  # send `sig` this many seconds after start
    sig: int = signal.SIGINT
    timeout: float = 600.0
    slow: bool = False
    usage_error: bool = False  # argparse's own error: usage + one line
    absent: str | None = None  # must NOT appear in stdout + stderr
    strict_stderr: bool = False  # stderr must be exactly the one error line


@dataclass
class Outcome:
    case: Case
    clean: bool
    problems: list[str] = field(default_factory=list)
    rc: int | None = None
    rss_mb: float = 0.0
    seconds: float = 0.0


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run_case(case: Case, work: Path) -> Outcome:
    argv = case.argv() if callable(case.argv) else case.argv
    before = {p for p in work.rglob(".*lutml-tmp-*")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [LUTML, *argv],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    if case.signal_after is not None:
        time.sleep(case.signal_after)
        if proc.poll() is None:
            proc.send_signal(case.sig)
    try:
        out, err = proc.communicate(timeout=case.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return Outcome(case, False, ["timed out"], None, 0.0, case.timeout)
    seconds = time.perf_counter() - t0
    rss_mb = 0.0  # measured separately (rss_of) where a case has a bound
    out_s, err_s = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    problems = []
    expected_rc = case.rc if isinstance(case.rc, tuple) else (case.rc,)
    if proc.returncode not in expected_rc:
        problems.append(f"exit {proc.returncode}, expected {expected_rc}")
    if "Traceback" in err_s or "Traceback" in out_s:
        problems.append("traceback")
    if "lutml-tmp" in err_s or "lutml-tmp" in out_s:
        problems.append("temporary name shown")
    errors = [ln for ln in err_s.splitlines() if " error: " in ln or ln.startswith("lutml ")]
    if proc.returncode in (130, 143) and err_s.strip() not in ("lutml fit: interrupted",
                                                                "lutml fit: terminated") and not (
        err_s.strip().endswith(("interrupted", "terminated")) and len(errors) == 1
    ):  # fmt: skip
        problems.append(f"interrupt not one line: {err_s.strip()[-300:]!r}")
    if proc.returncode == 2 and not case.usage_error:
        if len(errors) != 1 or not errors[0].startswith("lutml "):
            problems.append(f"error not one line: {err_s.strip()[:300]!r}")
    if case.usage_error and "usage:" not in err_s:
        problems.append("no usage error")
    if case.absent is not None and case.absent in out_s + err_s:
        problems.append(f"printed {case.absent!r}")
    if case.strict_stderr and len(err_s.strip().splitlines()) != 1:
        problems.append(f"stray stderr lines: {err_s.strip()[:300]!r}")
    if case.expect is not None and case.expect not in out_s + err_s:
        problems.append(f"missing {case.expect!r}: {(out_s + err_s).strip()[-300:]!r}")
    left = {p for p in work.rglob(".*lutml-tmp-*")} - before
    if left and proc.returncode != -signal.SIGKILL:
        problems.append(f"temporary files left: {sorted(p.name for p in left)}")
    if case.check is not None and (problem := case.check()):
        problems.append(problem)
    return Outcome(case, not problems, problems, proc.returncode, rss_mb, seconds)


def rss_of(argv: list[str], work: Path) -> float:
    """Peak RSS (MB) of one command (wait4 of exactly that child)."""
    proc = subprocess.Popen(
        [LUTML, *argv], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=_limit,
    )  # fmt: skip
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_maxrss / 1024


# ---------------------------------------------------------------------------- fixtures


def photo(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32) / np.float32(max(h, w))
    img = np.stack(
        [
            0.5 + 0.4 * np.sin(6 * x + rng.uniform(0, 6)),
            0.5 + 0.4 * np.sin(5 * y + rng.uniform(0, 6)),
            0.5 + 0.4 * np.cos(4 * (x + y) + rng.uniform(0, 6)),
        ],
        axis=-1,
    )
    img += rng.normal(0, 0.02, img.shape).astype(np.float32)
    return np.rint(np.clip(img, 0, 1) * 255).astype(np.uint8)


def graded(img: np.ndarray) -> np.ndarray:
    f = img.astype(np.float32) / 255
    out = np.clip(f**0.8 * np.array([1.08, 1.0, 0.9], np.float32), 0, 1)
    return np.rint(out * 255).astype(np.uint8)


def write_cube_text(path: Path, size: int, fn=None, comments: list[str] = ()) -> Path:
    from lutml.lut import LUT3D, write_cube

    lut = LUT3D.identity(size)
    if fn is not None:
        lut.table = fn(lut.table).astype(np.float32)
    lut.comments = list(comments)
    write_cube(lut, path)
    return path


def exr(path: Path, channels: dict[str, np.ndarray]) -> Path:
    import OpenEXR

    planes = {k: np.ascontiguousarray(v) for k, v in channels.items()}
    with OpenEXR.File({"compression": OpenEXR.ZIP_COMPRESSION}, planes) as f:
        f.write(str(path))
    return path


def patch_sof(src: Path, dst: Path, w: int, h: int) -> Path:
    data = src.read_bytes()
    i = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
    dst.write_bytes(data[: i + 5] + struct.pack(">HH", h, w) + data[i + 9 :])
    return dst


def setup(work: Path, quick: bool) -> dict[str, Path]:
    """Every input file of the cases, made once."""
    f: dict[str, Path] = {}

    def save(name: str, arr: np.ndarray, **kw) -> Path:
        Image.fromarray(arr).save(work / name, **kw)
        f[name] = work / name
        return work / name

    a = photo(240, 320, 1)
    save("a.png", a)
    save("a_g.png", graded(a))
    save("b.png", photo(240, 320, 2)[::-1, ::-1].copy())
    save("a.jpg", a, quality=92)
    save("a_prog.jpg", a, quality=92, progressive=True)
    save("sbs_photo.png", np.concatenate([photo(240, 160, 3), photo(240, 160, 4)], axis=1))
    save("sbs_good.png", np.concatenate([graded(a[:, :160]), a[:, :160]], axis=1))
    save("shifted.png", np.roll(graded(a), 30, axis=1))
    vignette = graded(a).astype(np.float32)
    yy, xx = np.mgrid[0:240, 0:320]
    vignette *= np.clip(1 - 0.9 * (((yy - 120) / 120) ** 2 + ((xx - 160) / 160) ** 2), 0.05, 1)[
        ..., None
    ]  # a strong vignette: the corners nearly black
    save("vignette.png", np.clip(vignette, 0, 255).astype(np.uint8))
    from lutml.imageio import write_image

    write_image(work / "a16.png", a.astype(np.float32) / 255, bit_depth=16)
    write_image(work / "a.tif", a.astype(np.float32) / 255, bit_depth=16)
    write_cube_text(work / "gain2.cube", 2, lambda t: t * 2)
    write_cube_text(work / "look.cube", 17, lambda t: t**0.9)
    write_cube_text(work / "id.cube", 5)
    plane = np.full((16, 16), 0.5, np.float32)
    exr(work / "ok.exr", {"R": plane * 3, "G": plane, "B": plane})
    exr(work / "xyz.exr", {"X": plane, "Y": plane, "Z": plane})
    exr(work / "y.exr", {"Y": plane})
    nan = np.full((16, 16), np.nan, np.float32)
    exr(work / "nan.exr", {"R": nan, "G": nan, "B": nan})
    some = plane.copy()
    some[:2] = np.nan
    exr(work / "somenan.exr", {"R": some, "G": some, "B": some})
    import tifffile

    with tifffile.TiffWriter(work / "multi.tif") as tif:
        for s in range(3):
            tif.write(photo(64, 64, s), photometric="rgb")
    with tifffile.TiffWriter(work / "multi16.tif") as tif:
        for s in range(2):
            tif.write(photo(64, 64, s).astype(np.uint16) * 257, photometric="rgb")
    frames = [Image.fromarray(photo(64, 64, s)) for s in range(4)]
    frames[0].save(work / "anim.png", save_all=True, append_images=frames[1:])
    (work / "empty.tif").write_bytes(b"II*\x00\x08\x00\x00\x00")
    (work / "empty_mm.tif").write_bytes(b"MM\x00*\x00\x00\x00\x08" + b"\0" * 6)
    (work / "head.tif").write_bytes(b"II*\x00")
    big = Image.fromarray(photo(256, 384, 7))
    big.save(work / "small.jpg", quality=90)
    patch_sof(work / "small.jpg", work / "sof2000.jpg", 2000, 2000)
    patch_sof(work / "small.jpg", work / "sof9000.jpg", 9000, 9000)
    big.save(work / "small_prog.jpg", quality=90, progressive=True)
    patch_sof(work / "small_prog.jpg", work / "sof2000_prog.jpg", 2000, 2000)
    data = (work / "small.jpg").read_bytes()
    (work / "cut50.jpg").write_bytes(data[: len(data) // 2])
    (work / "cut90.jpg").write_bytes(data[: len(data) * 9 // 10])
    (work / "noeoi.jpg").write_bytes(data[:-2])
    mid = bytearray(data)
    mid[len(mid) // 2 : len(mid) // 2 + 1024] = (
        np.random.default_rng(0).integers(0, 255, 1024, dtype=np.uint8).tobytes()
    )
    (work / "random_mid.jpg").write_bytes(bytes(mid))
    # LUT files
    (work / "z.cube").symlink_to("/dev/zero")
    (work / "z.png").symlink_to("/dev/zero")
    for suffix in (".cube", ".3dl", ".clf", ".csp"):
        os.mkfifo(work / f"fifo{suffix}")
    (work / "dir.cube").mkdir()
    (work / "huge_size.cube").write_text("LUT_3D_SIZE 100000\n0 0 0\n")
    (work / "huge_1d.cube").write_text("LUT_1D_SIZE 10000000\n0 0 0\n")
    with open(work / "endless.cube", "wb") as fh:
        fh.write(b"# ")
        fh.write(b"x" * (50 << 20))
    comment = "# " + "c" * 998 + "\n"
    with open(work / "comments.cube", "w") as fh:
        for _ in range(60_000):  # 60 MB of comments
            fh.write(comment)
        fh.write("LUT_3D_SIZE 2\n")
        for b in (0, 1):
            for g in (0, 1):
                for r in (0, 1):
                    fh.write(f"{r} {g} {b}\n")
    # models
    if MODEL.is_dir():
        shutil.copytree(MODEL, work / "M")
    else:  # no trained model: a tiny NumPy one
        tiny_model(work / "M")
    tiny_model(work / "T")
    if not quick:
        rng = np.random.default_rng(5)
        t = np.clip(
            np.asarray(__import__("lutml.lut", fromlist=["x"]).identity_table(256))
            + rng.normal(0, 0.01, (256, 256, 256, 3)).astype(np.float32),
            0,
            1,
        )
        from lutml.lut import LUT3D, write_cube

        write_cube(LUT3D(t.astype(np.float32)), work / "big256.cube")
        del t
        src12 = np.asarray(Image.fromarray(photo(300, 400, 9)).resize((4000, 3000)))
        save("12mp.jpg", src12, quality=90)
        save("12mp_g.jpg", graded(src12), quality=90)
        del src12
        big24 = Image.fromarray(photo(300, 450, 11)).resize((6000, 4000))
        (work / "stills").mkdir()
        for i in range(30):
            big24.save(work / "stills" / f"s{i:02d}.jpg", quality=85)
    return f


def tiny_model(folder: Path) -> Path:
    from lutml.models.look_inference import colour_features_np

    rng = np.random.default_rng(0)
    f = colour_features_np(np.zeros((1, 4, 4, 3), np.float32)).shape[1]
    m = 5**3 * 3
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(
        folder / "look_encoder.npz",
        frame_size=np.int64(16),
        lut_size=np.int64(5),
        mean=rng.normal(0, 0.01, m).astype(np.float32),
        basis=rng.normal(0, 0.02, (4, m)).astype(np.float32),
        node_weights=np.ones(125, np.float32),
        **{
            "frame.00.kernel": rng.normal(0, 0.05, (f, 8)).astype(np.float32),
            "frame.00.bias": np.zeros(8, np.float32),
            "head.00.kernel": rng.normal(0, 0.05, (8 + f, 4)).astype(np.float32),
            "head.00.bias": np.zeros(4, np.float32),
        },
    )
    meta = {"name": "look_encoder", "kind": "look", "frame_size": 16, "lut_size": 5,
            "shrinkage": {"1": 0.8}}  # fmt: skip
    (folder / "model.json").write_text(json.dumps(meta))
    return folder


# ---------------------------------------------------------------------------- damage helpers


def damaged_model(work: Path, name: str, damage: Callable[[Path], None]) -> Path:
    folder = work / f"M_{name}"
    if not folder.exists():
        shutil.copytree(work / "M", folder)
        damage(folder)
    return folder


def npz_edit(edit: Callable[[dict], dict]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        with np.load(folder / "look_encoder.npz") as z:
            w = {k: z[k] for k in z.files}
        np.savez(folder / "look_encoder.npz", **edit(w))

    return damage


def first_bias(w: dict) -> str:
    return sorted(k for k in w if k.startswith("head.") and k.endswith(".bias"))[-1]


# ---------------------------------------------------------------------------- cases


def cases(work: Path, quick: bool) -> list[Case]:
    out: list[Case] = []
    add = out.append

    def gone(*names: str) -> Callable[[], str | None]:
        return lambda: next((f"{n} was written" for n in names if (work / n).exists()), None)

    def mode_is(name: str, mode: int) -> Callable[[], str | None]:
        def check() -> str | None:
            got = stat.S_IMODE((work / name).stat().st_mode)
            return None if got == mode else f"{name} mode {oct(got)}, expected {oct(mode)}"

        return check

    def prep_mode(name: str, mode: int, src: str) -> Callable[[], None]:
        def prep() -> None:
            p = work / name
            if p.exists():
                p.chmod(0o644)
                p.unlink()
            shutil.copy(work / src, p)
            p.chmod(mode)

        return prep

    def with_prep(prep: Callable[[], None], argv: list[str]) -> Callable[[], list[str]]:
        def go() -> list[str]:
            prep()
            return argv

        return go

    # ---- interrupts (issue item 1: 11 runs at 5-13 s; more: SIGTERM, apply, convert)
    if not quick:
        for t in (5, 5.8, 6.6, 7.4, 8.2, 9, 9.8, 10.6, 11.4, 12.2, 13):
            add(Case("interrupts", f"fit 12 MP SIGINT at {t} s",
                     ["fit", "--source", "12mp.jpg", "--target", "12mp_g.jpg", "-o", "int.cube",
                      "--size", "65"], rc=(130, 0), signal_after=t))  # fmt: skip
        for t in (6, 9):
            add(Case("interrupts", f"fit 12 MP SIGTERM at {t} s",
                     ["fit", "--source", "12mp.jpg", "--target", "12mp_g.jpg", "-o", "int.cube",
                      "--size", "65"], rc=(143, 0), signal_after=t, sig=signal.SIGTERM))  # fmt: skip
        add(Case("interrupts", "convert 256^3 SIGINT at 5 s", ["convert", "big256.cube", "c.3dl"],
                 rc=130, signal_after=5, check=gone("c.3dl")))  # fmt: skip
    for t in (1.0, 1.6):
        add(Case("interrupts", f"fit SIGINT at {t} s (small)",
                 ["fit", "--source", "a.png", "--target", "a_g.png", "-o", "i2.cube", "--size", "65"],
                 rc=(130, 0), signal_after=t))  # fmt: skip
    add(Case("interrupts", "grade SIGINT at 1 s", ["grade", "a.png", "--model", "M", "-o", "gi.cube"],
             rc=(130, 0), signal_after=1.0))  # fmt: skip

    # ---- damaged models (items 2, 3)
    def grade_with(folder: Path, **kw) -> Case:
        out_name = f"m_{folder.name}.cube"
        rc = kw.pop("rc", 2)
        return Case("models", folder.name, ["grade", "a.png", "--model", str(folder), "-o", out_name],
                    rc=rc, check=gone(out_name) if rc == 2 else None, **kw)  # fmt: skip

    dm = lambda name, damage: damaged_model(work, name, damage)  # noqa: E731
    add(grade_with(dm("json_list", lambda m: (m / "model.json").write_text("[1,2]")),
                   expect="JSON object"))  # fmt: skip
    add(grade_with(dm("npz_empty", lambda m: (m / "look_encoder.npz").write_bytes(b"")),
                   expect="empty"))  # fmt: skip
    add(grade_with(dm("npz_truncated", lambda m: (m / "look_encoder.npz").write_bytes(
        (m / "look_encoder.npz").read_bytes()[:5000])), expect="damaged look model weights"))  # fmt: skip
    add(grade_with(dm("npz_no_basis", npz_edit(lambda w: {k: v for k, v in w.items() if k != "basis"})),
                   expect="'basis' is missing"))  # fmt: skip
    add(
        grade_with(
            dm("no_model_json", lambda m: (m / "model.json").unlink()), expect="model.json: missing"
        )
    )
    add(grade_with(dm("bias_1e30", npz_edit(lambda w: {**w, first_bias(w): np.full_like(w[first_bias(w)], 1e30)})),
                   expect="beyond any trained weight"))  # fmt: skip
    add(Case("models", "wrong --model path (no TensorFlow)",
             ["grade", "a.png", "--model", "no/such/models", "-o", "m.cube"], rc=2,
             expect="no/such/models: model folder or file not found"))  # fmt: skip
    add(
        grade_with(
            dm("json_invalid", lambda m: (m / "model.json").write_text("{oops")),
            expect="invalid JSON",
        )
    )
    add(grade_with(dm("json_dir", lambda m: ((m / "model.json").unlink(), (m / "model.json").mkdir())),
                   expect="not a regular file"))  # fmt: skip
    add(grade_with(dm("json_huge", lambda m: (m / "model.json").write_text(" " * (2 << 20) + "{}")),
                   expect="not a model.json"))  # fmt: skip
    add(grade_with(dm("json_kind_image", lambda m: (m / "model.json").write_text('{"kind": "image"}')),
                   expect="kind"))  # fmt: skip
    add(grade_with(dm("json_shrinkage", lambda m: (m / "model.json").write_text(
        '{"kind": "look", "shrinkage": {"1": "a lot"}}')), expect="shrinkage"))  # fmt: skip
    add(grade_with(dm("json_shrinkage_nan", lambda m: (m / "model.json").write_text(
        '{"kind": "look", "shrinkage": {"1": NaN}}')), expect="shrinkage"))  # fmt: skip
    add(grade_with(dm("json_lut_size", lambda m: (m / "model.json").write_text(
        '{"kind": "look", "lut_size": 3}')), expect="model.json says 3"))  # fmt: skip
    add(grade_with(dm("json_utf16", lambda m: (m / "model.json").write_bytes('{"kind": "look"}'.encode("utf-16"))),
                   expect="model.json"))  # fmt: skip
    add(grade_with(dm("npz_text", lambda m: (m / "look_encoder.npz").write_text("hello")),
                   expect="damaged look model weights"))  # fmt: skip
    add(
        grade_with(
            dm("npz_shape", npz_edit(lambda w: {**w, "mean": w["mean"][:-3]})), expect="shape"
        )
    )
    add(
        grade_with(
            dm("npz_nan", npz_edit(lambda w: {**w, "basis": w["basis"] * np.nan})), expect="NaN"
        )
    )
    add(grade_with(dm("npz_int", npz_edit(lambda w: {**w, "mean": w["mean"].astype(np.int32)})),
                   expect="floating point"))  # fmt: skip
    add(grade_with(dm("npz_lut_size", npz_edit(lambda w: {**w, "lut_size": np.int64(100000)})),
                   expect="lut_size"))  # fmt: skip
    add(grade_with(dm("npz_bias_200", npz_edit(lambda w: {**w, first_bias(w): np.full_like(w[first_bias(w)], 200.0)})),
                   expect="impossible LUT"))  # fmt: skip
    add(grade_with(dm("npz_no_frame_mlp", npz_edit(lambda w: {k: v for k, v in w.items() if not k.startswith("frame.")})),
                   expect="frame"))  # fmt: skip
    add(grade_with(dm("npz_extra_keys", npz_edit(lambda w: {**w, "extra": np.zeros(3, np.float32)})),
                   rc=0, expect="wrote"))  # fmt: skip
    add(grade_with(dm("npz_dev_zero", lambda m: ((m / "look_encoder.npz").unlink(),
                                                  (m / "look_encoder.npz").symlink_to("/dev/zero"))),
                   expect="not a regular file"))  # fmt: skip
    add(grade_with(dm("npz_bitflip", lambda m: (m / "look_encoder.npz").write_bytes(
        _flip((m / "look_encoder.npz").read_bytes()))), expect="look_encoder.npz"))  # fmt: skip
    (work / "G_bad").mkdir(exist_ok=True)
    (work / "G_bad" / "generator.keras").write_bytes(b"not a keras file")
    add(grade_with(work / "G_bad", expect="cannot load Keras model"))
    (work / "G_cut").mkdir(exist_ok=True)
    (work / "G_cut" / "generator.keras").write_bytes(b"PK\x03\x04" + b"\0" * 40)
    add(grade_with(work / "G_cut", expect="cannot load Keras model"))
    (work / "empty_models").mkdir(exist_ok=True)
    add(grade_with(work / "empty_models", expect="not a model folder"))
    add(Case("models", "model is a text file", ["grade", "a.png", "--model", "a.png", "-o", "m.cube"],
             rc=2, expect="a.png"))  # fmt: skip

    # ---- EXR output (item 4)
    def exr_max(name: str, want: float) -> Callable[[], str | None]:
        def check() -> str | None:
            from lutml.imageio import read_image_full

            got = float(read_image_full(work / name).rgb.max())
            return None if abs(got - want) < 0.01 else f"{name} max {got}, expected {want}"

        return check

    for src, want in (("a.png", None), ("a16.png", None), ("a.jpg", None),
                      ("a.tif", None), ("ok.exr", 2.0)):  # fmt: skip

        def expected(src=src, want=want) -> Callable[[], str | None]:
            def check() -> str | None:
                from lutml.imageio import read_image_full, to_float

                rgb = to_float(read_image_full(work / src).rgb)
                top = float(np.clip(rgb, 0, 1).max()) * 2
                return exr_max(f"g2_{Path(src).stem}.exr", want or top)()

            return check

        add(Case("exr_out", f"gain 2 {src} -> EXR", ["apply", "gain2.cube", src,
                 f"g2_{Path(src).stem}.exr"], check=expected()))  # fmt: skip

    # ---- files and memory (item 5)
    add(Case("files_memory", "info on a link to /dev/zero", ["info", "z.cube"], rc=2,
             expect="not a regular file", max_rss_mb=300, timeout=30))  # fmt: skip
    for suffix in (".cube", ".3dl", ".clf", ".csp"):
        add(Case("files_memory", f"info on a FIFO {suffix}", ["info", f"fifo{suffix}"], rc=2,
                 expect="not a regular file", timeout=30))  # fmt: skip
    add(Case("files_memory", "apply with /dev/zero as image", ["apply", "id.cube", "z.png", "o.png"],
             rc=2, expect="not a regular file", timeout=30))  # fmt: skip
    add(Case("files_memory", "apply with /dev/zero as LUT", ["apply", "z.cube", "a.png", "o.png"],
             rc=2, expect="not a regular file", timeout=30))  # fmt: skip
    add(Case("files_memory", "info on a folder named .cube", ["info", "dir.cube"], rc=2))
    add(Case("files_memory", "LUT_3D_SIZE 100000", ["info", "huge_size.cube"], rc=2,
             expect="out of range"))  # fmt: skip
    add(
        Case(
            "files_memory",
            "LUT_1D_SIZE 10^7",
            ["info", "huge_1d.cube"],
            rc=2,
            expect="out of range",
        )
    )
    add(Case("files_memory", "50 MB line", ["info", "endless.cube"], rc=2, expect="a line of over",
             max_rss_mb=400))  # fmt: skip
    add(Case("files_memory", "60 MB of comments: info", ["info", "comments.cube"],
             expect="more comment lines", max_rss_mb=400))  # fmt: skip
    if not quick:
        add(Case("files_memory", "info 256^3 .cube (527 MB)", ["info", "big256.cube"],
                 expect="256 x 256 x 256", max_rss_mb=1200, slow=True))  # fmt: skip
        add(Case("files_memory", "convert 256^3 .cube -> .cube", ["convert", "big256.cube", "c256.cube"],
                 max_rss_mb=1200, slow=True))  # fmt: skip
        add(Case("files_memory", "convert 256^3 .cube -> .3dl", ["convert", "big256.cube", "c256.3dl"],
                 max_rss_mb=2500, slow=True))  # fmt: skip
        add(Case("files_memory", "grade 30 x 24 MP stills", ["grade", *[f"stills/s{i:02d}.jpg" for i in range(30)],
                 "--model", "M", "-o", "g30.cube"], max_rss_mb=1500, slow=True))  # fmt: skip

    # ---- damaged JPEGs (item 7)
    for name, rc, words in (("sof2000.jpg", 2, "damaged JPEG"), ("sof9000.jpg", 2, "damaged JPEG"),
                            ("sof2000_prog.jpg", 2, "sof2000_prog.jpg"), ("cut50.jpg", 2, "cut50.jpg"),
                            ("cut90.jpg", 2, "cut90.jpg"), ("noeoi.jpg", 2, "noeoi.jpg"),
                            ("random_mid.jpg", 2, "random_mid.jpg"),
                            ("small_prog.jpg", 0, "wrote"), ("a.jpg", 0, "wrote")):  # fmt: skip
        add(Case("jpeg", f"apply {name}", ["apply", "id.cube", name, f"o_{Path(name).stem}.png"],
                 rc=rc, expect=words))  # fmt: skip
    add(Case("jpeg", "grade sof9000.jpg", ["grade", "sof9000.jpg", "--model", "M", "-o", "j.cube"],
             rc=2, expect="damaged JPEG", check=gone("j.cube")))  # fmt: skip

    # ---- pairs that make no sense (item 8)
    warn = "reproduces the after image only to a mean ΔE00"
    add(Case("fit_pairs", "different photos", ["fit", "--source", "a.png", "--target", "b.png", "-o",
             "p1.cube"], expect=warn))  # fmt: skip
    add(Case("fit_pairs", "--pair on an ordinary photo", ["fit", "--pair", "sbs_photo.png", "-o", "p2.cube"],
             expect=warn))  # fmt: skip
    add(Case("fit_pairs", "target shifted 30 px", ["fit", "--source", "a.png", "--target", "shifted.png",
             "-o", "p3.cube"], expect=warn))  # fmt: skip
    add(Case("fit_pairs", "target with a strong vignette", ["fit", "--source", "a.png", "--target",
             "vignette.png", "-o", "p4.cube"], expect=warn))  # fmt: skip
    add(Case("fit_pairs", "three pairs, one wrong", ["fit", "--source", "a.png", "--target", "a_g.png",
             "--source", "a.png", "--target", "b.png", "--source", "a.jpg", "--target", "a_g.png", "-o",
             "p5.cube"], expect="a.png -> b.png: The LUT"))  # fmt: skip

    for label, argv in (("sound pair", ["--source", "a.png", "--target", "a_g.png"]),
                        ("sound side-by-side", ["--pair", "sbs_good.png"]),
                        ("sound JPEG pair", ["--source", "a.jpg", "--target", "a_g.png"])):  # fmt: skip
        add(Case("fit_pairs", label, ["fit", *argv, "-o", "p6.cube"], expect="wrote p6.cube",
                 absent="warning"))  # fmt: skip

    # ---- modes and symlinks (item 9)
    (work / "out").mkdir(exist_ok=True)
    (work / "elsewhere").mkdir(exist_ok=True)
    for label, mode, argv, name, src in (
        ("apply over 0600", 0o600, ["apply", "look.cube", "a.png", "out/private.png"], "out/private.png", "a.png"),
        ("convert over 0600", 0o600, ["convert", "look.cube", "out/p.cube"], "out/p.cube", "id.cube"),
        ("apply over 0444", 0o444, ["apply", "look.cube", "a.png", "out/ro.png"], "out/ro.png", "a.png"),
        ("fit -o over 0600", 0o600, ["fit", "--source", "a.png", "--target", "a_g.png", "-o", "out/f.cube",
                                      "--size", "9"], "out/f.cube", "id.cube"),
        ("grade -o over 0640", 0o640, ["grade", "a.png", "--model", "M", "-o", "out/g.cube"], "out/g.cube",
         "id.cube"),
        ("apply EXR over 0600", 0o600, ["apply", "look.cube", "a.png", "out/p.exr"], "out/p.exr", "ok.exr"),
        ("coverage png over 0640", 0o640, ["fit", "--source", "a.png", "--target", "a_g.png", "-o",
                                           "out/f2.cube", "--size", "9", "--coverage-png", "out/cov.png"],
         "out/cov.png", "a.png"),
    ):  # fmt: skip
        add(Case("modes_symlinks", label, with_prep(prep_mode(name, mode, src), argv),
                 check=mode_is(name, mode)))  # fmt: skip

    def link(name: str, target: str) -> Callable[[], None]:
        def prep() -> None:
            p = work / name
            if p.is_symlink() or p.exists():
                p.unlink()
            p.symlink_to(target)

        return prep

    def through(name: str, target: str) -> Callable[[], str | None]:
        def check() -> str | None:
            if not (work / name).is_symlink():
                return f"{name} is no longer a symlink"
            return None if (work / target).is_file() else f"{target} not written"

        return check

    shutil.copy(work / "a.png", work / "elsewhere" / "t.png")
    add(Case("modes_symlinks", "apply to a symlinked output",
             with_prep(link("lnk.png", str(work / "elsewhere" / "t.png")), ["apply", "look.cube", "a.png",
                                                                              "lnk.png"]),
             expect="writing through it", check=through("lnk.png", "elsewhere/t.png")))  # fmt: skip
    add(Case("modes_symlinks", "convert to a symlinked output",
             with_prep(link("lnk.cube", str(work / "elsewhere" / "t.cube")), ["convert", "look.cube",
                                                                                "lnk.cube"]),
             expect="writing through it", check=through("lnk.cube", "elsewhere/t.cube")))  # fmt: skip
    add(Case("modes_symlinks", "dangling symlink (folder exists)",
             with_prep(link("dang.png", str(work / "elsewhere" / "new.png")), ["apply", "look.cube", "a.png",
                                                                                 "dang.png"]),
             expect="writing through it", check=through("dang.png", "elsewhere/new.png")))  # fmt: skip
    add(Case("modes_symlinks", "dangling symlink (folder missing)",
             with_prep(link("dang2.png", str(work / "nowhere" / "new.png")), ["apply", "look.cube", "a.png",
                                                                                "dang2.png"]),
             rc=2, expect="does not exist"))  # fmt: skip
    add(Case("modes_symlinks", "symlink loop",
             with_prep(link("loop.png", str(work / "loop.png")), ["apply", "look.cube", "a.png", "loop.png"]),
             rc=2))  # fmt: skip
    add(Case("modes_symlinks", "symlink to a folder",
             with_prep(link("tofolder.png", str(work / "elsewhere")), ["apply", "look.cube", "a.png",
                                                                         "tofolder.png"]),
             rc=2, expect="folder"))  # fmt: skip
    add(Case("modes_symlinks", "symlink to the input",
             with_prep(link("toinput.png", str(work / "a.png")), ["apply", "look.cube", "a.png",
                                                                    "toinput.png"]),
             rc=2, expect="would overwrite the input"))  # fmt: skip

    def hardlink() -> None:
        if (work / "hard.png").exists():
            (work / "hard.png").unlink()
        os.link(work / "a.png", work / "hard.png")

    add(Case("modes_symlinks", "hard link to the input",
             with_prep(hardlink, ["apply", "look.cube", "a.png", "hard.png"]), rc=2,
             expect="would overwrite the input"))  # fmt: skip

    # ---- checks before the work, no temp names (item 10)
    fit_ab = ["fit", "--source", "a.png", "--target", "a_g.png"]
    for label, argv, words, name in (
        ("fit -o s2.3dl --size 2", [*fit_ab, "-o", "s2.3dl", "--size", "2"], "at least 4 nodes", "s2.3dl"),
        ("fit -o s3.3dl --size 3", [*fit_ab, "-o", "s3.3dl", "--size", "3"], "at least 4 nodes", "s3.3dl"),
        ("fit -o h.png --size 33", [*fit_ab, "-o", "h.png", "--size", "33"], "Hald", "h.png"),
        ("fit --size 66", [*fit_ab, "-o", "s66.cube", "--size", "66"], "--size", "s66.cube"),
        ("fit --size 0", [*fit_ab, "-o", "s0.cube", "--size", "0"], "--size", "s0.cube"),
        ("fit -o x.txt", [*fit_ab, "-o", "x.txt"], "unsupported", "x.txt"),
        ("fit -o a folder", [*fit_ab, "-o", "out"], "folder", "out/x"),
        ("fit -o into a missing folder", [*fit_ab, "-o", "missing/f.cube"], "does not exist", "missing"),
        ("fit --coverage-png into a missing folder", [*fit_ab, "-o", "cv.cube", "--coverage-png",
                                                      "missing/c.png"], "does not exist", "cv.cube"),
        ("convert --bits 9 .3dl", ["convert", "look.cube", "b9.3dl", "--bits", "9"], "output_bits", "b9.3dl"),
        ("convert --style lustre 20", ["convert", "look.cube", "l20.3dl", "--style", "lustre", "--size", "20"],
         "Lustre", "l20.3dl"),
        ("convert 17^3 -> Hald .png", ["convert", "look.cube", "h17.png"], "Hald", "h17.png"),
        ("grade -o g3.3dl --size 3", ["grade", "a.png", "--model", "M", "-o", "g3.3dl", "--size", "3"],
         "at least 4 nodes", "g3.3dl"),
        ("grade -o into a missing folder", ["grade", "a.png", "--model", "M", "-o", "missing/g.cube"],
         "does not exist", "missing"),
    ):  # fmt: skip
        add(Case("early_checks", label, argv, rc=2, expect=words, check=gone(name), timeout=60))
    add(Case("early_checks", "grade --input-space logc3 -o glog.3dl (warning names the output)",
             ["grade", "a.png", "--model", "M", "--input-space", "logc3", "-o", "glog.3dl", "--size", "17"],
             expect="warning: glog.3dl"))  # fmt: skip
    add(Case("early_checks", "fit --no-clip -o .3dl (clip warning names the output)",
             [*fit_ab, "--no-clip", "-o", "nc.3dl", "--size", "17"]))  # fmt: skip

    # ---- grade --smoothness (item 11)
    for value, rc in (("nan", 2), ("-5", 2), ("inf", 2), ("-inf", 2), ("1e400", 2)):
        add(Case("grade_smoothness", f"--smoothness {value}",
                 ["grade", "a.png", "--model", "M", "-o", "sm.cube", f"--smoothness={value}"], rc=rc,
                 expect="--smoothness must be a finite number", check=gone("sm.cube")))  # fmt: skip
    add(Case("grade_smoothness", "--smoothness abc", ["grade", "a.png", "--model", "M", "-o", "sm.cube",
             "--smoothness", "abc"], rc=2, usage_error=True))  # fmt: skip
    add(Case("grade_smoothness", "--smoothness 3 with a look model", ["grade", "a.png", "--model", "M",
             "-o", "sm3.cube", "--smoothness", "3"], expect="no effect with a look model"))  # fmt: skip

    # ---- minor (item 12)
    add(Case("minor", "multi-page TIFF", ["apply", "id.cube", "multi.tif", "mt.png"],
             expect="3 pages (a multi-page TIFF); only the first is used"))  # fmt: skip
    add(Case("minor", "16-bit multi-page TIFF", ["apply", "id.cube", "multi16.tif", "mt16.png"],
             expect="2 pages"))  # fmt: skip
    add(Case("minor", "animated PNG", ["apply", "id.cube", "anim.png", "ap.png"],
             expect="4 frames (an animated PNG)"))  # fmt: skip
    add(Case("minor", "animated PNG in grade", ["grade", "anim.png", "--model", "M", "-o", "ag.cube"],
             expect="4 frames"))  # fmt: skip
    add(
        Case(
            "minor", "EXR X, Y, Z", ["apply", "id.cube", "xyz.exr", "x.png"], rc=2, expect="CIE XYZ"
        )
    )
    add(Case("minor", "EXR Y only (grey, still fine)", ["apply", "id.cube", "y.exr", "y.png"]))
    add(Case("minor", "all-NaN EXR", ["apply", "id.cube", "nan.exr", "n.png"], rc=2, expect="NaN"))
    add(Case("minor", "some-NaN EXR noted", ["apply", "id.cube", "somenan.exr", "sn.png"],
             expect="NaN and were read as 0"))  # fmt: skip
    for name in ("empty.tif", "empty_mm.tif", "head.tif"):
        add(Case("minor", f"{name}", ["apply", "id.cube", name, "e.png"], rc=2, expect=name,
                 strict_stderr=True))  # fmt: skip
    add(Case("minor", "info on 60 MB of comments prints little", ["info", "comments.cube"],
             expect="# ... ", check=lambda: None))  # fmt: skip
    for label, argv in (("apply", ["apply", "id.cube", "a.png", "nofolder/o.png"]),
                        ("convert", ["convert", "id.cube", "nofolder/o.cube"]),
                        ("fit --coverage-png", [*fit_ab, "-o", "nf.cube", "--coverage-png", "nofolder/c.png"]),
                        ("grade --preview", ["grade", "a.png", "--model", "M", "-o", "nf2.cube",
                                             "--preview", "nofolder/p.jpg"])):  # fmt: skip
        add(Case("minor", f"{label} into a missing folder", argv, rc=2, expect="does not exist",
                 check=gone("nofolder")))  # fmt: skip
    return out


def _flip(data: bytes) -> bytes:
    b = bytearray(data)
    b[len(b) // 2] ^= 0xFF
    return bytes(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--only", default=None)
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lutml-adv-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    setup(work, args.quick)
    print(f"inputs made in {time.time() - t0:.0f} s in {work}", flush=True)
    todo = [c for c in cases(work, args.quick) if args.only in (None, c.category)]
    outcomes = []
    for case in todo:
        o = run_case(case, work)
        if case.max_rss_mb is not None or case.slow:
            argv = case.argv() if callable(case.argv) else case.argv
            o.rss_mb = rss_of(argv, work)
            if case.max_rss_mb is not None and o.rss_mb > case.max_rss_mb:
                o.problems.append(f"peak RSS {o.rss_mb:.0f} MB > {case.max_rss_mb} MB")
                o.clean = False
        outcomes.append(o)
        flag = "ok " if o.clean else "BAD"
        rss = f" {o.rss_mb:.0f} MB" if o.rss_mb and (case.max_rss_mb or case.slow) else ""
        print(f"{flag} [{case.category}] {case.name}: exit {o.rc}, {o.seconds:.1f} s{rss}"
              + ("" if o.clean else f"  <- {'; '.join(o.problems)}"), flush=True)  # fmt: skip
    print()
    print(f"{'category':18} {'tried':>5} {'clean':>5} {'misbehaved':>10}")
    cats = sorted({o.case.category for o in outcomes}, key=[c.category for c in todo].index)
    for cat in cats:
        mine = [o for o in outcomes if o.case.category == cat]
        good = sum(o.clean for o in mine)
        print(f"{cat:18} {len(mine):5} {good:5} {len(mine) - good:10}")
    total = sum(o.clean for o in outcomes)
    print(f"{'total':18} {len(outcomes):5} {total:5} {len(outcomes) - total:10}")
    print(f"({time.time() - t0:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps([
            {"category": o.case.category, "case": o.case.name, "clean": o.clean, "exit": o.rc,
             "problems": o.problems, "rss_mb": round(o.rss_mb, 1), "seconds": round(o.seconds, 2)}
            for o in outcomes], indent=1))  # fmt: skip
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if total == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
