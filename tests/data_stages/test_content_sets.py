"""Training and calibration sets drawn by content (lutml.data.content): dark, bright, one hue."""

from __future__ import annotations

import numpy as np
import pytest

from lutml.data.content import CONTENT_MODES, crop_stats, mode_candidates, redraw_by_content


def _crops(n: int = 64, s: int = 8) -> np.ndarray:
    """Crops of known content: a ramp of grey levels, then saturated reds and greens and blues."""
    rng = np.random.default_rng(0)
    crops = np.zeros((n, s, s, 3), np.uint8)
    for i in range(n):
        if i < n // 2:  # grey, dark to bright
            crops[i] = int(255 * i / (n // 2 - 1))
        else:
            base = [(200, 30, 30), (30, 160, 40), (30, 40, 200)][i % 3]
            crops[i] = np.clip(np.array(base) + rng.integers(-10, 10, 3), 0, 255)
    return crops


def test_crop_stats_read_lightness_chroma_and_hue() -> None:
    crops = _crops()
    light, chroma, hue = crop_stats(crops)
    assert light[0] < 1.0 and light[31] > 99.0  # black and white greys
    assert np.all(chroma[:32] < 1.0) and np.all(chroma[32:] > 30.0)
    reds = [i for i in range(32, 64) if i % 3 == 0]
    blues = [i for i in range(32, 64) if i % 3 == 2]
    assert np.all(np.abs(hue[reds]) < np.radians(60))  # red: a* > 0, hue near 0
    assert np.all(hue[blues] < -np.radians(45))  # blue: b* < 0


def test_mode_candidates_pick_the_dark_bright_and_one_hue_crops() -> None:
    crops = _crops()
    stats = crop_stats(crops)
    pool = np.arange(len(crops))
    rng = np.random.default_rng(1)
    dark = mode_candidates(rng, "dark", pool, stats, 4)
    bright = mode_candidates(rng, "bright", pool, stats, 4)
    assert stats[0][dark].max() < np.median(stats[0]) < stats[0][bright].min()
    for _ in range(5):
        one = mode_candidates(rng, "one_hue", pool, stats, 4)
        assert len(one) >= 4 and np.all(one >= 32)  # only coloured crops
        assert len({int(i) % 3 for i in one}) == 1  # of one hue family
    assert np.array_equal(mode_candidates(rng, "random", pool, stats, 4), pool)


def _packed(steps: int = 6, t: int = 24) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2)
    seg = np.zeros((steps, t), np.int32)
    for i in range(steps):
        seg[i] = np.repeat(np.arange(t), rng.integers(1, 5, t))[:t]
    return {
        "crops": rng.integers(0, 64, (steps, t)).astype(np.int32),
        "segment": seg,
        "partners": rng.integers(0, 64, (steps, t, 3)).astype(np.int32),
        "look": rng.integers(0, 10, (steps, t)).astype(np.int32),
    }


def test_redraw_by_content_makes_whole_sets_of_one_mode_and_keeps_the_looks() -> None:
    crops = _crops()
    stats = crop_stats(crops)
    idx = _packed()
    looks = idx["look"].copy()
    counts = redraw_by_content(idx, stats, 1.0, np.random.default_rng(3))
    assert counts["random"] == 0 and sum(counts.values()) == sum(
        len(np.unique(s)) for s in idx["segment"]
    )
    assert all(counts[m] > 0 for m in CONTENT_MODES)
    assert np.array_equal(idx["look"], looks)
    dark_limit = np.quantile(stats[0], 0.25)
    for i, seg in enumerate(idx["segment"]):
        for s in np.unique(seg):
            ids = np.concatenate([idx["crops"][i, seg == s], idx["partners"][i, seg == s].ravel()])
            light = stats[0][ids]
            # every set (with its mosaic partners) is all dark, all bright, or all coloured
            assert (
                np.all(light <= dark_limit)
                or np.all(light >= np.quantile(stats[0], 0.75))
                or np.all(ids >= 32)
            ), (i, s, ids)


def test_redraw_by_content_is_seeded_and_a_share_of_zero_changes_nothing() -> None:
    stats = crop_stats(_crops())
    a, b, c = _packed(), _packed(), _packed()
    redraw_by_content(a, stats, 0.4, np.random.default_rng(5))
    redraw_by_content(b, stats, 0.4, np.random.default_rng(5))
    assert np.array_equal(a["crops"], b["crops"]) and np.array_equal(a["partners"], b["partners"])
    assert not np.array_equal(a["crops"], c["crops"])
    before = {k: v.copy() for k, v in c.items()}
    assert redraw_by_content(c, stats, 0.0, np.random.default_rng(5))["random"] == 0
    assert all(np.array_equal(before[k], c[k]) for k in c)


def test_redraw_by_content_padded_batches_and_bad_share() -> None:
    stats = crop_stats(_crops())
    rng = np.random.default_rng(6)
    idx = {"crops": rng.integers(0, 64, (3, 4, 5)).astype(np.int32), "size": np.full((3, 4), 5)}
    counts = redraw_by_content(idx, stats, 1.0, np.random.default_rng(7))
    assert sum(counts.values()) == 12 and counts["random"] == 0
    with pytest.raises(ValueError, match="content_sets"):
        redraw_by_content(idx, stats, 1.5, np.random.default_rng(7))
