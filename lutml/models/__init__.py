"""Models: pix2pix (any power-of-two size), asymmetric, LUT-GANs; registry in `lutml.models.registry`.

This package's `__init__` stays TensorFlow-free so `lutml.models.inference` can be imported by
the CLI and web app cheaply; TensorFlow loads when a model is built or loaded.
"""

#: Valid `model.name` values and what the saved generator outputs ("image" or "lut").
MODEL_KINDS = {"pix2pix": "image", "asymmetric": "image", "lut_gan": "lut", "lut_gan_3d": "lut"}
