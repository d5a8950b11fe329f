"""Seeded train/test split grouped by source (stage `split`).

All pairs of one group (a photo, a still, a video shot) go to the same side: crops of one photo
on both sides would let a model memorise the scene and flatter every test metric.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lutml.data.pairs import pair_groups
from lutml.data.staging import staged_dir


def grouped_split(groups: dict[str, str], test_fraction: float, seed: int) -> dict[str, list[str]]:
    """Split ids into train/test so that no group straddles the two.

    Groups are shuffled (seeded) and moved to the test side one by one while that brings the
    test share closer to `test_fraction`; each side gets at least one group. Ids keep their
    input order within each side.

    Parameters
    ----------
    groups : pair id -> group name
    test_fraction : target share of *pairs* in the test set, in (0, 1)
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"split.test_fraction must lie in (0, 1), got {test_fraction}")
    names = sorted(set(groups.values()))
    if len(names) < 2:
        raise ValueError(
            f"cannot split grouped pairs: only {len(names)} group ({names}); "
            "a grouped split needs at least two source photos/stills/shots"
        )
    counts = {g: 0 for g in names}
    for g in groups.values():
        counts[g] += 1
    order = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    target, test, n_test = test_fraction * len(groups), set(), 0
    for g in order[:-1]:  # the last group always stays in train
        if test and abs(n_test + counts[g] - target) >= abs(n_test - target):
            continue
        test.add(g)
        n_test += counts[g]
    return {
        "train": [i for i, g in groups.items() if g not in test],
        "test": [i for i, g in groups.items() if g in test],
    }


def split_pairs(
    pairs_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    test_fraction: float,
    seed: int,
) -> dict[str, list[str]]:
    """Write `out_dir/train.txt` and `out_dir/test.txt` (one pair id per line); return them."""
    split = grouped_split(pair_groups(pairs_dir), test_fraction, seed)
    with staged_dir(out_dir) as tmp:
        for name, ids in split.items():
            (Path(tmp) / f"{name}.txt").write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    return split


def split_looks(
    pairs_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    test_fraction: float,
    seed: int,
) -> dict[str, list[int]]:
    """Split the look estimator's material: crops grouped by photo, looks by index (seeded).

    Writes `out_dir/split.json` ``{"train_crops", "test_crops", "train_looks", "test_looks"}``.
    """
    import json

    from lutml.data.looksynth import CROPS_FILE, LOOKS_MANIFEST

    with np.load(Path(pairs_dir) / CROPS_FILE) as z:
        group = z["group"]
    n_looks = json.loads((Path(pairs_dir) / LOOKS_MANIFEST).read_text(encoding="utf-8"))["n_looks"]
    crops = grouped_split({str(i): str(g) for i, g in enumerate(group)}, test_fraction, seed)
    order = np.random.default_rng([seed, 5]).permutation(n_looks)
    n_test = max(1, round(test_fraction * n_looks))
    split = {
        "train_crops": sorted(int(i) for i in crops["train"]),
        "test_crops": sorted(int(i) for i in crops["test"]),
        "train_looks": sorted(order[n_test:].tolist()),
        "test_looks": sorted(order[:n_test].tolist()),
    }
    with staged_dir(out_dir) as tmp:
        (Path(tmp) / "split.json").write_text(json.dumps(split) + "\n", encoding="utf-8")
    return split


def read_look_split(split_dir: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The split written by `split_looks`, as int arrays."""
    import json

    path = Path(split_dir) / "split.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing (run `dvc repro split` with synth.mode=looks)")
    return {
        k: np.asarray(v, dtype=np.int64)
        for k, v in json.loads(path.read_text(encoding="utf-8")).items()
    }
