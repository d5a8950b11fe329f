"""A few real train steps of every model variant on two tiny images reduce the L1 loss."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from config_helpers import model_cfg

from lutml.lut import LUT3D, apply_lut, identity_table
from lutml.models.builders import build_gan, model_sizes

TINY = {
    "pix2pix": {"name": "pix2pix", "size": 32, "width": 8},
    "asymmetric": {"name": "asymmetric", "size": 64, "output_size": 32, "width": 4},
    "lut_gan": {"name": "lut_gan", "size": 32, "width": 8, "lut_size": 5},
    "lut_gan_3d": {"name": "lut_gan_3d", "size": 32, "width": 8, "lut_size": 5, "head_width": 8},
}


def two_pairs(size: int, out: int, lut_size: int | None):
    """Two smooth random images and the same images graded by a red-gain / blue-lift LUT."""
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, (2, 4, 4, 3)).astype(np.float32)
    inp = np.asarray(tf.image.resize(base, [size, size], method="bicubic")).clip(0, 1)
    t = identity_table(5)
    grade = LUT3D(np.stack([np.clip(1.3 * t[..., 0], 0, 1), t[..., 1], 0.2 + 0.8 * t[..., 2]], -1))
    tgt = np.stack([apply_lut(grade, im, interpolation="trilinear") for im in inp]).astype(
        np.float32
    )
    tgt = np.asarray(tf.image.resize(tgt, [out, out], method="area"))
    parts = [inp, tgt]
    if lut_size:
        parts.append(np.stack([grade.table] * 2))
    return tuple(tf.constant(p) for p in parts)


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(TINY))
def test_train_steps_reduce_l1(variant):
    keras.utils.set_random_seed(0)
    cfg = model_cfg(**TINY[variant])
    gan = build_gan(cfg, learning_rate=2e-3, beta_1=0.5)
    gan.compile(gan.g_optimizer, gan.d_optimizer, jit_compile=False)
    size, out = model_sizes(cfg)
    batch = two_pairs(size, out, cfg.lut_size if variant.startswith("lut") else None)
    # One step per epoch, so each epoch's logged losses are that step's (training mode, before its update).
    data = tf.data.Dataset.from_tensors(batch).repeat()
    hist = gan.fit(data, epochs=12, steps_per_epoch=1, verbose=0, shuffle=False).history
    assert all(np.isfinite(hist["g_loss"])) and all(np.isfinite(hist["d_loss"]))
    before, after = hist["l1"][0], min(hist["l1"][-3:])
    assert after < 0.7 * before, f"{variant}: L1 {before:.4f} -> {after:.4f}"
    if variant.startswith("lut"):
        assert hist["lut_l1"][-1] < 0.7 * hist["lut_l1"][0]


@pytest.mark.slow
def test_mixed_precision_train_steps_run():
    """train.mixed_precision (for GPUs) builds float16 models with loss scaling; losses stay finite."""
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        cfg = model_cfg(**TINY["pix2pix"])
        gan = build_gan(cfg, learning_rate=2e-3, beta_1=0.5)
        gan.compile(gan.g_optimizer, gan.d_optimizer, jit_compile=False)
        assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
        batch = two_pairs(32, 32, None)
        # The dynamic loss scale starts high and skips overflowing steps until it has settled.
        hist = gan.fit(
            tf.data.Dataset.from_tensors(batch).repeat(),
            epochs=12,
            steps_per_epoch=1,
            verbose=0,
            shuffle=False,
        ).history
        assert all(np.isfinite(hist["g_loss"]))
        assert min(hist["l1"][-3:]) < 0.8 * hist["l1"][0], hist["l1"]
    finally:
        keras.mixed_precision.set_global_policy("float32")
