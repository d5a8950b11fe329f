"""The look estimator: a set of graded frames -> the look as a LUT (stories 2 and 3).

It never sees the look it is asked about. It is trained on neutral corpus photos under random
looks (`lutml.data.lookgen`) to answer "which grade was applied to these frames?", and at use it
reads a user's graded frames (one still or many) and outputs that grade as a LUT.

Architecture (per frame, then pooled over the set):

    frame (S, S, 3) -> colour features (joint RGB histogram, L* histogram, mean a*/b*/chroma per
    L* band, chroma-weighted hue histogram, a*b* histogram)                    # (F,)
    -> Dense(width) -> Dense(width)                                              # (width,)
    mean over the frames of the set (masked)                                     # (width,)
    -> Dense(width) -> Dense(width) -> Dense(K)                                  # look coefficients
    -> identity + mean + coefficients @ basis                                    # (n, n, n, 3) LUT

The basis is a weighted PCA of the random looks on the LUT lattice (stage fit_luts), weighted by
how often natural photos hold each colour; its coordinates are orthonormal in that metric, so a
squared error on coefficients is a squared error of the LUT where footage has colours.

Colour statistics carry the evidence: a set of frames whose shadows all lean teal, or whose hue
histogram is turned 25 degrees from what natural photos hold, says what the look did. Pooling
over many frames averages out what the content did.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from lutml.lut.lut3d import identity_table
from lutml.models.look_features import QUANTILES, RGB_TO_XYZ, WHITE


def srgb_to_lab(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """CIELAB (L, a, b) of sRGB-encoded values (..., 3) clipped to [0, 1] (lutml.color's formula)."""
    x = tf.clip_by_value(rgb, 0.0, 1.0)
    lin = tf.where(x <= 0.04045, x / 12.92, tf.pow((tf.maximum(x, 0.04045) + 0.055) / 1.055, 2.4))
    xyz = tf.tensordot(lin, tf.constant(RGB_TO_XYZ.T), axes=1) / tf.constant(WHITE)
    f = tf.where(
        xyz > 216.0 / 24389.0,
        tf.pow(tf.maximum(xyz, 1e-8), 1.0 / 3.0),
        (24389.0 / 27.0 * xyz + 16.0) / 116.0,
    )
    return (
        116.0 * f[..., 1] - 16.0,
        500.0 * (f[..., 0] - f[..., 1]),
        200.0 * (f[..., 1] - f[..., 2]),
    )


def _histogram(bins: tf.Tensor, n_bins: int, weights: tf.Tensor | None = None) -> tf.Tensor:
    """Per-image histogram: bins int32 (n, p) -> float32 (n, n_bins), optionally weighted."""
    n = tf.shape(bins)[0]
    segments = bins + tf.range(n)[:, None] * n_bins
    w = tf.ones_like(bins, dtype=tf.float32) if weights is None else weights
    flat = tf.math.unsorted_segment_sum(tf.reshape(w, [-1]), tf.reshape(segments, [-1]), n * n_bins)
    return tf.reshape(flat, [n, n_bins])


def _bin(x: tf.Tensor, lo: float, hi: float, n: int) -> tf.Tensor:
    return tf.clip_by_value(tf.cast(tf.floor((x - lo) / (hi - lo) * n), tf.int32), 0, n - 1)


def colour_features(
    images: tf.Tensor,
    rgb_bins: int = 8,
    l_bins: int = 32,
    bands: int = 8,
    hue_bins: int = 24,
    ab_bins: int = 16,
    pixel_weight: float = 1.0,
) -> tf.Tensor:
    """Colour statistics of each image: float32 (n, F) from sRGB images (n, h, w, 3) in [0, 1].

    F = rgb_bins^3 + l_bins + 4 * bands + hue_bins + ab_bins^2 + 4 * len(QUANTILES). Histograms
    are square-rooted (a variance-stabilising transform for counts); chroma statistics are in
    units of 30 a*b*; quantiles of R, G, B and L*/100 locate black and white points and tone
    curves more finely than any histogram bin.

    `pixel_weight`: how many pixels each value stands for (a crop's palette, whose entries stand
    for h*w / P pixels each: `lutml.train.look_batches.crop_palettes`); counts, the band means'
    regulariser and the quantiles' ranks are then those of the pixels. 1.0 gives the same bits as
    without it.
    """
    n = tf.shape(images)[0]
    px = tf.reshape(images, [n, -1, 3])
    w = float(pixel_weight)
    count = tf.cast(tf.shape(px)[1], tf.float32) * w
    q = _bin(px, 0.0, 1.0, rgb_bins)
    rgb = (
        _histogram((q[..., 0] * rgb_bins + q[..., 1]) * rgb_bins + q[..., 2], rgb_bins**3)
        * w
        / count
    )
    L, a, b = srgb_to_lab(px)
    chroma = tf.sqrt(a * a + b * b + 1e-6)
    light = _histogram(_bin(L, 0.0, 100.0, l_bins), l_bins) * w / count
    band = _bin(L, 0.0, 100.0, bands)
    in_band = _histogram(band, bands) * w + 1e-3
    mean_a = _histogram(band, bands, a) * w / in_band / 30.0
    mean_b = _histogram(band, bands, b) * w / in_band / 30.0
    mean_c = _histogram(band, bands, chroma) * w / in_band / 30.0
    hue = (
        _histogram(_bin(tf.atan2(b, a), -math.pi, math.pi, hue_bins), hue_bins, chroma)
        * w
        / count
        / 30.0
    )
    ab = (
        _histogram(
            _bin(a, -64.0, 64.0, ab_bins) * ab_bins + _bin(b, -64.0, 64.0, ab_bins), ab_bins**2
        )
        * w
        / count
    )
    # nearest-rank quantiles (rank among the pixels; the entry holding it)
    at = tf.cast(tf.constant(QUANTILES) * (count - 1.0) / w, tf.int32)
    rgb_q = tf.gather(tf.sort(px, axis=1), at, axis=1)  # (n, q, 3)
    l_q = tf.gather(tf.sort(L, axis=1), at, axis=1) / 100.0  # (n, q)
    q = len(QUANTILES)
    return tf.concat(
        [
            tf.sqrt(rgb),
            tf.sqrt(light),
            mean_a,
            mean_b,
            mean_c,
            tf.sqrt(in_band / count),
            hue,
            tf.sqrt(ab),
            tf.reshape(rgb_q, [n, 3 * q]),
            l_q,
        ],
        axis=1,
    )


@keras.saving.register_keras_serializable(package="lutml")
class ColourFeatures(layers.Layer):
    """`colour_features` as a layer: (n, S, S, 3) -> (n, F)."""

    def call(self, images, pixel_weight: float = 1.0):
        return colour_features(images, pixel_weight=pixel_weight)


@keras.saving.register_keras_serializable(package="lutml")
class LookBasis(layers.Layer):
    """Coefficients (b, K) -> LUT tables (b, n, n, n, 3): identity + mean + coefficients @ basis.

    `mean` (n^3*3,) and `basis` (K, n^3*3) are fixed (fitted by stage fit_luts) and saved with
    the model, so a saved model is self-contained; so are the natural-colour weights of the
    lattice nodes (n^3,), which say how much of natural footage's colours a still shows.
    """

    def __init__(self, lut_size: int, n_components: int, **kwargs):
        super().__init__(**kwargs)
        self.lut_size = int(lut_size)
        self.n_components = int(n_components)

    def build(self, input_shape):
        m = self.lut_size**3 * 3
        self.mean = self.add_weight(name="mean", shape=(m,), initializer="zeros", trainable=False)
        self.basis = self.add_weight(
            name="basis", shape=(self.n_components, m), initializer="zeros", trainable=False
        )
        self.node_weights = self.add_weight(
            name="node_weights", shape=(self.lut_size**3,), initializer="ones", trainable=False
        )

    def call(self, coefficients):
        n = self.lut_size
        offsets = self.mean + tf.matmul(coefficients, self.basis)
        identity = tf.constant(identity_table(n).reshape(-1))
        return tf.reshape(identity + offsets, [-1, n, n, n, 3])

    def get_config(self):
        return {
            **super().get_config(),
            "lut_size": self.lut_size,
            "n_components": self.n_components,
        }


@keras.saving.register_keras_serializable(package="lutml")
class LookEncoder(keras.Model):
    """A set of frames (b, k, S, S, 3) + mask (b, k) -> look coefficients (b, K) and LUT tables.

    ``call({"frames": ..., "mask": ...})`` returns the coefficients; `tables` maps them to LUTs.
    """

    def __init__(
        self, frame_size: int, n_components: int, lut_size: int, width: int = 256, **kwargs
    ):
        super().__init__(**kwargs)
        self.frame_size, self.n_components = int(frame_size), int(n_components)
        self.lut_size, self.width = int(lut_size), int(width)
        self.features = ColourFeatures(name="colour_features")
        self.frame_mlp = keras.Sequential(
            [layers.Dense(width, activation="relu"), layers.Dense(width, activation="relu")],
            name="frame_mlp",
        )
        self.head = keras.Sequential(
            [
                layers.Dense(width, activation="relu"),
                layers.Dense(width, activation="relu"),
                layers.Dense(n_components),
            ],
            name="head",
        )
        self.basis = LookBasis(lut_size, n_components, name="look_basis")

    def embed_pixels(self, images: tf.Tensor, pixel_weight: float = 1.0) -> tf.Tensor:
        """Per-image [embedding, raw features]: (n, h, w, 3) -> (n, width + F), any h and w (the
        features are statistics of the set of pixel colours: a crop's palette works too, each
        entry standing for `pixel_weight` pixels)."""
        f = self.features(images, pixel_weight=pixel_weight)
        return tf.concat([self.frame_mlp(f), f], axis=1)

    def embed(self, frames: tf.Tensor) -> tf.Tensor:
        """Per-frame [embedding, raw features]: (b, k, S, S, 3) -> (b, k, width + F)."""
        shape = tf.shape(frames)
        s = self.frame_size
        e = self.embed_pixels(tf.reshape(frames, [-1, s, s, 3]))
        return tf.reshape(e, [shape[0], shape[1], e.shape[-1]])

    def call(self, inputs, training=False):
        frames, mask = inputs["frames"], tf.cast(inputs["mask"], tf.float32)
        e = self.embed(frames)
        m = mask[..., None]
        pooled = tf.reduce_sum(e * m, axis=1) / tf.maximum(
            tf.reduce_sum(m, axis=1), 1.0
        )  # (b, width + F)
        return self.head(pooled, training=training)

    def tables(self, coefficients: tf.Tensor) -> tf.Tensor:
        return self.basis(coefficients)

    def get_config(self):
        return {
            "frame_size": self.frame_size,
            "n_components": self.n_components,
            "lut_size": self.lut_size,
            "width": self.width,
            "name": self.name,
        }

    def build(self, input_shape=None):
        s = self.frame_size
        n_features = int(colour_features(tf.zeros([1, s, s, 3])).shape[-1])
        self.frame_mlp.build((None, n_features))
        self.head.build((None, self.width + n_features))
        self.basis.build((None, self.n_components))
        self.built = True

    def build_all(self) -> None:
        """Create every weight (needed before loading weights or setting the basis)."""
        self.build()

    def set_basis(self, mean: np.ndarray, basis: np.ndarray, node_weights: np.ndarray) -> None:
        self.basis.mean.assign(np.asarray(mean, np.float32).reshape(-1))
        self.basis.basis.assign(np.asarray(basis, np.float32).reshape(self.n_components, -1))
        self.basis.node_weights.assign(np.asarray(node_weights, np.float32).reshape(-1))
