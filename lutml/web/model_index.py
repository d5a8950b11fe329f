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

log = logging.getLogger(__name__)


class ModelLoadError(RuntimeError):
    """A model listed at start-up could not be loaded (a server-side problem, not the user's)."""


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
            if not meta_path.is_file() or not any((folder / f).is_file() for f in MODEL_FILES):
                continue
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(meta, dict):
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
                from lutml.models.inference import load_any_model

                try:
                    entry.loaded = SerialModel(load_any_model(entry.path))
                except (ValueError, OSError) as exc:
                    log.error("model %s (%s) failed to load: %s", entry.id, entry.path, exc)
                    raise ModelLoadError(
                        f"The model {entry.id!r} could not be loaded; the server log has the details."
                    ) from exc
            return entry.loaded


class SerialModel:
    """A `LoadedModel` whose inference runs one call at a time.

    Only the network call is serialised (a Keras model is not documented as safe to call from
    several threads); the LUT fit that follows it runs concurrently across requests.
    Every other attribute (`kind`, `input_size`, `meta`, ...) is the wrapped model's.
    """

    def __init__(self, model: Any):
        self._model = model
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def predict(self, image: Any) -> Any:
        with self._lock:
            return self._model.predict(image)

    def predict_lut(self, image: Any) -> Any:
        with self._lock:
            return self._model.predict_lut(image)

    def predict_look(self, frames: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._model.predict_look(frames, **kwargs)
