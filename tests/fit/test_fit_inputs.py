"""Bad input to the fit gives one clear ValueError; coverage numbers and picture are sane."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lutml.fit import coverage_image, fit_lut, fit_lut_report, write_coverage_png
from lutml.imageio import read_image

RNG = np.random.default_rng(0)
IMG = RNG.random((16, 16, 3)).astype(np.float32)


@pytest.mark.parametrize(
    ("source", "target", "options", "message"),
    [
        (IMG, IMG[:8], {}, "source is 16x16 but target is 16x8"),
        (IMG[..., 0], IMG[..., 0], {}, "RGB image of shape (H, W, 3)"),
        (np.dstack([IMG, IMG[..., :1]]), np.dstack([IMG, IMG[..., :1]]), {}, "(H, W, 3)"),
        (np.full((8, 8, 3), 0.3, np.float32), IMG[:8, :8], {}, "flat"),
        (IMG, IMG, {"mask": np.zeros((16, 16), bool)}, "exclude every pixel"),
        (IMG, IMG, {"weights": np.ones((4, 4))}, "weights must have shape (16, 16)"),
        (IMG, np.where(IMG > 0.5, np.nan, IMG), {}, "NaN"),
        (IMG, IMG, {"size": 1}, "between 2 and 65"),
        (IMG, IMG, {"size": 66}, "between 2 and 65"),
        (IMG, IMG, {"method": "spline"}, "method must be one of"),
        (IMG, IMG, {"interpolation": "cubic"}, "interpolation must be one of"),
        (IMG, IMG, {"smoothness": -1.0}, "smoothness"),
        ([IMG, IMG], [IMG], {}, "2 source images but 1 target"),
        ([], [], {}, "no image pairs"),
        ([IMG, IMG[:8]], [IMG, IMG], {}, "pair 2: source is 16x8 but target is 16x16"),
    ],
)
def test_bad_input_raises_clear_value_error(source, target, options, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        fit_lut(source, target, **options)


def test_uint8_input_is_scaled() -> None:
    img8 = (IMG * 255).astype(np.uint8)
    a = fit_lut(img8, img8, size=5)
    assert (
        np.abs(
            a.table - fit_lut(img8 / np.float32(255), img8 / np.float32(255), size=5).table
        ).max()
        < 1e-6
    )


def test_coverage_counts_cells() -> None:
    # Colours only in [0, 0.5)^3: exactly the first 16 of 32 cells per axis of a 33^3 lattice.
    half = (RNG.random((200, 200, 3)) * 0.499).astype(np.float32)
    cov = fit_lut_report(half, half, size=33).coverage
    assert cov.cell_weight.shape == (32, 32, 32)
    assert cov.cell_weight.sum() == 200 * 200
    assert cov.cell_weight[16:].sum() == 0 and cov.cell_weight[:, 16:].sum() == 0
    assert 0.12 < cov.fraction <= 0.125  # nearly every cell of the octant is hit
    assert float(cov) == cov.fraction and "LUT cells" in cov.summary()


def test_coverage_respects_mask() -> None:
    img = RNG.random((64, 64, 3)).astype(np.float32)
    full = fit_lut_report(img, img, size=9).coverage.fraction
    keep = np.zeros((64, 64), bool)
    keep[:4] = True
    part = fit_lut_report(img, img, size=9, mask=keep).coverage
    assert part.fraction < full and part.cell_weight.sum() == 4 * 64


def test_coverage_png(tmp_path) -> None:
    blue_free = IMG.copy()
    blue_free[..., 2] = 0.0  # only the first blue slice holds colours
    cov = fit_lut_report(blue_free, blue_free, size=5).coverage
    pic = coverage_image(cov, cell_px=10, columns=2)
    assert pic.dtype == np.uint8 and pic.shape == (2 * 40 + 2, 2 * 40 + 2, 3)
    path = tmp_path / "cov.png"
    write_coverage_png(cov, path)
    back = read_image(path)
    np.testing.assert_allclose(back, coverage_image(cov) / 255.0, atol=1e-6)
    # Tile 1 (blue slice 0) shows colours; tile 4 (blue slice 3) is empty checkerboard grey.
    assert pic[:40, :40].std() > 20 and pic[42:, 42:].max() < 60
