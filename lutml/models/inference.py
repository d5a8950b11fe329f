"""Load a trained generator and run it on one image: the contract used by evaluate, `lutml grade`
and the web app.

TensorFlow is imported inside the functions, so importing this module is cheap.

A model directory (the train stage's `data/models/`) holds ``generator.keras`` and ``model.json``
(``{"name", "variant", "kind": "image"|"lut", "input_size", "output_size", "lut_size", "reverse",
"look", "epochs", ...}``). A bare ``.keras`` file also loads; its sizes are read from the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lutml.lut.lut3d import LUT3D
from lutml.models.files import GENERATOR_FILE, LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
from lutml.models.look_inference import load_look_model
from lutml.models.validate import check_image_model, model_files, read_meta


def resize_batch_square(images, size: int):
    """Resize a batch (b, h, w, 3) of float images to (b, size, size, 3) in TensorFlow: bilinear,
    antialiased when shrinking; returns a tf.Tensor.

    The single resize of model inputs and targets in training, validation and inference, so the
    model always sees the same kind of pixels. (Single images without TensorFlow:
    `lutml.resize.resize_image`.)
    """
    import tensorflow as tf

    if images.shape[1] == size and images.shape[2] == size:
        return tf.convert_to_tensor(images)
    return tf.image.resize(images, [size, size], method="bilinear", antialias=True)


@dataclass
class LoadedModel:
    """A trained generator with its metadata.

    Attributes
    ----------
    kind : "image" (image -> image) or "lut" (image -> LUT table)
    input_size, output_size : int, square sizes in px (output smaller for asymmetric models)
    meta : dict, the model.json content (or what could be read from the model itself)
    """

    model: Any
    kind: str
    input_size: int
    output_size: int
    meta: dict = field(default_factory=dict)
    path: Path | None = None

    def _input(self, image: np.ndarray) -> np.ndarray:
        img = np.asarray(image, dtype=np.float32)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f"expected an RGB image of shape (H, W, 3), got {img.shape}")
        if not np.all(np.isfinite(img)):
            raise ValueError("image contains NaN or infinite values")
        resized = resize_batch_square(np.clip(img, 0.0, 1.0)[None], self.input_size)
        return np.clip(np.asarray(resized), 0.0, 1.0).astype(np.float32)

    def predict(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Run the model on one image.

        Parameters
        ----------
        image : float32 (H, W, 3) RGB in [0, 1], any size (resized to the model's input size)

        Returns
        -------
        model_input : float32 (input_size, input_size, 3) in [0, 1], what the model saw
        model_output : float32 (output_size, output_size, 3) in [0, 1], the generated image; for
            LUT models, the predicted LUT applied (trilinear) to `model_input`
        """
        x = self._input(image)
        out = self.model(x, training=False)
        if self.kind == "lut":
            from lutml.models.lut_layers import apply_lut_trilinear

            out = apply_lut_trilinear(out, x)
        return x[0], np.clip(np.asarray(out)[0], 0.0, 1.0).astype(np.float32)

    def predict_lut(self, image: np.ndarray) -> LUT3D:
        """The LUT a "lut" model predicts for `image` (float32 (H, W, 3) in [0, 1])."""
        if self.kind != "lut":
            raise ValueError(
                f"{self.path}: an image model has no predict_lut; fit a LUT to predict() instead"
            )
        table = np.asarray(self.model(self._input(image), training=False))[0]
        return LUT3D(
            table, title=f"lutml {self.meta.get('variant', self.meta.get('name', 'model'))}"
        )


def _resolve(path: str | Path) -> tuple[Path, dict]:
    p = Path(path)
    if p.is_dir():
        p = p / GENERATOR_FILE
    if not p.is_file():
        raise FileNotFoundError(f"{p}: model file not found")
    if p.suffix != ".keras":
        raise ValueError(f"{p}: not a Keras model (expected a .keras file or a model directory)")
    meta_path = p.parent / META_FILE

    return p, read_meta(meta_path, required=False)  # a JSON object of the right fields, or {}


def load_model(path: str | Path) -> LoadedModel:
    """Load ``generator.keras`` (a file, or a directory holding it and ``model.json``).

    Raises
    ------
    FileNotFoundError if nothing is there; ValueError if the file is not a Keras model of a
    square RGB image, or if ``model.json`` disagrees with the model's input size.
    """
    p, meta = _resolve(path)  # a wrong path or a damaged file is reported before TensorFlow loads
    check_image_model(p)
    import keras

    import lutml.models.lut_layers  # noqa: F401  (register the custom layers for deserialisation)
    import lutml.models.pix2pix  # noqa: F401

    try:
        model = keras.models.load_model(p, compile=False)
    except (
        Exception
    ) as exc:  # Keras raises ValueError, OSError, zipfile errors... one message for all
        raise ValueError(f"{p}: cannot load Keras model ({type(exc).__name__}: {exc})") from exc
    in_shape = tuple(model.input_shape)
    out_shape = tuple(model.output_shape)
    if len(in_shape) != 4 or in_shape[3] != 3 or in_shape[1] != in_shape[2] or in_shape[1] is None:
        raise ValueError(f"{p}: expected a model of square RGB images, input shape is {in_shape}")
    kind = "lut" if len(out_shape) == 5 else "image"
    input_size = int(in_shape[1])
    output_size = input_size if kind == "lut" else int(out_shape[1])
    if meta.get("input_size", input_size) != input_size:
        raise ValueError(
            f"{p}: model.json says input size {meta['input_size']}, the model takes {input_size}"
        )
    if meta.get("kind", kind) != kind:
        raise ValueError(f"{p}: model.json says kind {meta['kind']!r}, the model outputs {kind!r}")
    return LoadedModel(model, kind, input_size, output_size, meta, p)


def load_any_model(path: str | Path):
    """A look model (`lutml.models.look_inference.LookModel`) or an image/LUT model (`LoadedModel`).

    A folder is a look model when it holds ``look_encoder.keras`` (or its model.json says
    ``"kind": "look"``); a file by its name.
    """
    p = Path(path)
    model_files(p)  # a wrong path: one error, before anything (TensorFlow) is imported
    names = (LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE)
    if (p.is_dir() and any((p / n).is_file() for n in names)) or p.name in names:
        return load_look_model(p)
    return load_model(p)
