"""What a set of frames shows: crop statistics and sets drawn by content (dark, bright, one hue).

A user's stills are not a random sample of photos: a low-key film gives dark frames, a forest
documentary green ones, a snow film bright ones. Drawn at random, a set of training crops is close
to the corpus average, so an estimator learns "darker than average = a darkening look". Both the
look estimator's training (``train.content_sets``) and the trust model's calibration
(`lutml.trust_fit`) therefore draw a share of their sets by content on purpose:

=========  ==================================================================================
dark       crops from the darkest quarter (by mean L*) of the pool (night, studio on black)
bright     crops from the brightest quarter (high-key, snow, sky)
one_hue    crops whose colour lies within 35 degrees of one hue (forest, sea, desert)
=========  ==================================================================================

NumPy only.
"""

from __future__ import annotations

import numpy as np

from lutml.color import srgb_to_lab

CONTENT_MODES = ("dark", "bright", "one_hue")
_HUE_WIDTH = np.radians(35.0)
_COLOURED = 8.0  # mean C* above which a crop has a hue to group by


def crop_stats(crops: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean L*, mean chroma C* and chroma-weighted hue angle (radians) of each uint8 crop
    (N, S, S, 3), from every fourth pixel."""
    lab = srgb_to_lab(crops[:, ::4, ::4].astype(np.float64) / 255.0).reshape(len(crops), -1, 3)
    c = np.hypot(lab[..., 1], lab[..., 2])
    hue = np.angle(np.sum(c * np.exp(1j * np.arctan2(lab[..., 2], lab[..., 1])), axis=1))
    return lab[..., 0].mean(1), c.mean(1), hue


def mode_candidates(
    rng: np.random.Generator,
    mode: str,
    pool: np.ndarray,
    stats: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
) -> np.ndarray:
    """The crop ids of `pool` a set of `k` crops in content `mode` may draw from (any other mode:
    the whole pool). `stats` are `crop_stats` of all crops (indexed by id)."""
    light, chroma, hue = (s[pool] for s in stats)
    if mode == "dark":
        return pool[light <= np.quantile(light, 0.25)]
    if mode == "bright":
        return pool[light >= np.quantile(light, 0.75)]
    if mode == "one_hue":
        coloured = chroma > _COLOURED
        centre = hue[rng.choice(np.flatnonzero(coloured))] if coloured.any() else 0.0
        dist = np.abs(np.angle(np.exp(1j * (hue - centre))))
        cand = pool[coloured & (dist < _HUE_WIDTH)]
        if len(cand) < k:
            cand = pool[np.argsort(dist + 10.0 * ~coloured)[: max(k, 8)]]
        return cand
    return pool


def redraw_by_content(
    idx: dict[str, np.ndarray],
    stats: tuple[np.ndarray, np.ndarray, np.ndarray],
    share: float,
    rng: np.random.Generator,
) -> dict[str, int]:
    """Redraw, in place, the crops of a share `share` of the training sets in `idx` from one
    content mode each (`CONTENT_MODES`, equally often); returns how many sets got each mode.

    `idx` are the trainer's batch indices: packed (``crops`` (steps, T) with ``segment`` (steps, T)
    the set of each crop, and ``partners`` (steps, T, 3) for mosaics, drawn from the same mode) or
    padded (``crops`` (steps, B, k) with ``size`` (steps, B)). The looks are untouched: every look
    meets dark, bright and one-hue sets as often as any other set.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"train.content_sets must be between 0 and 1, got {share}")
    counts = dict.fromkeys(("random", *CONTENT_MODES), 0)
    if share == 0.0:
        return counts
    everything = np.arange(len(stats[0]))
    cache = {m: mode_candidates(rng, m, everything, stats, 1) for m in ("dark", "bright")}
    crops = idx["crops"]

    def members():
        if "segment" in idx:
            for i, seg in enumerate(idx["segment"]):
                bounds = np.flatnonzero(np.diff(seg, prepend=-1, append=-1))
                for a, b in zip(bounds[:-1], bounds[1:], strict=True):
                    yield i, np.arange(a, b)
        else:
            for i in range(crops.shape[0]):
                for j in range(crops.shape[1]):
                    yield (i, j), np.arange(crops.shape[2])

    for where, cols in members():
        if rng.random() >= share:
            counts["random"] += 1
            continue
        mode = CONTENT_MODES[int(rng.integers(len(CONTENT_MODES)))]
        cand = cache.get(mode)
        if cand is None:
            cand = mode_candidates(rng, mode, everything, stats, len(cols))
        counts[mode] += 1
        row = crops[where]
        row[cols] = rng.choice(cand, len(cols))
        if "partners" in idx:
            idx["partners"][where][cols] = rng.choice(cand, (len(cols), 3))
    return counts
