"""Issue 24, web side, found by the second adversarial pass (scripts/adversarial_pass.py): LUT
sizes in non-ASCII digits, a look model holding only its NumPy weights (what `lutml grade`
uses) served too, a model folder without weights skipped with a log line."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import numpy as np
import pytest
from web_helpers import known_grade, make_frame, png_bytes

from lutml.models.look_inference import colour_features_np
from lutml.web import create_app


def numpy_look_model(folder: Path) -> Path:
    """A random look estimator as `look_encoder.npz` + `model.json` only (no .keras, no TF)."""
    rng = np.random.default_rng(0)
    f = colour_features_np(np.zeros((1, 4, 4, 3), np.float32)).shape[1]
    m = 5**3 * 3
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(
        folder / "look_encoder.npz",
        frame_size=np.int64(16),
        lut_size=np.int64(5),
        mean=rng.normal(0, 0.01, m).astype(np.float32),
        basis=rng.normal(0, 0.02, (4, m)).astype(np.float32),
        node_weights=np.ones(125, np.float32),
        **{
            "frame.00.kernel": rng.normal(0, 0.05, (f, 8)).astype(np.float32),
            "frame.00.bias": np.zeros(8, np.float32),
            "head.00.kernel": rng.normal(0, 0.05, (8 + f, 4)).astype(np.float32),
            "head.00.bias": np.zeros(4, np.float32),
        },
    )
    meta = {"name": "look_encoder", "kind": "look", "frame_size": 16, "lut_size": 5}
    (folder / "model.json").write_text(json.dumps(meta))
    return folder


@pytest.mark.parametrize("size", ["²", "٣٣", "３３", "𝟛𝟛"])
def test_lut_size_in_other_digits_is_refused(client, size):
    """str.isdigit() takes them: int('²') raised (a 400 blaming the images), int('٣٣') was 33."""
    frame = np.rint(make_frame() * 255) / 255
    data = {
        "before": (io.BytesIO(png_bytes(frame)), "b.png"),
        "after": (io.BytesIO(png_bytes(known_grade(frame))), "a.png"),
        "size": size,
    }
    resp = client.post("/api/match", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert resp.get_json()["error"].startswith("LUT size must be one of")


def test_a_numpy_only_look_model_is_served(tmp_path):
    numpy_look_model(tmp_path / "models" / "npz-only")
    app = create_app({"TESTING": True, "LUTML_MODEL_DIRS": [str(tmp_path / "models")]})
    client = app.test_client()
    ids = [m["id"] for m in client.get("/api/models").get_json()["models"]]
    assert ids == ["npz-only"]
    frame = np.rint(make_frame(48, 64) * 255) / 255
    data = {"frame": (io.BytesIO(png_bytes(frame)), "f.png"), "model": "npz-only", "size": "17"}
    resp = client.post("/api/grade", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]


def test_a_model_folder_without_weights_is_skipped_with_a_log_line(tmp_path, caplog):
    (tmp_path / "models" / "no-weights").mkdir(parents=True)
    (tmp_path / "models" / "no-weights" / "model.json").write_text('{"kind": "look"}')
    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "LUTML_MODEL_DIRS": [str(tmp_path / "models")]})
    assert app.test_client().get("/api/models").get_json()["models"] == []
    assert any("no-weights skipped: model.json but no" in r.getMessage() for r in caplog.records), [
        r.getMessage() for r in caplog.records
    ]
