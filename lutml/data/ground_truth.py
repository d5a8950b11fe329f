"""Ground-truth LUTs: the lattice fit of every (input, target) pair (the original's BatchPix2LUT).

They are the LUT-GAN's training targets and the reference of the "LUT mean difference" metric.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lutml.config.fit import FitConfig
from lutml.data.pairs import load_pair, read_split
from lutml.fit import fit_lut
from lutml.lut import LUT3D, read_cube, write_cube


def ground_truth_path(gt_dir: Path, pair_id: str) -> Path:
    """Where the ground-truth LUT of `pair_id` lives: ``<gt_dir>/<pair_id>.cube``."""
    return Path(gt_dir) / f"{pair_id}.cube"


def read_ground_truth(gt_dir: Path, pair_id: str) -> LUT3D:
    """The ground-truth LUT of `pair_id`; FileNotFoundError naming the file if fit_luts has not made it."""
    path = ground_truth_path(gt_dir, pair_id)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: ground-truth LUT missing (run `dvc repro pipelines/pairs/dvc.yaml:fit_luts`)"
        )
    return read_cube(path)


def fit_pair_lut(
    pairs_dir: Path, pair_id: str, out_dir: Path, fit_options: Mapping[str, Any]
) -> Path:
    """Fit and write `out_dir/<pair_id>.cube` from the working-resolution pair."""
    source, target = load_pair(pairs_dir, pair_id)
    lut = fit_lut(source, target, **dict(fit_options))
    lut.title = f"lutml ground truth {pair_id}"
    path = ground_truth_path(out_dir, pair_id)
    write_cube(lut, path)
    return path


def fit_ground_truth(
    pairs_dir: Path,
    pair_ids: list[str],
    out_dir: Path,
    fit_options: Mapping[str, Any],
    workers: int = 2,
) -> list[Path]:
    """Fit every pair's LUT in parallel (process pool), with a progress bar.

    Each file is written atomically, so an interrupted run leaves only complete LUTs; results do
    not depend on `workers` (each fit is deterministic and independent).
    """
    from joblib import Parallel, delayed
    from tqdm import tqdm

    if not pair_ids:
        raise ValueError(f"{pairs_dir}: no pairs to fit")
    out_dir.mkdir(parents=True, exist_ok=True)
    options = dict(fit_options)
    jobs = (delayed(fit_pair_lut)(pairs_dir, p, out_dir, options) for p in pair_ids)
    runner = Parallel(n_jobs=workers, return_as="generator", batch_size=4)
    return list(tqdm(runner(jobs), total=len(pair_ids), desc="fit_luts", unit="pair"))


def fit_split_ground_truth(
    pairs_dir: Path, split_dir: Path, gt_dir: Path, fit: FitConfig
) -> list[Path]:
    """The ground-truth LUT of every pair of the split (train and test) -> ``gt_dir/<id>.cube``.

    `gt_dir` is replaced whole (LUTs of pairs that left the split would be stale); the lattice fit
    takes `fit.size`, `fit.smoothness`, `fit.interpolation`, robust as `fit.gt_robust`.
    """
    split = read_split(split_dir)
    ids = sorted(split["train"] + split["test"])
    shutil.rmtree(gt_dir, ignore_errors=True)
    options = {
        "size": fit.size,
        "smoothness": fit.smoothness,
        "interpolation": fit.interpolation,
        "robust": fit.gt_robust,
        "method": "lattice",
    }
    return fit_ground_truth(pairs_dir, ids, gt_dir, options, workers=fit.workers)
