"""The tone read from local contrast (`lutml.models.tone_edges`): its statistics see a tone curve's
slope and not the scene's exposure, the curve swap keeps saturation and cast, and the head plugs
into the NumPy estimator the same way for a set and for each of its frames."""

from __future__ import annotations

import numpy as np
import pytest

from lutml.color import linear_to_srgb, srgb_to_lab
from lutml.look_components import component_fields
from lutml.lut.lut3d import identity_table
from lutml.models.tone_edges import (
    BANDS,
    KEYS,
    SCALES,
    ToneHead,
    fit_ridge,
    grey_curve,
    step_features,
    tile_step_stats,
    with_tone_curve,
)
from lutml.tone_fit import fit_tone_head


def _scene(rng, n=3, s=32):
    """Textured linear-light tiles: smooth shading times random reflectance patches."""
    yy, xx = np.mgrid[0:s, 0:s] / s
    shade = 0.3 + 0.7 * np.exp(-((xx - 0.5) ** 2 + (yy - 0.4) ** 2) * 4)
    patches = rng.uniform(0.05, 0.9, (n, s // 4, s // 4, 3)).repeat(4, 1).repeat(4, 2)
    return patches * shade[None, :, :, None]


def _mean_log_step(linear_tiles):
    stats = tile_step_stats(linear_to_srgb(np.clip(linear_tiles, 0, 1)))
    return stats[:, 0, 3].sum() / stats[:, 0, 0].sum()  # mean |d ln Y| at full resolution


def test_steps_follow_a_curves_slope_not_the_exposure():
    lin = _scene(np.random.default_rng(0))
    base = _mean_log_step(lin)
    # a darker exposure of the same scene (content): log steps unchanged
    assert _mean_log_step(lin * 0.5) == pytest.approx(base, rel=0.1)
    # a curve that halves contrast in log luminance (a look): steps halve
    assert _mean_log_step(0.6 * lin**0.5) == pytest.approx(0.5 * base, rel=0.15)


def test_statistics_pool_exactly_over_tiles():
    tiles = linear_to_srgb(_scene(np.random.default_rng(1), n=4))
    stats = tile_step_stats(tiles)
    assert stats.shape == (4, len(SCALES), 4, BANDS)
    assert np.allclose(stats[:2].sum(0) + stats[2:].sum(0), tile_step_stats(tiles).sum(0))
    s = 32
    assert stats[:, 0, 0].sum() == 4 * 2 * s * (s - 1)  # every neighbour pair counted once
    assert step_features(stats.sum(0)).shape == (len(SCALES) * 4 * BANDS,)
    with pytest.raises(ValueError, match="tiles of shape"):
        tile_step_stats(tiles[0])


def _red_gain(n=9, g=1.25):
    t = identity_table(n).astype(np.float64)
    t[..., 0] = np.clip(t[..., 0] * g, 0, 1)
    return t.astype(np.float32)


def test_swapping_the_curve_keeps_saturation_and_cast():
    n = 9
    # its own curve back: the table unchanged (asymmetric grade: a red-only gain)
    red = _red_gain(n)
    assert np.allclose(with_tone_curve(red, grey_curve(red)), red, atol=2e-3)
    # identity given a darkening curve: greys follow it and stay neutral
    curve = -8.0 * np.sin(np.linspace(0, np.pi, n))
    dark = with_tone_curve(identity_table(n), curve)
    assert np.allclose(grey_curve(dark), curve, atol=0.3)
    i = np.arange(n)
    assert np.abs(srgb_to_lab(dark[i, i, i].astype(np.float64))[:, 1:]).max() < 0.5
    # a channel swap with its tone taken out: the cast (hue turn) is kept where in gamut
    swap = identity_table(n)[..., [1, 0, 2]].astype(np.float32)
    flat = with_tone_curve(swap, np.zeros(n))
    assert np.allclose(grey_curve(flat), 0.0, atol=0.3)
    mid = (slice(2, 7),) * 3
    a, b = component_fields(swap)["cast"][mid], component_fields(flat)["cast"][mid]
    assert np.median(np.abs(a - b)) < 0.15 * np.median(np.abs(a))


def test_fit_ridge_recovers_a_linear_map_and_the_head_checks_its_arrays():
    rng = np.random.default_rng(2)
    f = len(SCALES) * 4 * BANDS
    x = rng.normal(size=(400, f))
    w = rng.normal(size=(f, 9))
    arrays = fit_ridge(x, x @ w + 1.5, l2=1e-6)
    assert set(arrays) == set(KEYS)
    head = ToneHead(arrays)
    assert np.allclose(((x - head.mu) / head.sd) @ head.w + head.ym, x @ w + 1.5, atol=1e-2)
    assert ToneHead.from_weights({"mean": np.zeros(3)}) is None
    bad = dict(arrays, **{"tone.W": arrays["tone.W"][:, :5]})
    with pytest.raises(ValueError, match="shape"):
        ToneHead(bad)
    with pytest.raises(ValueError, match="NaN"):
        ToneHead(dict(arrays, **{"tone.mu": np.full(f, np.nan, np.float32)}))
    with pytest.raises(ValueError, match="weights must be in"):
        ToneHead(dict(arrays, **{"tone.weight": np.float32(1.5)}))
    with pytest.raises(ValueError, match="one value per tile count"):
        ToneHead(dict(arrays, **{"tone.weight": np.ones(2, np.float32)}))
    with pytest.raises(KeyError, match="tone.sd"):
        ToneHead({k: v for k, v in arrays.items() if k != "tone.sd"})


def _crops_and_looks(rng, n_crops=48, s=16, n=5):
    crops = np.stack(
        [
            np.rint(linear_to_srgb(_scene(rng, n=1, s=s)[0] * rng.uniform(0.3, 1.5)) * 255)
            for _ in range(n_crops)
        ]
    ).astype(np.uint8)
    groups = np.repeat(np.arange(n_crops // 4), 4)
    ident = identity_table(n).astype(np.float64)
    tables = np.stack([np.clip(ident ** rng.uniform(0.6, 1.6), 0, 1) for _ in range(30)])
    return crops, groups, tables.astype(np.float32)


def test_fit_tone_head_is_seeded_and_learns_gamma_curves():
    crops, groups, tables = _crops_and_looks(np.random.default_rng(3))
    a, fig = fit_tone_head(crops, groups, tables, seed=5, n_sets=150, l2=10.0)
    b, _ = fit_tone_head(crops, groups, tables, seed=5, n_sets=150, l2=10.0)
    assert all(np.array_equal(a[k], b[k]) for k in KEYS)
    # held-out sets: the read curve is closer to the truth than the average curve
    assert fig["held_out_rms"] < 0.8 * fig["mean_curve_rms"]


class _ConstantNet:
    """An estimator that always answers `table` (for the blend weights)."""

    def __init__(self, table):
        self.t = table

    def coefficients(self, tiles):
        return np.zeros(1)

    def table(self, c):
        return self.t


def test_blend_weights_favour_the_better_reading():
    from lutml.tone_fit import WEIGHT_TILES, fit_tone_weights

    crops, groups, tables = _crops_and_looks(np.random.default_rng(6))
    arrays, _ = fit_tone_head(crops, groups, tables, seed=1, n_sets=200, l2=10.0)
    head = ToneHead(arrays)
    # an estimator that always answers "no look": the read curve is the better one
    blind = _ConstantNet(identity_table(5).astype(np.float32))
    w, fig = fit_tone_weights(blind, head, crops, groups, tables, seed=2, n_sets=120)
    assert w["tone.weight"].shape == (len(WEIGHT_TILES),)
    assert ToneHead({**arrays, **w}).weight_for(3) == w["tone.weight"][1]
    filled = [x for x, n in zip(w["tone.weight"], fig["sets"], strict=True) if n]
    assert min(filled) > 0.5
    for blend, own, n in zip(fig["blend_rms"], fig["own_rms"], fig["sets"], strict=True):
        assert n == 0 or blend <= own + 1e-9


def test_the_estimator_reads_a_set_and_its_frames_alike_with_a_tone_head(tmp_path):
    from sample_helpers import make_tiny_look_model

    from lutml.models.look_inference import load_look_model

    folder = make_tiny_look_model(tmp_path / "m")
    with np.load(folder / "look_encoder.npz") as z:
        w = {k: z[k] for k in z.files}
    n = int(w["lut_size"])
    rng = np.random.default_rng(4)
    crops, groups, tables = _crops_and_looks(rng, s=int(w["frame_size"]), n=n)
    tone, _ = fit_tone_head(crops, groups, tables, seed=0, n_sets=60, l2=10.0)
    np.savez(folder / "look_encoder.npz", **w, **tone)
    model = load_look_model(folder)
    net = model.model
    assert net.tone is not None
    tiles = crops[:6].astype(np.float32) / 255.0
    frame_of = np.repeat(np.arange(3), 2)
    whole, own, gap = net.set_and_frame_tables(tiles, frame_of, np.arange(3))
    assert gap == pytest.approx(
        net.tone.gap(
            np.clip(net.table(net.coefficients(tiles)), 0, 1), tile_step_stats(tiles).sum(0)
        )
    )
    assert np.allclose(whole, net.set_table(tiles), atol=1e-6)
    for i in range(3):
        assert np.allclose(own[i], net.set_table(tiles[frame_of == i]), atol=1e-6)
    # the estimator's table with its grey curve replaced by the head's reading of the set
    plain = np.clip(net.table(net.coefficients(tiles)), 0, 1)
    read = net.tone.curves(tile_step_stats(tiles).sum(0))
    assert np.allclose(whole, with_tone_curve(plain, read), atol=1e-6)
    assert not np.allclose(whole, plain, atol=1e-3)


def test_a_damaged_tone_head_names_the_weights_file(tmp_path):
    from sample_helpers import make_tiny_look_model

    from lutml.models.look_inference import load_look_model

    folder = make_tiny_look_model(tmp_path / "m")
    with np.load(folder / "look_encoder.npz") as z:
        w = {k: z[k] for k in z.files}
    n = int(w["lut_size"])
    f = len(SCALES) * 4 * BANDS
    arrays = fit_ridge(np.random.default_rng(0).normal(size=(50, f)), np.zeros((50, n)), 1.0)
    del arrays["tone.ym"]
    np.savez(folder / "look_encoder.npz", **w, **arrays)
    with pytest.raises(ValueError, match=r"look_encoder\.npz: .*tone head lacks tone\.ym"):
        load_look_model(folder)
    arrays = fit_ridge(np.random.default_rng(0).normal(size=(50, f)), np.zeros((50, n + 2)), 1.0)
    np.savez(folder / "look_encoder.npz", **w, **arrays)
    with pytest.raises(ValueError, match="grey nodes"):
        load_look_model(folder)
