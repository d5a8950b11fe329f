"""Issue 23: a look from many stills (a job with progress and cancel), your own footage frames,
per-component strength, exports in every format / size / input colour space, gallery A/B."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from web_helpers import decode, known_grade, make_app, make_frame, png_bytes, wait_empty, wait_job

import lutml.web.look_routes as lr
from lutml.grade import look_of_stills
from lutml.lut import apply_lut, identity_table, read_lut
from lutml.lut.spaces import to_working
from lutml.models.inference import load_any_model
from lutml.models.look_inference import resample_table


@pytest.fixture
def model_dirs(models_dir: Path) -> list[Path]:
    return [models_dir]  # conftest's tiny look estimator


def stills(n: int, seed: int = 0) -> list[np.ndarray]:
    return [known_grade(make_frame(90, 120, seed=seed + i)) for i in range(n)]


def files(images: list[np.ndarray], extra: list[tuple[bytes, str]] = ()) -> list:
    out = [(io.BytesIO(png_bytes(im)), f"still{i}.png") for i, im in enumerate(images)]
    return out + [(io.BytesIO(data), name) for data, name in extra]


def run_job(client, file_list, timeout: float = 60.0, **form) -> dict:
    data = {"stills": file_list, "model": "estimator", **form}
    resp = client.post("/api/looks", data=data, content_type="multipart/form-data")
    assert resp.status_code == 202, resp.get_json()
    return wait_job(client, resp.get_json()["job"], timeout)


def test_look_of_many_stills_skips_and_lists_non_images(client, models_dir, work, tmp_path):
    images = stills(6)
    extra = [(b"hello, not an image", "notes.txt"), (b"", "empty.png")]
    job = run_job(client, files(images, extra), name="Warm dusk")
    assert job["state"] == "done", job
    assert job["done"] == job["total"] == 8
    assert sorted(s["name"] for s in job["skipped"]) == ["empty.png", "notes.txt"]
    assert all(str(work) not in s["reason"] for s in job["skipped"])
    look = job["look"]
    assert look["info"]["n_stills"] == 6 and look["name"] == "warm-dusk"
    assert set(look["info"]["timings"]) >= {"read_s", "estimate_s", "neutral_s", "total_s"}
    wait_empty(work)  # the job's uploads are gone

    resp = client.get(f"{look['view_url']}/lut?format=cube&size=17")
    assert resp.headers["Content-Disposition"].endswith("warm-dusk-17.cube")
    (tmp_path / "a.cube").write_bytes(resp.data)
    quantised = [np.rint(im * 255) / 255 for im in images]
    direct = look_of_stills(load_any_model(models_dir / "estimator"), quantised, size=17).lut
    np.testing.assert_allclose(read_lut(tmp_path / "a.cube").table, direct.table, atol=2e-3)
    # without footage: the reference still next to the model's neutral reading of it
    assert decode(client.get(look["reference_url"]).data).shape == (90, 120, 3)
    assert client.get(f"{look['view_url']}/before.jpg").status_code == 200
    assert client.get(f"{look['view_url']}/after.jpg?strength=0.5").status_code == 200
    assert client.get(f"{look['view_url']}/graded.png").status_code == 400  # no footage frame


def test_no_usable_still_is_one_clear_message(client, work):
    job = run_job(client, [(io.BytesIO(b"text"), "a.txt"), (io.BytesIO(b"GIF89a..."), "b.gif")])
    assert job["state"] == "failed"
    assert "None of the 2 file(s) is a usable still" in job["error"]
    assert len(job["skipped"]) == 2
    wait_empty(work)


def test_cancel_stops_the_job_and_removes_its_files(client, work, monkeypatch):
    real = lr.still_for_look

    def slow(image, pixels):
        time.sleep(0.3)
        return real(image, pixels)

    monkeypatch.setattr(lr, "still_for_look", slow)
    data = {"stills": files(stills(12)), "model": "estimator"}
    job = client.post("/api/looks", data=data, content_type="multipart/form-data").get_json()["job"]
    time.sleep(0.5)
    assert client.post(f"/api/jobs/{job['id']}/cancel").status_code == 200
    end = time.monotonic() + 10
    while job["state"] not in ("cancelled", "done", "failed") and time.monotonic() < end:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").get_json()["job"]
    assert job["state"] == "cancelled" and job["done"] < 12 and job["look"] is None
    wait_empty(work)


def test_unknown_job_and_bad_requests(client):
    assert client.get("/api/jobs/" + "0" * 32).status_code == 404
    assert client.get("/api/jobs/../../etc").status_code == 404
    resp = client.post(
        "/api/looks", data={"model": "estimator"}, content_type="multipart/form-data"
    )
    assert resp.status_code == 400 and "graded stills" in resp.get_json()["error"]
    resp = client.post(
        "/api/looks",
        data={"model": "nope", "stills": files(stills(1))},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400 and "Unknown model" in resp.get_json()["error"]


@pytest.fixture
def look(client) -> dict:
    job = run_job(client, files(stills(4)))
    assert job["state"] == "done", job
    return job["look"]


def footage(client, *frames: tuple[np.ndarray, str]) -> dict:
    data = {"frames": [(io.BytesIO(png_bytes(f)), name) for f, name in frames]}
    resp = client.post("/api/footage", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_footage_before_after_and_full_resolution_download(client, look, work, tmp_path):
    a, b = make_frame(300, 400, seed=40), make_frame(120, 160, seed=41)
    got = footage(client, (a, "shot A.png"), (b, "shotB.png"))
    assert [f["name"] for f in got["frames"]] == ["shot A.png", "shotB.png"]
    fa = got["frames"][0]
    assert (fa["width"], fa["height"]) == (400, 300)
    view = look["view_url"]
    (tmp_path / "l.cube").write_bytes(client.get(f"{view}/lut?format=cube&size=33").data)
    lut = read_lut(tmp_path / "l.cube")
    before = decode(client.get(f"{view}/before.jpg?frame={fa['token']}").data)
    assert np.abs(before - a).mean() < 0.01  # YOUR frame, not the still
    after = decode(client.get(f"{view}/after.jpg?frame={fa['token']}").data)
    assert np.abs(after - np.clip(apply_lut(lut, a), 0, 1)).mean() < 0.01
    half = decode(client.get(f"{view}/after.jpg?frame={fa['token']}&strength=0.5").data)
    assert np.abs(half - (a + 0.5 * (np.clip(apply_lut(lut, a), 0, 1) - a))).mean() < 0.01
    png = client.get(f"{view}/graded.png?frame={got['frames'][1]['token']}&strength=0.5")
    assert png.status_code == 200
    assert png.headers["Content-Disposition"].endswith(f"shotb-{look['name']}-50pct.png")
    graded = decode(png.data)
    assert graded.shape == (120, 160, 3)
    expect = np.clip(apply_lut(lut, np.rint(b * 255) / 255, strength=0.5), 0, 1)
    assert np.abs(graded - expect).max() < 2.5 / 255
    full = decode(client.get(f"{view}/after.jpg?frame={fa['token']}&full=1").data)
    assert full.shape == (300, 400, 3)
    assert list(work.iterdir()) == []


def test_footage_skips_bad_files_and_refuses_when_none_is_usable(client):
    data = {
        "frames": [(io.BytesIO(png_bytes(make_frame())), "ok.png"), (io.BytesIO(b"nope"), "x.png")]
    }
    resp = client.post("/api/footage", data=data, content_type="multipart/form-data").get_json()
    assert len(resp["frames"]) == 1 and resp["skipped"][0]["name"] == "x.png"
    data = {"frames": [(io.BytesIO(b"nope"), "x.png")]}
    resp = client.post("/api/footage", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400 and "not a PNG" in resp.get_json()["error"]


@pytest.mark.parametrize(
    ("fmt", "size", "suffix"),
    [
        ("cube", 33, ".cube"),
        ("3dl", 17, ".3dl"),
        ("csp", 17, ".csp"),
        ("clf", 65, ".clf"),
        ("png", 36, ".png"),
    ],
)
def test_export_every_format_and_size(client, look, tmp_path, fmt, size, suffix):
    resp = client.get(f"{look['view_url']}/lut?format={fmt}&size={size}&strength=0.8")
    assert resp.status_code == 200, resp.get_json()
    part = "hald6" if fmt == "png" else str(size)
    name = f"{look['name']}-{part}-80pct{suffix}"
    assert resp.headers["Content-Disposition"].endswith(name)
    path = tmp_path / name
    path.write_bytes(resp.data)
    lut = read_lut(path)
    assert lut.size == size
    ref = tmp_path / "ref.cube"
    ref.write_bytes(client.get(f"{look['view_url']}/lut?format=cube&size=65&strength=0.8").data)

    nodes = identity_table(size).reshape(-1, 3)
    expect = apply_lut(read_lut(ref), nodes, "trilinear").reshape(lut.table.shape)
    np.testing.assert_allclose(lut.table, expect, atol=5e-3)


def test_export_for_camera_footage(client, look, tmp_path):
    space = "ARRI LogC3 (EI800)"
    resp = client.get(
        f"{look['view_url']}/lut", query_string={"format": "cube", "size": "33", "space": space}
    )
    assert resp.status_code == 200, resp.get_json()
    assert "X-LUT-Warning" not in resp.headers  # a .cube keeps the shaper
    baked = client.get(
        f"{look['view_url']}/lut", query_string={"format": "3dl", "size": "33", "space": space}
    )
    assert baked.status_code == 200 and "shaper was baked" in baked.headers["X-LUT-Warning"]
    page = client.get("/").get_data(as_text=True)
    assert 'id="export-note"' in page and "shaper is baked into it" in page
    assert resp.headers["Content-Disposition"].endswith(f"{look['name']}-33-arri-logc3-ei800.cube")
    (tmp_path / "log.cube").write_bytes(resp.data)
    (tmp_path / "srgb.cube").write_bytes(client.get(f"{look['view_url']}/lut?size=33").data)
    log_lut, srgb_lut = read_lut(tmp_path / "log.cube"), read_lut(tmp_path / "srgb.cube")
    assert log_lut.shaper is not None
    codes = np.random.default_rng(0).uniform(0.1, 0.6, (200, 3)).astype(np.float32)
    expect = apply_lut(srgb_lut, to_working(codes, space))
    assert np.abs(apply_lut(log_lut, codes) - expect).mean() < 0.01
    bad = client.get(f"{look['view_url']}/lut?space=/etc/passwd")
    assert bad.status_code == 400 and "colour space" in bad.get_json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "format=exe",
        "format=cube&size=18",
        "format=png&size=33",
        "size=%C2%B2",
        "size=%D9%A3%D9%A3",
        "tone=abc",
        "tone=3",
        "strength=2",
        "cast=-1",
    ],
)
def test_bad_export_settings_are_refused(client, look, query):
    resp = client.get(f"{look['view_url']}/lut?{query}")
    assert resp.status_code == 400, query
    assert "error" in resp.get_json()


def test_component_strengths_reach_preview_and_download(client, look, tmp_path):
    pytest.importorskip("lutml.look_components")
    from lutml.look_components import scale_components

    view = look["view_url"]
    resp = client.get(f"{view}/lut?size=17&tone=0&saturation=1.5&cast=0.5")
    assert resp.headers["Content-Disposition"].endswith(
        f"{look['name']}-17-tone0-sat150-cast50.cube"
    )
    (tmp_path / "adj.cube").write_bytes(resp.data)
    native = client.application.extensions["lutml_cache"].get(look["token"]).lut.table
    expect = resample_table(scale_components(native, tone=0.0, saturation=1.5, cast=0.5), 17)
    np.testing.assert_allclose(read_lut(tmp_path / "adj.cube").table, expect, atol=2e-4)
    assert np.abs(expect - resample_table(native, 17)).max() > 0.01  # the sliders change it
    a = decode(client.get(f"{view}/after.jpg").data)
    b = decode(client.get(f"{view}/after.jpg?tone=0&saturation=1.5&cast=0.5").data)
    assert a.shape == b.shape


def test_results_of_match_use_the_same_views(client, tmp_path):
    before = np.rint(make_frame() * 255) / 255
    data = {
        "before": (io.BytesIO(png_bytes(before)), "coffee.png"),
        "after": (io.BytesIO(png_bytes(known_grade(before))), "after.png"),
        "size": "17",
    }
    r = client.post("/api/match", data=data, content_type="multipart/form-data").get_json()
    view = r["view_url"]
    resp = client.get(f"{view}/lut?format=3dl&size=33&strength=0.3")
    assert resp.headers["Content-Disposition"].endswith("coffee-match-33-30pct.3dl")
    png = client.get(f"{view}/graded.png?strength=0.3")
    assert png.headers["Content-Disposition"].endswith("coffee-match-17-30pct.png")
    assert decode(client.get(f"{view}/before.jpg").data).shape == (60, 80, 3)


def test_a_b_two_looks_on_one_frame(client):
    one = run_job(client, files(stills(3, seed=0)))["look"]
    two = run_job(client, files([np.clip(s * 0.6, 0, 1) for s in stills(3, seed=5)]))["look"]
    frame = footage(client, (make_frame(60, 80, seed=9), "f.png"))["frames"][0]["token"]
    a = decode(client.get(f"{one['view_url']}/after.jpg?frame={frame}").data)
    b = decode(client.get(f"{two['view_url']}/after.jpg?frame={frame}").data)
    assert a.shape == b.shape == (60, 80, 3)
    assert client.get(f"{one['view_url']}/after.jpg?frame=notatoken").status_code == 404


def test_image_model_in_the_look_form_is_a_clear_message(tmp_path, work):
    import json

    from lutml.models.pix2pix import build_unet

    folder = tmp_path / "models" / "img"
    folder.mkdir(parents=True)
    build_unet(size=32, width=4, max_mult=2, dropout_layers=0).save(folder / "generator.keras")
    (folder / "model.json").write_text(
        json.dumps({"kind": "image", "input_size": 32, "variant": "img"})
    )
    client = make_app(work, [folder.parent]).test_client()
    data = {"stills": files(stills(1)), "model": "img"}
    job = client.post("/api/looks", data=data, content_type="multipart/form-data").get_json()["job"]
    while job["state"] not in ("done", "failed", "cancelled"):
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").get_json()["job"]
    assert job["state"] == "failed" and "not a look model" in job["error"]
    wait_empty(work)
