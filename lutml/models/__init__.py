"""Models: pix2pix (any power-of-two size), asymmetric, LUT-GANs; registry in `lutml.models.registry`.

This package's `__init__` stays TensorFlow-free so `lutml.models.inference` can be imported by
the CLI and web app cheaply; TensorFlow loads when a model is built or loaded.
"""

#: Valid `model.name` values and what the saved generator outputs ("image" or "lut").
MODEL_KINDS = {"look_encoder": "look", "pix2pix": "image", "asymmetric": "image", "lut_gan": "lut", "lut_gan_3d": "lut"}


def check_mode(model_name: str, synth_mode: str) -> str:
    """The model kind, after checking that the synthesize mode makes the data it learns from."""
    kind = MODEL_KINDS.get(model_name)
    if kind is None:
        raise ValueError(f"unknown model.name {model_name!r}; valid names: {', '.join(sorted(MODEL_KINDS))}")
    if (kind == "look") != (synth_mode == "looks"):
        want = "looks" if kind == "look" else "grade or neutralize"
        raise ValueError(f"model {model_name!r} learns from synth.mode={want}, but synth.mode={synth_mode!r} "
                         "(use `-S experiment=pix2pix` for the pair-trained models)")
    return kind
