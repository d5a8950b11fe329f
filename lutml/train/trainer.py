"""`train_model`: pairs + split (+ ground-truth LUTs) -> a trained generator in `out_dir`.

Outputs (written by the chief only, each atomically): ``generator.keras``, ``model.json``
(metadata for `lutml.models.inference`), ``train_metrics.json`` and ``preview.png``
(input | prediction | target of validation pairs). Checkpoints live beside `out_dir` in
``<out_dir>.ckpt/`` (DVC clears `out_dir` before a stage runs) and are removed after success.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from lutml.atomic import atomic_path, write_text_atomic
from lutml.config.model import LutGanConfig, Pix2PixConfig
from lutml.config.train import GanTrainConfig
from lutml.data.ground_truth import read_ground_truth
from lutml.imageio import write_image
from lutml.models import model_kind
from lutml.models.builders import build_gan, model_sizes
from lutml.models.files import GENERATOR_FILE, META_FILE, METRICS_FILE, PREVIEW_FILE
from lutml.preview import image_grid
from lutml.train import callbacks as cb
from lutml.train.data import load_arrays, split_ids, train_dataset, val_dataset
from lutml.train.strategy import is_chief, make_strategy


class TrainingDivergedError(RuntimeError):
    """The loss became NaN/inf; the last good checkpoint is kept."""


def _fingerprint(model_cfg: Pix2PixConfig, train_cfg: GanTrainConfig, seed: int) -> str:
    # Everything but the epoch count: a resumed run may be asked to train longer.
    t = {k: v for k, v in train_cfg.to_dict().items() if k != "epochs"}
    return json.dumps(
        {"model": model_cfg.to_dict(), "train": t, "seed": seed}, sort_keys=True, default=str
    )


def _resume_state(ckpt_dir: Path, fingerprint: str) -> dict | None:
    state = cb.read_checkpoint(ckpt_dir)
    if state is not None and state.get("fingerprint") != fingerprint:
        print(f"{ckpt_dir}: checkpoint is from other params; starting afresh")
        shutil.rmtree(ckpt_dir)
        return None
    return state


def _tracking(enabled: bool, look: str, variant: str, run_id: str | None):
    if not enabled:
        return contextlib.nullcontext(None)
    from lutml.tracking import mlflow_run, run_tags

    return mlflow_run(
        run_id=run_id, experiment=look, run_name=variant, tags=run_tags(look, variant)
    )


def _flatten(prefix: str, cfg: Pix2PixConfig | GanTrainConfig) -> dict[str, Any]:
    return {f"{prefix}.{k}": v for k, v in cfg.to_dict().items()}


def train_model(
    pairs_dir: Path,
    split_dir: Path,
    gt_dir: Path,
    out_dir: Path,
    model_cfg: Pix2PixConfig,
    train_cfg: GanTrainConfig,
    seed: int,
    look: str = "default",
) -> dict[str, Any]:
    """Train the `model_cfg` GAN on the split's pairs and write the model to `out_dir`.

    Returns the training metrics written to ``train_metrics.json``. Raises ValueError for bad
    params or data, TrainingDivergedError if a loss becomes NaN (last good checkpoint kept).
    """
    strategy = make_strategy(train_cfg.strategy)  # before any other TF op
    kind = model_kind(model_cfg.name)
    size, out_size = model_sizes(model_cfg)
    batch = train_cfg.batch_size
    epochs = train_cfg.epochs
    if batch < 1 or epochs < 1:
        raise ValueError(
            f"train.batch_size and train.epochs must be >= 1, got {batch} and {epochs}"
        )
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    if train_cfg.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")

    split = split_ids(split_dir)
    if not split["test"]:
        raise ValueError(
            f"{Path(split_dir) / 'test.txt'}: no test pairs listed (needed for validation)"
        )
    lut_size = model_cfg.lut_size if isinstance(model_cfg, LutGanConfig) else None
    jitter_size = max(size, round(size * float(train_cfg.jitter)))
    train_arrays = load_arrays(pairs_dir, split["train"], jitter_size, gt_dir, lut_size)
    val_arrays = load_arrays(pairs_dir, split["test"], size, gt_dir, lut_size)

    chief = is_chief()
    ckpt_dir = Path(f"{out_dir}.ckpt") if chief else Path(tempfile.mkdtemp(prefix="lutml-ckpt-"))
    fingerprint = _fingerprint(model_cfg, train_cfg, seed)
    state = _resume_state(ckpt_dir, fingerprint)
    initial_epoch = state["epoch"] if state else 0

    with strategy.scope():
        gan = build_gan(model_cfg, train_cfg.learning_rate, train_cfg.beta_1)
        gan.compile(gan.g_optimizer, gan.d_optimizer, jit_compile=train_cfg.jit_compile)
        gan.build_optimizers()
        if state:
            gan.load_weights(state["weights"])
            print(f"resuming from {state['weights']} (epoch {initial_epoch} of {epochs})")

    steps = int(train_cfg.steps_per_epoch or max(1, len(split["train"]) // batch))
    train_ds = train_dataset(
        train_arrays, size, out_size, batch, seed + initial_epoch, train_cfg.flip
    )
    val_ds = val_dataset(val_arrays, out_size, batch)
    val_pairs = _metric_pairs(pairs_dir, gt_dir, split["test"][: train_cfg.val_pairs])
    lut_metrics = cb.LutMetrics(
        val_pairs,
        size,
        kind,
        train_cfg.validate_every,
        epochs,
        train_cfg.val_lut_size,
    )
    guard = cb.NaNGuard()
    variant = model_cfg.variant or model_cfg.name
    use_mlflow = train_cfg.mlflow and chief
    with _tracking(
        use_mlflow, look, variant, state.get("mlflow_run_id") if state else None
    ) as mlflow:
        run_id = mlflow.active_run().info.run_id if mlflow else None
        callbacks = [
            guard,
            lut_metrics,
            cb.Checkpoint(ckpt_dir, train_cfg.checkpoint_every, guard, run_id, fingerprint),
        ]
        if mlflow:
            if not state:
                mlflow.log_params(
                    {**_flatten("model", model_cfg), **_flatten("train", train_cfg), "seed": seed}
                )
                mlflow.log_metrics(
                    {f"identity_{k[4:]}": v for k, v in lut_metrics.identity.items()}
                )
            callbacks.append(cb.MlflowLogger(mlflow))
        start = time.perf_counter()
        history = gan.fit(
            train_ds,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps,
            validation_data=val_ds,
            callbacks=callbacks,
            verbose=2,
            shuffle=False,
        )
        seconds = time.perf_counter() - start
        if guard.failure:
            raise TrainingDivergedError(
                f"training stopped: {guard.failure}; the last good checkpoint is kept in {ckpt_dir} "
                "(lower train.learning_rate, or check the pairs for corrupt images)"
            )
        metrics = _summary(
            history.history, lut_metrics, epochs, epochs - initial_epoch, steps * batch, seconds
        )
        metrics["replicas"] = int(strategy.num_replicas_in_sync)
        # A fingerprint of the trained weights: equal on every worker (BatchNorm's moving statistics
        # are per replica, so only the all-reduced trainable weights count) and across identical runs.
        metrics["generator_abs_sum"] = float(
            sum(np.abs(np.asarray(w)).sum() for w in gan.generator.trainable_weights)
        )
        if not chief:
            shutil.rmtree(ckpt_dir, ignore_errors=True)
            return metrics
        meta = _save(
            gan,
            out_dir,
            model_cfg,
            kind,
            size,
            out_size,
            lut_size,
            look,
            epochs,
            seed,
            run_id,
            metrics,
        )
        _write_preview(gan, val_pairs, size, out_dir / PREVIEW_FILE)
        if mlflow:
            mlflow.log_metrics(
                {f"final_{k}": v for k, v in metrics.items() if isinstance(v, float)}
            )
            for name in (GENERATOR_FILE, META_FILE, METRICS_FILE, PREVIEW_FILE):
                mlflow.log_artifact(str(out_dir / name), artifact_path="model")
    shutil.rmtree(ckpt_dir, ignore_errors=True)
    return {**metrics, "model": meta}


def _metric_pairs(pairs_dir: Path, gt_dir: Path, ids: list[str]) -> list:
    from lutml.data.pairs import load_pair

    return [(*load_pair(pairs_dir, pair_id), read_ground_truth(gt_dir, pair_id)) for pair_id in ids]


def _summary(
    history: dict,
    lut_metrics: cb.LutMetrics,
    epochs: int,
    ran: int,
    images_per_epoch: int,
    seconds: float,
) -> dict[str, Any]:
    last = {k: float(v[-1]) for k, v in history.items() if v}
    last.update(lut_metrics.last)
    last.update({f"identity_{k[4:]}": v for k, v in lut_metrics.identity.items()})
    return {
        **last,
        "epochs": epochs,
        "epochs_run": ran,
        "train_seconds": round(seconds, 2),
        "images_per_second": round(ran * images_per_epoch / max(seconds, 1e-9), 2),
    }


def _save(
    gan,
    out_dir: Path,
    model_cfg: Pix2PixConfig,
    kind: str,
    size: int,
    out_size: int,
    lut_size: int | None,
    look: str,
    epochs: int,
    seed: int,
    run_id: str | None,
    metrics: dict,
) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_dir / GENERATOR_FILE) as tmp:
        gan.generator.save(tmp)
    meta = {
        "name": model_cfg.name,
        "variant": model_cfg.variant or model_cfg.name,
        "kind": kind,
        "input_size": size,
        "output_size": out_size,
        "lut_size": lut_size,
        "reverse": model_cfg.reverse,
        "look": look,
        "epochs": epochs,
        "seed": seed,
        "generator_params": int(gan.generator.count_params()),
        "mlflow_run_id": run_id,
    }
    write_text_atomic(out_dir / META_FILE, json.dumps(meta, indent=2) + "\n")
    write_text_atomic(out_dir / METRICS_FILE, json.dumps(metrics, indent=2) + "\n")
    return meta


def _write_preview(gan, pairs: list, size: int, path: Path, rows: int = 4) -> None:
    from lutml.models.inference import resize_batch_square

    grid = []
    for inp, tgt, _ in pairs[:rows]:
        x = resize_batch_square(inp[None], size)
        y = np.asarray(gan.generator(x, training=False))
        if y.ndim == 5:  # a LUT model: show the predicted LUT applied
            from lutml.models.lut_layers import apply_lut_trilinear

            y = np.asarray(apply_lut_trilinear(y, x))
        grid.append([np.asarray(x)[0], np.clip(y[0], 0, 1), tgt])
    write_image(path, image_grid(grid, ["input (model size)", "prediction", "target"], height=128))
