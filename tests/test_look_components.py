"""Tone / saturation / cast split of a look (lutml.look_components), tested on asymmetric grades."""

import numpy as np
import pytest

from lutml.color import lab_to_srgb, srgb_to_lab
from lutml.look_components import component_summary, scale_components
from lutml.lut.lut3d import identity_table


def _red_gain(n=17):
    t = identity_table(n).copy()
    t[..., 0] = np.clip(t[..., 0] * 1.2, 0, 1)
    return t


def _swap(n=17):
    return identity_table(n)[..., [1, 0, 2]].copy()


def test_all_ones_is_the_table_and_all_zeros_is_identity():
    for t in (_red_gain(), _swap()):
        assert np.array_equal(scale_components(t), t)
        assert np.abs(scale_components(t, 0, 0, 0) - identity_table(17)).max() < 1e-5


def test_a_red_gain_is_a_cast_with_some_tone_and_no_grey_saturation():
    s = component_summary(_red_gain())
    assert s["cast_a"] > 5 and s["tone_mid"] > 1
    tone_only = component_summary(scale_components(_red_gain(), 1, 0, 0))
    assert abs(tone_only["cast_a"]) < 1e-6 and abs(tone_only["tone_mid"] - s["tone_mid"]) < 1e-3


def test_a_saturation_boost_is_saturation_not_cast_or_tone():
    i = identity_table(17)
    m = i.mean(-1, keepdims=True)
    s = component_summary(np.clip(m + 1.3 * (i - m), 0, 1))
    assert s["saturation_gain"] > 1.1 and abs(s["tone_mid"]) < 1e-9 and abs(s["cast_a"]) < 1e-9
    assert s["saturation_rms"] > 2 * s["cast_rms"]


def test_half_strength_halves_the_swap_move_in_lab():
    lab0 = srgb_to_lab(identity_table(9))
    full = srgb_to_lab(_swap(9)) - lab0
    half = srgb_to_lab(scale_components(_swap(9), 0.5, 0.5, 0.5)) - lab0
    mid = lab_to_srgb(lab0 + full / 2)
    inside = ((mid >= 0) & (mid <= 1)).all(-1)  # half-way colours inside the sRGB cube
    assert inside.sum() > 500
    assert np.abs(half[inside] - full[inside] / 2).max() < 1e-3


@pytest.mark.parametrize("bad", [-0.1, 2.5, float("nan")])
def test_strength_out_of_range_is_refused(bad):
    with pytest.raises(ValueError, match="strength"):
        scale_components(_red_gain(), tone=bad)
