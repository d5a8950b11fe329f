"""`python -m lutml.bench apply` runs end to end on a small frame and reports every contender."""

from __future__ import annotations

import math

from lutml.bench.apply import OCIO_CASE, PIL_CASE, format_report, run_bench


def test_bench_apply_small_frame():
    report = run_bench(size=17, width=192, height=108, repeats=1, big_size=33)
    rows = report["rows"]
    expected = [
        "float32 tetrahedral  lutml (numba)",
        "float32 tetrahedral  lutml, out= buffer",
        OCIO_CASE,
        "uint8   tetrahedral  lutml (numba)",
        "uint8   trilinear    lutml (numba)",
        PIL_CASE,
        "float32 tetrahedral  33^3 lutml (numba)",
        "float32 tetrahedral  33^3 lutml, out= buffer",
        "float32 tetrahedral  33^3 OpenColorIO",
        "float32 tetrahedral  plain NumPy (1 run)",
    ]
    assert list(rows) == expected
    for name, r in rows.items():
        assert r["wall"] > 0 and r["cpu"] >= 0 and r["mpx_per_s"] > 0, (name, r)
        assert r["vs_wall"] > 0 and r["vs_cpu"] > 0 and math.isfinite(r["vs_wall"]), (name, r)
    # Each row is compared with its own reference: Pillow for uint8, OCIO of the same LUT size.
    assert rows["uint8   trilinear    lutml (numba)"]["reference"] == PIL_CASE
    assert (
        rows["float32 tetrahedral  33^3 lutml (numba)"]["reference"]
        == "float32 tetrahedral  33^3 OpenColorIO"
    )
    assert rows[OCIO_CASE]["vs_wall"] == rows[OCIO_CASE]["vs_cpu"] == 1.0
    assert (
        set(report["big_vs_ocio"]) == {"out_buffer", "fresh"}
        and min(report["big_vs_ocio"].values()) > 0
    )
    assert report["max_err_ocio"] < 1e-5  # lutml and OpenColorIO compute the same thing
    assert report["max_err_pillow"] in (0, 1)  # uint8 trilinear: at most one code value of rounding
    text = format_report(report)
    assert all(name in text for name in expected) and "like for like" in text


def test_bench_apply_without_numpy_or_big_lut():
    report = run_bench(size=9, width=64, height=36, repeats=1, skip_numpy=True, big_size=0)
    assert len(report["rows"]) == 6 and report["big_vs_ocio"] is None
    assert "like for like" not in format_report(report)
