"""A validation score of the look estimator the way the benchmarks score it (issue 22 item 2).

The validation loss is the squared error of the predicted look coefficients: it weighs every
direction of the look basis alike and measured noisy and lowest at epoch 2 (it is not what a user
meets). This score is what `make bench-looks` / `make bench-trust` measure, on the validation sets
(held-out photos under held-out looks): the predicted LUT against the TRUE look, as the mean
CIEDE2000 over the lattice weighted by how often natural photos hold each colour, compared with no
grade's (identity's) error. ``val_ratio`` is the estimates' total error over no grade's total (a
mean ratio to identity weighted by each look's strength: the random looks include near-identity
ones, whose per-set ratio is a small number's noise), ``val_worse`` the share of sets whose
estimate is further from the look than no grade.

The sets are the validation loss's own (fixed by the seed), graded without noise, and the forward
pass is in inference mode: two evaluations of the same weights give the same number, and the
training does not see it (no random state is drawn).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from lutml.color import delta_e_image, srgb_to_lab
from lutml.lut.lut3d import identity_table
from lutml.train.look_batches import draw_batches


def _looks_lab(tables: np.ndarray) -> np.ndarray:
    """CIELAB of LUT tables (N, n, n, n, 3), clipped to [0, 1]: the side scored against."""
    return srgb_to_lab(np.clip(np.asarray(tables), 0, 1))


def _set_errors(tables: np.ndarray, looks_lab: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per set (N,): the CIEDE2000 of `tables` (N or 1, n, n, n, 3) to the looks of CIELAB
    `looks_lab` (N, n, n, n, 3) at each lattice node, averaged with the normalised weights `w`."""
    d = delta_e_image(np.broadcast_to(tables, looks_lab.shape), lab2=looks_lab)
    return d.reshape(len(d), -1) @ w


def _normalised(node_weights: np.ndarray) -> np.ndarray:
    w = np.asarray(node_weights, np.float64).reshape(-1)
    return w / w.sum()


def lut_errors(
    pred: np.ndarray, true: np.ndarray, node_weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per set (N,): the weighted mean dE00 of `pred` to `true` (N, n, n, n, 3) over the lattice,
    and that of no grade (the identity) to `true`."""
    w = _normalised(node_weights)
    lab = _looks_lab(true)
    return _set_errors(pred, lab, w), _set_errors(identity_table(lab.shape[1]), lab, w)


class Validation:
    """The validation figures of a training, each epoch: ``val_loss`` (the training loss: squared
    error of the look coefficients, averaged over the batches), ``val_ratio`` (the estimates' total
    error over no grade's) and ``val_worse`` (the share of sets worse than no grade).

    The batches `index` (as `draw_batches` gives them) are fixed: what does not depend on the
    weights (the batches as tensors, the true looks' CIELAB, no grade's error) is computed once, and
    each call is one compiled forward pass a batch (the sets graded as the `trainer` of the
    validation crops and looks grades them, noise 0; inference mode) plus the estimates' errors.
    """

    def __init__(
        self,
        encoder: Any,
        trainer: Any,
        index: Mapping[str, np.ndarray],
        tables: np.ndarray,
        coefficients: np.ndarray,
    ) -> None:
        self.w = _normalised(encoder.basis.node_weights)
        self.batches = [
            {key: tf.constant(v[i]) for key, v in index.items()} for i in range(len(index["look"]))
        ]
        looks = [np.asarray(index["look"][i]) for i in range(len(self.batches))]
        self.targets = [np.asarray(coefficients[k], np.float32) for k in looks]
        self.true_lab = [_looks_lab(tables[k]) for k in looks]
        ident = identity_table(tables.shape[1])
        self.none = np.concatenate([_set_errors(ident, lab, self.w) for lab in self.true_lab])

        @tf.function(reduce_retracing=True)
        def forward(batch):
            frames, mask = trainer.graded_sets(batch)
            c = encoder({"frames": frames, "mask": mask})
            return c, encoder.tables(c)

        self.forward = forward

    def __call__(self) -> dict[str, float]:
        losses, ours = [], []
        for batch, target, lab in zip(self.batches, self.targets, self.true_lab, strict=True):
            c, pred = self.forward(batch)
            losses.append(float(np.mean(np.sum(np.square(np.asarray(c) - target), axis=-1))))
            ours.append(_set_errors(np.asarray(pred), lab, self.w))
        ours = np.concatenate(ours)
        return {
            "val_loss": float(np.mean(losses)),
            "val_ratio": float(ours.sum() / max(self.none.sum(), 1e-12)),
            "val_worse": float(np.mean(ours > self.none)),
        }


SET_SIZES = (1, 2, 4, 8, 16)


def fit_shrinkage(
    encoder: Any,
    trainer: Any,
    val: Mapping[str, np.ndarray],
    basis: Any,
    seed: int,
    n_sets: int = 96,
) -> dict[str, float]:
    """How far to trust the estimate from k frames: the factor a(k) that minimises the weighted
    squared error of ``identity + a * (estimate - identity)`` on held-out photos and looks.

    From one still the estimate is mostly the prior's centre, which is worse than no grade for
    many real looks; a(1) < 1 pulls it towards no grade by just as much as the validation data say.
    Returns {"1": a, "2": a, ...} for the set sizes in `SET_SIZES` (larger sets use the last one).
    `trainer` is a `LookTrainer` of the validation crops and looks (noise 0).
    """
    rng = np.random.default_rng([seed, 14])
    w = np.repeat(np.asarray(basis.weights, np.float64).reshape(-1), 3)
    ident = identity_table(basis.lut_size).reshape(-1)
    out = {}
    for k in SET_SIZES:
        idx = draw_batches(rng, n_sets // 16, 16, k, len(val["tables"]), len(val["crops"]), 0.0)
        idx["size"][:] = k
        num = den = 0.0
        for i in range(n_sets // 16):
            batch = {key: tf.constant(v[i]) for key, v in idx.items()}
            frames, mask = trainer.graded_sets(batch)
            pred = (
                np.asarray(encoder.tables(encoder({"frames": frames, "mask": mask}))).reshape(
                    16, -1
                )
                - ident
            )
            true = val["tables"][idx["look"][i]].reshape(16, -1) - ident
            num += float(np.sum(w * pred * true))
            den += float(np.sum(w * pred * pred))
        out[str(k)] = round(float(np.clip(num / max(den, 1e-12), 0.0, 1.5)), 4)
    return out
