"""Issue 24, web side, found by the second adversarial pass (scripts/adversarial_pass.py): LUT
sizes in non-ASCII digits, a look model holding only its NumPy weights (what `lutml grade`
uses) served too, a model folder without weights skipped with a log line."""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
from sample_helpers import make_numpy_look_model
from web_helpers import known_grade, make_frame, png_bytes

from lutml.web import create_app


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
    make_numpy_look_model(tmp_path / "models" / "npz-only")
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
