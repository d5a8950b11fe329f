"""`python -m lutml.bench apply` runs end to end on a small frame and reports every contender."""

from __future__ import annotations

import re

from lutml.bench.apply import main


def test_bench_apply_small_frame(capsys):
    assert main(["--width", "192", "--height", "108", "--repeats", "1", "--size", "17"]) == 0
    out = capsys.readouterr().out
    for case in ("lutml (numba)", "OpenColorIO", "Pillow Color3DLUT", "plain NumPy"):
        assert case in out, out
    ratios = re.findall(r"(\d+\.\d\d)x", out)
    assert len(ratios) == 14 and all(float(r) > 0 for r in ratios), out
    err_ocio = float(re.search(r"max \|lutml - OCIO\| \(float32 tetrahedral\): (\S+);", out).group(1))
    assert err_ocio < 1e-5
    assert re.search(r"max \|lutml - Pillow\| \(uint8 trilinear\): [01] code value", out)
