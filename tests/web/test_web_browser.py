"""The web UI in a real browser: Playwright driving Debian's Chromium against waitress.

Upload a before/after pair, see the preview, move the strength slider, download the .cube and
check it with `read_cube`. A screenshot goes to test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from web_helpers import served_in_thread

from lutml.data.looks import get_look
from lutml.imageio import read_image, write_image
from lutml.lut import identity_table, read_cube, read_lut
from lutml.resize import resize_image
from lutml.web import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"{CHROMIUM} missing: run `make browser` (apt chromium)",
    ),
]


def _skimage_photo(name: str) -> Path:
    import skimage

    return Path(skimage.__file__).parent / "data" / name


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    """One real (tiny, untrained) generator from lutml's own U-Net builder."""
    from lutml.models.pix2pix import build_unet

    folder = tmp_path_factory.mktemp("models") / "tiny-look"
    folder.mkdir()
    build_unet(size=32, width=4, max_mult=2, dropout_layers=0).save(folder / "generator.keras")
    meta = {
        "name": "pix2pix",
        "variant": "tiny",
        "kind": "image",
        "input_size": 32,
        "look": "untrained",
    }
    (folder / "model.json").write_text(json.dumps(meta))
    return folder.parent


@pytest.fixture(scope="module")
def server(models_dir):
    app = create_app({"LUTML_MODEL_DIRS": [models_dir]})
    with served_in_thread(app) as base:
        yield base


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, accept_downloads=True
        )
        yield context.new_page()
        browser.close()


def _mean_pixel(page, selector: str) -> list[float]:
    """Mean RGB of an <img> as the browser decoded it (read back through a canvas)."""
    return page.evaluate(
        """(sel) => { const img = document.querySelector(sel);
            const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
            const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, c.width, c.height).data; const m = [0, 0, 0];
            for (let i = 0; i < d.length; i += 4) { m[0] += d[i]; m[1] += d[i + 1]; m[2] += d[i + 2]; }
            return m.map((v) => v / (d.length / 4)); }""",
        selector,
    )


def test_match_in_browser(server, page, tmp_path):
    before_path = _skimage_photo("coffee.png")
    after_path = tmp_path / "coffee_graded.png"
    write_image(after_path, get_look("teal_orange")(read_image(before_path)))
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server)
    page.click("#tab-match")
    page.set_input_files("input[name=before]", str(bad))
    page.set_input_files("input[name=after]", str(after_path))
    page.click("#form-match button[type=submit]")
    page.wait_for_selector("#message:not([hidden])")
    assert "not a PNG, JPEG, TIFF or OpenEXR" in page.inner_text("#message")

    page.set_input_files("input[name=before]", str(before_path))
    page.click("#form-match button[type=submit]")
    page.wait_for_selector("#after-img[data-strength='1.00']", timeout=60_000)
    assert page.is_hidden("#message")
    assert page.evaluate("document.querySelector('#before-img').naturalWidth") == 600
    full = _mean_pixel(page, "#after-img")
    before = _mean_pixel(page, "#before-img")
    assert max(abs(a - b) for a, b in zip(full, before, strict=True)) > 3  # the look is visible

    page.locator("#strength").fill("30")
    page.wait_for_selector("#after-img[data-strength='0.30']")
    assert page.inner_text("#strength-value") == "30%"
    partial = _mean_pixel(page, "#after-img")
    for b, p, f in zip(
        before, partial, full, strict=True
    ):  # 30% lies 30% of the way to the full look
        assert abs(p - (b + 0.3 * (f - b))) < 1.5

    page.click(".views button[data-view=wipe]")
    stage = page.locator("#wipe-stage").bounding_box()
    page.mouse.move(stage["x"] + 0.25 * stage["width"], stage["y"] + stage["height"] / 2)
    assert (
        page.evaluate("document.querySelector('#wipe-after').style.clipPath")
        == "inset(0px 75% 0px 0px)"
    )
    assert page.evaluate("document.querySelector('#wipe-after').src").endswith("strength=0.30")
    page.screenshot(path=str(ARTIFACTS / "web-wipe.png"))
    page.click(".views button[data-view=side]")

    assert "extrapolated" in page.inner_text("#coverage-text") or "guesses" in page.inner_text(
        "#coverage-text"
    )
    page.click("#coverage-details summary")
    page.wait_for_function("document.querySelector('#coverage-img').naturalWidth > 100")

    page.screenshot(path=str(ARTIFACTS / "web-match.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#download-cube")
    download = info.value
    assert download.suggested_filename == "coffee-match-33-30pct.cube"
    cube_path = tmp_path / download.suggested_filename
    download.save_as(cube_path)
    lut = read_cube(cube_path)
    offset = lut.table - identity_table(33)
    assert lut.size == 33 and np.abs(offset).max() > 0.01  # not (nearly) identity
    assert 0.005 < np.abs(offset).mean() < 0.3  # a 30% strength look: present, not wild


def test_learned_look_in_browser(server, page, tmp_path):
    page.goto(server)
    assert (
        page.get_attribute("#tab-grade", "aria-selected") == "true"
    )  # models exist: learned look first
    assert page.inner_text("#model option") == "untrained · tiny"
    page.set_input_files("input[name=frame]", str(_skimage_photo("astronaut.png")))
    page.select_option("#form-grade select[name=size]", "17")
    page.click("#form-grade button[type=submit]")
    page.wait_for_selector("#after-img[data-strength='1.00']", timeout=120_000)
    assert page.is_hidden("#message")
    assert "Look: untrained · tiny" in page.inner_text("#facts")
    assert "17³ LUT" in page.inner_text("#facts")
    page.screenshot(path=str(ARTIFACTS / "web-grade.png"), full_page=False)
    with page.expect_download() as info:
        page.click("#download-image")
    graded = tmp_path / info.value.suggested_filename
    info.value.save_as(graded)
    assert graded.name == "astronaut-tiny-look-17.png"
    assert read_image(graded).shape == (512, 512, 3)


def test_exr_upload_in_browser(server, page, tmp_path):
    coffee = read_image(_skimage_photo("coffee.png"))
    hot = coffee * 1.25  # brightest values pushed over 1, as scene-referred EXR renders hold
    write_image(tmp_path / "coffee.exr", hot)
    write_image(tmp_path / "graded.png", get_look("teal_orange")(np.clip(hot, 0.0, 1.0)))
    page.goto(server)
    page.click("#tab-match")
    page.set_input_files("input[name=before]", str(tmp_path / "coffee.exr"))
    page.set_input_files("input[name=after]", str(tmp_path / "graded.png"))
    page.click("#form-match button[type=submit]")
    page.wait_for_selector("#after-img[data-strength='1.00']", timeout=60_000)
    assert page.is_hidden("#message")
    facts = page.inner_text("#facts")
    assert "16-bit" in facts and "OpenEXR read as display sRGB" in facts
    warning = page.inner_text("#coverage-text")
    assert "before image (coffee.exr)" in warning and "were clipped" in warning
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-exr.png"), full_page=False)


def _wait(page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JS expression (the page's CSP forbids wait_for_function's eval)."""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < end, expression
        page.wait_for_timeout(100)


SHOTS = Path(os.environ.get("LUTML_WEB_SHOTS", "/tmp/web_shots"))


@pytest.fixture(scope="module")
def look_server(tmp_path_factory):
    """A server with one (tiny, untrained) look estimator: the Learn a look tab comes first."""
    from sample_helpers import make_tiny_look_model

    root = tmp_path_factory.mktemp("look-models")
    make_tiny_look_model(root / "estimator", frame_size=32, lut_size=9)
    app = create_app({"LUTML_MODEL_DIRS": [root]})
    with served_in_thread(app) as base:
        yield base


def _graded_stills(folder: Path, n: int) -> list[str]:
    look = get_look("teal_orange")
    photos = [read_image(_skimage_photo(p)) for p in ("astronaut.png", "coffee.png", "chelsea.png")]
    paths = []
    for i in range(n):
        p = photos[i % 3]
        crop = p[(i * 11) % 60 :, (i * 17) % 80 :]
        still = look(
            np.clip(resize_image(crop, (240, round(240 * crop.shape[1] / crop.shape[0]))), 0, 1)
        )
        path = folder / f"still{i:02d}.jpg"
        write_image(path, still)
        paths.append(str(path))
    return paths


def test_look_from_stills_on_footage_in_browser(look_server, page, tmp_path):
    """Issue 23 item 7: 12 stills + a non-image, 2 footage frames, sliders, A/B, an export."""
    stills = _graded_stills(tmp_path, 12)
    junk = tmp_path / "readme.txt"
    junk.write_text("not a still")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(look_server)
    assert page.get_attribute("#tab-look", "aria-selected") == "true"
    page.set_input_files("#stills", [*stills, str(junk)])
    assert "13 files" in page.inner_text("#form-look .file-name")
    page.fill("#look-name", "Teal dusk")
    page.click("#form-look button[type=submit]")
    page.wait_for_selector("#after-img[data-strength='1.00']", timeout=120_000)
    assert "1 file(s) skipped" in page.inner_text("#skipped") and "readme.txt" in page.inner_text(
        "#skipped"
    )
    assert "Look of 12 still(s)" in page.inner_text("#facts")
    assert "How sure the model is" in page.inner_text("#confidence")
    assert page.inner_text("#before-caption") == "Before (neutral reading)"
    page.screenshot(path=str(SHOTS / "look-reference-1280.png"), full_page=True)

    # your footage: two ungraded frames
    frames = []
    for name in ("coffee.png", "astronaut.png"):
        frames.append(str(tmp_path / f"footage-{name}"))
        write_image(frames[-1], read_image(_skimage_photo(name)))
    page.set_input_files("#footage-input", frames)
    _wait(page, "document.querySelectorAll('#frames .chip').length === 3")
    page.wait_for_selector("#frames .chip[aria-pressed=true]:has-text('footage-coffee.png')")
    _wait(page, "document.querySelector('#before-img').naturalWidth === 600")
    page.click("#frames .chip:has-text('footage-astronaut.png')")
    _wait(page, "document.querySelector('#before-img').naturalWidth === 512")
    before = _mean_pixel(page, "#before-img")
    _wait(page, "document.querySelector('#after-img').src.includes('frame=')")

    # sliders: global and per component
    page.locator("#strength").fill("60")
    page.wait_for_selector("#after-img[data-strength='0.60']")
    if page.locator("#tone").count():
        page.locator("#tone").fill("50")
        _wait(page, "document.querySelector('#after-img').src.includes('tone=0.50')")
    page.screenshot(path=str(SHOTS / "look-footage-1280.png"), full_page=True)
    assert len(before) == 3

    # wipe, by keyboard too
    page.click(".views button[data-view=wipe]")
    page.focus("#wipe-stage")
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("#wipe-stage", "aria-valuenow") == "45"
    page.screenshot(path=str(SHOTS / "look-wipe-1280.png"), full_page=False)
    page.click(".views button[data-view=side]")

    # export: .3dl for LogC3 footage at 33^3
    page.select_option("#export-format", "3dl")
    page.select_option("#export-size", "33")
    page.select_option("#export-space", "ARRI LogC3 (EI800)")
    with page.expect_download() as info:
        page.click("#download-cube")
    name = info.value.suggested_filename
    assert name.startswith("teal-dusk-33-arri-logc3-ei800-60pct") and name.endswith(".3dl")
    info.value.save_as(tmp_path / name)

    assert read_lut(tmp_path / name).size == 33
    with page.expect_download() as info:
        page.click("#download-image")
    assert info.value.suggested_filename.startswith("footage-astronaut-teal-dusk-60pct")

    # a second look in the gallery, A/B on the same frame
    page.set_input_files("#stills", stills[:4])
    page.fill("#look-name", "")
    page.click("#form-look button[type=submit]")
    _wait(page, "document.querySelectorAll('#gallery .chip').length === 2", 120)
    assert page.input_value("#strength") == "100"  # the new look at 100 %, not the last one's 60 %
    page.select_option("#compare-with", index=1)
    _wait(page, "document.querySelector('#before-caption').textContent.startsWith('B: ')")
    assert "frame=" in page.get_attribute("#before-img", "src")
    assert page.inner_text("#after-caption").startswith("A: ")
    page.screenshot(path=str(SHOTS / "look-ab-1280.png"), full_page=True)
    # each look's reference is another picture: no A/B there (it compared two scenes)
    page.click("#frames .chip:first-child")
    _wait(page, "document.querySelector('#compare-with').disabled")
    assert not page.inner_text("#before-caption").startswith("B: ")
    page.click("#frames .chip:has-text('footage-astronaut.png')")
    _wait(page, "document.querySelector('#before-caption').textContent.startsWith('B: ')")
    page.set_viewport_size({"width": 800, "height": 900})
    page.screenshot(path=str(SHOTS / "look-ab-800.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_no_usable_still_in_browser(look_server, page, tmp_path):
    junk = tmp_path / "a.png"
    junk.write_text("not an image")
    page.goto(look_server)
    page.set_input_files("#stills", [str(junk)])
    page.click("#form-look button[type=submit]")
    page.wait_for_selector("#message:not([hidden])", timeout=60_000)
    assert "None of the 1 file(s) is a usable still" in page.inner_text("#message")
    page.set_viewport_size({"width": 800, "height": 900})
    page.screenshot(path=str(SHOTS / "look-error-800.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_look_from_a_video_in_browser(look_server, page, tmp_path):
    """One short graded video as the input: upload and sampling progress end in a look whose
    facts name the video; a non-video named .mp4 and a video mixed with stills get one message."""
    from web_helpers import write_video

    look = get_look("teal_orange")
    photos = [read_image(_skimage_photo(p)) for p in ("astronaut.png", "coffee.png", "chelsea.png")]
    graded = [look(np.clip(resize_image(p, (180, 240)), 0, 1)) for p in photos]
    clip = write_video(tmp_path / "dusk clip.mp4", graded, fps=4, hold=4)
    page.goto(look_server)
    page.set_input_files("#stills", str(clip))
    page.click("#form-look button[type=submit]")
    _wait(page, "document.querySelector('#facts').textContent.includes('of the video')", 120)
    facts = page.inner_text("#facts")
    assert "Look of 3 frame(s) of the video dusk clip.mp4 (240×180, 0:03" in facts, facts
    page.wait_for_selector("#after-img[data-strength='1.00']", timeout=60_000)
    assert page.is_hidden("#message")
    with page.expect_download() as info:
        page.click("#download-cube")
    assert info.value.suggested_filename == "dusk-clip-33.cube"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / "look-video-1280.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})

    fake = tmp_path / "holiday.mp4"
    fake.write_text("not a video\n" * 50)
    page.set_input_files("#stills", str(fake))
    page.click("#form-look button[type=submit]")
    page.wait_for_selector("#message:not([hidden])", timeout=60_000)
    assert page.inner_text("#message").startswith("holiday.mp4 is not a video that can be read")

    still = tmp_path / "still.png"
    write_image(still, graded[0])
    page.set_input_files("#stills", [str(still), str(clip)])
    page.click("#form-look button[type=submit]")
    _wait(page, "document.querySelector('#message').textContent.includes('is a video')")
    assert page.inner_text("#message").startswith("dusk clip.mp4 is a video: a look is learned")
