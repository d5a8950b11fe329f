"""Generator and GAN builders for the models of `lutml.config.registries.MODELS` (looked up by `model.name`).

A model config is the typed `model` block of params.yaml (`lutml.config.registries.model_config`,
conf/model/*.yaml); training settings (learning rate, Adam beta_1) come from the `train` block.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from lutml.config.model import LutGan3dConfig, LutGanConfig, Pix2PixConfig
from lutml.models import MODELS, generator_builder
from lutml.models.gan import LutGAN, Pix2PixGAN
from lutml.models.lut_gan import build_basis_lut_generator, build_conv3d_lut_generator
from lutml.models.pix2pix import build_patchgan, build_unet, check_size


def model_sizes(cfg: Pix2PixConfig) -> tuple[int, int]:
    """(input size, output image size) in px; both powers of two."""
    size = cfg.size
    check_size(size)
    out = cfg.output_size or size
    check_size(out, "model.output_size")
    if out > size:
        raise ValueError(f"model.output_size ({out}) must not exceed model.size ({size})")
    return size, out


def unet_generator(cfg: Pix2PixConfig) -> keras.Model:
    size, out = model_sizes(cfg)
    return build_unet(
        size,
        cfg.width,
        cfg.max_mult,
        cfg.bottleneck_mult,
        cfg.dropout_layers,
        output_size=out,
        bn_momentum=cfg.bn_momentum,
        residual=cfg.residual,
    )


def basis_lut_generator(cfg: LutGanConfig) -> keras.Model:
    return build_basis_lut_generator(
        cfg.size, cfg.width, cfg.max_mult, cfg.lut_size, cfg.n_basis, cfg.bn_momentum
    )


def conv3d_lut_generator(cfg: LutGan3dConfig) -> keras.Model:
    return build_conv3d_lut_generator(
        cfg.size, cfg.width, cfg.max_mult, cfg.lut_size, cfg.head_width, cfg.bn_momentum
    )


#: model.name -> generator builder, derived from `lutml.models.MODELS` (the one table of models).
GENERATORS: dict[str, Callable[[Any], keras.Model]] = {
    name: generator_builder(name) for name, spec in MODELS.items() if spec.builder is not None
}


def build_generator(cfg: Pix2PixConfig) -> keras.Model:
    """The generator alone (what inference loads): image -> image, or image -> LUT table."""
    builder = generator_builder(cfg.name)  # unknown names, the look encoder: a clear error
    model_sizes(cfg)
    return builder(cfg)


def build_gan(cfg: Pix2PixConfig, learning_rate: float, beta_1: float) -> Pix2PixGAN:
    """Generator + PatchGAN wrapped in the GAN model for `cfg.name`, compiled with Adam
    (`learning_rate`, `beta_1`: the `train` block's)."""
    generator = build_generator(cfg)
    _, out = model_sizes(cfg)
    discriminator = build_patchgan(out, cfg.disc_width, cfg.disc_last_mult, cfg.bn_momentum)
    common = {"lambda_l1": cfg.lambda_l1, "lambda_gan": cfg.lambda_gan}
    if isinstance(cfg, LutGanConfig):
        gan = LutGAN(
            generator,
            discriminator,
            lambda_lut=cfg.lambda_lut,
            lambda_smooth=cfg.lambda_smooth,
            lambda_mono=cfg.lambda_mono,
            **common,
        )
    else:
        gan = Pix2PixGAN(generator, discriminator, **common)
    optimizers = [keras.optimizers.Adam(learning_rate, beta_1=beta_1) for _ in range(2)]
    if keras.mixed_precision.global_policy().compute_dtype == "float16":
        # float16 gradients underflow without loss scaling (GPU mixed precision, train.mixed_precision)
        optimizers = [keras.optimizers.LossScaleOptimizer(opt) for opt in optimizers]
    gan.compile(g_optimizer=optimizers[0], d_optimizer=optimizers[1])
    return gan
