"""lutml.train.look_validation: the bench's score (LUT vs true look, compared with no grade)."""

from __future__ import annotations

import numpy as np

from lutml.lut.lut3d import identity_table
from lutml.train.look_validation import lut_errors


def _looks(n: int = 9) -> np.ndarray:
    ident = identity_table(n)
    red_gain = ident.copy()
    red_gain[..., 0] = np.clip(ident[..., 0] * 1.3, 0, 1)  # asymmetric: red only
    swap = ident[..., [1, 0, 2]]  # a channel swap
    return np.stack([red_gain, swap]).astype(np.float32)


def test_the_truth_has_no_error_and_no_grade_has_identitys() -> None:
    true = _looks()
    w = np.ones(9**3)
    ours, none = lut_errors(true, true, w)
    assert np.allclose(ours, 0.0) and np.all(none > 3.0)
    ident = np.broadcast_to(identity_table(9), true.shape)
    ours, none = lut_errors(ident, true, w)
    assert np.allclose(ours, none)


def test_half_way_is_between_and_the_order_of_sets_is_kept() -> None:
    true = _looks()
    ident = identity_table(9)
    half = ident + 0.5 * (true - ident)
    ours, none = lut_errors(half, true, np.ones(9**3))
    r = ours / none
    assert np.all((r > 0.2) & (r < 0.8)), r
    ours2, _ = lut_errors(half[::-1], true[::-1], np.ones(9**3))
    assert np.allclose(ours2, ours[::-1])


def test_the_weights_count() -> None:
    """An error only where the weights are zero does not count."""
    true = _looks()[:1]
    w = np.ones((9, 9, 9))
    w[5:] = 0.0  # reds above half: no weight
    pred = true.copy()
    pred[0, 5:] = identity_table(9)[5:]  # wrong only there
    ours, none = lut_errors(pred, true, w)
    assert ours[0] < 1e-9 < none[0]
