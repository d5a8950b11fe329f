"""Scoring pieces of the evaluate stage (the full stage runs in the slow pipeline test)."""

from __future__ import annotations

import numpy as np
import pytest

from lutml.evaluate import (
    METHODS,
    METRICS,
    PairResult,
    PairScore,
    lut_mean_difference,
    per_pair_rows,
    summarise,
)
from lutml.lut import LUT3D
from lutml.lut.lut3d import identity_table


def _red_gain(size: int, gain: float) -> LUT3D:
    t = identity_table(size)
    t[..., 0] = np.clip(t[..., 0] * gain, 0, 1)
    return LUT3D(t)


def test_lut_mean_difference_of_identity_is_zero_and_size_independent() -> None:
    ref = _red_gain(17, 1.2)
    assert lut_mean_difference(ref, ref) == pytest.approx(0.0, abs=1e-7)
    # A red-only gain is linear inside [0, 1/1.2], so a coarser LUT of it differs only near the clip knee.
    assert lut_mean_difference(_red_gain(33, 1.2), ref) < 2e-3
    # Identity vs red gain: mean over the grid of |r - min(1.2 r, 1)| / 3 channels.
    r = np.linspace(0, 1, 17)
    expected = np.mean(np.abs(np.minimum(r * 1.2, 1) - r)) / 3
    assert lut_mean_difference(LUT3D.identity(8), ref) == pytest.approx(expected, rel=0.05)


def test_lut_mean_difference_sees_transposed_axes() -> None:
    t = identity_table(9)
    swap = LUT3D(t[..., ::-1].copy())  # channel swap r <-> b
    assert lut_mean_difference(swap, LUT3D(t)) > 0.1


def _result(pair: str, offset: float) -> PairResult:
    scores = {
        m: PairScore(pair, np.full(100, offset + i, np.float32), 30.0 - i, 0.01 * i) for i, m in enumerate(METHODS)
    }
    return PairResult(pair, {}, scores)


def test_summary_has_the_documented_shape() -> None:
    summary = summarise([_result("a", 0.0), _result("b", 1.0)])
    assert summary["n_pairs"] == 2
    for m in METHODS:
        assert set(summary[m]) == set(METRICS)
    assert summary["ours"]["de00_mean"] == pytest.approx(0.5)
    assert summary["identity"]["de00_mean"] == pytest.approx(2.5)
    assert summary["ours"]["de00_p95"] == pytest.approx(1.0)
    rows = per_pair_rows([_result("a", 0.0)])
    assert rows[0]["id"] == "a" and rows[0]["seed_de00"] == pytest.approx(1.0)
