"""`.3dl` files: OpenColorIO reads ours and we read its bakes (Flame and Lustre), bad input."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from lut_format_helpers import (
    assert_opencolorio_applies_like_lutml,
    bake,
    graded_lut,
    leftovers,
    malformed_files_test,
    nodes,
    ocio_apply,
    reference_grade,
)
from sample_helpers import asymmetric_lut

from lutml.lut import LUT1D, LUT3D, LutFormatWarning, apply_lut, identity_table
from lutml.lut.threedl import format_3dl, read_3dl, write_3dl

CODE12 = 0.5 / 4095


@pytest.mark.parametrize("style", ["flame", "lustre"])
@pytest.mark.parametrize("size", [17, 33])
def test_reads_opencolorio_bakes(tmp_path: Path, style: str, size: int):
    path = tmp_path / f"{style}.3dl"
    path.write_text(bake(style, size))
    lut = read_3dl(path)
    assert lut.size == size and lut.shaper is None
    expected = reference_grade(nodes(size)).reshape(size, size, size, 3)
    np.testing.assert_allclose(lut.table, expected, rtol=0, atol=CODE12 + 1e-6)


@pytest.mark.parametrize("style", ["flame", "lustre"])
@pytest.mark.parametrize("size", [5, 17, 33, 65])
def test_opencolorio_applies_our_files_like_lutml(tmp_path: Path, style: str, size: int):
    if style == "lustre" and size == 5:
        size = 9  # Lustre needs 2^m + 1 nodes
    lut = graded_lut(size)
    path = tmp_path / "look.3dl"
    write_3dl(lut, path, style=style)
    back = read_3dl(path)
    np.testing.assert_allclose(back.table, lut.table, rtol=0, atol=CODE12 + 1e-7)
    np.testing.assert_allclose(
        ocio_apply(path, nodes(size)), lut.table.reshape(-1, 3), rtol=0, atol=CODE12 + 1e-6
    )
    assert_opencolorio_applies_like_lutml(path, back, 0, 1)


def test_layout_blue_fastest_autodesk_input_line_and_header():
    lut = LUT3D(identity_table(17) * np.array([1.0, 0.5, 0.25], np.float32), title="ramp")
    text = format_3dl(lut, style="lustre")
    lines = text.splitlines()
    assert lines[:4] == [
        '# TITLE "ramp"',
        "3DMESH",
        "Mesh 4 12",
        "0 64 128 192 256 320 384 448 512 576 640 704 768 832 896 960 1023",
    ]
    rows = [line for line in lines if line.count(" ") == 2 and line[0].isdigit()]
    assert rows[:3] == ["0 0 0", "0 0 64", "0 0 128"]  # blue fastest (0.25 * 4095 / 16 = 64)
    assert rows[17] == "0 128 0" and rows[17 * 17] == "256 0 0"  # then green, red slowest
    assert lines[-2:] == ["LUT8", "gamma 1.0"]
    assert format_3dl(LUT3D(identity_table(33)), input_bits=12).splitlines()[0].split()[-2:] == [
        "3968",
        "4095",
    ]
    uneven = format_3dl(LUT3D(identity_table(6))).splitlines()[0]  # 5 does not divide 1024: rounded
    assert uneven == "0 205 409 614 818 1023"


@pytest.mark.parametrize("bits", [8, 10, 12, 16])
def test_round_trip_within_half_a_code(tmp_path: Path, bits: int):
    lut = graded_lut(9)
    write_3dl(lut, tmp_path / "q.3dl", output_bits=bits, input_bits=bits)
    back = read_3dl(tmp_path / "q.3dl")
    np.testing.assert_allclose(back.table, lut.table, rtol=0, atol=0.5 / (2**bits - 1) + 1e-7)
    assert back.title == lut.title and back.comments == lut.comments


def test_values_outside_0_1_are_clipped_with_a_warning(tmp_path: Path):
    lut = asymmetric_lut(17)  # red gain 1.3 and a wiggle: outputs from -0.01 to 1.31
    with pytest.warns(
        LutFormatWarning, match=r"clipped; write \.cube, \.csp or \.clf to keep them"
    ):
        write_3dl(lut, tmp_path / "c.3dl")
    np.testing.assert_allclose(
        read_3dl(tmp_path / "c.3dl").table, np.clip(lut.table, 0, 1), rtol=0, atol=CODE12 + 1e-7
    )


def test_shaper_and_input_range_are_baked_with_a_warning(tmp_path: Path):
    lut = graded_lut(17)
    lut.shaper = LUT1D(np.linspace(0, 1, 64)[:, None] ** np.array([0.5, 1.0, 2.0]))
    with pytest.warns(LutFormatWarning, match="1D shaper was baked into 17\\^3 nodes"):
        write_3dl(lut, tmp_path / "s.3dl")
    np.testing.assert_allclose(
        ocio_apply(tmp_path / "s.3dl", nodes(17)),
        apply_lut(lut, nodes(17)),
        rtol=0,
        atol=CODE12 + 1e-6,
    )
    lut = graded_lut(17)
    lut.domain_max = np.array([2.0, 1.0, 1.0], np.float32)
    with pytest.warns(LutFormatWarning, match=r"input range \[0, 0, 0\] to \[2, 1, 1\] was baked"):
        write_3dl(lut, tmp_path / "d.3dl")


def test_a_dark_lut_warns_that_readers_would_guess_the_bit_depth_wrong(tmp_path: Path):
    lut = LUT3D(identity_table(17) * np.float32(0.4))
    with pytest.warns(LutFormatWarning, match="would read this 12-bit file as 10-bit"):
        write_3dl(lut, tmp_path / "dark.3dl")
    # the Lustre header states the depth: lutml reads it right, whatever the largest code
    with pytest.warns(LutFormatWarning):
        write_3dl(lut, tmp_path / "dark_lustre.3dl", style="lustre")
    np.testing.assert_allclose(read_3dl(tmp_path / "dark_lustre.3dl").table, lut.table, atol=CODE12)


@pytest.mark.parametrize(
    ("options", "size", "problem"),
    [
        ({}, 3, "needs at least 4 nodes per axis"),
        ({"style": "lustre"}, 18, "needs 2^m + 1 nodes per axis"),
        ({"output_bits": 14}, 17, "output_bits must be one of (8, 10, 12, 16)"),
        ({"input_bits": 9}, 17, "input_bits must be one of"),
        ({"style": "nuke"}, 17, "style must be one of"),
    ],
)
def test_writer_refuses_what_the_format_cannot_hold(
    tmp_path: Path, options: dict, size: int, problem: str
):
    target = tmp_path / "kept.3dl"
    target.write_text("old")
    with pytest.raises(ValueError, match=re.escape(problem)):
        write_3dl(LUT3D.identity(size), target, **options)
    assert target.read_text() == "old" and leftovers(tmp_path) == []


INPUT = "0 64 128 192 256 320 384 448 512 576 640 704 768 832 896 960 1023\n"
GOOD4 = "0 341 682 1023\n" + "".join(
    f"{r} {g} {b}\n"
    for r in (0, 1365, 2730, 4095)
    for g in (0, 1365, 2730, 4095)
    for b in (0, 1365, 2730, 4095)
)


def test_good_fixture_reads_as_identity(tmp_path: Path):
    path = tmp_path / "id.3dl"
    path.write_text(
        "#Tokens required by applications - do not edit\n3DMESH\n" + GOOD4 + "LUT8\ngamma 1.0\n"
    )
    np.testing.assert_allclose(read_3dl(path).table, identity_table(4), atol=1e-7)


def _rows(text: str, k: int, new: str) -> str:
    lines = text.splitlines()
    lines[k] = new
    return "\n".join(lines) + "\n"


test_malformed_files_name_file_line_and_problem = malformed_files_test(
    read_3dl,
    "bad.3dl",
    [
        (GOOD4.rsplit("\n", 2)[0] + "\n", 64, "file ends after 63 table rows"),
        (GOOD4 + "0 0 0\n", 66, "extra table row"),
        (_rows(GOOD4, 5, "0 1365"), 6, "expected 3 numbers, got 2"),
        (_rows(GOOD4, 5, "0 1365 0.5"), 6, "'0.5' is not a whole number"),
        (_rows(GOOD4, 5, "0 -1 0"), 6, "negative code value"),
        ("Grid 4\n" + GOOD4, 1, "unknown keyword 'Grid'"),
        (GOOD4.split("\n", 1)[1] + "0 341 682 1023\n", 65, "the input line after table rows"),
        ("0 341 682 1023\n" + GOOD4, 2, "a second input line"),
        (_rows(GOOD4, 0, "0 100 682 1023"), 1, "not evenly spaced: node 1 is at code 100"),
        ("3DMESH\nMesh 3 12\n" + GOOD4, 2, "Mesh 3 means 9 nodes per axis, but the input line"),
        (GOOD4.split("\n", 1)[1].rsplit("\n", 2)[0] + "\n", 63, "63 table rows is not n^3"),
        (
            GOOD4.replace("4095", "100").replace("2730", "50").replace("1365", "20"),
            65,
            "largest table code is 100, too low to tell the bit depth",
        ),
    ],
    ids=[
        "truncated",
        "extra-row",
        "short-row",
        "float",
        "negative",
        "unknown-keyword",
        "input-line-late",
        "two-input-lines",
        "uneven-input",
        "mesh-mismatch",
        "not-a-cube",
        "too-dark",
    ],
)


def test_flame_input_line_is_accepted_like_opencolorio(tmp_path: Path):
    """Flame's 0 64 ... 960 1023 and OCIO's rounded 0 64 128 ... 959 1023 are both even."""
    lut = graded_lut(17)
    write_3dl(lut, tmp_path / "a.3dl")
    assert (tmp_path / "a.3dl").read_text().splitlines()[2] == INPUT.strip()
    assert read_3dl(tmp_path / "a.3dl").size == 17
