"""Differentiable 3D LUTs in TensorFlow: trilinear lookup, LUT heads and LUT regularisers.

Table layout follows `lutml.lut.LUT3D`: ``table[b, r, g, b_, c]`` — the red index is the first
lattice axis; node ``(i, j, k)`` sits at colour ``(i, j, k) / (n - 1)`` on the [0, 1] domain.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from lutml.lut.lut3d import identity_table


def apply_lut_trilinear(tables: tf.Tensor, images: tf.Tensor) -> tf.Tensor:
    """Apply a batch of LUTs to a batch of images with trilinear interpolation.

    Parameters
    ----------
    tables : float32 (b, n, n, n, 3), axes [batch, r, g, b, channel]
    images : float32 (b, h, w, 3) RGB; values are clamped to [0, 1] first (as OCIO does)

    Returns
    -------
    float32 (b, h, w, 3). Differentiable with respect to both arguments (the gradient with respect
    to the image is zero where it was clamped). Matches ``lutml.lut.apply_lut(...,
    interpolation="trilinear")`` to float32 rounding.
    """
    n = tf.shape(tables)[1]
    batch = tf.shape(images)[0]
    flat = tf.reshape(tables, [batch, -1, 3])  # (b, n^3, 3), red slowest
    x = tf.clip_by_value(images, 0.0, 1.0) * tf.cast(n - 1, images.dtype)
    # The lower corner stops at n-2 so the top node (x == n-1) is reached with weight 1.
    i0 = tf.minimum(tf.cast(tf.floor(x), tf.int32), n - 2)  # (b, h, w, 3)
    frac = x - tf.cast(i0, x.dtype)  # (b, h, w, 3) in [0, 1]
    r0, g0, b0 = i0[..., 0], i0[..., 1], i0[..., 2]
    fr, fg, fb = frac[..., 0:1], frac[..., 1:2], frac[..., 2:3]
    out = tf.zeros_like(images)
    for dr in (0, 1):
        wr = fr if dr else 1.0 - fr
        for dg in (0, 1):
            wg = fg if dg else 1.0 - fg
            for db in (0, 1):
                wb = fb if db else 1.0 - fb
                idx = ((r0 + dr) * n + (g0 + dg)) * n + (b0 + db)  # (b, h, w)
                idx = tf.reshape(idx, [batch, -1])
                corner = tf.gather(flat, idx, batch_dims=1)  # (b, h*w, 3)
                out += wr * wg * wb * tf.reshape(corner, tf.shape(images))
    return out


def lut_smoothness(tables: tf.Tensor) -> tf.Tensor:
    """Mean squared first difference of the offsets (table - identity) along r, g and b.

    The identity has constant differences, so this penalises only departures from a smooth grade.
    """
    n = tables.shape[1]
    offsets = tables - tf.constant(identity_table(n))
    total = 0.0
    for axis in (1, 2, 3):
        d = tf.experimental.numpy.diff(offsets, axis=axis)
        total += tf.reduce_mean(tf.square(d))
    return total / 3.0


def lut_monotonicity(tables: tf.Tensor) -> tf.Tensor:
    """Mean of ReLU(-difference) of each output channel along its own input axis.

    Output red must not decrease as input red grows (likewise green, blue): a grade that inverts
    a channel's order is almost never intended and makes the fit of the LUT ill-posed.
    """
    total = 0.0
    for c, axis in enumerate((1, 2, 3)):
        d = tf.experimental.numpy.diff(tables[..., c], axis=axis)
        total += tf.reduce_mean(tf.nn.relu(-d))
    return total


@keras.saving.register_keras_serializable(package="lutml")
class BasisLUT(layers.Layer):
    """Mix a learned basis of LUTs: ``table = identity + scale * (mean + sum_k w_k * basis_k)``.

    Input: weights (b, n_basis). Output: tables (b, n, n, n, 3). `mean` is the image-independent
    part of the look, the basis its image-adaptive part; both start at zero so the untrained model
    is the identity grade. `scale` multiplies the effective learning rate of the LUT parameters
    (Adam moves each parameter by about the learning rate per step, far too little for a LUT).
    """

    def __init__(self, lut_size: int = 8, n_basis: int = 8, scale: float = 10.0, **kwargs):
        super().__init__(**kwargs)
        self.lut_size = int(lut_size)
        self.n_basis = int(n_basis)
        self.scale = float(scale)

    def build(self, input_shape):
        m = self.lut_size**3 * 3
        self.mean = self.add_weight(name="mean", shape=(1, m), initializer="zeros")
        self.basis = self.add_weight(name="basis", shape=(self.n_basis, m), initializer="zeros")
        self.identity = tf.constant(identity_table(self.lut_size).reshape(1, -1))

    def call(self, weights):
        n = self.lut_size
        offsets = self.mean + tf.matmul(weights, self.basis)  # (b, n^3*3)
        return tf.reshape(self.identity + self.scale * offsets, [-1, n, n, n, 3])

    def get_config(self):
        return {
            **super().get_config(),
            "lut_size": self.lut_size,
            "n_basis": self.n_basis,
            "scale": self.scale,
        }


@keras.saving.register_keras_serializable(package="lutml")
class AddIdentityLUT(layers.Layer):
    """Add the identity lattice to predicted offsets (b, n, n, n, 3): the head learns the grade only."""

    def call(self, offsets):
        n = offsets.shape[1]
        return offsets + tf.constant(identity_table(n)[None])
