"""`python -m lutml.bench apply` runs end to end on a small frame and reports every contender."""

from __future__ import annotations

import re

from lutml.bench.apply import main


def test_bench_apply_small_frame(capsys):
    assert main(["--width", "192", "--height", "108", "--repeats", "1", "--size", "17",
                 "--big-size", "33"]) == 0
    out = capsys.readouterr().out
    for case in ("lutml (numba)", "OpenColorIO", "Pillow Color3DLUT", "plain NumPy",
                 "33^3 lutml, out= buffer", "33^3 OpenColorIO"):
        assert case in out, out
    table = out.split("\n33^3 float32 tetrahedral, lutml vs OpenColorIO")[0]
    ratios = re.findall(r"(\d+\.\d\d)x", table)
    assert len(ratios) == 20 and all(float(r) > 0 for r in ratios), out
    assert re.search(r"33\^3 float32 tetrahedral, lutml vs OpenColorIO throughput \(CPU time; goal >= 1x\): "
                     r"\d+\.\d\dx like for like", out), out
    err_ocio = float(re.search(r"max \|lutml - OCIO\| \(float32 tetrahedral\): (\S+);", out).group(1))
    assert err_ocio < 1e-5
    assert re.search(r"max \|lutml - Pillow\| \(uint8 trilinear\): [01] code value", out)
