"""Check a model folder before it is used: damage is one clear error, never a wrong result.

`lutml grade`, the web app and the evaluate stage load models written by the train stage. A
folder can be damaged afterwards (a copy cut short, a hand edit, a disk error) in ways the
loaders would otherwise report as tracebacks (``EOFError``, ``BadZipFile``, ``KeyError``) or,
worse, not at all (a missing ``model.json`` silently skipped the trust factor; a weight of 1e30
gave a saturated LUT with exit 0). Everything here is NumPy and JSON: TensorFlow is never
imported, so a wrong path or a damaged file is reported in milliseconds.

What is checked (each failure is a `ValueError` or `FileNotFoundError` whose message starts with
the file it is about and says what is wrong with it):

- the path exists; a folder holds a model (``look_encoder.npz``/``.keras`` or
  ``generator.keras``); no file is a device, FIFO or folder in disguise;
- ``model.json``: present for look models (it holds the trust factor), a JSON object, its
  ``kind`` / sizes / ``shrinkage`` of the right types and in range, agreeing with the weights;
- ``look_encoder.npz``: a readable npz (not empty, not truncated), every array the NumPy
  forward pass needs, of the shapes the layers chain into, finite, no weight beyond
  `MAX_WEIGHT` in size; then a probe: the net's LUT for a few synthetic frames must be finite
  and move no colour by more than `MAX_PROBE_OFFSET` (the trained model: < 1 before clipping);
- ``.keras`` files: regular, non-empty zip archives (Keras checks the rest when it loads).
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from lutml.models.files import GENERATOR_FILE, LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE, META_FILE
from lutml.models.tone_edges import ToneHead

KINDS = ("look", "image", "lut")
MAX_META_BYTES = 1 << 20  # model.json is a few hundred bytes
MAX_WEIGHT = 1e4  # trained weights are O(1); 1e4 is far beyond any, far below overflow
MAX_PROBE_OFFSET = 4.0  # trained looks stay under ~1 even on noise; 4 leaves room for any
_SIZES = {  # model.json integer fields: (lowest, highest)
    "frame_size": (4, 4096),
    "lut_size": (2, 65),
    "input_size": (4, 8192),
    "output_size": (1, 8192),
}


def _regular_file(p: Path, what: str) -> None:
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{what} not found", str(p)) from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{p}: {what} is not a regular file")
    if st.st_size == 0:
        raise ValueError(f"{p}: {what} is empty (0 bytes): the model folder is damaged")


def model_files(path: str | os.PathLike[str]) -> tuple[str, Path, Path]:
    """(kind, weights file, model.json path) of a model folder or file, from names only.

    kind is "look" (``look_encoder.npz`` preferred, else ``look_encoder.keras``) or "image"
    (``generator.keras``: image or LUT models; model.json says which).
    """
    p = Path(path)
    if not p.exists():
        what = "model folder or file" if not p.suffix else "model file"
        raise FileNotFoundError(errno.ENOENT, f"{what} not found", str(p))
    if p.is_dir():
        for name in (LOOK_WEIGHTS_FILE, LOOK_ENCODER_FILE):
            if (p / name).exists():
                return "look", p / name, p / META_FILE
        if (p / GENERATOR_FILE).exists():
            return "image", p / GENERATOR_FILE, p / META_FILE
        raise FileNotFoundError(
            errno.ENOENT,
            f"not a model folder (no {LOOK_WEIGHTS_FILE}, {LOOK_ENCODER_FILE} or "
            f"{GENERATOR_FILE} in it)",
            str(p),
        )
    kind = "look" if p.name in (LOOK_WEIGHTS_FILE, LOOK_ENCODER_FILE) else "image"
    return kind, p, p.parent / META_FILE


def read_meta(meta_path: Path, required: bool) -> dict[str, Any]:
    """model.json as a checked dict ({} when absent and not `required`)."""
    if not meta_path.exists() and not meta_path.is_symlink():
        if required:
            raise FileNotFoundError(
                errno.ENOENT,
                "missing: a look model needs its model.json (sizes and the trust factor the "
                "trainer fitted); copy the whole model folder",
                str(meta_path),
            )
        return {}
    _regular_file(meta_path, "model.json")
    if meta_path.stat().st_size > MAX_META_BYTES:
        raise ValueError(f"{meta_path}: over {MAX_META_BYTES >> 20} MB: not a model.json")
    try:
        meta = json.loads(meta_path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{meta_path}: not UTF-8 text: damaged model.json") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{meta_path}: invalid JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"{meta_path}: invalid JSON (nested too deeply)") from None
    if not isinstance(meta, dict):
        raise ValueError(
            f"{meta_path}: expected a JSON object {{...}}, got {type(meta).__name__} "
            "(damaged model.json?)"
        )
    check_meta(meta, meta_path)
    return meta


def check_meta(meta: dict[str, Any], where: Path | str) -> None:
    """The model.json fields the loaders use: types and ranges."""
    kind = meta.get("kind")
    if kind is not None and kind not in KINDS:
        raise ValueError(f'{where}: "kind" must be one of {", ".join(KINDS)}, got {kind!r}')
    for key, (lo, hi) in _SIZES.items():
        if key not in meta or meta[key] is None:
            continue
        value = meta[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ValueError(f'{where}: "{key}" must be a whole number {lo}-{hi}, got {value!r}')
    shrinkage = meta.get("shrinkage")
    if shrinkage is None:
        return
    if not isinstance(shrinkage, dict):
        raise ValueError(
            f'{where}: "shrinkage" must be an object of frame count -> factor, '
            f"got {type(shrinkage).__name__}"
        )
    for k, v in shrinkage.items():
        if not (isinstance(k, str) and k.isascii() and k.isdigit() and int(k) >= 1):
            raise ValueError(f'{where}: "shrinkage" key {k!r} is not a frame count (1, 2, ...)')
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not math.isfinite(v)
            or not 0.0 <= v <= 2.0
        ):
            raise ValueError(f'{where}: "shrinkage" factor for {k} frames must be 0-2, got {v!r}')


def _check_zip(p: Path, what: str) -> None:
    _regular_file(p, what)
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04" or not zipfile.is_zipfile(p):
        raise ValueError(
            f"{p}: cannot load Keras model (not a .keras zip archive: damaged, cut short or "
            "another file)"
        )


def load_look_weights(p: Path) -> dict[str, np.ndarray]:
    """Every array of a look_encoder.npz, or one error naming the file and what is wrong."""
    _regular_file(p, "look model weights")
    try:
        with np.load(p, allow_pickle=False) as z:
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise ValueError("a single .npy array, not an .npz archive")
            return {k: np.asarray(z[k]) for k in z.files}
    except Exception as exc:  # EOFError, BadZipFile, zlib.error, ValueError, OSError, ...
        reason = str(exc).replace(str(p), "the file") or type(exc).__name__
        if "pickled" in reason:  # numpy's own words suggest loading it unsafely: never
            reason = "not an .npz archive of arrays: bytes NumPy reads as pickled Python objects"
        raise ValueError(
            f"{p}: damaged look model weights, cannot be read ({type(exc).__name__}: {reason}); "
            "copy the model folder again or retrain"
        ) from None


def _feature_count() -> int:
    from lutml.models.look_features import colour_features_np

    return int(colour_features_np(np.zeros((1, 4, 4, 3), np.float32)).shape[1])


def _layers(w: dict[str, np.ndarray], prefix: str, p: Path) -> list[str]:
    names = sorted(k for k in w if k.startswith(f"{prefix}.") and k.endswith(".kernel"))
    if not names:
        raise ValueError(f"{p}: no {prefix}.NN.kernel arrays: not a look model's weights")
    for i, name in enumerate(names):
        if name != f"{prefix}.{i:02d}.kernel":
            raise ValueError(f"{p}: layer {name} out of sequence (expected {prefix}.{i:02d})")
        if name.replace(".kernel", ".bias") not in w:
            raise ValueError(f"{p}: {name.replace('.kernel', '.bias')} is missing")
    return names


def check_look_weights(w: dict[str, np.ndarray], p: Path, meta: dict[str, Any]) -> None:
    """Keys, shapes, finiteness and size of the weights `NumpyLookNet` runs on."""
    for key in ("frame_size", "lut_size", "mean", "basis", "node_weights"):
        if key not in w:
            raise ValueError(f"{p}: the array {key!r} is missing: damaged or not a look model")
    sizes = {}
    for key in ("frame_size", "lut_size"):
        a = w[key]
        lo, hi = _SIZES[key]
        if a.shape != () or a.dtype.kind not in "iu" or not lo <= int(a) <= hi:
            raise ValueError(f"{p}: {key} must be one whole number {lo}-{hi}, got {a!r}")
        sizes[key] = int(a)
        if meta.get(key) is not None and meta[key] != sizes[key]:
            raise ValueError(
                f"{p}: {key} is {sizes[key]} but model.json says {meta[key]}: "
                "the files come from different models"
            )
    n = sizes["lut_size"]
    m = n**3 * 3
    for key, a in w.items():
        if key in ("frame_size", "lut_size"):
            continue
        if a.dtype.kind != "f":
            raise ValueError(f"{p}: {key} holds {a.dtype} values, not floating point")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{p}: {key} holds NaN or infinite values: damaged weights")
        if a.size and float(np.max(np.abs(a))) > MAX_WEIGHT:
            raise ValueError(
                f"{p}: {key} holds a value of {float(np.max(np.abs(a))):.3g}, beyond any trained "
                f"weight (|w| <= {MAX_WEIGHT:g}): damaged weights"
            )
    if w["mean"].shape != (m,):
        raise ValueError(f"{p}: mean has shape {w['mean'].shape}, expected ({m},) for {n}^3")
    basis = w["basis"]
    if basis.ndim != 2 or basis.shape[1] != m or basis.shape[0] < 1:
        raise ValueError(f"{p}: basis has shape {basis.shape}, expected (K, {m}) for {n}^3")
    nw = w["node_weights"]
    if nw.shape != (n**3,) or np.any(nw < 0) or not nw.sum() > 0:
        raise ValueError(
            f"{p}: node_weights must be {n**3} weights >= 0, not all 0; got shape {nw.shape}"
        )
    features = _feature_count()
    width = features
    for prefix, start in (("frame", features), ("head", None)):
        width = start if start is not None else width + features
        for name in _layers(w, prefix, p):
            kernel, bias = w[name], w[name.replace(".kernel", ".bias")]
            if kernel.ndim != 2 or kernel.shape[0] != width:
                raise ValueError(
                    f"{p}: {name} has shape {kernel.shape}; the layer before gives {width} values"
                )
            if bias.shape != (kernel.shape[1],):
                raise ValueError(
                    f"{p}: {name.replace('.kernel', '.bias')} has shape {bias.shape}, "
                    f"expected ({kernel.shape[1]},)"
                )
            width = kernel.shape[1]
    if width != basis.shape[0]:
        raise ValueError(
            f"{p}: the head gives {width} coefficients but the basis has {basis.shape[0]} rows"
        )
    try:  # the tone head (lutml.models.tone_edges), where the weights hold one
        tone = ToneHead.from_weights(w)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{p}: {exc}: damaged weights") from None
    if tone is not None and tone.w.shape[1] != n:
        raise ValueError(f"{p}: the tone head reads {tone.w.shape[1]} grey nodes, the LUT has {n}")


def probe_look_net(w: dict[str, np.ndarray], p: Path) -> None:
    """The net's LUT for a few synthetic frames must be finite and a plausible look."""
    from lutml.lut.lut3d import identity_table
    from lutml.models.look_features import NumpyLookNet

    net = NumpyLookNet(w)
    s = net.frame_size
    rng = np.random.default_rng(0)
    ramp = np.linspace(0.0, 1.0, s, dtype=np.float32)
    grey = np.repeat(np.broadcast_to(ramp[None, :, None], (s, s, 1)), 3, axis=2)
    frames = [
        np.rint(rng.uniform(0.0, 1.0, (1, s, s, 3)) * 255.0) / 255.0,  # colour noise
        grey[None],
        np.stack([grey[..., 0], grey[..., 0].T, 1.0 - grey[..., 0]], axis=-1)[None],
    ]
    ident = identity_table(net.lut_size)
    with np.errstate(all="ignore"):
        for tiles in frames:
            table = net.table(net.coefficients(np.asarray(tiles, np.float32)))
            worst = float(np.max(np.abs(table - ident)))
            if not np.isfinite(worst) or worst > MAX_PROBE_OFFSET:
                raise ValueError(
                    f"{p}: the weights give an impossible LUT (a colour moved by "
                    f"{worst:.3g}; trained looks stay near or under 1): damaged weights"
                )


def check_look_model(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check a look model folder/file (see the module docstring); return its model.json."""
    kind, weights, meta_path = model_files(path)
    if kind != "look":
        raise ValueError(
            f"{path}: not a look model (no {LOOK_WEIGHTS_FILE} or {LOOK_ENCODER_FILE})"
        )
    meta = read_meta(meta_path, required=True)
    if meta.get("kind") not in (None, "look"):
        raise ValueError(
            f"{meta_path}: says kind {meta['kind']!r}, but the folder holds a look model"
        )
    if weights.suffix == ".npz":
        w = load_look_weights(weights)
        check_look_weights(w, weights, meta)
        probe_look_net(w, weights)
    else:
        _check_zip(weights, "look model")
    return meta


def check_image_model(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check an image/LUT model (generator.keras + optional model.json); return the model.json."""
    kind, weights, meta_path = model_files(path)
    if weights.suffix != ".keras":
        return {}  # the loader says what it expected
    _check_zip(weights, "Keras model")
    return read_meta(meta_path, required=False)


def check_model(path: str | os.PathLike[str]) -> str:
    """Check any model folder/file before it is loaded; return its kind ("look" or "image")."""
    kind, _, _ = model_files(path)
    if kind == "look":
        check_look_model(path)
    else:
        check_image_model(path)
    return kind
