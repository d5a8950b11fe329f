"""tf.data input pipeline: the split's pairs, jittered as in the original (resize up, joint random
crop, horizontal flip — bilinear, not nearest), seeded and deterministic.

Images are resized once to the jitter size and kept in memory (a few hundred pairs at 86-172 px
are a few MB), so an epoch costs only crops, flips and the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from lutml.data.ground_truth import read_ground_truth
from lutml.data.pairs import load_pair, read_split
from lutml.lut import resample_lut
from lutml.models.inference import resize_batch_square


@dataclass
class PairArrays:
    """Pairs of one split in memory.

    Attributes
    ----------
    ids : pair ids, in split order
    inputs, targets : float32 (N, s, s, 3) in [0, 1], resized to a common square size s
    tables : float32 (N, n, n, n, 3) ground-truth LUTs at the model's lut_size, or None
    """

    ids: list[str]
    inputs: np.ndarray
    targets: np.ndarray
    tables: np.ndarray | None = None


def split_ids(split_dir: Path) -> dict[str, list[str]]:
    """Train/test ids; an empty training list is an error naming the file."""
    split = read_split(split_dir)
    if not split["train"]:
        raise ValueError(f"{Path(split_dir) / 'train.txt'}: no training pairs listed")
    return split


def load_arrays(
    pairs_dir: Path,
    ids: list[str],
    size: int,
    gt_dir: Path | None = None,
    lut_size: int | None = None,
) -> PairArrays:
    """Load `ids`, resize each pair to `size` px and, if `lut_size`, their ground-truth LUTs.

    Raises ValueError naming the file for a pair that is not square (the working size of the
    synthesize stage) or a missing ground-truth LUT.
    """
    inputs, targets, tables = [], [], []
    for pair_id in ids:
        inp, tgt = load_pair(pairs_dir, pair_id)
        if inp.shape[0] != inp.shape[1]:
            raise ValueError(
                f"{Path(pairs_dir) / 'input' / pair_id}.png: expected a square image, got {inp.shape[:2]}"
            )
        both = resize_batch_square(np.stack([inp, tgt]), size).numpy()
        inputs.append(both[0])
        targets.append(both[1])
        if lut_size:
            tables.append(
                resample_lut(read_ground_truth(Path(gt_dir or ""), pair_id), lut_size).table
            )
    return PairArrays(
        list(ids),
        np.clip(np.stack(inputs), 0, 1),
        np.clip(np.stack(targets), 0, 1),
        np.stack(tables) if lut_size else None,
    )


def _tensors(arrays: PairArrays) -> tuple:
    parts = (arrays.inputs, arrays.targets)
    return parts if arrays.tables is None else (*parts, arrays.tables)


def train_dataset(
    arrays: PairArrays, size: int, output_size: int, batch_size: int, seed: int, flip: bool = True
) -> tf.data.Dataset:
    """Endless shuffled batches of jittered pairs.

    `arrays` are at the jitter size (>= `size`); each element gets a joint random `size` crop of
    input and target and, with `flip`, a joint horizontal flip (both keep every colour, so the
    ground-truth LUT stays valid). Targets are then resized to `output_size`.
    Yields ``(input (b, size, size, 3), target (b, out, out, 3)[, table (b, n, n, n, 3)])``.
    """
    n = len(arrays.ids)
    data = tf.data.Dataset.from_tensor_slices(_tensors(arrays))
    data = data.shuffle(n, seed=seed, reshuffle_each_iteration=True).repeat()
    # One stateless seed pair per element: the same seed gives the same crops and flips.
    seeds = tf.data.Dataset.random(seed=seed).batch(2)

    def jitter(element, pair_seed):
        inp, tgt, *rest = element
        crop_seed = tf.random.experimental.stateless_split(pair_seed, 2)
        both = tf.image.stateless_random_crop(
            tf.concat([inp, tgt], -1), [size, size, 6], crop_seed[0]
        )
        if flip:
            both = tf.image.stateless_random_flip_left_right(both, crop_seed[1])
        inp, tgt = both[..., :3], both[..., 3:]
        if output_size != size:
            tgt = tf.image.resize(
                tgt, [output_size, output_size], method="bilinear", antialias=True
            )
        return (inp, tgt, *rest)

    data = tf.data.Dataset.zip((data, seeds)).map(jitter, num_parallel_calls=tf.data.AUTOTUNE)
    return data.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def val_dataset(arrays: PairArrays, output_size: int, batch_size: int) -> tf.data.Dataset:
    """Validation batches without jitter: inputs at model size, targets at `output_size`."""
    tgt = resize_batch_square(arrays.targets, output_size).numpy()
    parts = (arrays.inputs, tgt) if arrays.tables is None else (arrays.inputs, tgt, arrays.tables)
    return tf.data.Dataset.from_tensor_slices(parts).batch(batch_size)
