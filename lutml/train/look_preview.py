"""The look estimator's training preview (``preview.png``): held-out crops neutral, under a held-out
random look, and under the look the model names from graded crops."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from lutml.models.look_encoder import LookEncoder


def write_preview(
    encoder: LookEncoder, val: Mapping[str, np.ndarray], path, seed: int, rows: int = 4, k: int = 8
) -> None:
    """Rows: a held-out crop neutral | under a held-out random look (truth) | under the look the
    model names from `k` graded held-out crops."""
    from lutml.imageio import write_image
    from lutml.lut import LUT3D, apply_lut
    from lutml.preview import image_grid

    rng = np.random.default_rng([seed, 13])
    grid = []
    for _ in range(rows):
        j = int(rng.integers(len(val["tables"])))
        ids = rng.choice(len(val["crops"]), k, replace=False)
        x = val["crops"][ids].astype(np.float32) / 255.0
        truth = LUT3D(val["tables"][j])
        graded = np.stack([np.clip(apply_lut(truth, c), 0, 1) for c in x])
        graded = np.rint(graded * 255) / 255
        c = encoder({"frames": tf.constant(graded[None], tf.float32), "mask": tf.ones([1, k])})
        named = LUT3D(np.clip(np.asarray(encoder.tables(c))[0], 0, 1))
        grid.append([x[0], graded[0], np.clip(apply_lut(named, x[0]), 0, 1)])
    write_image(
        path,
        image_grid(
            grid,
            ["neutral (held out)", "held-out random look", "look named from 8 crops"],
            height=128,
        ),
    )
