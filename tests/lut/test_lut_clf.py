"""Academy/ASC CLF: OpenColorIO applies ours like lutml, we read what OpenColorIO writes, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import PyOpenColorIO as OCIO
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
from lutml.lut.clf import format_clf, read_clf, write_clf

CLF = "Academy/ASC Common LUT Format"


@pytest.mark.parametrize("shared", [True, False], ids=["range", "matrix"])
@pytest.mark.parametrize("size", [2, 17, 65])
def test_opencolorio_applies_our_files_like_lutml(tmp_path: Path, size: int, shared: bool):
    lut = ranged_lut(size, shared)
    path = tmp_path / "look.clf"
    write_clf(lut, path)
    assert ("<Range" in path.read_text()) == shared and ("<Matrix" in path.read_text()) != shared
    back = read_clf(path)
    np.testing.assert_array_equal(back.table, lut.table)  # values outside [0, 1] kept exactly
    np.testing.assert_allclose(back.domain_min, lut.domain_min, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(back.domain_max, lut.domain_max, rtol=1e-7)
    assert back.title == lut.title and back.comments == lut.comments
    assert_opencolorio_applies_like_lutml(path, lut, -0.3, 1.4)


def test_shaper_and_both_ranges(tmp_path: Path):
    lut = ranged_lut(17, shared=True)
    lut.shaper = LUT1D(np.linspace(0, 1, 1024)[:, None] ** np.array([0.5, 0.6, 0.45]), -0.05, 1.5)
    path = tmp_path / "shaped.clf"
    write_clf(lut, path)
    text = path.read_text()
    assert (
        text.index("<Range") < text.index("<LUT1D") < text.rindex("<Range") < text.index("<LUT3D")
    )
    back = read_clf(path)
    np.testing.assert_array_equal(back.shaper.table, lut.shaper.table)
    np.testing.assert_array_equal(back.shaper.domain_min, lut.shaper.domain_min)
    rgb = assert_opencolorio_applies_like_lutml(path, lut, -0.2, 1.6)
    np.testing.assert_allclose(apply_lut(back, rgb), apply_lut(lut, rgb), rtol=0, atol=1e-7)


def test_reads_opencolorio_bake_and_written_group(tmp_path: Path):
    path = tmp_path / "baked.clf"
    path.write_text(bake(CLF, 17))
    lut = read_clf(path)
    expected = np.clip(reference_grade(nodes(17)), 0, 1).reshape(17, 17, 17, 3)
    np.testing.assert_allclose(
        lut.table, expected, rtol=0, atol=3e-5
    )  # OCIO's fast power vs baker's
    # a group OpenColorIO writes itself: Range, a diagonal Matrix, a 1-column LUT1D, a LUT3D
    lut3d = OCIO.Lut3DTransform(gridSize=5)
    for i, j, k in np.ndindex(5, 5, 5):
        lut3d.setValue(i, j, k, (j / 4) ** 2, k / 4 * 1.2, i / 4 * 0.5)  # swap + gain + power
    lut1d = OCIO.Lut1DTransform(length=3)
    lut1d.setValue(1, 0.3, 0.3, 0.3)
    lut1d.setValue(2, 1.0, 1.0, 1.0)
    matrix = OCIO.MatrixTransform()
    matrix.setMatrix([2, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 1.25, 0, 0, 0, 0, 1])
    matrix.setOffset([-0.5, -0.25, -0.125, 0])
    domain = OCIO.RangeTransform()
    (
        domain.setMinInValue(-0.1),
        domain.setMaxInValue(1.2),
        domain.setMinOutValue(0),
        domain.setMaxOutValue(1),
    )
    group = OCIO.GroupTransform([domain, lut1d, matrix, lut3d])
    group.getFormatMetadata().addChildElement("Description", "from OCIO")
    path = tmp_path / "group.clf"
    path.write_text(group.write(formatName=CLF, config=OCIO.Config.CreateRaw()))
    assert "smpte-ra.org" in path.read_text()  # OCIO 2.6 writes the ST 2136-1 namespace
    lut = read_clf(path)
    assert lut.title == "from OCIO" and lut.shaper.size == 3
    assert_opencolorio_applies_like_lutml(path, lut, -0.3, 1.4)


def test_layout_blue_fastest_and_escaped_text():
    lut = LUT3D(identity_table(2) * np.array([1.0, 0.5, 0.25], np.float32), title="a < b & \x01c")
    text = format_clf(lut)
    assert "<Description>a &lt; b &amp; c</Description>" in text
    rows = text.split('dim="2 2 2 3">\n')[1].splitlines()
    assert rows[:3] == ["0 0 0", "0 0 0.25", "0 0.5 0"]  # blue fastest, then green
    assert format_clf(lut) == text  # deterministic id


def test_integer_bit_depths_and_one_column_lut1d(tmp_path: Path):
    path = tmp_path / "ints.clf"
    path.write_text("""<?xml version="1.0"?>
<ProcessList id="x" compCLFversion="3.0">
  <LUT1D inBitDepth="10i" outBitDepth="10i"><Array dim="2 1">0 1023</Array></LUT1D>
  <LUT3D inBitDepth="10i" outBitDepth="12i"><Array dim="2 2 2 3">
    0 0 0  0 0 4095  0 4095 0  0 4095 4095  4095 0 0  4095 0 4095  4095 4095 0  4095 4095 4095
  </Array></LUT3D>
</ProcessList>""")
    lut = read_clf(path)
    np.testing.assert_allclose(lut.table, identity_table(2))
    np.testing.assert_allclose(lut.shaper.table, [[0, 0, 0], [1, 1, 1]])
    rgb = RNG.uniform(0, 1, (1000, 3)).astype(np.float32)
    np.testing.assert_allclose(apply_lut(lut, rgb), ocio_apply(path, rgb), atol=1e-6)


def _clf(body: str) -> str:
    return f'<?xml version="1.0"?>\n<ProcessList id="x" compCLFversion="3.0">\n{body}\n</ProcessList>\n'


LUT3D_OK = '<LUT3D><Array dim="2 2 2 3">' + "0 0 0 " * 8 + "</Array></LUT3D>"


test_malformed_files_name_file_line_and_problem = malformed_files_test(
    read_clf,
    "bad.clf",
    [
        ("<ProcessList><LUT3D>", 1, "not well-formed XML"),
        ('<?xml version="1.0"?>\n<LUT3D/>', 2, "the root element is <LUT3D>"),
        (_clf('<Log style="log10"/>\n' + LUT3D_OK), 3, "<Log> is not supported"),
        (
            _clf(LUT3D_OK + "\n<Range><minInValue>0</minInValue></Range>"),
            4,
            "<Range> after the LUT3D",
        ),
        (
            _clf('<Matrix><Array dim="3 3">1 0.1 0 0 1 0 0 0 1</Array></Matrix>\n' + LUT3D_OK),
            3,
            "this Matrix mixes or flips channels",
        ),
        (_clf('<LUT3D><Array dim="2 2 2 3">0 0 0</Array></LUT3D>'), 3, "needs 24 numbers, has 3"),
        (
            _clf('<LUT3D><Array dim="2 2 3 3">' + "0 " * 36 + "</Array></LUT3D>"),
            3,
            'must be "n n n 3"',
        ),
        (
            _clf('<LUT3D inBitDepth="11i">' + LUT3D_OK[7:]),
            3,
            "inBitDepth='11i' is not a CLF bit depth",
        ),
        (_clf(LUT3D_OK.replace("0 0 0 </", "0 nan 0 </")), 3, "NaN or infinite value 'nan'"),
        (
            _clf('<LUT1D halfDomain="true"><Array dim="2 1">0 1</Array></LUT1D>'),
            3,
            "halfDomain is not supported",
        ),
        (
            _clf(
                "<Range><minInValue>0.2</minInValue><maxInValue>1</maxInValue><minOutValue>0.1</minOutValue>"
                "<maxOutValue>1</maxOutValue></Range>\n" + LUT3D_OK
            ),
            3,
            "clamps inside the LUT's input range",
        ),
        (_clf("<Description>nothing</Description>"), 2, "holds no LUT3D or LUT1D"),
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<ProcessList/>',
            1,
            "entity declarations are not allowed",
        ),
    ],
    ids=[
        "not-xml",
        "root",
        "log",
        "after-lut3d",
        "mixing-matrix",
        "array-count",
        "array-dim",
        "bit-depth",
        "nan",
        "half-domain",
        "narrow-range",
        "no-lut",
        "entity",
    ],
)


def test_bypassed_operators_are_skipped_and_writes_are_atomic(tmp_path: Path):
    path = tmp_path / "bypass.clf"
    path.write_text(_clf('<Log style="log10" bypass="true"/>\n' + LUT3D_OK))
    assert read_clf(path).size == 2
    target = tmp_path / "kept.clf"
    target.write_text("old")
    lut = LUT3D.identity(2)
    lut.table = np.zeros((2, 2, 2, 2), np.float32)  # broken after validation: the writer fails
    with pytest.raises(ValueError):
        write_clf(lut, target)
    assert target.read_text() == "old" and leftovers(tmp_path) == []
