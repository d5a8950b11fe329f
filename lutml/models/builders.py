"""Generator and GAN builders for the models of `lutml.models.MODELS` (looked up by `model.name`).

A model config is the `model` block of params.yaml (see conf/model/*.yaml); training settings
(learning rate, Adam beta_1) come from the `train` block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import keras

from lutml.models import MODELS, generator_builder, model_kind
from lutml.models.gan import LutGAN, Pix2PixGAN
from lutml.models.lut_gan import build_basis_lut_generator, build_conv3d_lut_generator
from lutml.models.pix2pix import build_patchgan, build_unet, check_size


def model_sizes(cfg: Mapping[str, Any]) -> tuple[int, int]:
    """(input size, output image size) in px; both powers of two."""
    size = cfg.get("size")
    check_size(size)
    out = cfg.get("output_size") or size
    check_size(out, "model.output_size")
    if out > size:
        raise ValueError(f"model.output_size ({out}) must not exceed model.size ({size})")
    return size, out


def unet_generator(cfg: Mapping[str, Any]) -> keras.Model:
    size, out = model_sizes(cfg)
    return build_unet(
        size,
        cfg.get("width", 16),
        cfg.get("max_mult", 8),
        cfg.get("bottleneck_mult"),
        cfg.get("dropout_layers", 1),
        output_size=out,
        bn_momentum=cfg.get("bn_momentum", 0.99),
        residual=cfg.get("residual", False),
    )


def basis_lut_generator(cfg: Mapping[str, Any]) -> keras.Model:
    return build_basis_lut_generator(
        cfg["size"],
        cfg.get("width", 16),
        cfg.get("max_mult", 8),
        cfg.get("lut_size", 8),
        cfg.get("n_basis", 8),
        cfg.get("bn_momentum", 0.99),
    )


def conv3d_lut_generator(cfg: Mapping[str, Any]) -> keras.Model:
    return build_conv3d_lut_generator(
        cfg["size"],
        cfg.get("width", 16),
        cfg.get("max_mult", 8),
        cfg.get("lut_size", 8),
        cfg.get("head_width", 32),
        cfg.get("bn_momentum", 0.99),
    )


#: model.name -> generator builder, derived from `lutml.models.MODELS` (the one table of models).
GENERATORS: dict[str, Callable[[Mapping[str, Any]], keras.Model]] = {
    name: generator_builder(name) for name, (_, builder) in MODELS.items() if builder is not None
}


def build_generator(cfg: Mapping[str, Any]) -> keras.Model:
    """The generator alone (what inference loads): image -> image, or image -> LUT table."""
    model_kind(cfg)
    model_sizes(cfg)
    return generator_builder(cfg["name"])(cfg)


def build_gan(
    cfg: Mapping[str, Any], learning_rate: float = 2e-4, beta_1: float = 0.5
) -> Pix2PixGAN:
    """Generator + PatchGAN wrapped in the GAN model for `cfg["name"]`, compiled with Adam."""
    generator = build_generator(cfg)
    _, out = model_sizes(cfg)
    discriminator = build_patchgan(
        out, cfg.get("disc_width", 16), cfg.get("disc_last_mult", 4), cfg.get("bn_momentum", 0.99)
    )
    common = {"lambda_l1": cfg.get("lambda_l1", 100.0), "lambda_gan": cfg.get("lambda_gan", 1.0)}
    if model_kind(cfg) == "lut":
        gan = LutGAN(
            generator,
            discriminator,
            lambda_lut=cfg.get("lambda_lut", 10.0),
            lambda_smooth=cfg.get("lambda_smooth", 1.0),
            lambda_mono=cfg.get("lambda_mono", 10.0),
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
