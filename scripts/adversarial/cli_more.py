"""Command-line cases of the second pass, beyond the issue's: JPEGs corrupt inside a scan and
sound ones of odd layouts, malformed .cube files, odd inputs and outputs of `apply`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lutml.imageio import read_image_full

from .harness import Case

CUBE_HEAD = "LUT_3D_SIZE 2\n"
CUBE_ROWS = "".join(f"{r} {g} {b}\n" for b in (0, 1) for g in (0, 1) for r in (0, 1))


def cube_files(work: Path) -> dict[str, tuple[str, int, str]]:
    """Malformed (and odd but sound) .cube files: name -> (text, expected exit, words)."""
    files = {
        "nan_values.cube": (CUBE_HEAD + CUBE_ROWS.replace("1 1 1", "nan nan nan"), 2, "nan_values"),
        "inf_values.cube": (CUBE_HEAD + CUBE_ROWS.replace("1 1 1", "1e999 1 1"), 2, "inf_values"),
        "domain_flipped.cube": ("DOMAIN_MIN 1 1 1\nDOMAIN_MAX 0 0 0\n" + CUBE_HEAD + CUBE_ROWS,
                                2, "domain maximum"),
        "size1.cube": ("LUT_3D_SIZE 1\n0 0 0\n", 2, "size1.cube"),
        "size_twice.cube": (CUBE_HEAD + CUBE_HEAD + CUBE_ROWS, 2, "size_twice.cube"),
        "rows_short.cube": (CUBE_HEAD + "".join(CUBE_ROWS.splitlines(True)[:7]), 2, "rows_short"),
        "rows_long.cube": (CUBE_HEAD + CUBE_ROWS + "0 0 0\n", 2, "rows_long"),
        "two_columns.cube": (CUBE_HEAD + CUBE_ROWS.replace("0 0 0\n", "0 0\n", 1), 2, "two_columns"),
        "empty.cube": ("", 2, "empty.cube"),
        "bom.cube": ("\ufeff" + CUBE_HEAD + CUBE_ROWS, 0, "wrote"),
        "crlf.cube": ((CUBE_HEAD + CUBE_ROWS).replace("\n", "\r\n"), 0, "wrote"),
        "title_unclosed.cube": ('TITLE "never closed\n' + CUBE_HEAD + CUBE_ROWS, (0, 2), ""),
    }  # fmt: skip
    for name, (text, _rc, _words) in files.items():
        (work / name).write_text(text, encoding="utf-8", newline="")
    return files


def more_cli_cases(work: Path) -> list[Case]:
    out: list[Case] = []
    add = out.append

    def gone(*names: str) -> Callable[[], str | None]:
        return lambda: next((f"{n} was written" for n in names if (work / n).exists()), None)

    def shape_is(name: str, h: int, w: int) -> Callable[[], str | None]:
        def check() -> str | None:
            got = read_image_full(work / name).rgb.shape[:2]
            return None if got == (h, w) else f"{name} is {got}, expected {(h, w)}"

        return check

    # ---- JPEGs corrupt inside a scan (libjpeg only warns) and sound ones of odd layouts
    for name, words in (("zero_mid.jpg", "zero_mid.jpg: damaged JPEG"),
                        ("zero_mid_prog.jpg", "corrupt compressed data"),
                        ("rst_order.jpg", "restart marker"), ("leftover.jpg", "left over"),
                        ("del64.jpg", "damaged JPEG"), ("sof_smaller.jpg", "damaged JPEG"),
                        ("dht_overfull.jpg", "dht_overfull.jpg"),
                        ("sos_bad_comp.jpg", "sos_bad_comp.jpg")):  # fmt: skip
        target = f"o_{Path(name).stem}.png"
        add(Case("jpeg_corrupt", f"apply {name}", ["apply", "id.cube", name, target], rc=2,
                 expect=words, check=gone(target)))  # fmt: skip
    add(Case("jpeg_corrupt", "grade zero_mid.jpg", ["grade", "zero_mid.jpg", "--model", "M", "-o",
             "zm.cube"], rc=2, expect="zero_mid.jpg: damaged JPEG", check=gone("zm.cube")))  # fmt: skip
    add(Case("jpeg_corrupt", "fit with a corrupt target", ["fit", "--source", "plain.jpg",
             "--target", "zero_mid.jpg", "-o", "zf.cube", "--size", "9"], rc=2,
             expect="zero_mid.jpg: damaged JPEG", check=gone("zf.cube")))  # fmt: skip
    for name, (h, w) in (("trailer.jpg", (256, 384)), ("cmyk.jpg", (256, 384)),
                         ("gray.jpg", (256, 384)), ("one_px.jpg", (1, 1)),
                         ("odd_size.jpg", (9, 17)), ("rst.jpg", (256, 384)),
                         ("exif_rot.jpg", (384, 256)), ("jpeg_named.png", (256, 384))):  # fmt: skip
        target = f"s_{Path(name).stem}.png"
        add(Case("jpeg_sound", f"apply {name}", ["apply", "id.cube", name, target],
                 check=shape_is(target, h, w)))  # fmt: skip

    with open(work / "tail2g.jpg", "wb") as fh:  # a sound JPEG, then a 2 GB sparse tail
        fh.write((work / "plain.jpg").read_bytes())
        fh.truncate(2 << 30)
    add(Case("jpeg_sound", "apply a JPEG with a 2 GB tail (memory)", ["apply", "id.cube",
             "tail2g.jpg", "s_tail.png"], max_rss_mb=600, check=shape_is("s_tail.png", 256, 384)))  # fmt: skip

    # ---- malformed .cube files
    for name, (_text, rc, words) in cube_files(work).items():
        add(Case("cube_files", f"apply with {name}", ["apply", name, "a.png", f"c_{name}.png"],
                 rc=rc, expect=words or None))  # fmt: skip

    # ---- odd inputs and outputs of apply
    (work / "zero.png").write_bytes(b"")
    (work / "folder.png").mkdir(exist_ok=True)
    add(Case("apply_io", "empty image file", ["apply", "id.cube", "zero.png", "x1.png"], rc=2,
             expect="empty"))  # fmt: skip
    add(Case("apply_io", "image is a folder", ["apply", "id.cube", "folder.png", "x2.png"], rc=2,
             expect="folder"))  # fmt: skip
    add(Case("apply_io", "output is the input", ["apply", "id.cube", "a.png", "a.png"], rc=2,
             expect="would overwrite the input"))  # fmt: skip
    add(Case("apply_io", "upper-case .PNG output", ["apply", "id.cube", "a.png", "UP.PNG"],
             check=shape_is("UP.PNG", 240, 320)))  # fmt: skip
    add(Case("apply_io", "output to /dev/full", ["apply", "id.cube", "a.png", "/dev/full"], rc=2))
    add(Case("apply_io", "output ends in a slash", ["apply", "id.cube", "a.png", "newdir/"], rc=2,
             check=gone("newdir")))  # fmt: skip
    add(Case("apply_io", "unknown output suffix", ["apply", "id.cube", "a.png", "o.bmp"], rc=2,
             expect="o.bmp", check=gone("o.bmp")))  # fmt: skip
    add(Case("apply_io", "16-bit TIFF stays 16-bit", ["apply", "id.cube", "a.tif", "t16.tif"],
             check=lambda: None if __import__("lutml.imageio", fromlist=["x"]).read_image_full(
                 work / "t16.tif").bit_depth == 16 else "t16.tif is not 16-bit"))  # fmt: skip
    return out
