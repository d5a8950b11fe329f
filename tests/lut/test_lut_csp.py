"""Cinespace `.csp`: OpenColorIO and colour-science read ours, we read theirs, pre-LUTs, bad input."""

from __future__ import annotations

from pathlib import Path

import colour
import numpy as np
import pytest
from lut_format_helpers import (
    RNG,
    assert_opencolorio_applies_like_lutml,
    bake,
    leftovers,
    malformed_files_test,
    nodes,
    ocio_apply,
    ranged_lut,
    reference_grade,
)

from lutml.lut import LUT1D, LUT3D, apply_lut, identity_table
from lutml.lut.csp import format_csp, read_csp, write_csp

COLOUR_CSP = Path(colour.__file__).parent / "io" / "luts" / "tests" / "resources" / "cinespace"
COLOUR_3D = [
    "Colour_Correct.csp",
    "RGB_1_0.5_0.25.csp",
    "Three_Dimensional_Table.csp",
    "Three_Dimensional_Table_With_Shaper.csp",
    "Unit.csp",
    "eotf_sRGB_3D.csp",
]


def test_reads_opencolorio_bake(tmp_path: Path):
    path = tmp_path / "baked.csp"
    path.write_text(bake("cinespace", 17))
    lut = read_csp(path)
    expected = reference_grade(nodes(17)).reshape(17, 17, 17, 3)
    # 6 decimals in the file; the processor's fast power function differs from the baker's by 2e-5
    np.testing.assert_allclose(lut.table, expected, rtol=0, atol=3e-5)
    assert_opencolorio_applies_like_lutml(path, lut, 0, 1)


@pytest.mark.parametrize("name", COLOUR_3D)
def test_colour_science_files_match_its_parse_and_opencolorio(name: str):
    path = COLOUR_CSP / name
    ours, theirs = read_csp(path), colour.read_LUT(str(path))
    cube = theirs[1] if isinstance(theirs, colour.LUTSequence) else theirs
    np.testing.assert_allclose(ours.table, cube.table, rtol=1e-6, atol=1e-7)
    lo = ours.shaper.domain_min if ours.shaper is not None else ours.domain_min
    hi = ours.shaper.domain_max if ours.shaper is not None else ours.domain_max
    rgb = (lo + RNG.random((5000, 3)) * (hi - lo)).astype(np.float32)
    # OpenColorIO interpolates pre-LUTs with the Cinespace spline, as we do (colour-science
    # draws straight lines between pre-LUT points, so only the tables are compared with it)
    np.testing.assert_allclose(apply_lut(ours, rgb), ocio_apply(path, rgb), rtol=0, atol=5e-6)


def test_1d_and_uneven_colour_science_files_are_refused_clearly():
    with pytest.raises(
        ValueError, match=r"Demo\.csp line 2: a 1D \.csp; lutml reads 3D \.csp files only"
    ):
        read_csp(COLOUR_CSP / "Demo.csp")
    with pytest.raises(
        ValueError,
        match=r"Explicit_Domain\.csp line \d+: expected the cube size as 3 "
        r"equal whole numbers, got '2 3 4'",
    ):
        read_csp(COLOUR_CSP / "Explicit_Domain.csp")


@pytest.mark.parametrize("size", [2, 17, 65])
def test_our_files_in_opencolorio_and_colour_science(tmp_path: Path, size: int):
    lut = ranged_lut(size)
    path = tmp_path / "look.csp"
    write_csp(lut, path)
    back = read_csp(path)
    np.testing.assert_array_equal(back.table, lut.table)  # values outside [0, 1] kept exactly
    np.testing.assert_array_equal(back.domain_min, lut.domain_min)
    np.testing.assert_array_equal(back.domain_max, lut.domain_max)
    assert back.shaper is None and back.title == lut.title and back.comments == lut.comments
    theirs = colour.read_LUT(str(path))
    np.testing.assert_array_equal(theirs.table.astype(np.float32), lut.table)
    np.testing.assert_allclose(theirs.domain, [lut.domain_min, lut.domain_max], rtol=1e-7)
    assert_opencolorio_applies_like_lutml(path, lut, -0.3, 1.4)


def test_shaper_is_written_so_every_reader_follows_its_straight_lines(tmp_path: Path):
    lut = ranged_lut(17)
    lut.domain_min[:], lut.domain_max[:] = -0.1, 1.3
    # x^0.45 has an infinite slope at 0: the worst case for a spline through the shaper points
    lut.shaper = LUT1D(np.linspace(0, 1, 1024)[:, None] ** np.array([0.5, 0.6, 0.45]), -0.05, 1.5)
    path = tmp_path / "shaped.csp"
    write_csp(lut, path)
    rgb = assert_opencolorio_applies_like_lutml(path, lut, -0.2, 1.6, atol=1e-5)
    back = read_csp(path)
    assert back.shaper.size == 1024
    np.testing.assert_allclose(apply_lut(back, rgb), apply_lut(lut, rgb), rtol=0, atol=1e-6)
    shaper, cube = colour.read_LUT(str(path))  # straight lines between pre-LUT points
    inside = rgb.clip(-0.05, 1.5)
    np.testing.assert_allclose(
        cube.apply(
            shaper.apply(inside), interpolator=colour.algebra.table_interpolation_tetrahedral
        ),
        apply_lut(lut, inside),
        rtol=0,
        atol=1e-5,
    )


def test_small_prelut_follows_the_cinespace_spline_like_opencolorio(tmp_path: Path):
    """A hand-written 5-point pre-LUT: between its points OCIO (and we) use the spline."""
    prelut = "5\n0 0.1 0.3 0.6 1\n0 0.3 0.55 0.8 1\n"
    rows = "".join(
        f"{r} {g} {b}\n" for b in (0, 0.25, 1.2) for g in (0, 0.5, 1) for r in (0, 0.7, 1)
    )
    path = tmp_path / "spline.csp"
    path.write_text(f"CSPLUTV100\n3D\n\n{prelut}{prelut}{prelut}\n3 3 3\n{rows}")
    lut = read_csp(path)
    assert lut.shaper is not None and lut.shaper.size >= 4096
    rgb = assert_opencolorio_applies_like_lutml(path, lut, -0.1, 1.1, atol=2e-5)
    straight = np.interp(rgb[:, 0], [0, 0.1, 0.3, 0.6, 1], [0, 0.3, 0.55, 0.8, 1])
    assert np.abs(apply_lut(lut, rgb)[:, 2] / 1.2 - straight).max() > 1e-3  # really a spline


def test_layout_red_fastest_and_metadata():
    lut = LUT3D(
        identity_table(2) * np.array([1.0, 0.5, 0.25], np.float32),
        title="ramp",
        comments=["END METADATA", "kept"],
    )
    lines = format_csp(lut).splitlines()
    assert lines[:7] == ["CSPLUTV100", "3D", "", "BEGIN METADATA", "ramp", "kept", "END METADATA"]
    assert lines[-8:-5] == ["0 0 0", "1 0 0", "0 0.5 0"]  # red fastest, then green


GOOD = (
    "CSPLUTV100\n3D\n\nBEGIN METADATA\nt\nEND METADATA\n\n"
    + "2\n0 1\n0 1\n" * 3
    + "\n2 2 2\n"
    + "0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n"
)


test_malformed_files_name_file_line_and_problem = malformed_files_test(
    read_csp,
    "bad.csp",
    [
        ("CSPLUT\n" + GOOD[11:], 1, "not a Cinespace file"),
        (GOOD.replace("3D", "2D"), 2, "expected 3D (or 1D) after CSPLUTV100, got '2D'"),
        (GOOD.replace("END METADATA\n", ""), 4, "BEGIN METADATA without END METADATA"),
        (
            GOOD.replace("2\n0 1\n0 1\n", "2\n0 1\n0 0.5 1\n", 1),
            10,
            "the R pre-LUT has 2 points but 3 outputs",
        ),
        (
            GOOD.replace("2\n0 1\n0 1\n", "2\n1 0\n0 1\n", 1),
            9,
            "the R pre-LUT inputs must increase",
        ),
        (GOOD.replace("2\n0 1\n0 1\n", "x\n0 1\n0 1\n", 1), 8, "'x' is not a whole number"),
        (GOOD.replace("2 2 2", "2 2 3"), 18, "expected the cube size as 3 equal whole numbers"),
        (GOOD.replace("2 2 2", "300 300 300"), 18, "cube size 300 is out of range"),
        (GOOD.rsplit("\n", 2)[0] + "\n", 25, "file ends after 7 table rows"),
        (GOOD + "1 1 1\n", 27, "extra table row"),
        (GOOD.replace("1 0 1\n", "1 nan 1\n"), 24, "NaN or infinite value 'nan'"),
        (GOOD.replace("1 0 1\n", "1 0\n"), 24, "expected 3 numbers, got 2"),
    ],
    ids=[
        "header",
        "kind",
        "metadata",
        "prelut-count",
        "prelut-order",
        "prelut-size",
        "uneven-cube",
        "cube-300",
        "truncated",
        "extra-row",
        "nan",
        "short-row",
    ],
)


def test_good_fixture_and_atomic_write(tmp_path: Path):
    (tmp_path / "good.csp").write_text(GOOD)
    np.testing.assert_array_equal(read_csp(tmp_path / "good.csp").table, identity_table(2))
    target = tmp_path / "kept.csp"
    target.write_text("old")
    lut = LUT3D.identity(2)
    lut.domain_min = np.array([0.0, 0.0, 0.0], np.float32)
    lut.shaper = LUT1D(np.zeros((2, 3)))
    lut.shaper.table = np.zeros((2, 2), np.float32)  # broken after validation: the writer fails
    with pytest.raises(IndexError):
        write_csp(lut, target)
    assert target.read_text() == "old" and leftovers(tmp_path) == []
