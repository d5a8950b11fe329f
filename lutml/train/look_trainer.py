"""Training of the look estimator (`lutml.models.look_encoder`) with Keras `fit()`.

Every step draws sets of up to `set_max` neutral crops of training photos, each set under one
random look from the look bank; the crops are graded with the look inside the graph (trilinear LUT
lookup), noised and quantised to 8 bits like real footage, and the encoder learns to return the
look's basis coefficients (squared error = the LUT's squared error, weighted by natural colours).
Set sizes are drawn per set, a fraction `single_fraction` of them of size 1 (story 3: one still).
Packed batches (`train.crops_per_batch`, the default) hold exactly that many crops, sets drawn until
full, no padding; `train.mosaic` turns a share of the crops into 2x2 mosaics of four training
crops (new scenes against over-fitting the few training photos). Without `crops_per_batch`, a
batch is `batch_size` sets padded to `set_max` crops.

Data are indices only (look id, crop ids, set size, noise seed), drawn by NumPy from the seed, so
the batches are identical on every run; TensorFlow runs with op determinism.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from lutml.config.model import LookEncoderConfig
from lutml.config.train import LookTrainConfig
from lutml.models.look_encoder import LookEncoder
from lutml.models.lut_layers import apply_lut_trilinear
from lutml.train.look_batches import (
    crop_palettes,
    draw_batches,
    draw_packed_batches,
    expose_sets,
    half_crops,
    index_dataset,
    mosaic_crops,
    mosaic_palettes,
)
from lutml.train.look_distribute import DistributedBuild, Distribution, in_scope
from lutml.train.look_preview import write_preview
from lutml.train.look_validation import Validation, fit_shrinkage


class LookTrainer(DistributedBuild, keras.Model):
    """Wraps a `LookEncoder` with the training data (crops, look tables, target coefficients).

    Only the encoder is saved; this wrapper exists so that `fit()` (callbacks, progress,
    checkpoints, MLflow autologging) drives the synthetic data generation.
    """

    def __init__(
        self,
        encoder: LookEncoder,
        crops: np.ndarray,
        tables: np.ndarray,
        coefficients: np.ndarray,
        noise: float,
        key: float | None = None,
        palette: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.key = float(key or 0.0)
        self.encoder = encoder
        self.crops = tf.constant(crops)  # uint8 (M, S, S, 3)
        self.palette = int(palette or 0)
        if self.palette:  # a power of two dividing the crop's pixels (at most the one asked for)
            pixels = int(np.prod(crops.shape[1:-1]))
            self.palette = 2 ** (self.palette.bit_length() - 1)
            while pixels % self.palette:
                self.palette //= 2
        if self.palette:  # packed batches grade compact palettes of the crops (`crop_palettes`)
            self.palettes = tf.constant(crop_palettes(crops, self.palette))  # (M, P, 3)
            if crops.shape[1] % 2 == 0 and self.palette >= 4:  # for mosaics: of the halved crops
                self.half_palettes = tf.constant(
                    crop_palettes(half_crops(crops), self.palette // 4)
                )  # (M, P/4, 3)
        self.looks = tf.constant(tables)  # float32 (N, n, n, n, 3)
        self.coefficients = tf.constant(coefficients)  # float32 (N, K)
        self.noise = float(noise)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def graded_sets(self, batch: Mapping[str, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
        """The sets of graded frames (B, k, S, S, 3) and their masks (B, k) for a batch of indices."""
        crop_ids = batch["crops"]
        b, k = tf.shape(crop_ids)[0], tf.shape(crop_ids)[1]
        s = self.encoder.frame_size
        x = (
            tf.cast(tf.gather(self.crops, tf.reshape(crop_ids, [-1])), tf.float32) / 255.0
        )  # (B*k, S, S, 3)
        tables = tf.repeat(tf.gather(self.looks, batch["look"]), k, axis=0)
        graded = apply_lut_trilinear(tables, x)
        graded += self.noise * tf.random.stateless_normal(tf.shape(graded), batch["seed"])
        graded = tf.round(tf.clip_by_value(graded, 0.0, 1.0) * 255.0) / 255.0
        mask = tf.cast(tf.range(k)[None, :] < batch["size"][:, None], tf.float32)
        return tf.reshape(graded, [b, k, s, s, 3]), mask

    def packed_inputs(self, batch: Mapping[str, tf.Tensor]) -> tf.Tensor:
        """The neutral crops of a packed batch, mosaics made: (T, S, S, 3) in [0, 1]; with
        `palette`, each crop's palette instead: (T, P, 1, 3)."""
        crop_ids = batch["crops"]
        if self.palette:  # each crop as its palette: P colours standing for h*w / P pixels each
            x = tf.gather(self.palettes, crop_ids)[:, :, None, :]  # (T, P, 1, 3)
            if "mix" in batch:
                x = mosaic_palettes(
                    x,
                    tf.gather(self.half_palettes, crop_ids),
                    tf.gather(self.half_palettes, batch["partners"]),
                    batch["mix"],
                )
            return x
        x = tf.cast(tf.gather(self.crops, crop_ids), tf.float32) / 255.0  # (T, S, S, 3)
        if "mix" in batch:  # some crops become 2x2 mosaics of four half-size training crops
            partners = tf.cast(tf.gather(self.crops, batch["partners"]), tf.float32) / 255.0
            x = mosaic_crops(x, partners, batch["mix"])
        return x

    def packed_graded(self, batch: Mapping[str, tf.Tensor]) -> tf.Tensor:
        """`packed_inputs` under each set's look, noised and quantised to 8 bits."""
        x = self.packed_inputs(batch)
        segment = batch["segment"]
        if self.key:  # the content's exposure moves per set and per crop: key is content, not look
            x = expose_sets(x, segment, self.key, batch["seed"])
        tables = tf.gather(self.looks, tf.gather(batch["look"], segment))
        graded = apply_lut_trilinear(tables, x)
        graded += self.noise * tf.random.stateless_normal(tf.shape(graded), batch["seed"])
        return tf.round(tf.clip_by_value(graded, 0.0, 1.0) * 255.0) / 255.0

    def _packed_loss(self, batch):
        """Loss of a packed batch (`draw_packed_batches`): every crop is graded and embedded once,
        then pooled per set with a segment mean."""
        segment = batch["segment"]
        graded = self.packed_graded(batch)
        # a palette entry stands for h*w / P pixels (of a crop, or of a mosaic's four halves)
        weight = self.encoder.frame_size**2 / self.palette if self.palette else 1.0
        e = self.encoder.embed_pixels(graded, weight)  # (T, D)
        pooled = tf.math.segment_sum(e, segment) / tf.math.segment_sum(
            tf.ones_like(e[:, :1]), segment
        )  # (n_sets, D)
        n_sets = tf.shape(pooled)[0]
        pred = self.encoder.head(pooled, training=True)
        target = tf.gather(self.coefficients, batch["look"][:n_sets])
        return tf.reduce_mean(tf.reduce_sum(tf.square(pred - target), axis=-1))

    def _loss(self, batch):
        if "segment" in batch:
            return self._packed_loss(batch)
        frames, mask = self.graded_sets(batch)
        pred = self.encoder({"frames": frames, "mask": mask}, training=True)
        target = tf.gather(self.coefficients, batch["look"])
        return tf.reduce_mean(tf.reduce_sum(tf.square(pred - target), axis=-1))

    def train_step(self, batch):
        with tf.GradientTape() as tape:
            loss = self._loss(batch)
            scaled = self.replica_share(loss)  # the replicas' gradients are summed
        grads = tape.gradient(scaled, self.encoder.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.encoder.trainable_variables, strict=True))
        self.loss_tracker.update_state(loss)
        return self.distributed_logs({"loss": self.loss_tracker.result()})

    def test_step(self, batch):
        self.loss_tracker.update_state(self._loss(batch))
        return self.distributed_logs({"loss": self.loss_tracker.result()})


def fit_encoder(
    encoder: LookEncoder,
    crops: np.ndarray,
    tables: np.ndarray,
    coefficients: np.ndarray,
    val: Mapping[str, Any],
    cfg: LookTrainConfig,
    set_max: int,
    single_fraction: float,
    seed: int,
    callbacks: list | None = None,
    dist: Distribution | None = None,
) -> keras.callbacks.History:
    """Train `encoder` in place; `val` holds validation crops/tables/coefficients (held-out photos and looks).

    `cfg` is the `train` block; sets hold 1..`set_max` crops, a share `single_fraction` exactly one.
    With `dist` (`lutml.train.look_distribute`; `encoder` built in its scope) each replica trains
    on packed batches of its worker's `crops`.
    """
    rng = np.random.default_rng([seed, 11]) if dist is None else dist.rng(seed, 11)
    local = 1 if dist is None else dist.local  # index batches per step on this worker
    steps, epochs = int(cfg.steps_per_epoch), int(cfg.epochs)
    mosaic = float(cfg.mosaic or 0.0)
    if mosaic and (cfg.crops_per_batch is None or encoder.frame_size % 2):
        raise ValueError(
            "train.mosaic needs packed batches (train.crops_per_batch) and an even crop size, "
            f"got crops_per_batch={cfg.crops_per_batch}, crop size {encoder.frame_size}"
        )
    if cfg.crops_per_batch is None:
        draw = draw_batches
    else:
        draw = functools.partial(draw_packed_batches, mosaic=mosaic)
    idx = draw(
        rng,
        steps * epochs * local,
        int(cfg.batch_size if cfg.crops_per_batch is None else cfg.crops_per_batch),
        set_max,
        len(tables),
        len(crops),
        single_fraction,
    )
    content = float(cfg.content_sets or 0.0)
    if content:  # a share of the sets drawn dark / bright / one hue: content is not look
        from lutml.data.content import crop_stats, redraw_by_content

        rng13 = np.random.default_rng([seed, 13]) if dist is None else dist.rng(seed, 13)
        modes = redraw_by_content(idx, crop_stats(crops), content, rng13)
        print("train: training sets by content:", modes, flush=True)
    palette = int(cfg.palette or 0)
    if palette and cfg.crops_per_batch is None:
        raise ValueError("train.palette needs packed batches (train.crops_per_batch)")
    # the last `full_epochs` epochs grade every pixel again (features exactly as at inference)
    full_epochs = min(int(cfg.full_epochs or 0), epochs) if palette else 0
    ema = cfg.ema  # an exponential moving average of the weights: a steadier final model
    with in_scope(dist):
        trainer = LookTrainer(
            encoder, crops, tables, coefficients, float(cfg.noise), cfg.key, palette or None
        )
        schedule = keras.optimizers.schedules.CosineDecay(
            float(cfg.learning_rate), steps * epochs, alpha=0.05
        )
        trainer.compile(
            optimizer=keras.optimizers.Adam(
                schedule, use_ema=ema is not None, ema_momentum=ema or 0.99
            )
        )
        vtrainer = LookTrainer(encoder, val["crops"], val["tables"], val["coefficients"], 0.0)
        vtrainer.compile()
    vidx = draw_batches(
        np.random.default_rng([seed, 12]),
        int(cfg.val_batches),
        int(cfg.batch_size),
        set_max,
        len(val["tables"]),
        len(val["crops"]),
        0.5,
    )

    def data(indices):  # index batches; distributed: one per replica and step
        return index_dataset(indices) if dist is None else dist.dataset(indices)

    # one pass a batch: the loss, and the LUTs vs the true looks (lutml.train.look_validation)
    validate = Validation(encoder, vtrainer, vidx, val["tables"], val["coefficients"])

    class Validate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:  # val_loss, and val_ratio/val_worse as the bench scores
                logs.update(validate())

    callbacks = [Validate(), *(callbacks or [])]
    first = epochs - full_epochs
    if first == 0:  # every epoch on every pixel: nothing graded from palettes
        trainer.palette = 0
    history = trainer.fit(
        data(idx),
        epochs=first or epochs,
        steps_per_epoch=steps,
        callbacks=callbacks,
        verbose=2,
        shuffle=False,
    )
    if full_epochs and first:  # same optimizer, schedule and batches, every pixel graded
        trainer.palette = 0
        trainer.train_function = None
        rest = trainer.fit(
            data({key: v[first * steps * local :] for key, v in idx.items()}),
            initial_epoch=first,
            epochs=epochs,
            steps_per_epoch=steps,
            callbacks=callbacks,
            verbose=2,
            shuffle=False,
        )
        for key, values in rest.history.items():
            history.history.setdefault(key, []).extend(values)
    if ema is not None:  # the model keeps the averaged weights
        with in_scope(dist):
            trainer.optimizer.finalize_variable_values(encoder.trainable_variables)
        for key, value in validate().items():
            history.history[f"final_{key}"] = [value]
    return history


def train_look_model(
    pairs_dir,
    split_dir,
    luts_dir,
    out_dir,
    model_cfg: LookEncoderConfig,
    train_cfg: LookTrainConfig,
    seed: int,
    crop_shards=None,
) -> dict[str, Any]:
    """Train the look estimator on the synthesized looks and write it to `out_dir`.

    `crop_shards`: a folder of crop shards (`lutml.data.crop_shards`) to train on (each worker its
    share) instead of the split's training crops. Only the chief writes `out_dir` and logs.

    Writes ``look_encoder.keras`` (self-contained: the LUT basis is inside), ``model.json``,
    ``train_metrics.json`` and ``preview.png`` (held-out photos under held-out random looks: the
    truth, and the look the model names from 8 crops); logs params, curves and files to MLflow.
    """
    import json
    import time
    from pathlib import Path

    from lutml.atomic import atomic_path, write_text_atomic
    from lutml.data.looksynth import load_looks
    from lutml.data.split import read_look_split
    from lutml.fit.basis import load_basis
    from lutml.models.files import (
        LOOK_ENCODER_FILE,
        LOOK_WEIGHTS_FILE,
        META_FILE,
        METRICS_FILE,
        PREVIEW_FILE,
    )
    from lutml.models.look_features import NumpyLookNet
    from lutml.models.look_inference import export_numpy_weights
    from lutml.tone_fit import WEIGHT_TILES
    from lutml.train.strategy import is_chief
    from lutml.train.trainer import _tracking

    dist = Distribution.of(train_cfg.strategy)  # before any other TF op; None for default
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    crops, groups, tables, manifest = load_looks(pairs_dir)
    split = read_look_split(split_dir)
    basis = load_basis(Path(luts_dir) / "basis.npz")
    coefficients = basis.coefficients(tables)
    k = basis.basis.shape[0]
    with in_scope(dist):
        encoder = LookEncoder(
            crops.shape[1], k, basis.lut_size, int(model_cfg.width), name="look_encoder"
        )
        encoder.build_all()
        encoder.set_basis(basis.mean, basis.basis, basis.weights)
    tr_c, te_c = split["train_crops"], split["test_crops"]
    train_crops = (
        crops[tr_c] if crop_shards is None else Distribution.shard_crops(crop_shards, dist)
    )
    tr_l, te_l = split["train_looks"], split["test_looks"]
    val = {"crops": crops[te_c], "tables": tables[te_l], "coefficients": coefficients[te_l]}
    variant = model_cfg.variant or model_cfg.name
    chief = is_chief()
    use_mlflow = bool(train_cfg.mlflow) and chief
    start = time.perf_counter()
    # One MLflow experiment for every look estimator: the model is look-agnostic (each evaluated
    # look gets its own run from the evaluate stage, in that look's experiment).
    with _tracking(use_mlflow, "look-estimator", variant, None) as mlflow:
        callbacks = []
        if mlflow:
            from lutml.train.callbacks import MlflowLogger

            mlflow.log_params(
                {
                    **{f"model.{a}": b for a, b in model_cfg.to_dict().items()},
                    **{f"train.{a}": b for a, b in train_cfg.to_dict().items()},
                    "seed": seed,
                }
            )
            callbacks.append(MlflowLogger(mlflow))
        history = fit_encoder(
            encoder,
            train_crops,
            tables[tr_l],
            coefficients[tr_l],
            val,
            train_cfg,
            int(model_cfg.set_max),
            float(model_cfg.single_fraction),
            seed,
            callbacks,
            dist,
        )
        seconds = time.perf_counter() - start
        h = history.history
        metrics = {
            "loss": float(h["loss"][-1]),
            "val_loss": float(h.get("final_val_loss", h["val_loss"])[-1]),
            # the bench's score on the validation sets: LUT vs the true look, ratio to no grade
            "val_ratio": float(h.get("final_val_ratio", h["val_ratio"])[-1]),
            "val_worse": float(h.get("final_val_worse", h["val_worse"])[-1]),
            "prior_variance": float(np.mean(np.sum(coefficients[te_l] ** 2, axis=1))),
            "epochs": int(train_cfg.epochs),
            "steps": int(train_cfg.epochs) * int(train_cfg.steps_per_epoch),
            "train_seconds": round(seconds, 2),
            "explained_variance": float(basis.explained.sum()),
        }
        if dist is not None:  # replicas, crops, a fingerprint of the weights equal on every worker
            metrics.update(dist.summary(encoder, len(train_crops)))
            if not chief:
                return metrics
        vtrainer = LookTrainer(encoder, val["crops"], val["tables"], val["coefficients"], 0.0)
        shrink = fit_shrinkage(encoder, vtrainer, val, basis, seed)
        metrics["shrinkage"] = shrink
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with atomic_path(out / LOOK_ENCODER_FILE) as tmp:
            encoder.save(tmp)
        with atomic_path(out / LOOK_WEIGHTS_FILE) as tmp:
            export_numpy_weights(encoder, tmp)
        # the NumPy net the tone head and the trust model are fitted on: the weights just written
        with np.load(out / LOOK_WEIGHTS_FILE) as z:
            weights = {key: z[key] for key in z.files}
        if train_cfg.tone_sets:  # the tone read from local contrast (lutml.models.tone_edges)
            from lutml.models.tone_edges import ToneHead
            from lutml.tone_fit import fit_tone_head, fit_tone_weights

            tone, metrics["tone"] = fit_tone_head(
                crops[tr_c],
                groups[tr_c],
                tables[tr_l],
                seed,
                int(train_cfg.tone_sets),
                float(train_cfg.tone_l2),
                True,
            )
            blend, metrics["tone"]["held_out"] = fit_tone_weights(
                NumpyLookNet(weights),
                ToneHead(tone),
                crops[te_c],
                groups[te_c],
                tables[te_l],
                seed,
                max(int(train_cfg.tone_sets) // 10, 50),
            )
            print("tone head:", json.dumps(metrics["tone"]))
            weights = {**weights, **tone, **blend}
            with atomic_path(out / LOOK_WEIGHTS_FILE) as tmp:
                np.savez(tmp, **weights)
        trust = None
        if train_cfg.trust_sets:  # how sure the estimator is, per part, learnt on held-out photos
            from lutml.trust_fit import fit_trust

            trust, figures = fit_trust(
                NumpyLookNet(weights),
                crops[te_c],
                groups[te_c],
                tables[te_l],
                seed,
                int(train_cfg.trust_sets),
                True,
            )
            metrics["trust"] = figures
            print("trust model (held-out photos):", json.dumps(figures["held_out"]))
        meta = {
            "name": model_cfg.name,
            "variant": variant,
            "kind": "look",
            "frame_size": int(crops.shape[1]),
            "lut_size": basis.lut_size,
            "n_components": k,
            "look": None,
            "seed": seed,
            "params": int(encoder.count_params()),
            "n_looks": manifest["n_looks"],
            "train_photos": len(set(manifest["photos"])),
            "shrinkage": shrink,
            "trust": trust,
            "mlflow_run_id": mlflow.active_run().info.run_id if mlflow else None,
        }
        write_text_atomic(out / META_FILE, json.dumps(meta, indent=2) + "\n")
        write_text_atomic(out / METRICS_FILE, json.dumps(metrics, indent=2) + "\n")
        write_preview(encoder, val, out / PREVIEW_FILE, seed)
        if mlflow:
            mlflow.log_metrics(
                {f"final_{a}": b for a, b in metrics.items() if isinstance(b, float)}
            )
            if "tone" in metrics:  # the tone head: fit residual, per-tile-count blend weights
                tone_fig = metrics["tone"]
                mlflow.log_metrics(
                    {
                        "tone_held_out_rms": tone_fig["held_out_rms"],
                        "tone_mean_curve_rms": tone_fig["mean_curve_rms"],
                        **{
                            f"tone_weight_{t}_tiles": float(w)
                            for t, w in zip(
                                WEIGHT_TILES, tone_fig["held_out"]["weight"], strict=True
                            )
                        },
                    }
                )
            if trust is not None:
                held = metrics["trust"]["held_out"]
                mlflow.log_metrics(
                    {f"trust_{a}": float(b) for a, b in held.items() if isinstance(b, (int, float))}
                )
            for name in (
                LOOK_ENCODER_FILE,
                LOOK_WEIGHTS_FILE,
                META_FILE,
                METRICS_FILE,
                PREVIEW_FILE,
            ):
                mlflow.log_artifact(str(out / name), artifact_path="model")
    return {**metrics, "model": meta}
