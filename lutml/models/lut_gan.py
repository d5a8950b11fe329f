"""LUT generators: image -> 3D LUT, by a learned basis (lut_gan) or a 3D transposed-conv head (lut_gan_3d).

Both see the image at `size` px through a small strided CNN and predict the whole grade as one
LUT, so the output is smooth by construction and exact at any resolution (the original's
unfinished "Pix2LUT" idea, with the learned-basis trick of image-adaptive 3D LUTs).
"""

from __future__ import annotations

import math

import keras
from keras import layers

from lutml.models.lut_layers import AddIdentityLUT, BasisLUT
from lutml.models.pix2pix import _init, check_size, down_block


def _encoder(size: int, width: int, max_mult: int, bn_momentum: float = 0.99):
    """Strided conv encoder down to 4x4, then global average pooling -> (b, features)."""
    n = check_size(size)
    inputs = keras.Input((size, size, 3), name="image")
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)  # (b, size, size, 3)
    for i in range(n - 2):
        x = down_block(
            x, width * min(2**i, max_mult), batchnorm=i > 0, name=f"down{i}", momentum=bn_momentum
        )
    x = layers.GlobalAveragePooling2D()(x)  # (b, f)
    x = layers.Dropout(0.2)(x)
    return inputs, x


def check_lut_size(lut_size: int) -> None:
    if not isinstance(lut_size, int) or not 2 <= lut_size <= 65:
        raise ValueError(f"model.lut_size must be an integer between 2 and 65, got {lut_size!r}")


def build_basis_lut_generator(
    size: int = 64,
    width: int = 16,
    max_mult: int = 8,
    lut_size: int = 8,
    n_basis: int = 8,
    bn_momentum: float = 0.99,
    name: str = "generator",
) -> keras.Model:
    """``(b, size, size, 3) [0,1] -> (b, n, n, n, 3)`` LUT tables, n = `lut_size`.

    A dense layer predicts `n_basis` mixing weights of a learned basis of LUTs (kept small so a
    33^3 LUT costs 33^3 * 3 * n_basis parameters, not a dense layer of that many outputs).
    """
    check_lut_size(lut_size)
    inputs, x = _encoder(size, width, max_mult, bn_momentum)
    weights = layers.Dense(n_basis, kernel_initializer=_init(), name="basis_weights")(x)  # (b, K)
    tables = BasisLUT(lut_size, n_basis, name="lut")(weights)  # (b, n, n, n, 3)
    return keras.Model(inputs, tables, name=name)


def build_conv3d_lut_generator(
    size: int = 64,
    width: int = 16,
    max_mult: int = 8,
    lut_size: int = 8,
    head_width: int = 32,
    bn_momentum: float = 0.99,
    name: str = "generator",
) -> keras.Model:
    """``(b, size, size, 3) [0,1] -> (b, n, n, n, 3)`` with a Conv3DTranspose head from a 2^3 seed.

    n must be a power of two (each 4x4x4 stride-2 layer doubles the lattice) or a power of two
    plus one (the last layer is 3x3x3 stride 2 'valid': m -> 2m + 1, e.g. 16 -> 33).
    """
    check_lut_size(lut_size)
    plus_one = lut_size > 2 and (lut_size - 1) & (lut_size - 2) == 0
    base = lut_size - 1 if plus_one else lut_size
    if base < 4 or base & (base - 1):
        raise ValueError(f"lut_gan_3d needs model.lut_size = 2^k or 2^k + 1 (>= 4), got {lut_size}")
    inputs, x = _encoder(size, width, max_mult, bn_momentum)
    x = layers.Dense(8 * head_width, kernel_initializer=_init())(x)
    x = layers.Reshape((2, 2, 2, head_width))(x)  # (b, 2, 2, 2, hw)
    steps = int(math.log2(base)) - 1 - (1 if plus_one else 0)
    for i in range(steps):  # (b, 2^(i+2), ..., hw/2^i)
        x = layers.Conv3DTranspose(
            max(head_width >> i, 8), 4, strides=2, padding="same", kernel_initializer=_init()
        )(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    if plus_one:  # (b, base/2, ...) -> (b, base+1, ...)
        x = layers.Conv3DTranspose(8, 3, strides=2, padding="valid", kernel_initializer=_init())(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    offsets = layers.Conv3D(3, 3, padding="same", kernel_initializer="zeros", name="offsets")(x)
    tables = AddIdentityLUT(name="lut")(offsets)  # (b, n, n, n, 3)
    return keras.Model(inputs, tables, name=name)
