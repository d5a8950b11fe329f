"""What a training step of the look estimator sees: batch indices drawn by NumPy from the seed
(sets, looks, crops, noise seeds; packed or padded), mosaic crops, crop palettes and exposure moves.

Split from `lutml.train.look_trainer` (which builds the steps from these); TensorFlow is imported.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import tensorflow as tf


def draw_batches(
    rng: np.random.Generator,
    steps: int,
    batch: int,
    set_max: int,
    n_looks: int,
    n_crops: int,
    single_fraction: float,
) -> dict[str, np.ndarray]:
    """Indices of `steps` batches: look ids (steps, B), crop ids (steps, B, k), set sizes, noise seeds."""
    sizes = rng.integers(1, set_max + 1, (steps, batch))
    sizes[rng.random((steps, batch)) < single_fraction] = 1
    return {
        "look": rng.integers(0, n_looks, (steps, batch)).astype(np.int32),
        "crops": rng.integers(0, n_crops, (steps, batch, set_max)).astype(np.int32),
        "size": sizes.astype(np.int32),
        "seed": rng.integers(0, 2**31 - 1, (steps, 2)).astype(np.int32),
    }


def draw_packed_batches(
    rng: np.random.Generator,
    steps: int,
    crops_per_batch: int,
    set_max: int,
    n_looks: int,
    n_crops: int,
    single_fraction: float,
    mosaic: float = 0.0,
) -> dict[str, np.ndarray]:
    """Indices of `steps` packed batches: every batch holds exactly `crops_per_batch` crops.

    Sets (sizes 1..`set_max`, a share `single_fraction` of exactly one) are drawn one after the
    other until the batch is full (the last one cut to fit), so no crop is padding and the cost of
    a step does not depend on `set_max`. Arrays: ``crops`` (steps, T) crop ids, ``segment``
    (steps, T) the set of each crop (0, 0, 1, 1, 1, 2, ... ascending), ``look`` (steps, T) the
    look of each set (entries past the last set unused), ``seed`` (steps, 2) noise seeds; with
    `mosaic` > 0 also ``mix`` (steps, T) 1 for crops made mosaics (a share `mosaic`) and
    ``partners`` (steps, T, 3) their three other crops (`mosaic_crops`).
    """
    t = int(crops_per_batch)
    segment = np.zeros((steps, t), np.int32)
    for i in range(steps):
        filled = n_sets = 0
        while filled < t:
            size = 1 if rng.random() < single_fraction else int(rng.integers(1, set_max + 1))
            size = min(size, t - filled)
            segment[i, filled : filled + size] = n_sets
            filled += size
            n_sets += 1
    out = {
        "look": rng.integers(0, n_looks, (steps, t)).astype(np.int32),
        "crops": rng.integers(0, n_crops, (steps, t)).astype(np.int32),
        "segment": segment,
        "seed": rng.integers(0, 2**31 - 1, (steps, 2)).astype(np.int32),
    }
    if mosaic > 0:
        out["mix"] = (rng.random((steps, t)) < mosaic).astype(np.float32)
        out["partners"] = rng.integers(0, n_crops, (steps, t, 3)).astype(np.int32)
    return out


def mosaic_crops(x: tf.Tensor, partners: tf.Tensor, mix: tf.Tensor) -> tf.Tensor:
    """Crops (T, S, S, 3) where ``mix`` (T,) is 1 replaced by a 2x2 mosaic of the crop and its three
    partners (T, 3, S, S, 3), each area-halved: [crop, p1 / p2, p3], S even.

    A content augmentation: the estimator over-fits the colour statistics of its few training
    photos (README, Limits); mosaics are new scenes whose statistics mix four photos.
    """
    s = x.shape[1] or tf.shape(x)[1]
    four = tf.concat([x[:, None], partners], axis=1)  # (T, 4, S, S, 3)
    half = tf.nn.avg_pool2d(tf.reshape(four, [-1, s, s, 3]), 2, 2, "VALID")
    half = tf.reshape(half, [-1, 2, 2, s // 2, s // 2, 3])  # (T, row, col, y, x, 3)
    mosaic = tf.reshape(tf.transpose(half, [0, 1, 3, 2, 4, 5]), [-1, s, s, 3])
    m = mix[:, None, None, None]
    return m * mosaic + (1.0 - m) * x


def crop_palettes(crops: np.ndarray, size: int) -> np.ndarray:
    """Compact colour palettes of crops: float32 (M, size, 3) from crops (M, h, w, 3), uint8 or in [0, 1].

    Equal-population median cut: the pixels of each crop are split in two at the median of the
    channel with the largest range, recursively, until `size` cells of ``h*w / size`` pixels
    each; a cell's colour is the mean of its pixels. Every entry then stands for the same number
    of pixels, so a palette is itself a small "image" with the crop's colour distribution: the
    colour features (histograms, band means, quantiles: functions of the set of pixel colours)
    of the palette approximate those of the crop (tests/train/test_palette_training.py), and
    pushing `size` colours through a look costs ``size / (h*w)`` of pushing every pixel.
    `size` must be a power of two dividing h*w. Deterministic (NumPy's introselect).
    """
    x = np.asarray(crops)
    m, n = x.shape[0], int(np.prod(x.shape[1:-1]))
    levels = int(size).bit_length() - 1
    if size < 1 or 2**levels != size or n % size:
        raise ValueError(f"palette size {size} must be a power of two dividing {n} pixels")
    out = np.empty((m, size, 3), np.float32)
    for lo in range(0, m, 256):  # blocks of crops: the arrays stay in cache
        block = x[lo : lo + 256].reshape(-1, n, 3)
        block = block.astype(np.float32) / 255.0 if x.dtype == np.uint8 else block
        chans = [np.ascontiguousarray(block[None, :, :, c], np.float32) for c in range(3)]
        for _ in range(levels):  # chans: 3 x (cells, crops, pixels per cell)
            spread = np.stack([c.max(axis=-1) - c.min(axis=-1) for c in chans])
            widest = np.argmax(spread, axis=0)[..., None]  # the widest channel of each cell
            key = np.where(widest == 0, chans[0], np.where(widest == 1, chans[1], chans[2]))
            half = n // (2 * chans[0].shape[0])
            order = np.argpartition(key, half - 1, axis=-1)  # lower half | upper half
            chans = [
                np.concatenate(np.split(np.take_along_axis(c, order, axis=-1), [half], -1))
                for c in chans
            ]
        # chans[c] (size, crops, n / size): cell j of level L is row j in an order the split sets
        means = np.stack([c.mean(axis=-1) for c in chans], axis=-1)  # (size, crops, 3)
        out[lo : lo + 256] = means.transpose(1, 0, 2)
    return out


def half_crops(crops: np.ndarray) -> np.ndarray:
    """Crops (M, S, S, 3) area-halved (2x2 means) to (M, S/2, S/2, 3) float32 in [0, 1]: the
    parts `mosaic_crops` tiles (the same 2x2 average pooling)."""
    x = np.asarray(crops)
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    m, h, w, _ = x.shape
    return x.reshape(m, h // 2, 2, w // 2, 2, 3).mean(axis=(2, 4), dtype=np.float32)


def mosaic_palettes(x: tf.Tensor, own_half: tf.Tensor, partners: tf.Tensor, mix: tf.Tensor):
    """Palettes (T, P, 1, 3) where ``mix`` (T,) is 1 replaced by the palette of the 2x2 mosaic of
    the crop and its three partners: the union of the four area-halved crops' palettes
    (``own_half`` (T, P/4, 3), ``partners`` (T, 3, P/4, 3)), as `mosaic_crops` tiles them (a
    mosaic's pixel set is the union of its four parts, so its features are those of the union)."""
    t = tf.shape(x)[0]
    union = tf.reshape(tf.concat([own_half[:, None], partners], axis=1), [t, -1, 1, 3])
    m = mix[:, None, None, None]
    return m * union + (1.0 - m) * x


def expose_sets(x: tf.Tensor, segment: tf.Tensor, key: float, seed: tf.Tensor) -> tf.Tensor:
    """Neutral crops (T, S, S, 3) with their exposure moved in linear light before the look: by
    N(0, key) stops per set (`segment` (T,) the set of each crop) and N(0, key / 2) per crop.

    A content augmentation: low-key and high-key sets of frames (night, studio on black, snow)
    then occur under every look, so the set's key is not evidence of a grade.
    """
    t = tf.shape(x)[0]
    per_set = tf.random.stateless_normal([t], seed + tf.constant([7, 0], seed.dtype))
    per_crop = tf.random.stateless_normal([t], seed + tf.constant([0, 7], seed.dtype))
    stops = key * tf.gather(per_set, segment) + 0.5 * key * per_crop
    lin = tf.where(x <= 0.04045, x / 12.92, tf.pow((tf.maximum(x, 0.04045) + 0.055) / 1.055, 2.4))
    lin = tf.clip_by_value(lin * tf.pow(2.0, stops)[:, None, None, None], 0.0, 1.0)
    return tf.where(
        lin <= 0.0031308, lin * 12.92, 1.055 * tf.pow(tf.maximum(lin, 0.0031308), 1.0 / 2.4) - 0.055
    )


def index_dataset(indices: Mapping[str, np.ndarray]) -> tf.data.Dataset:
    """A dataset yielding one batch of indices per element, in order."""
    return tf.data.Dataset.from_tensor_slices(dict(indices))
