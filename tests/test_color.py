"""lutml.color against published CIEDE2000 test data and colour-science."""

from __future__ import annotations

import numpy as np
import pytest

from lutml.color import (
    delta_e_2000,
    delta_e_2000_fast,
    delta_e_image,
    linear_to_srgb,
    mean_delta_e,
    mkl_transfer,
    psnr,
    srgb_to_lab,
    srgb_to_linear,
)

# Sharma, Wu & Dalal (2005), Table 1: a selection of pairs including the hue-wrap cases.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, -0.001, 2.49), (50.0, 0.0009, -2.49), 4.8045),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


def test_ciede2000_matches_sharma_table() -> None:
    lab1 = np.array([s[0] for s in SHARMA])
    lab2 = np.array([s[1] for s in SHARMA])
    np.testing.assert_allclose(delta_e_2000(lab1, lab2), [s[2] for s in SHARMA], atol=1e-4)
    np.testing.assert_allclose(delta_e_2000(lab2, lab1), [s[2] for s in SHARMA], atol=1e-4)


def test_lab_of_primaries_and_white() -> None:
    lab = srgb_to_lab(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.02)  # sRGB red, D65


def test_lab_matches_colour_science() -> None:
    import colour

    rng = np.random.default_rng(3)
    rgb = rng.random((500, 3))
    xyz = colour.RGB_to_XYZ(rgb, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=True)
    white = colour.RGB_COLOURSPACES["sRGB"].whitepoint
    ref = colour.XYZ_to_Lab(xyz, white)
    np.testing.assert_allclose(srgb_to_lab(rgb), ref, atol=0.05)


def test_transfer_round_trip_and_metrics() -> None:
    x = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-12)
    img = np.random.default_rng(4).random((8, 8, 3))
    assert mean_delta_e(img, img) == 0.0 and psnr(img, img) == float("inf")
    assert 19.9 < psnr(img, np.clip(img + 0.1, 0, 1)) < 26.0


def test_mkl_transfer_matches_the_reference_statistics_and_keeps_channels_apart():
    rng = np.random.default_rng(3)
    image = (0.2 + 0.5 * rng.random((64, 64, 3))).astype(np.float32)
    # Reference: a red-only gain plus a channel swap of another draw (asymmetric on purpose).
    other = (0.2 + 0.5 * rng.random((64, 64, 3))).astype(np.float32)
    reference = other[..., [1, 2, 0]] * np.array([0.6, 1.0, 1.0], np.float32)
    out = mkl_transfer(image, reference)
    assert out.shape == image.shape and out.dtype == np.float32
    flat, ref = out.reshape(-1, 3), reference.reshape(-1, 3)
    np.testing.assert_allclose(flat.mean(0), ref.mean(0), atol=2e-3)
    np.testing.assert_allclose(np.cov(flat, rowvar=False), np.cov(ref, rowvar=False), atol=2e-4)
    # Same statistics already: the map is the identity.
    np.testing.assert_allclose(mkl_transfer(image, image), image, atol=1e-5)


def _polar(L, c, h_deg):
    h = np.radians(h_deg)
    return np.stack([L, c * np.cos(h), c * np.sin(h)], axis=-1)


def _opposite_hues(x, y):
    """Pairs whose hues h' (after CIEDE2000's a' stretch) are 180 degrees apart to within 1e-6."""
    c7 = ((np.hypot(x[:, 1], x[:, 2]) + np.hypot(y[:, 1], y[:, 2])) / 2.0) ** 7
    g = 0.5 * (1.0 - np.sqrt(c7 / (c7 + 25.0**7)))
    h1 = np.degrees(np.arctan2(x[:, 2], (1 + g) * x[:, 1]))
    h2 = np.degrees(np.arctan2(y[:, 2], (1 + g) * y[:, 1]))
    return np.abs(np.abs((h2 - h1) % 360.0) - 180.0) < 1e-6


def _rotate(lab, degrees):
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.stack([lab[:, 0], c * lab[:, 1] - s * lab[:, 2], s * lab[:, 1] + c * lab[:, 2]], -1)


def test_fast_ciede2000_equals_the_reference_formula() -> None:
    """The compiled ΔE00 (unit-vector hue terms) against `delta_e_2000` on the Sharma pairs, random
    colours near and far, and the edge cases: zero chroma, greys, hue wrap at 0/360 degrees, hues
    (nearly) opposite (the formula's discontinuity), -0.0, identical colours."""
    lab1, lab2 = np.array([s[0] for s in SHARMA]), np.array([s[1] for s in SHARMA])
    np.testing.assert_allclose(delta_e_2000_fast(lab1, lab2), [s[2] for s in SHARMA], atol=1e-4)
    np.testing.assert_allclose(delta_e_2000_fast(lab2, lab1), [s[2] for s in SHARMA], atol=1e-4)

    rng = np.random.default_rng(7)
    n = 200_000
    a = np.stack([rng.uniform(0, 100, n), rng.uniform(-128, 128, n), rng.uniform(-128, 128, n)], -1)
    b = a + rng.normal(0, 1, (n, 3)) * rng.choice([1e-6, 0.01, 1.0, 10.0, 60.0], (n, 1))
    h, dh = rng.uniform(0, 360, n), rng.choice([0.0, 1e-9, 1e-3, 1.0, 90.0, 179.0, 180.0], n)
    dh = (dh + rng.normal(0, 1, n) * rng.choice([0.0, 1e-9, 1e-5, 1e-2], n)) * rng.choice(
        [-1, 1], n
    )
    c1, c2 = rng.uniform(0, 60, n) * rng.choice([0.0, 1e-9, 1.0], n), rng.uniform(0, 60, n)
    near = _polar(rng.uniform(0, 100, n), c1, h), _polar(rng.uniform(0, 100, n), c2, h + dh)
    edge = np.array(
        [
            [[50.0, 0.0, 0.0], [50.0, 0.0, 0.0]],  # identical greys
            [[50.0, 0.0, 0.0], [60.0, 0.0, 0.0]],  # greys
            [[50.0, -0.0, -0.0], [50.0, 0.0, 0.0]],  # signed zeros
            [[50.0, 0.0, 0.0], [50.0, 10.0, 0.0]],  # one zero chroma
            [[50.0, 10.0, 0.0], [50.0, -10.0, 0.0]],  # exactly opposite hues
            [[50.0, 0.0, 10.0], [50.0, 0.0, -10.0]],
            [[50.0, 10.0, -1e-9], [50.0, 10.0, 1e-9]],  # across the 0/360 wrap
            [[50.0, -10.0, -1e-9], [50.0, -10.0, 1e-9]],  # across atan2's branch cut
            [[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]],
            [[100.0, 127.0, -128.0], [0.0, -128.0, 127.0]],
            [[30.0, 20.0, 30.0], [30.0, 20.0, 30.0]],  # identical colours
        ]
    )
    for x, y in [
        (a, b),
        (b, a),
        near,
        near[::-1],
        (edge[:, 0], edge[:, 1]),
        (edge[:, 1], edge[:, 0]),
    ]:
        ref, fast = delta_e_2000(x, y), delta_e_2000_fast(x, y)
        assert fast.shape == ref.shape and fast.dtype == np.float64
        # Hues 180 degrees apart (to ~1e-6): the formula jumps there (its mean hue flips by 180),
        # so which side a pair lands on is rounding (NumPy's SIMD atan2 vs libm's): the fast
        # result must then be the formula's value on one side or the other.
        jump = _opposite_hues(x, y)
        np.testing.assert_allclose(fast[~jump], ref[~jump], rtol=0, atol=1e-6)
        sides = [delta_e_2000(x[jump], _rotate(y[jump], s * 1e-4)) for s in (-1, 1)]
        assert np.all(np.minimum(*[np.abs(fast[jump] - r) for r in sides]) < 1e-3)
    assert _opposite_hues(*near).sum() > 1000  # the jump is tested
    assert delta_e_2000_fast(edge[-1:, 0], edge[-1:, 1])[0] == 0.0
    # shapes: leading axes kept, broadcasting as the reference
    img = rng.uniform(0, 60, (4, 5, 3))
    assert delta_e_2000_fast(img, np.array([50.0, 0.0, 0.0])).shape == (4, 5)


def test_delta_e_image_takes_the_second_image_as_lab() -> None:
    rng = np.random.default_rng(8)
    x = rng.uniform(-0.1, 1.1, (16, 24, 3)).astype(np.float32)
    y = np.clip(x + rng.normal(0, 0.05, x.shape), -0.1, 1.1).astype(np.float32)
    ref = delta_e_2000(srgb_to_lab(np.clip(x, 0, 1)), srgb_to_lab(np.clip(y, 0, 1)))
    np.testing.assert_allclose(delta_e_image(x, y), ref, rtol=0, atol=1e-9)
    lab = srgb_to_lab(np.clip(y, 0, 1))
    np.testing.assert_array_equal(delta_e_image(x, lab2=lab), delta_e_image(x, y))
    for bad in ({}, {"rgb2": y, "lab2": lab}):
        with pytest.raises(ValueError):
            delta_e_image(x, **bad)


def test_mkl_transfer_with_known_moments_is_the_same_transfer():
    from lutml.color import colour_moments, mkl_transfer

    rng = np.random.default_rng(5)
    image, reference = rng.random((20, 30, 3), dtype=np.float32), rng.random((40, 10, 3))
    np.testing.assert_array_equal(
        mkl_transfer(
            image,
            reference,
            image_moments=colour_moments(image),
            reference_moments=colour_moments(reference),
        ),
        mkl_transfer(image, reference),
    )
