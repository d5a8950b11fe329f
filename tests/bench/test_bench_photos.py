"""`python -m lutml.bench photos`: the training split cut to N photos."""

import numpy as np
import pytest

from lutml.bench.photos import _parse, subset_split


def _split():
    group = np.repeat(np.arange(10), 4)  # 10 photos, 4 crops each
    split = {
        "train_crops": np.arange(0, 32),  # photos 0-7
        "test_crops": np.arange(32, 40),  # photos 8-9
        "train_looks": np.arange(0, 90),
        "test_looks": np.arange(90, 100),
    }
    return split, group


def test_subset_split_keeps_whole_photos_and_the_rest():
    split, group = _split()
    cut = subset_split(split, group, 3, seed=0)
    photos = np.unique(group[cut["train_crops"]])
    assert len(photos) == 3 and set(photos) <= set(range(8))
    assert len(cut["train_crops"]) == 12  # every crop of the kept photos
    for key in ("test_crops", "train_looks", "test_looks"):
        assert np.array_equal(cut[key], split[key])
    again = subset_split(split, group, 3, seed=0)
    assert np.array_equal(again["train_crops"], cut["train_crops"])
    draws = {
        tuple(np.unique(group[subset_split(split, group, 3, s)["train_crops"]])) for s in range(6)
    }
    assert len(draws) > 1  # the seed chooses the photos


def test_subset_split_all_photos_and_bad_counts():
    split, group = _split()
    assert np.array_equal(subset_split(split, group, 8, 0)["train_crops"], split["train_crops"])
    assert np.array_equal(subset_split(split, group, 50, 0)["train_crops"], split["train_crops"])
    with pytest.raises(ValueError, match="n_photos"):
        subset_split(split, group, 0, 0)
    with pytest.raises(SystemExit):
        _parse(["--counts", "0"])
