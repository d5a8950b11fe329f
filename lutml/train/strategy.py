"""`train.strategy`: where the replicas run (one device, several GPUs, several hosts)."""

from __future__ import annotations

import json
import os

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker")


def make_strategy(name: str) -> tf.distribute.Strategy:
    """The `tf.distribute` strategy for `train.strategy`.

    ``multi_worker`` reads the cluster from the ``TF_CONFIG`` environment variable (every worker
    runs the same command with its own task index) and must be created before any other TF op.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError(
                "train.strategy=multi_worker needs TF_CONFIG (cluster and this worker's task)"
            )
        if os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0":
            # Measured with TF 2.21 on CPU: oneDNN's graph rewrites feed the wrong tensors to convs
            # inside the collective training step ("input depth must be evenly divisible").
            raise ValueError(
                "train.strategy=multi_worker needs TF_ENABLE_ONEDNN_OPTS=0 in the environment "
                "before TensorFlow loads (pipelines/pairs/stages/train.py sets it)"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"unknown train.strategy {name!r}; valid: {', '.join(STRATEGIES)}")


def is_chief() -> bool:
    """True for the process that writes outputs: the chief, or worker 0 when there is no chief."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task", {})
    if not task:
        return True
    if task.get("type") == "chief":
        return True
    return (
        task.get("type") == "worker"
        and task.get("index", 0) == 0
        and "chief" not in config.get("cluster", {})
    )
