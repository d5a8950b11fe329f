"""The issue's command-line cases (issue 24 items 1-12) and more of the same kinds."""

from __future__ import annotations

import os
import shutil
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lutml.imageio import read_image_full, to_float

from .fixtures import damaged_model, first_bias, flip, npz_edit
from .harness import Case


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
        flip((m / "look_encoder.npz").read_bytes()))), expect="look_encoder.npz"))  # fmt: skip
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
            got = float(read_image_full(work / name).rgb.max())
            return None if abs(got - want) < 0.01 else f"{name} max {got}, expected {want}"

        return check

    for src, want in (("a.png", None), ("a16.png", None), ("a.jpg", None),
                      ("a.tif", None), ("ok.exr", 2.0)):  # fmt: skip

        def expected(src=src, want=want) -> Callable[[], str | None]:
            def check() -> str | None:
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
