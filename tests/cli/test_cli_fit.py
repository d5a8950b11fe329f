"""`lutml fit` end to end on real image files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lutml.cli import main
from lutml.imageio import read_image, write_image
from lutml.lut import apply_lut, read_cube


def grade(x: np.ndarray) -> np.ndarray:
    """Warm, contrasty, red-only lift: asymmetric so a swapped axis would show."""
    return np.clip(np.stack([x[..., 0] * 0.85 + 0.12, x[..., 1] ** 1.2, x[..., 2] * 0.9], -1), 0, 1)


@pytest.fixture()
def frames(tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:60, 0:80] / np.array([59.0, 79.0])[:, None, None]
    img = np.clip(np.stack([xx, yy, 1 - xx * yy], -1) + rng.normal(0, 0.04, (60, 80, 3)), 0, 1)
    src, tgt = tmp_path / "in.png", tmp_path / "graded.png"
    write_image(src, img, bit_depth=16)
    write_image(tgt, grade(read_image(src)), bit_depth=16)
    return src, tgt, read_image(src)


def test_fit_writes_cube_that_reproduces_the_grade(frames, tmp_path, capsys) -> None:
    src, tgt, img = frames
    out, cov = tmp_path / "look.cube", tmp_path / "coverage.png"
    assert (
        main(
            [
                "fit",
                "--source",
                str(src),
                "--target",
                str(tgt),
                "-o",
                str(out),
                "--size",
                "17",
                "--coverage-png",
                str(cov),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "fit error: mean ΔE2000" in text and "coverage:" in text and "LUT cells" in text
    lut = read_cube(out)
    assert lut.size == 17 and lut.title == "look"
    assert np.abs(apply_lut(lut, img) - grade(img)).max() < 0.01
    assert read_image(cov).shape[2] == 3


def test_side_by_side_pair_and_knn(frames, tmp_path, capsys) -> None:
    _, _, img = frames
    sbs = tmp_path / "sbs.png"
    write_image(sbs, np.concatenate([grade(img), img], axis=1), bit_depth=16)  # left graded
    out = tmp_path / "seed.cube"
    assert main(["fit", "--pair", str(sbs), "-o", str(out), "--method", "knn"]) == 0
    lut = read_cube(out)
    assert lut.size == 8
    # Right way round: the LUT lifts red (a reversed pair would lower it).
    assert lut.table[0, 4, 4, 0] > 0.08


def test_side_by_side_pair_of_odd_width_is_refused(frames, tmp_path, capsys) -> None:
    """One rule for side-by-side images (lutml.data.sidebyside.split_side_by_side): an odd width has no
    middle to cut at, so `--pair` refuses it like the dataset import does, naming the file."""
    _, _, img = frames
    odd = tmp_path / "odd.png"
    write_image(
        odd, np.concatenate([grade(img), img[:, :1], img], axis=1)
    )  # 161 px: a stray column
    out = tmp_path / "odd.cube"
    assert main(["fit", "--pair", str(odd), "-o", str(out)]) == 2
    assert "odd.png: width 161 is odd" in capsys.readouterr().err and not out.exists()


def test_folders_of_frames(frames, tmp_path, capsys) -> None:
    src, tgt, img = frames
    (tmp_path / "raw").mkdir()
    (tmp_path / "graded").mkdir()
    for i in range(4):
        part = np.roll(img, 7 * i, axis=1)
        write_image(tmp_path / "raw" / f"f{i}.png", part, bit_depth=16)
        write_image(tmp_path / "graded" / f"f{i}.png", grade(part), bit_depth=16)
    write_image(tmp_path / "raw" / "lonely.png", img)  # no partner: skipped with a note
    out = tmp_path / "dir.cube"
    assert (
        main(
            [
                "fit",
                "--source-dir",
                str(tmp_path / "raw"),
                "--target-dir",
                str(tmp_path / "graded"),
                "-o",
                str(out),
                "--size",
                "9",
                "--robust",
                "--no-clip",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "from 4 pairs" in text and "1 frame(s) without a same-named partner" in text
    assert np.abs(apply_lut(read_cube(out), img) - grade(img)).max() < 0.02


def test_errors_are_one_line_exit_2(frames, tmp_path, capsys) -> None:
    src, tgt, img = frames
    small = tmp_path / "small.png"
    write_image(small, img[:30])
    out = tmp_path / "bad.cube"
    assert main(["fit", "--source", str(src), "--target", str(small), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "in.png is 80x60 but" in err and "small.png is 80x30" in err
    assert not out.exists()
    flat = tmp_path / "flat.png"
    write_image(flat, np.full((10, 10, 3), 0.5))
    assert main(["fit", "--source", str(flat), "--target", str(flat), "-o", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"lutml fit: error: {flat}: the source image is flat")
    two = ["--source", str(flat), "--target", str(flat)] * 2
    assert main(["fit", *two, "-o", str(out)]) == 2
    assert f"error: {flat} and the other 1 source(s): the source image is flat" in (
        capsys.readouterr().err
    )
    knn = ["--source", str(src), "--target", str(tgt), "--method", "knn", "--smoothness", "2"]
    assert main(["fit", *knn, "-o", str(tmp_path / "knn.cube")]) == 0
    assert "note: --smoothness has no effect with --method knn" in capsys.readouterr().out
    assert main(["fit", "--source", str(src), "-o", str(out)]) == 2
    assert main(["fit", "-o", str(out)]) == 2
    assert (
        main(
            ["fit", "--source", str(tmp_path / "missing.png"), "--target", str(tgt), "-o", str(out)]
        )
        == 2
    )
    assert "missing.png" in capsys.readouterr().err
    assert not out.exists()
