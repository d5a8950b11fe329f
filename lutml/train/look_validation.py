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

from lutml.color import lut_delta_e
from lutml.lut.lut3d import identity_table
from lutml.train.look_batches import draw_batches


def lut_errors(
    pred: np.ndarray, true: np.ndarray, node_weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per set (N,): the weighted mean dE00 of `pred` to `true` (N, n, n, n, 3) over the lattice,
    and that of no grade (the identity) to `true`."""
    w = np.asarray(node_weights, np.float64).reshape(-1)
    w = w / w.sum()
    ours = lut_delta_e(pred, true) @ w
    none = lut_delta_e(identity_table(true.shape[1]), true) @ w
    return ours, none


def validation_forward(encoder: Any, trainer: Any) -> Any:
    """One compiled forward pass over a validation batch: the sets graded as `trainer` grades them
    (noise 0), the look coefficients (inference mode) and their LUTs."""

    @tf.function(reduce_retracing=True)
    def forward(batch):
        frames, mask = trainer.graded_sets(batch)
        coefficients = encoder({"frames": frames, "mask": mask})
        return coefficients, encoder.tables(coefficients)

    return forward


def validation_scores(
    forward: Any,
    index: Mapping[str, np.ndarray],
    tables: np.ndarray,
    coefficients: np.ndarray,
    node_weights: np.ndarray,
) -> dict[str, float]:
    """The validation figures of one pass over the batches `index` (as `draw_batches` gives them;
    `forward` from `validation_forward`): ``val_loss`` (the training loss: squared error of the
    look coefficients, averaged over the batches), ``val_ratio`` (the estimates' total error over
    no grade's) and ``val_worse`` (the share of sets worse than no grade)."""
    losses, ours, none = [], [], []
    for i in range(len(index["look"])):
        batch = {key: tf.constant(v[i]) for key, v in index.items()}
        pred_c, pred = forward(batch)
        looks = index["look"][i]
        err = np.asarray(pred_c, np.float32) - np.asarray(coefficients[looks], np.float32)
        losses.append(float(np.mean(np.sum(np.square(err), axis=-1))))
        a, b = lut_errors(np.asarray(pred), tables[looks], node_weights)
        ours.append(a)
        none.append(b)
    ours, none = np.concatenate(ours), np.concatenate(none)
    return {
        "val_loss": float(np.mean(losses)),
        "val_ratio": float(ours.sum() / max(none.sum(), 1e-12)),
        "val_worse": float(np.mean(ours > none)),
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
