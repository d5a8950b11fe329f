"""lutml.color against published CIEDE2000 test data and colour-science."""

from __future__ import annotations

import numpy as np

from lutml.color import (
    delta_e_2000,
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
