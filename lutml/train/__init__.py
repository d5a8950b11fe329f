"""Training (TensorFlow): tf.data pipeline, `fit()` with checkpoints, MLflow, tf.distribute.

Run it as the DVC stage (``dvc repro train``) or through experiments:

- one variant: ``dvc exp run -S model=pix2pix128`` (any conf/model/*.yaml);
- a sweep over network size: ``dvc exp run --queue -S 'model.size=64,128'`` then
  ``dvc queue start``; each point is one MLflow run in the look's experiment, tagged with its
  DVC experiment name (``mlflow ui --backend-store-uri sqlite:///mlflow.db`` to compare them,
  ``dvc exp show`` for the params/metrics table);
- several GPUs on one host: ``-S train.strategy=mirrored``; several hosts: ``train.strategy=
  multi_worker`` and the same command on every host with its own ``TF_CONFIG`` (worker 0
  writes the outputs); ``-S train.mixed_precision=true -S train.jit_compile=true`` on GPUs.

A killed training resumes from ``data/models.ckpt/`` on the next run with the same params.
"""

from lutml.train.trainer import TrainingDivergedError, train_model

__all__ = ["TrainingDivergedError", "train_model"]
