"""The models the server can use, found once at start-up and chosen by id, never by path.

A model is a folder holding `model.json` and `generator.keras` (an image or LUT model) or
`look_encoder.keras` (a look model), as the train stage writes them (see `lutml.models.inference`).
Each folder given to the server is scanned itself and one level down, so both
`data/models/` (one model) and a folder of several models work. The client only ever sends an
id, which is looked up in a dict built here; nothing it sends reaches the file system.
TensorFlow is imported only when a model is first used, so the server starts in a second.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lutml.models.files import META_FILE, MODEL_FILES
from lutml.models.inference import load_any_model

log = logging.getLogger(__name__)


class ModelLoadError(RuntimeError):
    """A model listed at start-up could not be loaded or gave an unusable answer (a server-side
    problem, not the user's); the message names the model and what is wrong, never a path."""


def _without_paths(text: str, folder: Path, model_id: str) -> str:
    """`text` with the model folder and any other absolute path reduced to a file name."""
    text = text.replace(str(folder) + "/", "").replace(str(folder), model_id)
    return re.sub(r"(?<![\w.])/(?:[^\s'\"():/]+/)+([^\s'\"():/]*)", r"\1", text)


def model_problem(entry: ModelEntry, exc: BaseException | str) -> ModelLoadError:
    """A `ModelLoadError` for `entry` saying what is wrong (`exc`), logged with the full detail."""
    if isinstance(exc, BaseException):
        log.error("model %s (%s) failed: %s: %s", entry.id, entry.path, type(exc).__name__, exc)
        detail = str(exc) or type(exc).__name__
        if not isinstance(exc, (ValueError, OSError)):
            detail = f"{type(exc).__name__}: {detail}"
    else:
        log.error("model %s (%s) failed: %s", entry.id, entry.path, exc)
        detail = exc
    detail = _without_paths(detail, entry.path, entry.id)[:400]
    return ModelLoadError(
        f"The model {entry.label!r} is damaged or unusable ({detail}). This is a problem with the "
        "model on the server, not with your images: choose another model, or retrain or restore "
        "this one (the server log has the details)."
    )


def check_model_table(entry: ModelEntry, table: Any) -> None:
    """ModelLoadError unless a model's LUT table is finite and not collapsed onto 0 and 1.

    A look or LUT model with damaged weights (a bias of 1e30, NaN) gives a table of NaN or one
    clipped to the corners of the cube; no real look moves 3/4 of the nodes onto 0 or 1.
    """
    import numpy as np

    t = np.asarray(table, np.float32)
    if not np.all(np.isfinite(t)):
        raise model_problem(entry, "its output LUT holds NaN or infinite values")
    clipped = float(np.mean((t <= 0.0) | (t >= 1.0)))
    if clipped > 0.75:
        raise model_problem(
            entry,
            f"its output LUT is saturated: {clipped:.0%} of the node values are exactly 0 or 1, "
            "as damaged weights give",
        )


@dataclass
class ModelEntry:
    """One usable model: `id` (url-safe), display `label`, its folder and its `model.json`."""

    id: str
    label: str
    path: Path
    meta: dict[str, Any]
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    loaded: Any = field(default=None, repr=False)

    def describe(self) -> dict[str, Any]:
        """JSON-ready description for the page (no file-system paths)."""
        return {
            "id": self.id,
            "label": self.label,
            "reverse_hint": bool(self.meta.get("reverse")) or self.meta.get("kind") == "look",
            "kind": self.meta.get("kind"),
            "input_size": self.meta.get("input_size"),
        }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "model"


def _label(meta: dict[str, Any], folder: Path) -> str:
    parts = [meta.get("look"), meta.get("variant") or meta.get("name")]
    parts = [str(p) for p in parts if isinstance(p, str) and p]
    return " · ".join(dict.fromkeys(parts)) or folder.name


def scan_models(dirs: list[Path]) -> dict[str, ModelEntry]:
    """Find model folders (holding `model.json` and the generator) in `dirs` and one level below.

    Unreadable or invalid `model.json` files are skipped (they cannot be served); ids are made
    unique by suffixing -2, -3, ...
    """
    entries: dict[str, ModelEntry] = {}
    for root in dirs:
        root = Path(root)
        if not root.is_dir():
            continue
        candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
        for folder in candidates:
            meta_path = folder / META_FILE
            if not meta_path.is_file():
                continue
            if not any((folder / f).is_file() for f in MODEL_FILES):
                log.warning(
                    "model folder %s skipped: %s but no %s",
                    folder,
                    META_FILE,
                    " or ".join(MODEL_FILES),
                )
                continue
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log.warning(
                    "model folder %s skipped: %s is unreadable (%s)", folder, META_FILE, exc
                )
                continue
            if not isinstance(meta, dict):
                log.warning(
                    "model folder %s skipped: %s holds a %s, not an object",
                    folder,
                    META_FILE,
                    type(meta).__name__,
                )
                continue
            base = _slug(
                folder.name if folder != root or not meta.get("variant") else str(meta["variant"])
            )
            model_id, n = base, 2
            while model_id in entries:
                model_id, n = f"{base}-{n}", n + 1
            entries[model_id] = ModelEntry(model_id, _label(meta, folder), folder.resolve(), meta)
    return entries


class ModelRegistry:
    """Models by id; each is loaded once, lazily, and used by one request at a time."""

    def __init__(self, dirs: list[Path]):
        self.entries = scan_models(dirs)

    def describe(self) -> list[dict[str, Any]]:
        return [e.describe() for e in self.entries.values()]

    def entry(self, model_id: str) -> ModelEntry:
        """The model for `model_id`; KeyError (with the known ids) if there is none."""
        try:
            return self.entries[model_id]
        except KeyError:
            known = ", ".join(self.entries) or "none"
            raise KeyError(f"Unknown model {model_id[:60]!r}. Available models: {known}.") from None

    def load(self, entry: ModelEntry) -> SerialModel:
        """The model of `entry`, loaded once (imports TensorFlow on first use).

        Raises ModelLoadError, whose message names the model id but no server path.
        """
        with entry.lock:
            if entry.loaded is None:
                try:
                    entry.loaded = SerialModel(load_any_model(entry.path), entry)
                except Exception as exc:  # a damaged file raises anything (EOFError, BadZipFile...)
                    raise model_problem(entry, exc) from exc
            return entry.loaded


class SerialModel:
    """A `LoadedModel` whose inference runs one call at a time.

    Only the network call is serialised (a Keras model is not documented as safe to call from
    several threads); the LUT fit that follows it runs concurrently across requests.
    Every other attribute (`kind`, `input_size`, `meta`, ...) is the wrapped model's.
    Any failure inside the network, or an answer holding NaN or a collapsed LUT, is a
    `ModelLoadError` naming the model (damaged weights), never blamed on the user's images.
    """

    def __init__(self, model: Any, entry: ModelEntry | None = None):
        self._model = model
        self._entry = entry or ModelEntry("model", "model", Path("."), {})
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            try:
                return getattr(self._model, method)(*args, **kwargs)
            except Exception as exc:
                raise model_problem(self._entry, exc) from exc

    def predict(self, image: Any) -> Any:
        import numpy as np

        model_input, prediction = self._call("predict", image)
        if not np.all(np.isfinite(prediction)):
            raise model_problem(self._entry, "its output image holds NaN or infinite values")
        return model_input, prediction

    def predict_lut(self, image: Any) -> Any:
        lut = self._call("predict_lut", image)
        check_model_table(self._entry, lut.table)
        return lut

    def predict_look(self, frames: Any, **kwargs: Any) -> Any:
        lut = self._call("predict_look", frames, **kwargs)
        check_model_table(self._entry, lut.table)
        return lut

    def frame_tables(self, frames: Any) -> Any:
        return self._call("frame_tables", frames)

    def predict_table(self, frames: Any, **kwargs: Any) -> Any:
        return self._call("predict_table", frames, **kwargs)
