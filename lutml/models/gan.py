"""GANs as `keras.Model` subclasses: `fit()` drives them, so callbacks, checkpoints, progress
bars, MLflow logging and `tf.distribute` all work unchanged.

Batches are tuples: ``(input, target)`` for image models and ``(input, target, gt_table)`` for
LUT models, every image float32 NHWC in [0, 1]. The target is already at the generator's output
size (smaller than the input for the asymmetric model).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from lutml.models.lut_layers import apply_lut_trilinear, lut_monotonicity, lut_smoothness


def _bce(logits: tf.Tensor, value: float) -> tf.Tensor:
    labels = tf.fill(tf.shape(logits), value)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def _replica_scale() -> float:
    # Gradients are summed across replicas, so each replica's loss is divided by their count.
    return 1.0 / tf.distribute.get_strategy().num_replicas_in_sync


class Pix2PixGAN(keras.Model):
    """Generator + conditional PatchGAN; loss ``BCE(D(x, G(x)), 1) + lambda_l1 * |y - G(x)|``.

    The discriminator's loss is ``BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)``. For the asymmetric
    model the discriminator sees the input resized (area) to the output size.
    """

    loss_names = ("g_loss", "gan", "l1", "d_loss")

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        lambda_l1: float = 100.0,
        lambda_gan: float = 1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.lambda_l1 = float(lambda_l1)
        self.lambda_gan = float(lambda_gan)
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.loss_names}
        self.built = True  # both parts are functional models, already built

    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer,
        d_optimizer: keras.optimizers.Optimizer,
        **kwargs,
    ) -> None:
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    def build_optimizers(self) -> None:
        """Create the optimizers' slots now, so a checkpoint can be restored before training."""
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras' fit() would build the model on a batch averaged across replicas with
        # strategy.reduce, which fails under MultiWorkerMirroredStrategy (PerReplica -> Tensor).
        # Both networks are functional (built) and `build_optimizers` creates the slots.
        return

    @property
    def metrics(self) -> list:
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def condition(self, inp: tf.Tensor, out_size: int) -> tf.Tensor:
        """The input as the discriminator sees it: at the generator's output size."""
        if inp.shape[1] == out_size:
            return inp
        return tf.image.resize(inp, [out_size, out_size], method="area")

    def generate(self, data, training: bool) -> tuple[tf.Tensor, dict]:
        """Prediction image (float32, also under a mixed-precision policy) and extra generator losses."""
        return tf.cast(self.generator(data[0], training=training), tf.float32), {}

    def gan_losses(self, data, training: bool) -> tuple[dict, tf.Tensor]:
        inp, tar = data[0], data[1]
        fake, extra = self.generate(data, training)
        cond = self.condition(inp, tar.shape[1])
        real_logits = tf.cast(self.discriminator([cond, tar], training=training), tf.float32)
        fake_logits = tf.cast(self.discriminator([cond, fake], training=training), tf.float32)
        losses = {"gan": _bce(fake_logits, 1.0), "l1": tf.reduce_mean(tf.abs(tar - fake)), **extra}
        losses["d_loss"] = _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)
        losses["g_loss"] = (
            self.lambda_gan * losses["gan"]
            + self.lambda_l1 * losses["l1"]
            + self.weighted_extra(extra)
        )
        return losses, fake

    def weighted_extra(self, extra: dict) -> tf.Tensor:
        return 0.0

    def train_step(self, data):
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            losses, _ = self.gan_losses(data, training=True)
            # scale_loss: the LossScaleOptimizer's factor under mixed precision, else unchanged.
            g_scaled = self.g_optimizer.scale_loss(losses["g_loss"] * _replica_scale())
            d_scaled = self.d_optimizer.scale_loss(losses["d_loss"] * _replica_scale())
        g_vars = self.generator.trainable_variables
        d_vars = self.discriminator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(g_tape.gradient(g_scaled, g_vars), g_vars, strict=True)
        )
        self.d_optimizer.apply_gradients(
            zip(d_tape.gradient(d_scaled, d_vars), d_vars, strict=True)
        )
        return self._update(losses)

    def test_step(self, data):
        losses, _ = self.gan_losses(data, training=False)
        return self._update(losses)

    def _update(self, losses: dict) -> dict:
        for name, tracker in self.trackers.items():
            tracker.update_state(losses[name])
        out = {name: tracker.result() for name, tracker in self.trackers.items()}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras averages multi-worker step outputs with reduce("MEAN", axis=0): give them that axis.
            out = {name: tf.reshape(value, [1]) for name, value in out.items()}
        return out


class LutGAN(Pix2PixGAN):
    """The generator predicts a LUT; the image is the LUT applied to the input (trilinear).

    Extra generator losses: ``lambda_lut * |table - gt_table|`` (the original's "LUT mean
    difference"), ``lambda_smooth * smoothness`` and ``lambda_mono * monotonicity``.
    """

    loss_names = ("g_loss", "gan", "l1", "lut_l1", "smooth", "mono", "d_loss")

    def __init__(
        self,
        generator,
        discriminator,
        lambda_l1=100.0,
        lambda_gan=1.0,
        lambda_lut=10.0,
        lambda_smooth=1.0,
        lambda_mono=10.0,
        **kwargs,
    ):
        super().__init__(generator, discriminator, lambda_l1, lambda_gan, **kwargs)
        self.lambda_lut = float(lambda_lut)
        self.lambda_smooth = float(lambda_smooth)
        self.lambda_mono = float(lambda_mono)

    def generate(self, data, training):
        inp = data[0]
        tables = tf.cast(self.generator(inp, training=training), tf.float32)  # (b, n, n, n, 3)
        extra = {
            "lut_l1": tf.reduce_mean(tf.abs(tables - data[2])),
            "smooth": lut_smoothness(tables),
            "mono": lut_monotonicity(tables),
        }
        return apply_lut_trilinear(tables, inp), extra

    def weighted_extra(self, extra):
        return (
            self.lambda_lut * extra["lut_l1"]
            + self.lambda_smooth * extra["smooth"]
            + self.lambda_mono * extra["mono"]
        )
