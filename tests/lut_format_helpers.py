"""Shared pieces of the LUT file-format tests: an independent reference grade, OCIO helpers and
the one malformed-file test every format's reader gets.

The reference grade is built in OpenColorIO (not in lutml): a red-only gain, a channel swap
(out R = in G, out G = in B, out B = 0.8 in R) and a per-channel power. Any transposed axis or
swapped channel in a reader or writer changes its values, so it cannot hide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import PyOpenColorIO as OCIO
import pytest
from sample_helpers import asymmetric_lut

from lutml.lut import LUT3D, apply_lut, identity_table

RNG = np.random.default_rng(14)


def grade_config() -> OCIO.Config:
    """Colour spaces "source" (the reference) and "graded" = the reference grade of "source".

    (Not OCIO's "raw": it is a data space, and OCIO leaves data untouched between spaces.)
    """
    config = OCIO.Config.CreateRaw()
    config.addColorSpace(OCIO.ColorSpace(name="source"))
    swap = OCIO.MatrixTransform()
    swap.setMatrix([0, 1, 0, 0, 0, 0, 1, 0, 0.8, 0, 0, 0, 0, 0, 0, 1])
    power = OCIO.ExponentTransform([1.0, 2.0, 0.5, 1.0])
    graded = OCIO.ColorSpace(name="graded")
    graded.setTransform(OCIO.GroupTransform([swap, power]), OCIO.COLORSPACE_DIR_FROM_REFERENCE)
    config.addColorSpace(graded)
    return config


def reference_grade(rgb: np.ndarray) -> np.ndarray:
    """The reference grade evaluated by OpenColorIO on float32 (N, 3) colours in [0, 1]."""
    processor = grade_config().getProcessor("source", "graded").getDefaultCPUProcessor()
    out = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    processor.applyRGB(out)
    return out


def bake(fmt: str, size: int) -> str:
    """The reference grade baked by OpenColorIO's Baker into format `fmt` at `size`^3."""
    baker = OCIO.Baker()
    baker.setConfig(grade_config())
    baker.setFormat(fmt)
    baker.setInputSpace("source")
    baker.setTargetSpace("graded")
    baker.setCubeSize(size)
    return baker.bake()


def ocio_apply(path: Path, rgb: np.ndarray, interpolation=OCIO.INTERP_TETRAHEDRAL) -> np.ndarray:
    """OpenColorIO's CPU result of the LUT file at `path` on float32 (N, 3) colours."""
    transform = OCIO.FileTransform(src=str(path), interpolation=interpolation)
    processor = OCIO.Config.CreateRaw().getProcessor(transform).getDefaultCPUProcessor()
    out = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    processor.applyRGB(out)
    return out


def assert_opencolorio_applies_like_lutml(
    path: Path, lut: LUT3D, lo: float, hi: float, atol: float = 1e-6
) -> np.ndarray:
    """OpenColorIO applies the LUT file at `path` as lutml applies `lut`, on 20000 colours drawn
    from `RNG`, uniform in [lo, hi); returns those colours (float32 (20000, 3))."""
    rgb = RNG.uniform(lo, hi, (20000, 3)).astype(np.float32)
    np.testing.assert_allclose(ocio_apply(path, rgb), apply_lut(lut, rgb), rtol=0, atol=atol)
    return rgb


def ranged_lut(size: int, shared: bool = False) -> LUT3D:
    """`asymmetric_lut` (outputs from -0.01 to 1.31: kept by a float format) on an input range
    other than [0, 1]: the same for the three channels (`shared`) or one per channel."""
    lut = asymmetric_lut(size)
    lut.domain_min = np.array([-0.1, -0.1, -0.1] if shared else [-0.1, 0.0, 0.05], np.float32)
    lut.domain_max = np.array([1.2, 1.2, 1.2] if shared else [1.2, 1.0, 0.9], np.float32)
    return lut


def nodes(size: int) -> np.ndarray:
    """Input colour of every node of a [0, 1] lattice, float32 (size**3, 3), red index first."""
    return identity_table(size).reshape(-1, 3)


def graded_lut(size: int) -> LUT3D:
    """The reference grade as a lutml LUT (OCIO evaluated at the nodes; its fast power
    function overshoots 1 by 2e-5, clipped)."""
    table = np.clip(reference_grade(nodes(size)), 0, 1).reshape(size, size, size, 3)
    return LUT3D(table, title=f"graded {size}", comments=["reference grade"])


def leftovers(folder: Path) -> list[str]:
    """Temporary files of atomic writes left in `folder` (there must be none)."""
    return sorted(p.name for p in folder.iterdir() if ".lutml-tmp-" in p.name)


def malformed_files_test(
    reader: Callable[[Path], Any], name: str, cases: Sequence[tuple[str, int, str]], ids: list[str]
) -> Callable[..., None]:
    """The malformed-file test of one format, parametrised once for all formats: each case is
    (file text, line of the error, problem); `reader` must raise a ValueError that starts with the
    file and the line and names the problem. Assign it to a `test_...` name in the format's module.
    """

    @pytest.mark.parametrize(("text", "line", "problem"), cases, ids=ids)
    def test(tmp_path: Path, text: str, line: int, problem: str) -> None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError) as info:
            reader(path)
        message = str(info.value)
        assert message.startswith(f"{path} line {line}: "), message
        assert problem in message, message

    return test
