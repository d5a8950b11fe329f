"""Use a trained look estimator: frames of a look -> one LUT (TensorFlow imported on load only).

A model folder (stage `train` with a look model) holds ``look_encoder.keras`` and ``model.json``
(``{"name", "variant", "kind": "look", "frame_size", "lut_size", ...}``).

Frames of any size are cut into square tiles (one for near-square frames, three along the long
side otherwise), area-resized to the model's frame size and quantised to 8 bits, exactly as the
training crops were; all tiles of all frames form one set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lutml.lut import apply_lut
from lutml.lut.lut3d import LUT3D, identity_table
from lutml.models.files import LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
from lutml.models.look_features import (  # noqa: F401  (re-exported)
    QUANTILES,
    RGB_TO_XYZ,
    WHITE,
    NumpyLookNet,
    colour_features_np,
)
from lutml.models.validate import check_look_model
from lutml.resize import resize_image
from lutml.trust import (
    TrustModel,
    frame_subset,
    natural_coverage,  # noqa: F401  (re-exported: its home before lutml.trust)
    set_features,
)


def frame_tiles(image: np.ndarray, size: int) -> np.ndarray:
    """Square tiles of an RGB frame, resized to `size`: uint8 (t, size, size, 3), t = 1 or 3."""
    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got {img.shape}")
    if not np.all(np.isfinite(img)):
        raise ValueError("image contains NaN or infinite values")
    h, w = img.shape[:2]
    s = min(h, w)
    n = 1 if max(h, w) < 1.2 * s else 3
    tiles = []
    for t in np.linspace(0.0, 1.0, n) if n > 1 else [0.5]:
        y0, x0 = int(round(t * (h - s))), int(round(t * (w - s)))
        tile = resize_image(img[y0 : y0 + s, x0 : x0 + s], (size, size), "area")
        tiles.append(np.rint(np.clip(tile, 0.0, 1.0) * 255.0).astype(np.uint8))
    return np.stack(tiles)


@dataclass
class LookModel:
    """A trained look estimator with its metadata (`load_look_model`)."""

    model: Any
    frame_size: int
    lut_size: int
    meta: dict = field(default_factory=dict)
    path: Path | None = None
    kind: str = "look"

    def _sets(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        if len(frames) == 0:
            raise ValueError("no frames given: a look needs at least one graded frame")
        return (
            np.concatenate([frame_tiles(f, self.frame_size) for f in frames]).astype(np.float32)
            / 255.0
        )

    def shrinkage(self, n_frames: int) -> float:
        """The trust factor for a look estimated from `n_frames` frames (model.json "shrinkage",
        fitted on validation data by the trainer; 1 when absent)."""
        table = self.meta.get("shrinkage") or {}
        fitting = [int(k) for k in table if int(k) <= n_frames]
        return float(table[str(max(fitting))]) if fitting else 1.0

    @property
    def trust(self):
        """The trust model fitted by the train stage (`lutml.trust`), or None for older models."""
        if "_trust" not in self.__dict__:
            block = self.meta.get("trust")
            try:
                self.__dict__["_trust"] = None if block is None else TrustModel(block)
            except (ValueError, KeyError, TypeError) as exc:
                where = META_FILE if self.path is None else Path(self.path).parent / META_FILE
                raise ValueError(f"{where}: {exc}") from None
        return self.__dict__["_trust"]

    def _raw(self, tiles: np.ndarray) -> np.ndarray:
        """The estimator's own answer for one set of tiles: table (n, n, n, 3), clipped to [0, 1]."""
        if isinstance(self.model, NumpyLookNet):  # with its tone head, where it has one
            return self.model.set_table(tiles)
        import tensorflow as tf

        coefficients = self.model(
            {"frames": tf.constant(tiles[None]), "mask": tf.ones([1, len(tiles)])}
        )
        return np.clip(np.asarray(self.model.tables(coefficients))[0], 0.0, 1.0)

    def _predict(self, tiles: np.ndarray, n_frames: int) -> np.ndarray:
        """One set of tiles (t, S, S, 3) from `n_frames` frames -> LUT table (n, n, n, 3) in [0, 1]
        (with the scalar trust factor of models without a trust model)."""
        table = self._raw(tiles)
        if self.trust is not None:
            return table
        ident = identity_table(self.lut_size)
        return np.clip(ident + self.shrinkage(n_frames) * (table - ident), 0.0, 1.0)

    def estimate(
        self,
        frames: Sequence[np.ndarray],
        refine: int = 0,
        size: int | None = None,
        trusted: bool = True,
    ) -> tuple[LUT3D, Any]:
        """The look of `frames` and how sure the model is: (LUT3D, `lutml.trust.TrustReport` or
        None for models without a trust model). Uncertain parts of the look (tone, saturation,
        cast) are pulled towards no grade by the trust model (``trusted=False``: the raw estimate,
        with the report all the same)."""
        table = self.predict_table(frames, refine, trusted=False)
        report = None
        if self.trust is not None:
            shrunk, report = self._trusted(frames, table)
            table = shrunk if trusted else table
        if size and size != table.shape[0]:
            table = resample_table(table, int(size))
        return LUT3D(table.astype(np.float32), title="lutml learned look"), report

    def _trusted(self, frames: Sequence[np.ndarray], raw: np.ndarray):
        per_frame = [frame_tiles(f, self.frame_size).astype(np.float32) / 255.0 for f in frames]
        tiles = np.concatenate(per_frame)
        frame_of = np.concatenate([np.full(len(t), i) for i, t in enumerate(per_frame)])
        which = frame_subset(len(frames))
        if isinstance(self.model, NumpyLookNet):  # all frames' own estimates in one pass
            _, own, gap = self.model.set_and_frame_tables(tiles, frame_of, which)
            own = list(own)
        else:
            own, gap = [self._raw(per_frame[i]) for i in which], 0.0
        weights = np.asarray(self.model.basis.node_weights)
        x = set_features(raw, tiles, frame_of, own, weights, gap)
        return self.trust.apply(raw, x, weights)

    def predict_table(
        self, frames: Sequence[np.ndarray], refine: int = 0, trusted: bool = True
    ) -> np.ndarray:
        """The look of `frames` (float32 RGB images in [0, 1]) as a table (n, n, n, 3).

        `refine` rounds of self-correction: the frames are un-graded with the inverse of the
        current estimate and the estimator, asked again, names what is left; the remainder is
        composed onto the estimate. An estimate from a prior over many looks leans towards that
        prior's centre; asking again from closer to neutral removes part of that lean.
        """
        tiles = self._sets(frames)
        table = self._predict(tiles, len(frames))
        for _ in range(int(refine)):
            inverse = invert_table(table)
            undone = np.clip(apply_lut(inverse, tiles), 0.0, 1.0)
            undone = np.rint(undone * 255.0) / 255.0
            rest = LUT3D(self._predict(undone.astype(np.float32), len(frames)))
            table = np.clip(apply_lut(rest, table), 0.0, 1.0)
        if trusted and self.trust is not None:
            table = self._trusted(frames, table)[0]
        return table.astype(np.float32)

    def predict_look(
        self, frames: Sequence[np.ndarray], refine: int = 0, size: int | None = None
    ) -> LUT3D:
        """`estimate`'s look alone: a `LUT3D`, resampled (trilinearly) to `size` nodes per axis if given."""
        return self.estimate(frames, refine, size)[0]

    def frame_tables(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        """Each frame's look on its own (n_frames, n, n, n, 3): the spread says whether frames agree."""
        return np.stack([self._predict(self._sets([f]), 1) for f in frames])


def resample_table(table: np.ndarray, size: int) -> np.ndarray:
    """A table (n, n, n, 3) evaluated trilinearly at the nodes of a `size`^3 lattice (what
    `lutml.lut.resample_lut` computes, in NumPy: no numba start-up for one small lattice)."""
    n = table.shape[0]
    x = np.linspace(0.0, n - 1.0, size)
    i0 = np.minimum(np.floor(x).astype(np.int64), n - 2)
    f = (x - i0)[:, None, None, None]
    out = (1 - f) * table[i0] + f * table[i0 + 1]  # along r
    f = (x - i0)[None, :, None, None]
    out = (1 - f) * out[:, i0] + f * out[:, i0 + 1]  # along g
    f = (x - i0)[None, None, :, None]
    out = (1 - f) * out[:, :, i0] + f * out[:, :, i0 + 1]  # along b
    return out.astype(np.float32)


def invert_table(table: np.ndarray, size: int | None = None) -> LUT3D:
    """A LUT that undoes `table` (n, n, n, 3) where it is invertible (a smooth lattice fit of
    (table(x) -> x) on a dense grid; where the look clips, the nearest pre-image is kept)."""
    from lutml.fit import fit_lut

    n = size or table.shape[0]
    grid = identity_table(2 * n - 1)
    mapped = np.clip(apply_lut(LUT3D(table), grid), 0.0, 1.0)
    flat_src = mapped.reshape(grid.shape[0], -1, 3)
    flat_dst = grid.reshape(grid.shape[0], -1, 3)
    return fit_lut(flat_src, flat_dst, size=n, method="lattice")


def export_numpy_weights(encoder: Any, path: str | Path) -> None:
    """Write the weights `NumpyLookNet` runs on (called by the trainer beside the .keras file)."""
    w = {
        "frame_size": np.int64(encoder.frame_size),
        "lut_size": np.int64(encoder.lut_size),
        "mean": np.asarray(encoder.basis.mean),
        "basis": np.asarray(encoder.basis.basis),
        "node_weights": np.asarray(encoder.basis.node_weights),
    }
    for prefix, seq in (("frame", encoder.frame_mlp), ("head", encoder.head)):
        for i, layer in enumerate(seq.layers):
            w[f"{prefix}.{i:02d}.kernel"] = np.asarray(layer.kernel)
            w[f"{prefix}.{i:02d}.bias"] = np.asarray(layer.bias)
    np.savez(path, **w)


def load_look_model(path: str | Path) -> LookModel:
    """Load a look model folder (``look_encoder.npz`` for NumPy inference when present, else
    ``look_encoder.keras`` through Keras) or a ``.keras`` / ``.npz`` file of one."""
    import json

    check_look_model(path)  # damage: one error naming the file (lutml.models.validate)
    p = Path(path)
    if p.is_dir():
        p = p / LOOK_WEIGHTS_FILE if (p / LOOK_WEIGHTS_FILE).is_file() else p / LOOK_ENCODER_FILE
    meta_path = p.parent / META_FILE
    if p.suffix == ".npz" and p.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        try:
            with np.load(p) as z:
                net = NumpyLookNet({k: z[k] for k in z.files})
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{p}: cannot load the look model weights ({exc})") from exc
        return LookModel(net, net.frame_size, net.lut_size, meta, p)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: look model file not found")
    import keras

    import lutml.models.look_encoder  # noqa: F401  (registers the custom layers)

    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    try:
        model = keras.models.load_model(p, compile=False)
    except Exception as exc:  # Keras raises many types for a bad file: one message
        raise ValueError(f"{p}: cannot load the look model ({type(exc).__name__}: {exc})") from exc
    return LookModel(model, int(model.frame_size), int(model.lut_size), meta, p)
