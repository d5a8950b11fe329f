"""Web UI routes through Flask's test client: match mode end to end, limits, bad input, safety."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from sample_helpers import png_claiming
from web_helpers import decode, free_port, known_grade, make_app, make_frame, png_bytes

from lutml.imageio import read_image_full, write_image
from lutml.lut import LUT3D, apply_lut, read_cube
from lutml.web import create_app
from lutml.web.jobs import missing_hues
from lutml.web.model_index import scan_models
from lutml.web.results import CacheFull, ResultCache, area_downscale, make_result, preview_after


@pytest.fixture(scope="module")
def pair() -> tuple[bytes, bytes, np.ndarray]:
    before = np.rint(make_frame() * 255) / 255
    return png_bytes(before), png_bytes(known_grade(before)), before.astype(np.float32)


def post_match(client, before: bytes, after: bytes, name: str = "before.png", **form):
    data = {"before": (io.BytesIO(before), name), "after": (io.BytesIO(after), "after.png"), **form}
    return client.post("/api/match", data=data, content_type="multipart/form-data")


def test_index_is_self_contained(client):
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Match a pair" in html and "No trained models found" in html
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    for path in ("/static/app.js", "/static/app.css"):
        asset = client.get(path).get_data(as_text=True)
        assert "http://" not in asset and "https://" not in asset  # no CDN: there is no internet
    assert "https://" not in html and "http://" not in html


def test_match_fits_the_known_grade(client, pair, work):
    before_png, after_png, before = pair
    resp = post_match(client, before_png, after_png, size="17")
    assert resp.status_code == 200, resp.get_json()
    r = resp.get_json()
    assert (r["width"], r["height"], r["bit_depth"], r["info"]["size"]) == (80, 60, 8, 17)
    assert 0.0 < r["info"]["coverage"]["fraction"] <= 1.0
    cube = client.get(r["cube_url"])
    assert cube.status_code == 200 and "attachment" in cube.headers["Content-Disposition"]
    assert cube.headers["Content-Disposition"].endswith("before-match-17.cube")
    path = work.parent / "dl.cube"
    path.write_bytes(cube.data)
    lut = read_cube(path)
    assert lut.size == 17
    err = np.abs(apply_lut(lut, before) - known_grade(before))
    assert (
        err.mean() < 0.01 and np.percentile(err, 99) < 0.05
    )  # the asymmetric grade, not a transpose
    assert list(work.iterdir()) == []  # per-request temp dirs are removed


def test_strength_preview_and_downloads_agree(client, pair, work):
    before_png, after_png, before = pair
    r = post_match(client, before_png, after_png, size="17").get_json()
    full = decode(client.get(f"{r['after_url']}?strength=1").data)
    zero = decode(client.get(f"{r['after_url']}?strength=0").data)
    shown_before = decode(client.get(r["before_url"]).data)
    assert (
        np.abs(zero - shown_before).mean() < 0.004
    )  # strength 0 = the untouched frame (JPEG noise)
    assert np.abs(full - shown_before).mean() > 0.05  # and strength 1 visibly differs
    half_cube = client.get(f"{r['cube_url']}?strength=0.5")
    assert half_cube.headers["Content-Disposition"].endswith("-50pct.cube")
    (work.parent / "half.cube").write_bytes(half_cube.data)
    (work.parent / "full.cube").write_bytes(client.get(r["cube_url"]).data)
    half, whole = read_cube(work.parent / "half.cube"), read_cube(work.parent / "full.cube")
    identity = np.stack(np.meshgrid(*[np.linspace(0, 1, 17)] * 3, indexing="ij"), -1)
    np.testing.assert_allclose(half.table, identity + 0.5 * (whole.table - identity), atol=2e-4)
    png = client.get(f"{r['image_url']}?strength=0.5")
    assert png.status_code == 200 and png.mimetype == "image/png"
    graded = decode(png.data)
    np.testing.assert_allclose(graded, np.clip(apply_lut(half, before), 0, 1), atol=1.5 / 255)


def test_preview_equals_downscaled_full_resolution_result(tmp_path):
    """The slider blends two small images; that must equal grading at full size, then shrinking."""
    rgb = make_frame(90, 120, seed=3)
    write_image(tmp_path / "f.png", rgb)
    src = read_image_full(tmp_path / "f.png")

    n = 9
    grid = np.stack(np.meshgrid(*[np.linspace(0, 1, n)] * 3, indexing="ij"), -1)
    lut = LUT3D(known_grade(grid))
    result = make_result(lut, src, {}, preview_edge=40)
    assert result.before_small.shape == (30, 40, 3)
    for s in (0.0, 0.3, 1.0):
        expect = area_downscale(apply_lut(lut, src.as_float(), strength=s), 40)
        np.testing.assert_allclose(preview_after(result, s), np.clip(expect, 0, 1), atol=1e-5)


def test_16bit_frame_with_alpha_stays_16bit(client, tmp_path):
    rgb = make_frame(40, 40, seed=5)
    alpha = np.linspace(0, 1, 40 * 40, dtype=np.float32).reshape(40, 40)
    write_image(tmp_path / "b.png", rgb, alpha, bit_depth=16)
    write_image(tmp_path / "a.png", known_grade(rgb), bit_depth=16)
    resp = post_match(client, (tmp_path / "b.png").read_bytes(), (tmp_path / "a.png").read_bytes())
    assert resp.status_code == 200, resp.get_json()
    r = resp.get_json()
    assert r["bit_depth"] == 16 and r["alpha"] is True
    (tmp_path / "g.png").write_bytes(client.get(r["image_url"]).data)
    graded = read_image_full(tmp_path / "g.png")
    assert graded.bit_depth == 16 and graded.alpha is not None
    np.testing.assert_array_equal(graded.alpha, read_image_full(tmp_path / "b.png").alpha)


def test_exr_upload_is_read_as_display_values_and_downloads_16bit(client, tmp_path, work):
    rgb = make_frame(40, 40, seed=6)
    alpha = np.linspace(0, 1, 40 * 40, dtype=np.float32).reshape(40, 40)
    write_image(tmp_path / "b.exr", rgb, alpha)  # half float, values in 0-1
    write_image(tmp_path / "a.png", known_grade(rgb), bit_depth=16)
    resp = post_match(
        client, (tmp_path / "b.exr").read_bytes(), (tmp_path / "a.png").read_bytes(), "shot.exr"
    )
    assert resp.status_code == 200, resp.get_json()
    r = resp.get_json()
    assert r["bit_depth"] == 16 and r["alpha"] is True
    assert "OpenEXR read as display sRGB" in r["info"]["source_note"]
    assert "clipped" not in (r["info"]["warning"] or "")
    (tmp_path / "g.png").write_bytes(client.get(r["image_url"]).data)
    graded = read_image_full(tmp_path / "g.png")
    assert graded.bit_depth == 16 and graded.alpha is not None
    # the asymmetric grade is carried over from the half-float frame (not a transpose)
    err = np.abs(graded.as_float() - known_grade(read_image_full(tmp_path / "b.exr").as_float()))
    assert err.mean() < 0.01
    assert list(work.iterdir()) == []


def test_exr_values_outside_unit_range_are_clipped_with_a_warning(client, tmp_path):
    rgb = make_frame(40, 40, seed=7)
    hot = rgb.copy()
    hot[:10] *= 3.0  # a quarter of the rows scene-linear highlights up to 3.0
    hot[-2:] -= 0.5  # and a few rows below 0
    write_image(tmp_path / "b.exr", hot)
    write_image(tmp_path / "a.png", known_grade(np.clip(hot, 0, 1)), bit_depth=16)
    r = post_match(
        client, (tmp_path / "b.exr").read_bytes(), (tmp_path / "a.png").read_bytes(), "hot.exr"
    ).get_json()
    warning = r["info"]["warning"]
    share = float(warning.split("%")[0])
    assert 20.0 < share < 32.0, warning  # rows 0-9 mostly over 1, rows 38-39 mostly under 0
    assert "before image (hot.exr)" in warning and "--input-space" in warning
    assert r["bit_depth"] == 16


def test_damaged_exr_gets_a_clear_message(client, pair, tmp_path, work):
    _, after_png, _ = pair
    write_image(tmp_path / "b.exr", make_frame(40, 40))
    blob = (tmp_path / "b.exr").read_bytes()
    resp = post_match(client, blob[: len(blob) // 3], after_png, "cut.exr")
    assert resp.status_code == 400
    message = resp.get_json()["error"]
    assert "before image (cut.exr)" in message and str(work) not in message
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    ("before", "message"),
    [
        (b"", "Choose a before image"),
        (b"GIF89a not really", "not a PNG, JPEG, TIFF or OpenEXR"),
        (b"<?php echo 1; ?>" * 10, "not a PNG, JPEG, TIFF or OpenEXR"),
        ("truncated", "could not be decoded"),
        (png_claiming(100_000, 100_000), "megapixels"),
    ],
)
def test_bad_files_get_clear_messages(client, pair, work, before, message):
    before_png, after_png, _ = pair
    if before == "truncated":
        before = before_png[: len(before_png) // 2]
    data = {"after": (io.BytesIO(after_png), "after.png")}
    if before:
        data["before"] = (io.BytesIO(before), "evil.png")
    resp = client.post("/api/match", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert message in resp.get_json()["error"]
    assert list(work.iterdir()) == []


def test_real_decompression_bomb_is_refused_before_decoding(tmp_path, work, pair):
    # 6000 x 6000 black pixels compress to a few kB; with a 4 MP limit they must never be decoded.
    bomb = tmp_path / "bomb.png"
    write_image(bomb, np.zeros((6000, 6000, 3), np.uint8))
    assert bomb.stat().st_size < 200_000
    app = make_app(work, LUTML_MAX_PIXELS=4_000_000)
    resp = post_match(app.test_client(), bomb.read_bytes(), pair[1])
    assert resp.status_code == 400 and "36.0 megapixels" in resp.get_json()["error"]


def test_oversize_upload_gets_413_message(tmp_path, work, pair):
    app = make_app(work, MAX_CONTENT_LENGTH=4000)
    resp = post_match(app.test_client(), pair[0] + b"\x00" * 8000, pair[1])
    assert resp.status_code == 413 and "limit" in resp.get_json()["error"]


def test_form_values_are_validated(client, pair, tmp_path):
    before_png, after_png, before = pair
    assert "LUT size" in post_match(client, before_png, after_png, size="1000").get_json()["error"]
    assert "LUT size" in post_match(client, before_png, after_png, size="../33").get_json()["error"]
    wide = png_bytes(np.zeros((30, 80, 3), np.float32))
    resp = post_match(client, before_png, wide)
    assert resp.status_code == 400 and "same frame" in resp.get_json()["error"]
    r = post_match(client, before_png, after_png, size="17").get_json()
    for bad in ("2", "-0.1", "nan", "abc"):
        resp = client.get(f"{r['after_url']}?strength={bad}")
        assert resp.status_code == 400 and "Strength" in resp.get_json()["error"]


def test_same_aspect_different_sizes_are_matched(client):
    big = np.rint(make_frame(120, 160, seed=7) * 255) / 255
    small = known_grade(area_downscale(big, 80))
    resp = post_match(client, png_bytes(big), png_bytes(small), size="17")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["width"] == 160


def test_traversal_and_unknown_ids_are_refused(client, pair, work, tmp_path):
    before_png, after_png, _ = pair
    for model in ("../../etc/passwd", "/etc/passwd", "data/models", ""):
        resp = client.post(
            "/api/grade",
            data={"frame": (io.BytesIO(before_png), "f.png"), "model": model},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 400 and "Unknown model" in resp.get_json()["error"]
    resp = post_match(client, before_png, after_png, name="../../../../escape.png", size="17")
    assert resp.status_code == 200
    assert not list(tmp_path.rglob("escape.png"))
    assert resp.get_json()["info"]["source_name"] == "escape.png"
    for url in (
        "/api/result/..%2F..%2Fetc%2Fpasswd/lut.cube",
        "/api/result/abc/lut.cube",
        "/api/result/" + "A" * 32 + "/before.jpg",
        "/static/../__init__.py",
    ):
        resp = client.get(url)
        assert resp.status_code == 404, url
    assert list(work.iterdir()) == []


def test_cross_site_posts_are_refused(client, pair):
    data = {
        "before": (io.BytesIO(pair[0]), "b.png"),
        "after": (io.BytesIO(pair[1]), "a.png"),
        "size": "17",
    }
    resp = client.post("/api/match", data=data, headers={"Origin": "http://evil.example"})
    assert resp.status_code == 403 and "Cross-site" in resp.get_json()["error"]
    data = {
        "before": (io.BytesIO(pair[0]), "b.png"),
        "after": (io.BytesIO(pair[1]), "a.png"),
        "size": "17",
    }
    assert (
        client.post("/api/match", data=data, headers={"Origin": "http://localhost"}).status_code
        == 200
    )


class _Fake:
    def __init__(self, token: str, nbytes: int):
        self.token, self.nbytes, self.created = token, nbytes, time.monotonic()


def test_result_cache_is_bounded():
    cache = ResultCache(max_entries=2, max_bytes=100, ttl_s=60)
    for t in ("a", "b", "c"):
        cache.put(_Fake(t, 10))
        assert cache.get(t) is not None  # its page fetched it
    assert cache.get("a") is None and cache.get("b") is not None and len(cache) == 2
    cache.put(_Fake("big", 95))  # over the byte budget: everything older (and fetched) goes
    assert len(cache) == 1 and cache.get("big") is not None
    old = _Fake("old", 1)
    old.created -= 120
    cache.put(old)
    assert cache.get("old") is None  # expired


def test_results_stay_until_their_page_fetched_them():
    """Issue 24 item 6: 20 results made at once in a 16-entry cache, each fetched only after
    all were made (GETs queue behind POSTs), must all still be there."""
    cache = ResultCache(max_entries=16, max_bytes=1000, ttl_s=3600)
    for i in range(20):
        cache.put(_Fake(f"r{i}", 10))
    assert all(cache.get(f"r{i}") is not None for i in range(20))
    cache.put(_Fake("next", 10))  # now the fetched ones are evicted again, oldest first
    assert len(cache) == 16 and cache.get("r0") is None and cache.get("r19") is not None
    # When waiting results alone fill the byte budget, a new one is refused, not a waiting one lost.
    full = ResultCache(max_entries=16, max_bytes=25, ttl_s=3600)
    full.put(_Fake("w1", 10))
    full.put(_Fake("w2", 10))
    with pytest.raises(CacheFull):
        full.put(_Fake("w3", 10))
    assert full.get("w1") is not None and full.get("w2") is not None and full.get("w3") is None
    aged = ResultCache(max_entries=1, max_bytes=1000, ttl_s=3600, grace_s=5)
    stale = _Fake("stale", 10)
    stale.created -= 10  # never fetched, but past the grace period
    aged.put(stale)
    aged.put(_Fake("new", 10))
    assert aged.get("stale") is None and aged.get("new") is not None


def test_concurrent_results_are_all_downloadable(pair, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(
        {
            "TESTING": True,
            "LUTML_MODEL_DIRS": [],
            "LUTML_CACHE_ENTRIES": 4,
            "LUTML_TMP_DIR": tmp_path,
        }
    )

    def post(_: int) -> str:
        data = {"before": (io.BytesIO(pair[0]), "b.png"), "after": (io.BytesIO(pair[1]), "a.png")}
        resp = app.test_client().post("/api/match", data=data | {"size": "17"})
        return resp.get_json()["image_url"]

    with ThreadPoolExecutor(4) as pool:
        urls = list(pool.map(post, range(10)))
    client = app.test_client()
    assert [client.get(u).status_code for u in urls] == [200] * 10


@pytest.mark.parametrize(
    "host",
    [
        "localhost:1@evil.com",
        "[::1]evil.com",
        "localhost:evil",
        "evil.com",
        "localhost:99999",
        "a b",
    ],
)
def test_host_header_tricks_are_refused(client, host):
    resp = client.get("/", headers={"Host": host})
    assert resp.status_code == 400, host
    assert "host" in resp.get_json()["error"].lower()


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8000", "127.0.0.1:80", "[::1]:8000", "LocalHost."]
)
def test_allowed_hosts_with_ports_are_served(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200, host


def test_secret_key_from_environment(monkeypatch):
    monkeypatch.setenv("LUTML_SECRET_KEY", "from-env")
    assert create_app({"LUTML_MODEL_DIRS": []}).config["SECRET_KEY"] == "from-env"
    monkeypatch.delenv("LUTML_SECRET_KEY")
    a, b = (create_app({"LUTML_MODEL_DIRS": []}).config["SECRET_KEY"] for _ in range(2))
    assert a != b and len(a) >= 32
    assert create_app({"LUTML_MODEL_DIRS": [], "DEBUG": True}).debug is False


def test_registry_scans_model_folders(tmp_path):
    root = tmp_path / "models"
    for name, meta in [
        ("warm look", {"look": "teal_orange", "variant": "pix2pix64"}),
        ("neutral", {"variant": "neutraliser", "reverse": True}),
        ("broken", None),
    ]:
        (root / name).mkdir(parents=True)
        (root / name / "generator.keras").write_bytes(b"")
        (root / name / "model.json").write_text("{oops" if meta is None else json.dumps(meta))
    (root / "no-generator").mkdir()
    (root / "no-generator" / "model.json").write_text("{}")
    entries = scan_models([root, tmp_path / "missing"])
    assert sorted(entries) == ["neutral", "warm-look"]
    assert entries["warm-look"].label == "teal_orange · pix2pix64"
    assert entries["neutral"].describe()["reverse_hint"] is True
    assert "path" not in json.dumps(entries["neutral"].describe())


def test_serve_command_runs_waitress_without_tensorflow(tmp_path):
    """Listing models reads model.json only: TensorFlow waits until a model is used."""
    (tmp_path / "look").mkdir()
    (tmp_path / "look" / "generator.keras").write_bytes(b"")
    (tmp_path / "look" / "model.json").write_text('{"variant": "pix2pix64"}')
    port = free_port()
    code = (
        "import sys, runpy; sys.argv=['lutml','serve','--port',sys.argv[1],'--models-dir',sys.argv[2]];"
        "import threading, os, time\n"
        "def watch():\n"
        "    while True:\n"
        "        time.sleep(0.25)\n"
        "        print('TF' if 'tensorflow' in sys.modules else 'noTF', flush=True)\n"
        "threading.Thread(target=watch, daemon=True).start()\n"
        "from lutml.cli import main; main()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(port), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    assert resp.status == 200 and resp.headers["Server"] == "waitress"
                    assert 'value="look"' in resp.read().decode()
                    time.sleep(0.8)  # let the watcher report after a page was served
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
    reports = [line for line in out.splitlines() if line in ("TF", "noTF")]
    assert "1 model(s): look" in out and len(reports) >= 3 and "TF" not in reports, out


def test_coverage_warning_names_missing_colours(client):
    h, w = 60, 80
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    red = 0.4 + 0.6 * x / w
    warm = np.stack([red, red * (0.15 + 0.6 * y / h), 0.1 * red], -1)  # reds to oranges only
    assert missing_hues(warm) == ["greens", "cyans", "blues", "magentas"]
    assert missing_hues(make_frame()) == []
    narrow = post_match(client, png_bytes(warm), png_bytes(known_grade(warm)), size="17").get_json()
    assert "no vivid greens, cyans, blues or magentas" in narrow["info"]["warning"]
    broad = post_match(
        client, png_bytes(make_frame()), png_bytes(known_grade(make_frame())), size="17"
    )
    info = broad.get_json()["info"]
    assert info["warning"] is None and "extrapolated" in info["coverage"]["note"]
    chart = client.get(broad.get_json()["coverage_url"])
    assert chart.status_code == 200 and chart.mimetype == "image/png"
    assert decode(chart.data).shape[1] > 100


def test_local_edits_are_reported(client):
    """An 'after' with a vignette (a spatial edit) cannot be a LUT: the page must say so."""
    rng = np.random.default_rng(1)
    tiles = rng.random((4, 4, 3)).repeat(20, 0).repeat(20, 1)  # flat tiles: one colour, many places
    frame = np.concatenate([make_frame(80, 80), tiles], axis=1)
    y, x = np.mgrid[0:80, 0:160].astype(np.float32)
    vignette = 1.0 - 0.8 * (((x - 80) / 80) ** 2 + ((y - 40) / 40) ** 2)[..., None]
    r = post_match(client, png_bytes(frame), png_bytes(frame * vignette), size="17").get_json()
    assert r["info"]["fit_de00"] > 2.5 and "cannot make" in r["info"]["warning"]
    clean = post_match(
        client, png_bytes(frame), png_bytes(known_grade(frame)), size="17"
    ).get_json()
    assert clean["info"]["fit_de00"] < 0.5 and "cannot make" not in (clean["info"]["warning"] or "")


def test_robust_fit_ignores_outlier_pixels(client, work):
    """5% of the after pixels are junk (think clipped specks): the robust fit must shrug them off."""
    before = np.rint(make_frame(120, 160, seed=4) * 255) / 255
    after = known_grade(before)
    rng = np.random.default_rng(0)
    junk = rng.random(before.shape[:2]) < 0.05
    after[junk] = rng.random((int(junk.sum()), 3))
    errors = {}
    for robust in ("", "on"):
        r = post_match(
            client, png_bytes(before), png_bytes(after), size="17", robust=robust
        ).get_json()
        assert r["info"]["robust"] is bool(robust)
        (work.parent / "r.cube").write_bytes(client.get(r["cube_url"]).data)
        lut = read_cube(work.parent / "r.cube")
        errors[robust] = np.abs(apply_lut(lut, before) - known_grade(before)).mean()
    assert errors["on"] < 0.6 * errors[""], errors


def test_a_flat_before_image_is_named(client):
    flat = png_bytes(np.full((40, 60, 3), 0.4))
    resp = post_match(client, flat, flat, name="grey.png", size="17")
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert "the before image (grey.png) is flat" in error and error.endswith("."), error


def test_web_words_drop_advice_the_page_cannot_follow():
    from lutml.web.looks import web_words

    said = "no clear look found: x, so no grade is applied (`--no-trust` writes the raw estimate)"
    assert web_words(said) == "no clear look found: x, so no grade is applied"
    assert web_words("tone: unsure") == "tone: unsure"
