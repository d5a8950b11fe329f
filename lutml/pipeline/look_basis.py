"""Stage `fit_luts` for the look estimator: the look basis of the training looks, written with a
picture of what its components do (the basis itself: `lutml.fit.basis`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lutml.data.looksynth import load_looks
from lutml.data.split import read_look_split
from lutml.data.staging import staged_dir
from lutml.fit.basis import LookBasis, colour_weights, fit_basis, save_basis
from lutml.imageio import write_image
from lutml.lut import LUT3D, apply_lut
from lutml.preview import image_grid


def fit_look_basis(
    pairs_dir, split_dir, out_dir, n_components: int, floor: float, blur: float, seed: int
) -> LookBasis:
    """Stage fit_luts for the look estimator: weights from the training crops, PCA of the training looks.

    Writes ``basis.npz``, ``basis.json`` (explained variance) and ``basis.png`` (what the first
    components do to a strip of natural colours, at +-2 standard deviations).
    """
    crops, _, tables, _ = load_looks(pairs_dir)
    split = read_look_split(split_dir)
    weights = colour_weights(crops[split["train_crops"]], tables.shape[1], floor, blur)
    basis = fit_basis(tables[split["train_looks"]], weights, n_components, seed)
    coef = basis.coefficients(tables[split["train_looks"]])
    with staged_dir(out_dir) as tmp:
        save_basis(basis, Path(tmp) / "basis.npz")
        info = {
            "n_components": n_components,
            "explained_variance": round(float(basis.explained.sum()), 5),
            "per_component": [round(float(e), 5) for e in basis.explained],
        }
        (Path(tmp) / "basis.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        write_image(
            Path(tmp) / "basis.png",
            _components_picture(basis, coef.std(axis=0), crops[split["train_crops"]]),
        )
    return basis


def _components_picture(
    basis: LookBasis, std: np.ndarray, crops: np.ndarray, n: int = 8
) -> np.ndarray:
    """Rows: component k at -2 sd | mean look | +2 sd, shown on a mosaic of training crops."""
    pick = crops[np.linspace(0, len(crops) - 1, 8).astype(int)]  # crops of 8 different photos
    mosaic = np.concatenate(
        [np.concatenate(list(pick[i * 4 : i * 4 + 4]), axis=1) for i in range(2)], axis=0
    )
    mosaic = mosaic.astype(np.float32) / 255.0
    rows = []
    for k in range(min(n, len(std))):
        c = np.zeros((3, len(std)), np.float32)
        c[0, k], c[2, k] = -2 * std[k], 2 * std[k]
        rows.append([np.clip(apply_lut(LUT3D(t), mosaic), 0, 1) for t in basis.tables(c)])
    return image_grid(rows, ["component -2 sd", "mean look", "component +2 sd"], height=96)
