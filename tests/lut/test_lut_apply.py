"""`apply_lut` and `resample_lut`: dtypes, shapes, clamping, strength, axis order, references."""

from __future__ import annotations

import itertools

import colour
import numpy as np
import pytest
from colour.algebra import table_interpolation_tetrahedral, table_interpolation_trilinear
from sample_helpers import asymmetric_lut

from lutml.lut import LUT1D, LUT3D, apply_lut, identity_table, lut_at_strength, resample_lut
from lutml.lut.reference import apply_lut_numpy

RNG = np.random.default_rng(7)


def wavy_lut(size: int = 9, domain=(0.0, 1.0)) -> LUT3D:
    """A strongly non-linear, asymmetric LUT (so interpolation choices and axes matter)."""
    grid = identity_table(size)
    table = np.stack([grid[..., 1] ** 2, np.sin(3 * grid[..., 2]), grid[..., 0] * 1.3 - 0.1], -1)
    return LUT3D(table.astype(np.float32), [domain[0]] * 3, [domain[1]] * 3)


@pytest.mark.parametrize("interpolation", ["tetrahedral", "trilinear"])
def test_matches_plain_numpy_reference_including_out_of_domain(interpolation):
    lut = wavy_lut(9, (-0.25, 1.5))
    rgb = RNG.uniform(-0.6, 2.0, (5000, 3)).astype(np.float32)
    rgb[:10] = [[-0.25, 1.5, 0.0]] * 10  # exactly on domain edges
    got = apply_lut(lut, rgb, interpolation)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, apply_lut_numpy(lut, rgb, interpolation), atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tetrahedral_fraction_ties_pick_a_valid_tetrahedron(dtype):
    lut = wavy_lut(5)
    fractions = np.array(list(itertools.product([0.0, 0.4, 0.8, 1.0], repeat=3)))
    cells = np.array([[0, 0, 0], [1, 2, 3], [3, 0, 2]])
    rgb = ((cells[:, None, :] + fractions[None]) / 4).reshape(-1, 3).astype(dtype)
    expected = apply_lut_numpy(lut, rgb)
    np.testing.assert_allclose(
        apply_lut(lut, rgb), expected, atol=1e-6 if dtype == np.float32 else 1e-12
    )


@pytest.mark.parametrize(
    ("interpolation", "theirs"),
    [
        ("tetrahedral", table_interpolation_tetrahedral),
        ("trilinear", table_interpolation_trilinear),
    ],
)
def test_matches_colour_science_interpolators(interpolation, theirs):
    lut = asymmetric_lut(17)
    rgb = RNG.random((3000, 3))
    expected = colour.LUT3D(lut.table.astype(np.float64)).apply(rgb, interpolator=theirs)
    np.testing.assert_allclose(apply_lut(lut, rgb, interpolation), expected, atol=1e-6)


def test_axis_order_red_first():
    # Channel swap LUT: out = (g, b, r). Pure red must come out blue.
    grid = identity_table(5)
    lut = LUT3D(grid[..., [1, 2, 0]])
    out = apply_lut(lut, np.array([[1.0, 0.0, 0.0], [0.0, 0.25, 0.0], [0.0, 0.0, 0.5]]))
    np.testing.assert_allclose(out, [[0, 0, 1], [0.25, 0, 0], [0, 0.5, 0]], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("interpolation", ["tetrahedral", "trilinear"])
def test_integer_images_are_correctly_rounded(dtype, interpolation):
    top = np.iinfo(dtype).max
    lut = wavy_lut(9, (-0.25, 1.5))
    lut.shaper = LUT1D(np.linspace(0, 1.2, 7)[:, None].repeat(3, 1) ** 1.5)
    img = RNG.integers(0, top + 1, (64, 80, 3)).astype(dtype)
    img[0, :3] = [[0, 0, 0], [top, top, top], [0, top, 0]]
    got = apply_lut(lut, img, interpolation)
    assert got.dtype == dtype and got.shape == img.shape
    exact = apply_lut_numpy(lut, img / top, interpolation) * top
    expected = np.clip(np.floor(exact + 0.5), 0, top)
    diff = np.abs(got.astype(np.int64) - expected)
    assert diff.max() <= 1
    # float rounding only matters within ~1e-9 of a half code value
    near_half = np.abs(exact - np.floor(exact) - 0.5) < 1e-6
    assert np.all(diff[~near_half] == 0)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_identity_is_exact(dtype):
    lut = LUT3D.identity(17)
    if np.issubdtype(dtype, np.integer):
        img = RNG.integers(0, np.iinfo(dtype).max + 1, (50, 3)).astype(dtype)
        np.testing.assert_array_equal(apply_lut(lut, img), img)
    else:
        img = RNG.random((50, 3)).astype(dtype)
        np.testing.assert_allclose(apply_lut(lut, img), img, atol=1e-6)


def test_strength_blends_with_the_input():
    lut = asymmetric_lut(9)
    img = RNG.random((20, 3))
    full = apply_lut(lut, img)
    np.testing.assert_array_equal(apply_lut(lut, img, strength=0.0), img)
    np.testing.assert_allclose(apply_lut(lut, img, strength=0.25), img + 0.25 * (full - img))
    np.testing.assert_allclose(apply_lut(lut, img, strength=1.5), img + 1.5 * (full - img))
    img8 = RNG.integers(0, 256, (20, 3)).astype(np.uint8)
    np.testing.assert_array_equal(apply_lut(lut, img8, strength=0.0), img8)
    half = apply_lut(lut, img8, strength=0.5).astype(int)
    mid = np.clip((img8 / 255 + apply_lut_numpy(lut, img8 / 255)) / 2 * 255, 0, 255)
    assert np.abs(half - mid).max() <= 0.5 + 1e-6


@pytest.mark.parametrize("interpolation", ["tetrahedral", "trilinear"])
@pytest.mark.parametrize("domain", [(0.0, 1.0), (-0.25, 1.5)])
def test_lut_at_strength_bakes_apply_luts_strength(interpolation, domain):
    """The one LUT blend (`lutml grade --strength`, the web download): applying the blended LUT
    equals applying the LUT at that strength, on any domain, also when exaggerating."""
    lut = wavy_lut(9, domain)
    rgb = RNG.uniform(domain[0], domain[1], (3000, 3)).astype(np.float32)
    for s in (0.0, 0.35, 1.5, 2.0):
        blended = lut_at_strength(lut, s)
        np.testing.assert_allclose(
            apply_lut(blended, rgb, interpolation),
            apply_lut(lut, rgb, interpolation, strength=s),
            atol=2e-6,
        )
        assert blended.comments[-1] == f"strength {s:.2f}" and blended.title == lut.title
    assert lut_at_strength(lut, 1.0) is lut


def test_lut_at_strength_on_the_unit_cube_is_the_plain_node_blend():
    """Bit for bit the float32 ``identity + s * (table - identity)`` that `lutml grade` wrote before."""
    lut = asymmetric_lut(9)
    ident = identity_table(9)
    for s in (0.1, 0.5, 0.8, 1.7):
        np.testing.assert_array_equal(
            lut_at_strength(lut, s).table, (ident + s * (lut.table - ident)).astype(np.float32)
        )


def test_lut_at_strength_refuses_shapers_and_bad_strengths():
    ramp = np.linspace(0, 1, 16, dtype=np.float32)[:, None].repeat(3, 1)
    shaped = LUT3D(identity_table(5), shaper=LUT1D(ramp))
    assert lut_at_strength(shaped, 1.0) is shaped
    with pytest.raises(ValueError, match="1D shaper"):
        lut_at_strength(shaped, 0.5)
    for bad in (-0.1, 2.5, float("nan")):
        with pytest.raises(ValueError, match="strength must be between 0 and 2"):
            lut_at_strength(LUT3D.identity(5), bad)


def test_out_buffer_and_in_place():
    lut = asymmetric_lut(9)
    img = RNG.random((6, 5, 3)).astype(np.float32)
    expected = apply_lut(lut, img, strength=0.7)
    buffer = np.empty_like(img)
    assert apply_lut(lut, img, strength=0.7, out=buffer) is buffer
    np.testing.assert_array_equal(buffer, expected)
    img8 = RNG.integers(0, 256, (7, 3)).astype(np.uint8)
    expected8 = apply_lut(lut, img8)
    assert apply_lut(lut, img8, out=img8) is img8  # in place
    np.testing.assert_array_equal(img8, expected8)
    with pytest.raises(ValueError, match="out must have the image's shape"):
        apply_lut(lut, img, out=np.empty((6, 5, 3)))
    with pytest.raises(ValueError, match="C-contiguous"):
        apply_lut(lut, img[:, :2], out=np.empty((6, 4, 3), np.float32)[:, ::2])


def test_shapes_layouts_and_nan():
    lut = asymmetric_lut(9)
    img = RNG.random((4, 6, 3))
    ref = apply_lut(lut, img)
    np.testing.assert_array_equal(apply_lut(lut, img[0, 0]), ref[0, 0])  # a single colour
    np.testing.assert_array_equal(apply_lut(lut, img[:, ::2]), ref[:, ::2])  # non-contiguous
    np.testing.assert_array_equal(apply_lut(lut, np.zeros((0, 3))), np.zeros((0, 3)))
    nan = apply_lut(lut, np.array([np.nan, 0.5, 0.5]))
    np.testing.assert_allclose(nan, apply_lut(lut, np.array([0.0, 0.5, 0.5])))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": np.zeros((4, 4))}, "shape \\(..., 3\\)"),
        ({"image": np.zeros((4, 3), np.int32)}, "dtype must be float32, float64, uint8 or uint16"),
        ({"interpolation": "cubic"}, "interpolation must be one of"),
        ({"strength": 2.5}, "strength must be between 0 and 2"),
        ({"strength": float("nan")}, "strength must be between 0 and 2"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"lut": LUT3D.identity(2), "image": np.zeros((4, 3))} | kwargs
    with pytest.raises(ValueError, match=message):
        apply_lut(**args)


def test_resample_keeps_nodes_and_affine_grades():
    lut = asymmetric_lut(17)
    up = resample_lut(lut, 33)
    assert up.size == 33 and up.title == lut.title
    np.testing.assert_allclose(up.table[::2, ::2, ::2], lut.table, atol=1e-6)  # shared nodes
    np.testing.assert_allclose(resample_lut(up, 17).table, lut.table, atol=1e-6)
    # An affine grade is reproduced exactly by any lattice size.
    matrix = np.array([[0.9, 0.1, 0], [0, 1.1, 0], [0.2, 0, 0.7]], np.float32)
    small = resample_lut(LUT3D(identity_table(3) @ matrix), 2)
    np.testing.assert_allclose(small.table, identity_table(2) @ matrix, atol=1e-6)
