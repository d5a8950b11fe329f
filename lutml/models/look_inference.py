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

from lutml.lut.lut3d import LUT3D, identity_table
from lutml.models.files import LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
from lutml.resize import resize_image

QUANTILES = (
    0.005,
    0.02,
    0.05,
    0.1,
    0.25,
    0.5,
    0.75,
    0.9,
    0.95,
    0.98,
    0.995,
)  # of the R, G, B and L* distributions: the features' quantile levels (also look_encoder's)

# sRGB (D65) linear RGB -> XYZ and white in float32 (lutml.color's matrix; the TensorFlow features
# in look_encoder use these same arrays).
RGB_TO_XYZ = np.array(
    [
        [0.4123908, 0.3575843, 0.1804808],
        [0.2126390, 0.7151687, 0.0721923],
        [0.0193308, 0.1191948, 0.9505322],
    ],
    np.float32,
)
WHITE = RGB_TO_XYZ.sum(axis=1)


def _bin(x: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    return np.clip(np.floor((x - lo) / (hi - lo) * n).astype(np.int64), 0, n - 1)


def _hist(bins: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-image histograms: bins (m, p) -> (m, n)."""
    m = bins.shape[0]
    flat = (bins + np.arange(m)[:, None] * n).ravel()
    w = None if weights is None else weights.ravel()
    return np.bincount(flat, weights=w, minlength=m * n).reshape(m, n).astype(np.float32)


def colour_features_np(
    images: np.ndarray,
    rgb_bins: int = 8,
    l_bins: int = 32,
    bands: int = 8,
    hue_bins: int = 24,
    ab_bins: int = 16,
) -> np.ndarray:
    """NumPy twin of `lutml.models.look_encoder.colour_features` (same bins, float32 maths)."""
    m = images.shape[0]
    px = np.asarray(images, np.float32).reshape(m, -1, 3)
    count = np.float32(px.shape[1])
    q = _bin(px, 0.0, 1.0, rgb_bins)
    rgb = _hist((q[..., 0] * rgb_bins + q[..., 1]) * rgb_bins + q[..., 2], rgb_bins**3) / count
    x = np.clip(px, 0.0, 1.0)
    lin = np.where(
        x <= 0.04045, x / np.float32(12.92), ((np.maximum(x, 0.04045) + 0.055) / 1.055) ** 2.4
    )
    xyz = (lin @ RGB_TO_XYZ.T / WHITE).astype(np.float32)
    f = np.where(
        xyz > 216.0 / 24389.0, np.cbrt(np.maximum(xyz, 1e-8)), (24389.0 / 27.0 * xyz + 16.0) / 116.0
    )
    L, a, b = (
        116.0 * f[..., 1] - 16.0,
        500.0 * (f[..., 0] - f[..., 1]),
        200.0 * (f[..., 1] - f[..., 2]),
    )
    chroma = np.sqrt(a * a + b * b + 1e-6)
    light = _hist(_bin(L, 0.0, 100.0, l_bins), l_bins) / count
    band = _bin(L, 0.0, 100.0, bands)
    in_band = _hist(band, bands) + 1e-3
    mean_a = _hist(band, bands, a) / in_band / 30.0
    mean_b = _hist(band, bands, b) / in_band / 30.0
    mean_c = _hist(band, bands, chroma) / in_band / 30.0
    hue = _hist(_bin(np.arctan2(b, a), -np.pi, np.pi, hue_bins), hue_bins, chroma) / count / 30.0
    ab = (
        _hist(_bin(a, -64.0, 64.0, ab_bins) * ab_bins + _bin(b, -64.0, 64.0, ab_bins), ab_bins**2)
        / count
    )
    at = (np.asarray(QUANTILES, np.float32) * (count - 1.0)).astype(
        np.int64
    )  # nearest-rank quantiles
    rgb_q = np.sort(px, axis=1)[:, at].reshape(m, -1)
    l_q = np.sort(L, axis=1)[:, at] / 100.0
    return np.concatenate(
        [
            np.sqrt(rgb),
            np.sqrt(light),
            mean_a,
            mean_b,
            mean_c,
            np.sqrt(in_band / count),
            hue,
            np.sqrt(ab),
            rgb_q,
            l_q,
        ],
        axis=1,
    ).astype(np.float32)


class NumpyLookNet:
    """The look estimator's forward pass in NumPy, from the weights the trainer exports.

    Same interface as the Keras `LookEncoder` where `LookModel` uses it: ``(frames, mask) ->
    coefficients`` via `__call__`, `tables`, and `basis.node_weights`.
    """

    def __init__(self, weights: dict[str, np.ndarray]):
        self.w = weights
        self.frame_size = int(weights["frame_size"])
        self.lut_size = int(weights["lut_size"])
        self.basis = type("Basis", (), {"node_weights": weights["node_weights"]})()

    def _mlp(self, x: np.ndarray, prefix: str) -> np.ndarray:
        layers = sorted(k for k in self.w if k.startswith(f"{prefix}.") and k.endswith(".kernel"))
        for i, name in enumerate(layers):
            x = x @ self.w[name] + self.w[name.replace(".kernel", ".bias")]
            if i < len(layers) - 1 or prefix == "frame":
                x = np.maximum(x, 0.0)
        return x

    def coefficients(self, tiles: np.ndarray) -> np.ndarray:
        """One set of tiles (t, S, S, 3) in [0, 1] -> coefficients (K,)."""
        f = colour_features_np(tiles)
        e = np.concatenate([self._mlp(f, "frame"), f], axis=1)
        return self._mlp(e.mean(axis=0, keepdims=True), "head")[0]

    def table(self, coefficients: np.ndarray) -> np.ndarray:
        n = self.lut_size
        off = self.w["mean"] + coefficients @ self.w["basis"]
        return identity_table(n) + off.reshape(n, n, n, 3)


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

    def _predict(self, tiles: np.ndarray, n_frames: int) -> np.ndarray:
        """One set of tiles (t, S, S, 3) from `n_frames` frames -> LUT table (n, n, n, 3) in [0, 1]."""
        if isinstance(self.model, NumpyLookNet):
            table = self.model.table(self.model.coefficients(tiles))
        else:
            import tensorflow as tf

            coefficients = self.model(
                {"frames": tf.constant(tiles[None]), "mask": tf.ones([1, len(tiles)])}
            )
            table = np.asarray(self.model.tables(coefficients))[0]
        ident = identity_table(self.lut_size)
        return np.clip(ident + self.shrinkage(n_frames) * (table - ident), 0.0, 1.0)

    def predict_table(self, frames: Sequence[np.ndarray], refine: int = 0) -> np.ndarray:
        """The look of `frames` (float32 RGB images in [0, 1]) as a table (n, n, n, 3).

        `refine` rounds of self-correction: the frames are un-graded with the inverse of the
        current estimate and the estimator, asked again, names what is left; the remainder is
        composed onto the estimate. An estimate from a prior over many looks leans towards that
        prior's centre; asking again from closer to neutral removes part of that lean.
        """
        from lutml.lut import apply_lut

        tiles = self._sets(frames)
        table = self._predict(tiles, len(frames))
        for _ in range(int(refine)):
            inverse = invert_table(table)
            undone = np.clip(apply_lut(inverse, tiles), 0.0, 1.0)
            undone = np.rint(undone * 255.0) / 255.0
            rest = LUT3D(self._predict(undone.astype(np.float32), len(frames)))
            table = np.clip(apply_lut(rest, table), 0.0, 1.0)
        return table.astype(np.float32)

    def predict_look(
        self, frames: Sequence[np.ndarray], refine: int = 0, size: int | None = None
    ) -> LUT3D:
        """`predict_table` as a `LUT3D`, resampled (trilinearly) to `size` nodes per axis if given."""
        table = self.predict_table(frames, refine)
        if size and size != table.shape[0]:
            table = resample_table(table, int(size))
        return LUT3D(table, title="lutml learned look")

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
    from lutml.lut import apply_lut

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

    from lutml.models.validate import check_look_model

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


def natural_coverage(images: Sequence[np.ndarray], node_weights: np.ndarray) -> float:
    """Share of natural footage's colours that `images` show, in [0, 1].

    `node_weights` (n^3,) say how often natural photos hold the colour of each lattice node
    (saved with the model). A node counts as shown when any pixel of the images is nearest to it
    or to a lattice neighbour; the result is the shown nodes' share of the total weight. A
    grayscale still shows only the grey axis (a few %), a varied daylight scene 40-70 %.
    """
    w = np.asarray(node_weights, np.float64)
    n = round(len(w) ** (1 / 3))
    shown = np.zeros((n, n, n), bool)
    for img in images:
        step = max(
            1, int(np.sqrt(img.shape[0] * img.shape[1] / 2**20))
        )  # ~1 Mpx is plenty for a 17^3 lattice
        px = np.asarray(img[::step, ::step], np.float32).reshape(-1, 3)
        idx = np.rint(np.clip(px, 0, 1) * (n - 1)).astype(np.int64)
        shown[idx[:, 0], idx[:, 1], idx[:, 2]] = True
    grown = shown.copy()  # one step of dilation along each axis: neighbours of shown nodes count
    for axis in range(3):
        lo, hi = [slice(None)] * 3, [slice(None)] * 3
        lo[axis], hi[axis] = slice(1, None), slice(None, -1)
        grown[tuple(lo)] |= shown[tuple(hi)]
        grown[tuple(hi)] |= shown[tuple(lo)]
    return float(w.reshape(n, n, n)[grown].sum() / w.sum())
