"""The look estimator under `train.strategy=mirrored|multi_worker` (`tf.distribute`).

A packed batch (`lutml.train.look_batches.draw_packed_batches`) is a whole set structure (crops,
their sets, the sets' looks, one noise seed), so it is not split across replicas: every replica
trains on whole packed batches of its own, and the gradients are averaged (all-reduce). A global
step of R replicas sees R packed batches (R x `train.crops_per_batch` crops).

Each worker draws its batches from its own crops (its shards of a sharded corpus,
`lutml.data.crop_shards`, or the pipeline's crops) with its own generator; worker 0 uses the
generator of a single-machine run, so a one-replica run sees the same batches as `default`.
Validation (`lutml.train.look_validation.Validation`) is not distributed: every worker scores the
same `train.val_batches` batches with the same weights, so all report the same figures.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from lutml.train.look_batches import index_dataset


def worker_position() -> tuple[int, int]:
    """(this worker's input pipeline, number of workers) from ``TF_CONFIG``: the chief is 0, then
    the workers in order (as `tf.distribute` numbers input pipelines); (0, 1) without a cluster."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    cluster, task = config.get("cluster", {}), config.get("task", {})
    chiefs = len(cluster.get("chief", []))
    workers = chiefs + len(cluster.get("worker", []))
    if not task or not workers:
        return 0, 1
    if task.get("type") == "chief":
        return 0, workers
    if task.get("type") == "worker":
        return chiefs + int(task.get("index", 0)), workers
    raise ValueError(
        f"TF_CONFIG task type {task.get('type')!r}: the look estimator trains on 'chief' and "
        "'worker' tasks only"
    )


class Distribution:
    """Where the look estimator's replicas run, and the datasets that feed them."""

    @classmethod
    def of(cls, name: str) -> Distribution | None:
        """The distribution of `train.strategy` `name`; None for ``default`` (no tf.distribute at
        all: the single-machine path). Call it before any other TF op (``multi_worker``)."""
        from lutml.train.strategy import make_strategy

        return None if name == "default" else cls(make_strategy(name))

    @staticmethod
    def shard_crops(folder, dist: Distribution | None) -> np.ndarray:
        """Training crops (m, S, S, 3) uint8 of this worker's shards of `folder` (all alone)."""
        from lutml.data.crop_shards import read_crop_shards

        return read_crop_shards(folder, *((dist.worker, dist.workers) if dist else (0, 1)))[0]

    def __init__(self, strategy: tf.distribute.Strategy):
        self.strategy = strategy
        multi = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        self.worker, self.workers = worker_position() if multi else (0, 1)
        self.replicas = int(strategy.num_replicas_in_sync)
        self.local = max(1, self.replicas // self.workers)  # replicas of this worker

    def rng(self, seed: int, stream: int) -> np.random.Generator:
        """This worker's generator: a single-machine run's for worker 0."""
        key = [seed, stream] if self.worker == 0 else [seed, stream, self.worker]
        return np.random.default_rng(key)

    def dataset(self, indices: Mapping[str, np.ndarray]):
        """A distributed dataset of whole index batches, one per replica and step: each worker's
        own `indices`."""

        def per_worker(ctx: tf.distribute.InputContext) -> tf.data.Dataset:
            if ctx.input_pipeline_id != self.worker and self.workers > 1:
                raise RuntimeError(
                    f"input pipeline {ctx.input_pipeline_id} of {ctx.num_input_pipelines} "
                    f"on worker {self.worker} of {self.workers}: TF_CONFIG and tf.distribute disagree"
                )
            return index_dataset(indices)

        return self.strategy.distribute_datasets_from_function(per_worker)

    def summary(self, encoder, n_crops: int) -> dict:
        """Replicas, this worker's training crops and the sum of absolute trainable weights (equal
        on every worker of a synchronous run)."""
        weights = sum(
            np.abs(np.asarray(v)).sum(dtype=np.float64) for v in encoder.trainable_weights
        )
        return {
            "replicas": self.replicas,
            "train_crops": int(n_crops),
            "weights_abs_sum": float(weights),
        }


class DistributedBuild:
    """Mixin (before `keras.Model`): builds a model made in a strategy's scope for `fit()`.

    Keras 3.15 reduces the first distributed batch with `Strategy.reduce` to build the model
    symbolically, which takes no dict of index batches. The encoder is built before `fit()`, so
    only the optimizer's variables are to make (in the scope). Outside a scope: Keras' own.
    """

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self._distribute_strategy is None:
            return super()._maybe_symbolic_build(iterator, data_batch)
        if self.optimizer is not None and not self.optimizer.built:
            with self.distribute_strategy.scope():
                self.optimizer.build(self.trainable_variables)

    @staticmethod
    def replica_share(loss: tf.Tensor) -> tf.Tensor:
        """`loss` / replicas in sync (the all-reduce sums the gradients: their mean); as is for one."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return loss / replicas if replicas > 1 else loss

    @staticmethod
    def distributed_logs(logs: dict) -> dict:
        """Step logs as Keras reduces them: multi-worker logs with ("MEAN", axis=0) need that axis."""
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            return {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs


def in_scope(dist: Distribution | None):
    """The strategy's scope (variables made in it are mirrored); nothing for the default."""
    return contextlib.nullcontext() if dist is None else dist.strategy.scope()
