"""`read_lut` / `write_lut` across every format, and the commands that use them:
`lutml convert`, and `lutml apply` / `info` / `fit` with any LUT format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from lut_format_helpers import RNG, graded_lut, leftovers, nodes, ocio_apply
from sample_helpers import asymmetric_lut

from lutml.cli import main
from lutml.imageio import read_image, read_image_full, write_image
from lutml.lut import FORMATS, LUT3D, LUT_SUFFIXES, apply_lut, read_lut, write_lut

FLOAT_FORMATS = [".cube", ".csp", ".clf"]
CODE_FORMATS = {".3dl": 0.5 / 4095, ".png": 0.5 / 65535}


def test_registry_is_the_one_dispatch():
    assert LUT_SUFFIXES == (".cube", ".3dl", ".csp", ".clf", ".png")
    assert [s for s, f in FORMATS.items() if f.keeps_out_of_range] == FLOAT_FORMATS


@pytest.mark.parametrize("suffix", FLOAT_FORMATS)
def test_float_formats_keep_values_outside_0_1_exactly(tmp_path: Path, suffix: str):
    lut = asymmetric_lut(17)  # red gain 1.3 then a channel swap, outputs from -0.01 to 1.31
    lut.domain_min = np.array([-0.1, 0.0, 0.05], np.float32)
    lut.domain_max = np.array([1.2, 1.0, 0.9], np.float32)
    write_lut(lut, tmp_path / f"look{suffix.upper()}")  # the suffix is case-insensitive
    back = read_lut(tmp_path / f"look{suffix.upper()}")
    np.testing.assert_array_equal(back.table, lut.table)
    np.testing.assert_allclose(back.domain_min, lut.domain_min, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(back.domain_max, lut.domain_max, rtol=1e-7)


@pytest.mark.parametrize("suffix", list(CODE_FORMATS))
def test_code_formats_clip_with_a_warning(tmp_path: Path, suffix: str):
    lut = asymmetric_lut(16)
    with pytest.warns(UserWarning, match="clipped"):
        write_lut(lut, tmp_path / f"look{suffix}")
    back = read_lut(tmp_path / f"look{suffix}")
    np.testing.assert_allclose(
        back.table, np.clip(lut.table, 0, 1), rtol=0, atol=CODE_FORMATS[suffix] + 1e-7
    )


def test_a_chain_through_every_format_keeps_the_grade(tmp_path: Path):
    lut = graded_lut(16)  # the swap: out R = in G, out G = in B^2, out B = sqrt(0.8 in R)
    path = tmp_path / "start.cube"
    write_lut(lut, path)
    for suffix in (".3dl", ".csp", ".clf", ".png", ".cube"):
        nxt = tmp_path / f"step{suffix}"
        write_lut(read_lut(path), nxt)
        path = nxt
    back = read_lut(path)
    np.testing.assert_allclose(back.table, lut.table, rtol=0, atol=0.5 / 4095 + 0.5 / 65535 + 1e-6)
    node = back.table[15, 5, 10]  # input (1, 1/3, 2/3)
    np.testing.assert_allclose(node, [1 / 3, (2 / 3) ** 2, 0.8**0.5], atol=1e-3)
    np.testing.assert_allclose(ocio_apply(path, nodes(16)), lut.table.reshape(-1, 3), atol=2e-4)


def test_bad_names_options_and_missing_files(tmp_path: Path):
    with pytest.raises(
        ValueError, match=r"look\.lut: unknown LUT format '\.lut'; use \.cube \(Iridas"
    ):
        read_lut(tmp_path / "look.lut")
    with pytest.raises(ValueError, match="without a suffix"):
        write_lut(LUT3D.identity(4), tmp_path / "look")
    with pytest.raises(ValueError, match=r"Cinespace \.csp files take no options; got bits"):
        write_lut(LUT3D.identity(4), tmp_path / "look.csp", bits=8)
    with pytest.raises(FileNotFoundError):
        read_lut(tmp_path / "absent.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_convert_between_formats(tmp_path: Path, capsys):
    lut = asymmetric_lut(17)
    write_lut(lut, tmp_path / "look.cube")
    assert main(["convert", str(tmp_path / "look.cube"), str(tmp_path / "look.clf")]) == 0
    assert "wrote" in capsys.readouterr().out
    np.testing.assert_array_equal(read_lut(tmp_path / "look.clf").table, lut.table)
    args = [
        "convert",
        str(tmp_path / "look.clf"),
        str(tmp_path / "look.3dl"),
        "--bits",
        "16",
        "--style",
        "lustre",
    ]
    assert main(args) == 0
    out = capsys.readouterr()
    assert out.err.startswith("warning: ") and "were clipped" in out.err
    assert "Mesh 4 16" in (tmp_path / "look.3dl").read_text()
    assert (
        main(
            [
                "convert",
                str(tmp_path / "look.3dl"),
                str(tmp_path / "hald.png"),
                "--size",
                "64",
                "--title",
                "t",
            ]
        )
        == 0
    )
    assert "resampled from 17^3" in capsys.readouterr().out
    assert read_image_full(tmp_path / "hald.png").rgb.shape == (512, 512, 3)
    assert (
        main(["convert", str(tmp_path / "hald.png"), str(tmp_path / "back.csp"), "--size", "17"])
        == 0
    )
    # 17 -> 64 -> 17 nodes: two tetrahedral resamplings of a grade with clipping kinks
    np.testing.assert_allclose(
        read_lut(tmp_path / "back.csp").table, np.clip(lut.table, 0, 1), atol=5e-3
    )


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["look.cube", "hald.png"], "a Hald CLUT holds L^2 nodes per axis"),
        (["look.cube", "look.cube"], "would overwrite the input"),
        (
            ["look.cube", "out.txt"],
            "unsupported OUT format '.txt'; use .cube, .3dl, .csp, .clf, .png",
        ),
        (["look.lut", "out.cube"], "unknown LUT format '.lut'"),
        (["look.cube", "out.cube", "--bits", "8"], "--bits is for .3dl and Hald .png outputs"),
        (["look.cube", "out.csp", "--style", "lustre"], "--style is for .3dl outputs only"),
        (
            ["look.cube", "out.3dl", "--bits", "14"],
            "--bits for .3dl must be one of 8, 10, 12, 16, got 14",
        ),
        (["look.cube", "out.3dl", "--size", "300"], "--size must be between 2 and 256"),
        (["look.cube", "out.3dl", "--size", "3"], "a .3dl needs at least 4 nodes per axis"),
    ],
)
def test_convert_refusals_are_one_line_and_write_nothing(
    tmp_path: Path, capsys, args: list, problem: str
):
    write_lut(LUT3D.identity(17), tmp_path / "look.cube")
    (tmp_path / "look.lut").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert (
        main(
            [
                "convert",
                *[str(tmp_path / a) if "." in a and not a[0].isdigit() else a for a in args],
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lutml convert: error: ") and problem in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before and leftovers(tmp_path) == []


def test_apply_and_info_take_every_format(tmp_path: Path, capsys):
    lut = graded_lut(16)
    img = RNG.integers(0, 65536, (12, 16, 3)).astype(np.uint16)
    write_image(tmp_path / "in.png", img)
    for suffix in LUT_SUFFIXES:
        path = tmp_path / f"look{suffix}"
        write_lut(lut, path)
        assert (
            main(["apply", str(path), str(tmp_path / "in.png"), str(tmp_path / f"out{suffix}.png")])
            == 0
        )
        out = read_image_full(tmp_path / f"out{suffix}.png").rgb.astype(int)
        assert np.abs(out - apply_lut(read_lut(path), img).astype(int)).max() == 0
        assert np.abs(out - apply_lut(lut, img).astype(int)).max() <= 16  # 12-bit .3dl codes
        capsys.readouterr()
        assert main(["info", str(path), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["size"] == 16


def _frames(tmp_path: Path) -> tuple[Path, Path]:
    yy, xx = np.mgrid[0:40, 0:50] / np.array([39.0, 49.0])[:, None, None]
    img = np.stack([xx, yy, 1 - xx * yy], -1)
    graded = np.stack([img[..., 1], img[..., 2] ** 2, 0.8 * img[..., 0]], -1)  # a channel swap
    write_image(tmp_path / "in.png", img, bit_depth=16)
    write_image(tmp_path / "graded.png", graded, bit_depth=16)
    return tmp_path / "in.png", tmp_path / "graded.png"


def test_fit_writes_any_format_and_checks_hald_sizes_first(tmp_path: Path, capsys):
    src, tgt = _frames(tmp_path)
    base = ["fit", "--source", str(src), "--target", str(tgt)]
    assert main([*base, "-o", str(tmp_path / "look.png")]) == 2
    assert "a Hald CLUT holds L^2 nodes per axis: add --size 36" in capsys.readouterr().err
    assert not (tmp_path / "look.png").exists()
    for name, size in (("look.png", "9"), ("look.3dl", "9"), ("look.clf", "9")):
        assert main([*base, "-o", str(tmp_path / name), "--size", size]) == 0
        lut = read_lut(tmp_path / name)
        graded = apply_lut(lut, read_image(src))
        assert np.abs(graded - read_image(tgt)).mean() < 0.01, name
    assert leftovers(tmp_path) == []
