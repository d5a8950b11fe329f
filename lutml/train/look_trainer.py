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


class LookTrainer(keras.Model):
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
        grads = tape.gradient(loss, self.encoder.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.encoder.trainable_variables, strict=True))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, batch):
        self.loss_tracker.update_state(self._loss(batch))
        return {"loss": self.loss_tracker.result()}


def index_dataset(indices: Mapping[str, np.ndarray]) -> tf.data.Dataset:
    """A dataset yielding one batch of indices per element, in order."""
    return tf.data.Dataset.from_tensor_slices(dict(indices))


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
) -> keras.callbacks.History:
    """Train `encoder` in place; `val` holds validation crops/tables/coefficients (held-out photos and looks).

    `cfg` is the `train` block; sets hold 1..`set_max` crops, a share `single_fraction` exactly one.
    """
    rng = np.random.default_rng([seed, 11])
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
        steps * epochs,
        int(cfg.batch_size if cfg.crops_per_batch is None else cfg.crops_per_batch),
        set_max,
        len(tables),
        len(crops),
        single_fraction,
    )
    content = float(cfg.content_sets or 0.0)
    if content:  # a share of the sets drawn dark / bright / one hue: content is not look
        from lutml.data.content import crop_stats, redraw_by_content

        modes = redraw_by_content(
            idx, crop_stats(crops), content, np.random.default_rng([seed, 13])
        )
        print("train: training sets by content:", modes, flush=True)
    palette = int(cfg.palette or 0)
    if palette and cfg.crops_per_batch is None:
        raise ValueError("train.palette needs packed batches (train.crops_per_batch)")
    # the last `full_epochs` epochs grade every pixel again (features exactly as at inference)
    full_epochs = min(int(cfg.full_epochs or 0), epochs) if palette else 0
    trainer = LookTrainer(
        encoder, crops, tables, coefficients, float(cfg.noise), cfg.key, palette or None
    )
    schedule = keras.optimizers.schedules.CosineDecay(
        float(cfg.learning_rate), steps * epochs, alpha=0.05
    )
    ema = cfg.ema  # an exponential moving average of the weights: a steadier final model
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule, use_ema=ema is not None, ema_momentum=ema or 0.99)
    )
    vtrainer = LookTrainer(encoder, val["crops"], val["tables"], val["coefficients"], 0.0)
    vidx = draw_batches(
        np.random.default_rng([seed, 12]),
        int(cfg.val_batches),
        int(cfg.batch_size),
        set_max,
        len(val["tables"]),
        len(val["crops"]),
        0.5,
    )
    vtrainer.compile()

    class Validate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            res = vtrainer.evaluate(index_dataset(vidx), verbose=0, return_dict=True)
            if logs is not None:
                logs["val_loss"] = res["loss"]

    callbacks = [Validate(), *(callbacks or [])]
    first = epochs - full_epochs
    if first == 0:  # every epoch on every pixel: nothing graded from palettes
        trainer.palette = 0
    history = trainer.fit(
        index_dataset(idx),
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
            index_dataset({key: v[first * steps :] for key, v in idx.items()}),
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
        trainer.optimizer.finalize_variable_values(encoder.trainable_variables)
        history.history["final_val_loss"] = [
            vtrainer.evaluate(index_dataset(vidx), verbose=0, return_dict=True)["loss"]
        ]
    return history


def train_look_model(
    pairs_dir,
    split_dir,
    luts_dir,
    out_dir,
    model_cfg: LookEncoderConfig,
    train_cfg: LookTrainConfig,
    seed: int,
) -> dict[str, Any]:
    """Train the look estimator on the synthesized looks and write it to `out_dir`.

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
    from lutml.models.look_inference import export_numpy_weights
    from lutml.train.trainer import _tracking

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    crops, groups, tables, manifest = load_looks(pairs_dir)
    split = read_look_split(split_dir)
    basis = load_basis(Path(luts_dir) / "basis.npz")
    coefficients = basis.coefficients(tables)
    k = basis.basis.shape[0]
    encoder = LookEncoder(
        crops.shape[1], k, basis.lut_size, int(model_cfg.width), name="look_encoder"
    )
    encoder.build_all()
    encoder.set_basis(basis.mean, basis.basis, basis.weights)
    tr_c, te_c = split["train_crops"], split["test_crops"]
    tr_l, te_l = split["train_looks"], split["test_looks"]
    val = {"crops": crops[te_c], "tables": tables[te_l], "coefficients": coefficients[te_l]}
    variant = model_cfg.variant or model_cfg.name
    use_mlflow = bool(train_cfg.mlflow)
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
            crops[tr_c],
            tables[tr_l],
            coefficients[tr_l],
            val,
            train_cfg,
            int(model_cfg.set_max),
            float(model_cfg.single_fraction),
            seed,
            callbacks,
        )
        seconds = time.perf_counter() - start
        h = history.history
        metrics = {
            "loss": float(h["loss"][-1]),
            "val_loss": float(h.get("final_val_loss", h["val_loss"])[-1]),
            "prior_variance": float(np.mean(np.sum(coefficients[te_l] ** 2, axis=1))),
            "epochs": int(train_cfg.epochs),
            "steps": int(train_cfg.epochs) * int(train_cfg.steps_per_epoch),
            "train_seconds": round(seconds, 2),
            "explained_variance": float(basis.explained.sum()),
        }
        shrink = fit_shrinkage(encoder, val, basis, int(model_cfg.set_max), seed)
        metrics["shrinkage"] = shrink
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with atomic_path(out / LOOK_ENCODER_FILE) as tmp:
            encoder.save(tmp)
        with atomic_path(out / LOOK_WEIGHTS_FILE) as tmp:
            export_numpy_weights(encoder, tmp)
        trust = None
        if train_cfg.trust_sets:  # how sure the estimator is, per part, learnt on held-out photos
            from lutml.models.look_inference import NumpyLookNet
            from lutml.trust_fit import fit_trust

            with np.load(out / LOOK_WEIGHTS_FILE) as z:
                net = NumpyLookNet({key: z[key] for key in z.files})
            trust, figures = fit_trust(
                net, crops[te_c], groups[te_c], tables[te_l], seed, int(train_cfg.trust_sets), True
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
        _preview(encoder, val, out / PREVIEW_FILE, seed)
        if mlflow:
            mlflow.log_metrics(
                {f"final_{a}": b for a, b in metrics.items() if isinstance(b, float)}
            )
            if trust is not None:
                held = metrics["trust"]["held_out"]
                mlflow.log_metrics(
                    {f"trust_{a}": float(b) for a, b in held.items() if not isinstance(b, dict)}
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


def _preview(
    encoder: LookEncoder, val: Mapping[str, np.ndarray], path, seed: int, rows: int = 4, k: int = 8
) -> None:
    """Rows: a held-out crop neutral | under a held-out random look (truth) | under the look the
    model names from `k` graded held-out crops."""
    from lutml.imageio import write_image
    from lutml.lut import LUT3D, apply_lut
    from lutml.preview import image_grid

    rng = np.random.default_rng([seed, 13])
    grid = []
    for _ in range(rows):
        j = int(rng.integers(len(val["tables"])))
        ids = rng.choice(len(val["crops"]), k, replace=False)
        x = val["crops"][ids].astype(np.float32) / 255.0
        truth = LUT3D(val["tables"][j])
        graded = np.stack([np.clip(apply_lut(truth, c), 0, 1) for c in x])
        graded = np.rint(graded * 255) / 255
        c = encoder({"frames": tf.constant(graded[None], tf.float32), "mask": tf.ones([1, k])})
        named = LUT3D(np.clip(np.asarray(encoder.tables(c))[0], 0, 1))
        grid.append([x[0], graded[0], np.clip(apply_lut(named, x[0]), 0, 1)])
    write_image(
        path,
        image_grid(
            grid,
            ["neutral (held out)", "held-out random look", "look named from 8 crops"],
            height=128,
        ),
    )


SET_SIZES = (1, 2, 4, 8, 16)


def fit_shrinkage(
    encoder: LookEncoder,
    val: Mapping[str, np.ndarray],
    basis,
    set_max: int,
    seed: int,
    n_sets: int = 96,
) -> dict[str, float]:
    """How far to trust the estimate from k frames: the factor a(k) that minimises the weighted
    squared error of ``identity + a * (estimate - identity)`` on held-out photos and looks.

    From one still the estimate is mostly the prior's centre, which is worse than no grade for
    many real looks; a(1) < 1 pulls it towards no grade by just as much as the validation data say.
    Returns {"1": a, "2": a, ...} for the set sizes in `SET_SIZES` (larger sets use the last one).
    """
    from lutml.lut.lut3d import identity_table

    rng = np.random.default_rng([seed, 14])
    w = np.repeat(np.asarray(basis.weights, np.float64).reshape(-1), 3)
    ident = identity_table(basis.lut_size).reshape(-1)
    trainer = LookTrainer(encoder, val["crops"], val["tables"], val["coefficients"], 0.0)
    out = {}
    for k in SET_SIZES:
        idx = draw_batches(rng, n_sets // 16, 16, k, len(val["tables"]), len(val["crops"]), 0.0)
        idx["size"][:] = k
        num = den = 0.0
        for i in range(n_sets // 16):
            batch = {key: tf.constant(v[i]) for key, v in idx.items()}
            frames, mask = trainer.graded_sets(batch)
            pred = (
                np.asarray(encoder.tables(encoder({"frames": frames, "mask": mask}))).reshape(
                    16, -1
                )
                - ident
            )
            true = val["tables"][idx["look"][i]].reshape(16, -1) - ident
            num += float(np.sum(w * pred * true))
            den += float(np.sum(w * pred * pred))
        out[str(k)] = round(float(np.clip(num / max(den, 1e-12), 0.0, 1.5)), 4)
    return out
