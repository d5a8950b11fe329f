"""Learned-look mode with a real (tiny, untrained) Keras generator built by lutml's own U-Net builder."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from sample_helpers import make_tiny_look_model
from web_helpers import make_frame, png_bytes

from lutml.grade import grade_image, look_of_stills
from lutml.lut import read_cube
from lutml.models.files import LOOK_WEIGHTS_FILE
from lutml.models.inference import load_any_model, load_model
from lutml.web import create_app


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    from lutml.models.pix2pix import build_unet

    root = tmp_path_factory.mktemp("models")
    for name, reverse in (("tiny look", False), ("tiny neutraliser", True)):
        folder = root / name
        folder.mkdir()
        build_unet(size=32, width=4, max_mult=2, dropout_layers=0).save(folder / "generator.keras")
        meta = {
            "name": "pix2pix",
            "variant": name,
            "kind": "image",
            "input_size": 32,
            "output_size": 32,
            "reverse": reverse,
            "look": "test",
        }
        (folder / "model.json").write_text(json.dumps(meta))
    from lutml.models.lut_gan import build_basis_lut_generator

    folder = root / "tiny lut"
    folder.mkdir()
    build_basis_lut_generator(size=32, width=4, max_mult=2, lut_size=5, n_basis=2).save(
        folder / "generator.keras"
    )
    (folder / "model.json").write_text(
        json.dumps({"variant": "tiny-lut", "kind": "lut", "input_size": 32})
    )
    make_tiny_look_model(root / "tiny estimator")
    _damaged_look_models(root)
    broken = root / "broken"
    broken.mkdir()
    (broken / "generator.keras").write_bytes(b"not a keras file")
    (broken / "model.json").write_text(json.dumps({"variant": "broken"}))
    return root


def _damaged_look_models(root: Path) -> None:
    """Look models damaged as issue 24 item 2/3 damaged them (weights file only)."""
    good = make_tiny_look_model(root / "look-template")
    weights = dict(np.load(good / LOOK_WEIGHTS_FILE))
    raw = (good / LOOK_WEIGHTS_FILE).read_bytes()
    bias = next(k for k in weights if k.endswith(".bias"))
    variants = {
        "huge-bias": {**weights, bias: np.full_like(weights[bias], 1e30)},
        "no-basis": {k: v for k, v in weights.items() if k != "basis"},
    }
    for name, content in variants.items():
        folder = make_tiny_look_model(root / name)
        np.savez(folder / LOOK_WEIGHTS_FILE, **content)
    make_tiny_look_model(root / "truncated")
    (root / "truncated" / LOOK_WEIGHTS_FILE).write_bytes(raw[: len(raw) // 2])
    make_tiny_look_model(root / "empty-npz")
    (root / "empty-npz" / LOOK_WEIGHTS_FILE).write_bytes(b"")
    import shutil

    shutil.rmtree(good)


@pytest.fixture(scope="module")
def client(models_dir):
    return create_app({"TESTING": True, "LUTML_MODEL_DIRS": [models_dir]}).test_client()


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    return (np.rint(make_frame(48, 64, seed=11) * 255) / 255).astype(np.float32)


def grade(client, frame: np.ndarray, **form):
    data = {"frame": (io.BytesIO(png_bytes(frame)), "shot.png"), **form}
    return client.post("/api/grade", data=data, content_type="multipart/form-data")


def test_models_are_listed_by_id(client):
    html = client.get("/").get_data(as_text=True)
    assert 'value="tiny-look"' in html and 'value="tiny-neutraliser"' in html
    models = {m["id"]: m for m in client.get("/api/models").get_json()["models"]}
    assert {"broken", "tiny-look", "tiny-lut", "tiny-neutraliser", "tiny-estimator"} <= set(models)
    assert models["tiny-estimator"]["reverse_hint"] and models["tiny-estimator"]["kind"] == "look"
    assert models["tiny-neutraliser"]["reverse_hint"] and not models["tiny-look"]["reverse_hint"]
    assert "/" not in json.dumps(models)  # no server paths reach the client


def test_grade_returns_the_models_lut(client, models_dir, frame, tmp_path):
    for reverse in (False, True):
        form = {"model": "tiny-look", "size": "17", **({"reverse": "on"} if reverse else {})}
        resp = grade(client, frame, **form)
        assert resp.status_code == 200, resp.get_json()
        r = resp.get_json()
        assert r["info"]["mode"] == "grade" and r["info"]["reverse"] is reverse
        assert 0.0 < r["info"]["coverage"]["fraction"] <= 1.0
        cube = client.get(r["cube_url"])
        name = "shot-tiny-look-reverse-17.cube" if reverse else "shot-tiny-look-17.cube"
        assert cube.headers["Content-Disposition"].endswith(name)
        (tmp_path / name).write_bytes(cube.data)
        served = read_cube(tmp_path / name)
        direct = grade_image(
            load_model(models_dir / "tiny look"), frame, size=17, reverse=reverse
        ).lut
        np.testing.assert_allclose(served.table, direct.table, atol=2e-4)  # .cube keeps ~6 decimals
        assert client.get(f"{r['after_url']}?strength=0.5").status_code == 200


def test_model_is_loaded_once_and_shared_by_concurrent_requests(client, frame):
    from concurrent.futures import ThreadPoolExecutor

    registry = client.application.extensions["lutml_registry"]
    app = client.application

    def one(_: int) -> int:
        return grade(app.test_client(), frame, model="tiny-neutraliser", size="17").status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(one, range(4))) == [200] * 4
    first = registry.entries["tiny-neutraliser"].loaded
    assert grade(client, frame, model="tiny-neutraliser", size="17").status_code == 200
    assert registry.entries["tiny-neutraliser"].loaded is first


def test_broken_model_gives_a_message_not_a_path(client, frame, models_dir):
    resp = grade(client, frame, model="broken", size="17")
    assert resp.status_code == 503
    error = resp.get_json()["error"]
    assert "model 'broken' is damaged" in error and "not with your images" in error
    assert str(models_dir) not in error and "/" not in error.replace("/api", "")


def test_lut_model_has_no_fit_coverage_and_no_reverse(client, frame, tmp_path):
    resp = grade(client, frame, model="tiny-lut", size="17")
    assert resp.status_code == 200, resp.get_json()
    r = resp.get_json()
    assert r["coverage_url"] is None and r["info"]["coverage"]["fraction"] is None
    (tmp_path / "l.cube").write_bytes(client.get(r["cube_url"]).data)
    assert (
        read_cube(tmp_path / "l.cube").size == 17
    )  # the model's 5^3 LUT resampled to the asked size
    resp = grade(client, frame, model="tiny-lut", size="17", reverse="on")
    assert resp.status_code == 400 and "neutraliser" in resp.get_json()["error"]


def test_look_model_names_the_look_of_the_still(client, models_dir, frame, tmp_path):
    resp = grade(client, frame, model="tiny-estimator", size="17")
    assert resp.status_code == 200, resp.get_json()
    r = resp.get_json()
    assert r["info"]["reverse"] is True and 0.0 < r["info"]["coverage"]["fraction"] <= 1.0
    (tmp_path / "e.cube").write_bytes(client.get(r["cube_url"]).data)
    direct = look_of_stills(load_any_model(models_dir / "tiny estimator"), [frame], size=17).lut
    np.testing.assert_allclose(read_cube(tmp_path / "e.cube").table, direct.table, atol=2e-4)
    grey = np.repeat(frame.mean(axis=2, keepdims=True), 3, axis=2)
    warned = grade(client, grey, model="tiny-estimator", size="17").get_json()
    assert "grayscale" in (warned["info"]["warning"] or "")


@pytest.mark.parametrize("model", ["huge-bias", "no-basis", "truncated", "empty-npz"])
def test_damaged_look_model_is_named_not_the_images(client, frame, models_dir, model):
    """Issue 24 items 2/3: a damaged model gives a clear message naming the model, never a 500,
    never a LUT from garbage weights, never 'could not build a LUT from these images'."""
    resp = grade(client, frame, model=model, size="17")
    assert resp.status_code == 503, resp.get_json()
    error = resp.get_json()["error"]
    assert "is damaged or unusable" in error and "not with your images" in error
    assert "Could not build a LUT from these images" not in error
    assert str(models_dir) not in error


def test_one_frame_too_small_to_read_names_the_frame(client):
    """A look model on an 8x5 px frame: 400 naming the file, not "these images", not the model."""
    resp = grade(client, make_frame(5, 8), model="tiny-estimator")
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error.startswith("shot.png: too small to read a look from (8x5 px") and error.endswith(
        ")."
    ), error
