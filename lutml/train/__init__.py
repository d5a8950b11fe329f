"""Training (TensorFlow): tf.data pipeline, `fit()` with checkpoints, MLflow, tf.distribute."""

from lutml.train.trainer import TrainingDivergedError, train_model

__all__ = ["TrainingDivergedError", "train_model"]
