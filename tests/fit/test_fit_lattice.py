"""The lattice fit: exact weights, identity, a known grade on a Hald image, robustness, options."""

from __future__ import annotations

import numpy as np
import pytest

from lutml.color import delta_e_image
from lutml.fit import fit_lut, fit_lut_report
from lutml.fit.weights import interpolate, interpolation_weights
from lutml.lut import LUT3D, apply_lut, identity_table


def hald(level: int) -> np.ndarray:
    """Hald CLUT image: every one of (level^2)^3 colours once, float32 (level^3, level^3, 3)."""
    n = level * level
    v = np.arange(n) / (n - 1)
    b, g, r = np.meshgrid(v, v, v, indexing="ij")
    return np.stack([r, g, b], -1).reshape(level**3, level**3, 3).astype(np.float32)


def asymmetric_grade(x: np.ndarray) -> np.ndarray:
    """A smooth grade that treats each channel differently (catches swapped LUT axes)."""
    r, g, b = np.moveaxis(np.asarray(x, np.float64), -1, 0)
    return np.stack(
        [
            0.04 + 0.9 * r + 0.25 * r * (1 - r) * (1 - 0.5 * b) + 0.05 * g,
            0.1 * r + 0.85 * g + 0.05 * b**2,
            0.9 * b + 0.06 * (1 - r) * g,
        ],
        -1,
    )


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 96x128 synthetic 'photo': smooth gradients plus texture, many but not all colours."""
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:96, 0:128] / np.array([95.0, 127.0])[:, None, None]
    img = np.stack(
        [0.2 + 0.6 * xx, 0.1 + 0.7 * yy * (1 - 0.3 * xx), 0.3 + 0.4 * np.sin(3 * xx * yy)], -1
    )
    return np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1).astype(np.float32)


@pytest.mark.parametrize("interpolation", ["tetrahedral", "trilinear"])
def test_weights_match_apply_lut(interpolation: str) -> None:
    rng = np.random.default_rng(0)
    n = 7
    table = rng.random((n, n, n, 3)).astype(np.float32)
    pts = rng.random((5000, 3))
    pts[:500] = np.round(pts[:500] * (n - 1)) / (n - 1)  # on nodes / cell faces (ties)
    pts[500:600, 1] = pts[500:600, 0]  # fr == fg ties
    pts[600:700] = np.clip(pts[600:700] * 1.4 - 0.2, -0.1, 1.1)  # outside the domain: clamped
    ours = interpolate(table, pts, interpolation)
    ref = apply_lut(LUT3D(table), pts.astype(np.float32), interpolation=interpolation)
    np.testing.assert_allclose(ours, ref, atol=2e-6)
    nodes, w = interpolation_weights(pts, n, interpolation)
    assert np.all(w >= -1e-12) and np.allclose(w.sum(axis=1), 1.0)
    assert nodes.min() >= 0 and nodes.max() < n**3


@pytest.mark.parametrize("size", [2, 9, 33])
def test_identity_pair_gives_identity(photo: np.ndarray, size: int) -> None:
    lut = fit_lut(photo, photo, size=size)
    assert lut.size == size
    assert np.abs(lut.table - identity_table(size)).max() < 1e-3


def test_hald_asymmetric_grade_recovered_everywhere() -> None:
    src = hald(8)  # all 64^3 colours
    result = fit_lut_report(src, asymmetric_grade(src).astype(np.float32), size=33)
    assert result.coverage.fraction == 1.0
    x = np.random.default_rng(1).random((60000, 3)).astype(np.float32)
    de = delta_e_image(apply_lut(result.lut, x), asymmetric_grade(x))
    assert de.max() < 0.1, de.max()
    assert result.fit_de00 < 0.01


def test_trilinear_fit_for_trilinear_application() -> None:
    src = hald(6)
    tgt = asymmetric_grade(src).astype(np.float32)
    lut = fit_lut(src, tgt, size=17, interpolation="trilinear")
    x = np.random.default_rng(2).random((20000, 3)).astype(np.float32)
    de = delta_e_image(apply_lut(lut, x, interpolation="trilinear"), asymmetric_grade(x))
    assert de.max() < 0.3 and de.mean() < 0.05


def test_channel_swap_is_exact_and_keeps_axis_order(photo: np.ndarray) -> None:
    swapped = photo[..., [1, 2, 0]]
    lut = fit_lut(photo, swapped, size=17)
    # Affine grades lie in the prior's null space: recovered at every node, even unseen ones.
    np.testing.assert_allclose(lut.table, identity_table(17)[..., [1, 2, 0]], atol=2e-3)
    assert lut.table[16, 0, 0, 2] > 0.99 and lut.table[16, 0, 0, 0] < 0.01  # red -> blue out


def test_unseen_colours_follow_a_smooth_continuation(photo: np.ndarray) -> None:
    """A per-channel gain carries from the frame's colours to the far corners of the cube."""
    grade = photo * np.array([0.8, 1.0, 0.9], np.float32)
    lut = fit_lut(photo, grade, size=17)
    np.testing.assert_allclose(lut.table[-1, -1, -1], [0.8, 1.0, 0.9], atol=0.01)
    np.testing.assert_allclose(lut.table[0, -1, 0], [0.0, 1.0, 0.0], atol=0.01)


def test_robust_ignores_corrupted_pixels(photo: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    clean = asymmetric_grade(photo).astype(np.float32)
    dirty = clean.copy()
    bad = rng.random(photo.shape[:2]) < 0.02
    dirty[bad] = rng.random((int(bad.sum()), 3))  # artefacts: random colours
    plain = fit_lut(photo, dirty, size=17)
    robust = fit_lut(photo, dirty, size=17, robust=True)
    err_plain = delta_e_image(apply_lut(plain, photo), clean).mean()
    err_robust = delta_e_image(apply_lut(robust, photo), clean).mean()
    assert err_robust < 0.1, err_robust
    assert err_robust < 0.25 * err_plain, (err_robust, err_plain)


def test_mask_and_weights_exclude_pixels(photo: np.ndarray) -> None:
    clean = asymmetric_grade(photo).astype(np.float32)
    dirty = clean.copy()
    dirty[:20] = 1.0 - dirty[:20]  # a wrong stripe
    keep = np.ones(photo.shape[:2], bool)
    keep[:20] = False
    masked = fit_lut(photo, dirty, size=9, mask=keep)
    weighted = fit_lut(photo, dirty, size=9, weights=keep.astype(float))
    reference = fit_lut(photo[20:], clean[20:], size=9)
    np.testing.assert_allclose(masked.table, reference.table, atol=1e-5)
    np.testing.assert_allclose(weighted.table, reference.table, atol=1e-5)


def test_list_of_pairs_equals_one_image(photo: np.ndarray) -> None:
    tgt = asymmetric_grade(photo).astype(np.float32)
    whole = fit_lut(photo, tgt, size=9)
    parts = fit_lut([photo[:50], photo[50:]], [tgt[:50], tgt[50:]], size=9)
    np.testing.assert_allclose(parts.table, whole.table, atol=1e-6)


def test_clip_and_no_clip(photo: np.ndarray) -> None:
    bright = photo * 1.5
    clipped = fit_lut(photo, bright, size=9)
    raw = fit_lut(photo, bright, size=9, clip=False)
    assert clipped.table.max() <= 1.0 and clipped.table.min() >= 0.0
    assert raw.table.max() > 1.3 and np.all(np.isfinite(raw.table))


def test_smoothness_trades_fit_for_smoothness(photo: np.ndarray) -> None:
    tgt = asymmetric_grade(photo).astype(np.float32)
    tgt[photo[..., 0] > 0.5] += 0.03  # a step: only a rough LUT can follow it
    sharp = fit_lut_report(photo, tgt, size=17, smoothness=0.1)
    smooth = fit_lut_report(photo, tgt, size=17, smoothness=1e4)
    assert sharp.fit_de00 < smooth.fit_de00
    curvature = [np.abs(np.diff(r.lut.table, 2, axis=0)).mean() for r in (sharp, smooth)]
    assert curvature[1] < curvature[0]


def test_auto_smoothness_adapts_to_noise(photo: np.ndarray) -> None:
    clean = asymmetric_grade(photo).astype(np.float32)
    noisy = clean + np.random.default_rng(7).normal(0, 6 / 255, clean.shape).astype(np.float32)
    assert fit_lut_report(photo, clean, size=17).smoothness == 1.0  # clean: the tuned default
    auto = fit_lut_report(photo, noisy, size=17)
    fixed = fit_lut_report(photo, noisy, size=17, smoothness=1.0)
    assert auto.smoothness > 100 and fixed.smoothness == 1.0
    x = np.random.default_rng(8).random((20000, 3)).astype(np.float32) * 0.6 + 0.2
    err = [delta_e_image(apply_lut(r.lut, x), asymmetric_grade(x)).mean() for r in (auto, fixed)]
    assert err[0] < 0.7 * err[1], err


def test_report_fields(photo: np.ndarray) -> None:
    r = fit_lut_report(photo, photo, size=5)
    assert r.method == "lattice" and r.n_pixels == photo.shape[0] * photo.shape[1]
    assert 0 < r.n_samples <= 64**3 and r.seconds > 0 and r.fit_de00 < 0.05
    assert 0.0 < float(r.coverage) <= 1.0
