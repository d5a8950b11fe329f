"""pix2pix builders: U-Net generator, asymmetric (large in, small out) generator, PatchGAN.

The defaults reproduce the original project's small networks:

- 64 px, ``width=16``: down 16 (no BN), 32, 64, 128, 128, 128 -> 1x1; up 128 (dropout), 128, 64,
  32, 16; a 3-channel transposed conv -> 1,832,515 parameters. PatchGAN 16, 32, 64 (stride 2),
  64 (stride 1), 1 -> 6x6 logits, 109,697 parameters.
- 128 px, ``width=32, bottleneck_mult=16, dropout_layers=2``: 12,564,611 generator parameters;
  PatchGAN with ``disc_last_mult=16`` -> 14x14 logits, 1,226,497 parameters.

Every model takes and returns images in [0, 1] (NHWC, RGB); the [-1, 1] scaling of the original
lives inside the model so callers never deal with it.
"""

from __future__ import annotations

import math

import keras
from keras import layers


@keras.saving.register_keras_serializable(package="lutml")
class ResidualImage(layers.Layer):
    """``clip(base + delta, 0, 1)``: the generator predicts a correction of its input, not a new image.

    An untrained residual generator is (almost) the identity grade, so a short training starts
    from "do nothing" instead of from noise that first has to relearn the picture's detail.
    """

    def call(self, base, delta):
        return keras.ops.clip(base + delta, 0.0, 1.0)


def check_size(size: int, name: str = "model.size") -> int:
    """Return ``log2(size)``; sizes must be powers of two between 4 and 1024."""
    if not isinstance(size, int) or size < 4 or size > 1024 or size & (size - 1):
        raise ValueError(f"{name} must be a power of two between 4 and 1024, got {size!r}")
    return int(math.log2(size))


def _init() -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(0.0, 0.02)


def _conv4x4(layer: type[layers.Layer], filters: int, name: str | None) -> layers.Layer:
    """A 4x4 stride-2 `layer` (Conv2D halves the size, Conv2DTranspose doubles it), no bias."""
    return layer(
        filters, 4, strides=2, padding="same", kernel_initializer=_init(), use_bias=False, name=name
    )


def down_block(
    x, filters: int, batchnorm: bool = True, name: str | None = None, momentum: float = 0.99
):
    """4x4 stride-2 conv (no bias), BatchNorm, LeakyReLU (Keras default slope 0.3, as the original)."""
    x = _conv4x4(layers.Conv2D, filters, f"{name}_conv" if name else None)(x)
    if batchnorm:
        x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn" if name else None)(x)
    return layers.LeakyReLU(negative_slope=0.3)(x)


def up_block(
    x, filters: int, dropout: bool = False, name: str | None = None, momentum: float = 0.99
):
    """4x4 stride-2 transposed conv (no bias), BatchNorm, optional dropout 0.5, ReLU."""
    x = _conv4x4(layers.Conv2DTranspose, filters, f"{name}_deconv" if name else None)(x)
    x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn" if name else None)(x)
    if dropout:
        x = layers.Dropout(0.5)(x)
    return layers.ReLU()(x)


def down_filters(
    size: int, width: int, max_mult: int = 8, bottleneck_mult: int | None = None
) -> list[int]:
    """Encoder filters, one per halving from `size` to 1x1: ``width * min(2**i, max_mult)``.

    The last (1x1 bottleneck) layer uses ``bottleneck_mult * width`` when given (the original's
    128 px network widens it to 512).
    """
    n = check_size(size)
    filters = [width * min(2**i, max_mult) for i in range(n)]
    if bottleneck_mult is not None:
        filters[-1] = width * bottleneck_mult
    return filters


def build_unet(
    size: int = 64,
    width: int = 16,
    max_mult: int = 8,
    bottleneck_mult: int | None = None,
    dropout_layers: int = 1,
    output_size: int | None = None,
    bn_momentum: float = 0.99,
    residual: bool = False,
    name: str = "generator",
) -> keras.Model:
    """U-Net generator ``(b, size, size, 3) [0,1] -> (b, out, out, 3) [0,1]``.

    With ``output_size < size`` (the asymmetric variant) the decoder stops early: it sees the
    whole `size` input but only generates the `output_size` image the LUT fit needs; skips join
    encoder and decoder features of equal resolution. `bn_momentum` below Keras' 0.99 lets the
    inference-mode BatchNorm statistics keep up during a short training of a few hundred steps.
    With `residual` the tanh output is a correction added to the (area-downscaled) input; no
    parameters are added, so the counts of the original networks hold either way.
    """
    out = size if output_size is None else output_size
    check_size(out, "model.output_size")
    if out > size:
        raise ValueError(f"model.output_size ({out}) must not exceed model.size ({size})")
    filters = down_filters(size, width, max_mult, bottleneck_mult)
    inputs = keras.Input((size, size, 3), name="image")
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)  # (b, size, size, 3) in [-1, 1]
    skips = {}
    res = size
    for i, f in enumerate(filters):
        x = down_block(
            x, f, batchnorm=i > 0, name=f"down{i}", momentum=bn_momentum
        )  # (b, res/2, res/2, f)
        res //= 2
        skips[res] = x
    # Decoder: 1x1 -> out/2, each level's filters mirror the encoder at that resolution.
    for i, r in enumerate(2**k for k in range(1, check_size(out))):
        x = up_block(
            x, skips[r].shape[-1], dropout=i < dropout_layers, name=f"up{i}", momentum=bn_momentum
        )  # (b, r, r, f)
        x = layers.Concatenate()([x, skips[r]])
    x = layers.Conv2DTranspose(
        3,
        4,
        strides=2,
        padding="same",
        kernel_initializer=_init(),
        activation="tanh",
        name="to_rgb",
    )(x)  # (b, out, out, 3) in [-1, 1]
    if residual:
        base = (
            inputs if out == size else layers.AveragePooling2D(size // out)(inputs)
        )  # (b, out, out, 3)
        outputs = ResidualImage(name="residual")(base, x)
    else:
        outputs = layers.Rescaling(0.5, offset=0.5, name="to_unit")(x)
    return keras.Model(inputs, outputs, name=name)


def build_patchgan(
    size: int = 64,
    width: int = 16,
    last_mult: int = 4,
    bn_momentum: float = 0.99,
    name: str = "discriminator",
) -> keras.Model:
    """Conditional PatchGAN: ``[(b, s, s, 3) input, (b, s, s, 3) image]`` in [0,1] -> logits.

    Three stride-2 convs (width, 2w, 4w), a stride-1 conv of ``last_mult * width`` and a 1-filter
    conv; zero padding before the stride-1 convs as in pix2pix gives (s/8 - 2)^2 logits.
    """
    check_size(size, "discriminator size")
    if size < 32:
        raise ValueError(f"the PatchGAN needs images of at least 32 px, got {size}")
    inp = keras.Input((size, size, 3), name="input_image")
    tar = keras.Input((size, size, 3), name="target_image")
    x = layers.Concatenate()([inp, tar])
    x = layers.Rescaling(2.0, offset=-1.0)(x)  # (b, s, s, 6)
    x = down_block(x, width, batchnorm=False)  # (b, s/2, s/2, w)
    x = down_block(x, 2 * width, momentum=bn_momentum)  # (b, s/4, s/4, 2w)
    x = down_block(x, 4 * width, momentum=bn_momentum)  # (b, s/8, s/8, 4w)
    x = layers.ZeroPadding2D()(x)  # (b, s/8+2, ...)
    x = layers.Conv2D(last_mult * width, 4, kernel_initializer=_init(), use_bias=False)(
        x
    )  # (b, s/8-1, ...)
    x = layers.BatchNormalization(momentum=bn_momentum)(x)
    x = layers.LeakyReLU(negative_slope=0.3)(x)
    x = layers.ZeroPadding2D()(x)  # (b, s/8+1, ...)
    logits = layers.Conv2D(1, 4, kernel_initializer=_init())(x)  # (b, s/8-2, s/8-2, 1)
    return keras.Model([inp, tar], logits, name=name)
