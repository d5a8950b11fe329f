"""lutml.train.look_validation: the bench's score (LUT vs true look, ratio to no grade)."""

from __future__ import annotations

import numpy as np

from lutml.lut.lut3d import identity_table
from lutml.train.look_validation import lut_ratios


def _looks(n: int = 9) -> np.ndarray:
    ident = identity_table(n)
    red_gain = ident.copy()
    red_gain[..., 0] = np.clip(ident[..., 0] * 1.3, 0, 1)  # asymmetric: red only
    swap = ident[..., [1, 0, 2]]  # a channel swap
    return np.stack([red_gain, swap]).astype(np.float32)


def test_the_truth_scores_0_and_no_grade_scores_1() -> None:
    true = _looks()
    w = np.ones(9**3)
    assert np.allclose(lut_ratios(true, true, w), 0.0)
    ident = np.broadcast_to(identity_table(9), true.shape)
    assert np.allclose(lut_ratios(ident, true, w), 1.0)


def test_half_way_is_between_and_the_order_of_sets_is_kept() -> None:
    true = _looks()
    ident = identity_table(9)
    half = ident + 0.5 * (true - ident)
    r = lut_ratios(half, true, np.ones(9**3))
    assert np.all((r > 0.2) & (r < 0.8)), r
    assert np.allclose(lut_ratios(half[::-1], true[::-1], np.ones(9**3)), r[::-1])


def test_a_weak_look_is_divided_by_the_floor_not_by_its_tiny_error() -> None:
    ident = identity_table(9)
    weak = np.clip(ident + 0.001, 0, 1)[None].astype(np.float32)  # ~0.1 dE00 from no grade
    r = lut_ratios(np.broadcast_to(ident, weak.shape), weak, np.ones(9**3))
    assert r[0] < 0.5
