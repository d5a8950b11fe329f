"""Stages `synthesize` and `split`, the pairs API and the side-by-side zip format."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from sample_helpers import fake_corpus_cfg

from lutml.config.frames import FramesConfig
from lutml.config.synth import SynthConfig
from lutml.data.degrade import apply_ops
from lutml.data.frames import make_frames as _make_frames
from lutml.data.frames import resize_frame
from lutml.data.looks import get_look
from lutml.data.pairs import load_pair, pair_groups, read_manifest, read_split
from lutml.data.sidebyside import export_side_by_side, import_side_by_side, split_side_by_side
from lutml.data.split import grouped_split, split_pairs
from lutml.data.synthesize import synthesize_pairs as _synthesize_pairs
from lutml.imageio import read_image, read_image_full, write_image
from lutml.pipeline.config import CONF_DIR

# The original project's pairs (degraded graded frame -> graded frame, 1-4 ops) for the tests
# below; the default input_from=neutral has its own test.
SYNTH = {
    **yaml.safe_load((CONF_DIR / "synth" / "default.yaml").read_text()),
    "mode": "grade",
    "pairs": 24,
    "size": 48,
    "full_max": 96,
    "input_from": "graded",
    "ops": {"min": 1, "max": 4},
}
FRAMES = {
    "source": "embedded",
    "path": None,
    "graded": False,
    "per_photo": 1,
    "crop": [0.6, 1.0],
    "min_size": 64,
    "max_size": 128,
    "colour_space": None,
    "video": {"fps": 1.0, "max_frames": 10, "duplicate_threshold": 0.01, "shot_threshold": 0.12},
}


def make_frames(out: Path, c: dict, look, corpus, seed: int) -> dict:
    return _make_frames(out, FramesConfig.from_mapping(c, "frames"), look, corpus, seed)


def synthesize_pairs(frames_dir: Path, out: Path, c: dict, **kw) -> dict:
    return _synthesize_pairs(frames_dir, out, SynthConfig.from_mapping(c, "synth"), **kw)


def list_pairs(pairs_dir: Path) -> list[str]:
    """All pair ids, in manifest order."""
    return [str(p["id"]) for p in read_manifest(pairs_dir)["pairs"]]


def load_frame_crop(
    frames_dir: Path, pairs_dir: Path, pair_id: str, kind: str = "neutral", full: bool = True
) -> np.ndarray:
    """The pair's crop of its source frame, ``neutral`` (before the look) or ``graded``, as the
    manifest records it: float32 (S, S, 3), S = the pair's full size (`full`) or the working size."""
    manifest = read_manifest(pairs_dir)
    plan = next(p for p in manifest["pairs"] if str(p["id"]) == pair_id)
    x0, y0, x1, y1 = plan["crop"]
    frame = read_image(Path(frames_dir) / kind / f"{plan['frame']}.png")
    crop = resize_frame(frame[y0:y1, x0:x1], (plan["full_size"], plan["full_size"]))
    size = int(manifest["size"])
    return crop if full else resize_frame(crop, (size, size))


@pytest.fixture(scope="module")
def frames_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data") / "frames"
    make_frames(
        out, FRAMES, "teal_orange", fake_corpus_cfg(out.parent / "corpus", eval_=2, look=8), seed=0
    )
    return out


@pytest.fixture(scope="module")
def pairs_dir(frames_dir: Path) -> Path:
    out = frames_dir.parent / "pairs"
    synthesize_pairs(frames_dir, out, SYNTH, seed=5, workers=2)
    return out


def test_layout_and_manifest(pairs_dir: Path, frames_dir: Path) -> None:
    m = read_manifest(pairs_dir)
    ids = list_pairs(pairs_dir)
    assert ids == [f"{i:05d}" for i in range(24)] and m["size"] == 48 and m["mode"] == "grade"
    assert m["look"]["name"] == "teal_orange"
    assert len({p["group"] for p in m["pairs"]}) == 8  # every photo used
    frames = json.loads((frames_dir / "frames.json").read_text())["frames"]
    sizes = {f["id"]: f["size"] for f in frames}
    for p in m["pairs"]:
        x0, y0, x1, y1 = p["crop"]
        w, h = sizes[p["frame"]]
        assert x1 - x0 == y1 - y0 >= 48 and 0 <= x0 and x1 <= w and 0 <= y0 and y1 <= h
        assert 1 <= len([o for o in p["ops"] if o["op"] != "jpeg_noise"]) <= 4
        data = read_image_full(pairs_dir / "input" / f"{p['id']}.png")
        assert data.bit_depth == 8 and data.rgb.shape == (48, 48, 3)
        inp, tgt = load_pair(pairs_dir, p["id"], full=True)
        assert inp.shape == tgt.shape == (p["full_size"], p["full_size"], 3)


def test_manifest_records_the_exact_degradation(pairs_dir: Path, frames_dir: Path) -> None:
    """Re-applying the recorded ops to the target reproduces the input (both resolutions), and
    the target is the recorded crop of the graded frame."""
    m = read_manifest(pairs_dir)
    for p in m["pairs"]:
        for full in (False, True):
            inp, tgt = load_pair(pairs_dir, p["id"], full=full)
            assert np.abs(inp - tgt).mean() > 0.002  # the pair really differs
            if any(o["op"] == "jpeg_noise" for o in p["ops"]):
                continue  # noise/JPEG at the working size is not reproduced from an 8-bit target
            np.testing.assert_allclose(apply_ops(tgt, p["ops"]), inp, atol=0.06)
            assert np.abs(apply_ops(tgt, p["ops"]) - inp).mean() < 2.5 / 255
        x0, y0, x1, y1 = p["crop"]
        frame = read_image(frames_dir / "graded" / f"{p['frame']}.png")
        want = resize_frame(frame[y0:y1, x0:x1], (p["full_size"], p["full_size"]))
        np.testing.assert_allclose(
            load_pair(pairs_dir, p["id"], full=True)[1], want, atol=0.6 / 255
        )


def test_frame_crops_give_the_look_itself(pairs_dir: Path, frames_dir: Path) -> None:
    for pid in ("00000", "00011"):
        neutral = load_frame_crop(frames_dir, pairs_dir, pid, "neutral")
        graded = load_frame_crop(frames_dir, pairs_dir, pid, "graded")
        assert neutral.shape == load_pair(pairs_dir, pid, full=True)[1].shape
        np.testing.assert_allclose(graded, load_pair(pairs_dir, pid, full=True)[1], atol=0.6 / 255)
        assert np.abs(get_look("teal_orange")(neutral) - graded).mean() < 1.5 / 255
        assert load_frame_crop(frames_dir, pairs_dir, pid, "neutral", full=False).shape == (
            48,
            48,
            3,
        )


def test_same_params_same_bytes(pairs_dir: Path, frames_dir: Path, tmp_path: Path) -> None:
    synthesize_pairs(frames_dir, tmp_path / "again", SYNTH, seed=5, workers=1)
    for rel in ["manifest.json", "input/00007.png", "target/00007.png", "full/input/00019.png"]:
        assert (tmp_path / "again" / rel).read_bytes() == (pairs_dir / rel).read_bytes(), rel
    synthesize_pairs(frames_dir, tmp_path / "other", SYNTH, seed=6, workers=2)
    assert (tmp_path / "other/input/00007.png").read_bytes() != (
        pairs_dir / "input/00007.png"
    ).read_bytes()


def test_neutralize_mode(frames_dir: Path, tmp_path: Path) -> None:
    m = synthesize_pairs(
        frames_dir, tmp_path / "pairs", {**SYNTH, "mode": "neutralize", "pairs": 6}, seed=1
    )
    assert m["mode"] == "neutralize"
    for p in m["pairs"]:
        assert p["ops"][0]["op"] == "look" and p["ops"][0]["name"] in SYNTH["neutralize"]["looks"]
        x0, y0, x1, y1 = p["crop"]
        neutral = read_image(frames_dir / "neutral" / f"{p['frame']}.png")[y0:y1, x0:x1]
        _, tgt = load_pair(tmp_path / "pairs", p["id"], full=True)
        if p["full_size"] == x1 - x0:  # uncapped full crop: the target is the neutral crop itself
            np.testing.assert_allclose(tgt, neutral, atol=0.6 / 255)


def test_input_from_neutral_targets_are_the_look_of_the_input(
    frames_dir: Path, tmp_path: Path
) -> None:
    """input_from=neutral: input = neutral crop through the colour ops (then JPEG/noise), target
    = the look of the input's colour ops, so every pair holds the look itself."""
    c = {
        **SYNTH,
        "input_from": "neutral",
        "pairs": 8,
        "ops": {"min": 0, "max": 2},
        "jpeg_noise": {**SYNTH["jpeg_noise"], "p": 0.5},
    }
    m = synthesize_pairs(frames_dir, tmp_path / "pairs", c, seed=3, workers=1)
    assert m["input_from"] == "neutral"
    look = get_look("teal_orange")
    for p in m["pairs"]:
        for full in (True, False):
            neutral = load_frame_crop(frames_dir, tmp_path / "pairs", p["id"], full=full)
            inp, tgt = load_pair(tmp_path / "pairs", p["id"], full=full)
            colour = apply_ops(neutral, [o for o in p["ops"] if o["op"] != "jpeg_noise"])
            np.testing.assert_allclose(tgt, np.clip(look(colour), 0, 1), atol=1.5 / 255)
            assert np.abs(tgt - inp).mean() > 0.01  # the look is in every pair
            if not any(o["op"] == "jpeg_noise" for o in p["ops"]):
                np.testing.assert_allclose(inp, colour, atol=1.0 / 255)


def test_synthesize_bad_inputs(frames_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"frame f0000\d .* smaller than synth.size=512"):
        synthesize_pairs(frames_dir, tmp_path / "out", {**SYNTH, "size": 512}, seed=0)
    with pytest.raises(ValueError, match="synth.mode"):
        synthesize_pairs(frames_dir, tmp_path / "out", {**SYNTH, "mode": "sideways"}, seed=0)
    with pytest.raises(FileNotFoundError, match="frames.json"):
        synthesize_pairs(tmp_path / "nothing", tmp_path / "out", SYNTH, seed=0)
    graded_only = tmp_path / "graded_only"
    write_image(tmp_path / "stills" / "a.png", np.full((80, 80, 3), 0.5, np.float32))
    make_frames(
        graded_only,
        {**FRAMES, "source": "folder", "path": str(tmp_path / "stills"), "graded": True},
        "teal_orange",
        fake_corpus_cfg(tmp_path / "corpus"),
        0,
    )
    with pytest.raises(ValueError, match="needs neutral frames"):
        synthesize_pairs(graded_only, tmp_path / "out", {**SYNTH, "mode": "neutralize"}, seed=0)
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_grouped_split(pairs_dir: Path, tmp_path: Path) -> None:
    split = split_pairs(pairs_dir, tmp_path / "split", test_fraction=0.2, seed=42)
    assert read_split(tmp_path / "split") == split
    groups = pair_groups(pairs_dir)
    train_groups = {groups[i] for i in split["train"]}
    test_groups = {groups[i] for i in split["test"]}
    assert not train_groups & test_groups  # no photo on both sides
    assert sorted(split["train"] + split["test"]) == list_pairs(pairs_dir)
    assert 0.1 <= len(split["test"]) / len(groups) <= 0.3
    assert split_pairs(pairs_dir, tmp_path / "again", 0.2, seed=42) == split
    seeds = {
        tuple(split_pairs(pairs_dir, tmp_path / f"s{s}", 0.2, seed=s)["test"]) for s in range(6)
    }
    assert len(seeds) > 1  # the seed matters


def test_grouped_split_fractions_and_errors() -> None:
    groups = {f"{i:03d}": f"g{i % 10}" for i in range(100)}  # 10 groups of 10
    for frac in (0.1, 0.2, 0.5):
        s = grouped_split(groups, frac, seed=0)
        assert len(s["test"]) == round(100 * frac)
    s = grouped_split({"a": "x", "b": "x", "c": "y"}, 0.2, seed=0)
    assert s["train"] and s["test"]  # at least one group each side
    with pytest.raises(ValueError, match="only 1 group"):
        grouped_split({"a": "x", "b": "x"}, 0.2, seed=0)
    with pytest.raises(ValueError, match="test_fraction"):
        grouped_split(groups, 1.0, seed=0)


def test_side_by_side_round_trip(pairs_dir: Path, tmp_path: Path) -> None:
    split = split_pairs(pairs_dir, tmp_path / "split", 0.2, seed=1)
    n = export_side_by_side(pairs_dir, tmp_path / "split", tmp_path / "sbs.zip", fmt="png")
    assert n == 24
    names = zipfile.ZipFile(tmp_path / "sbs.zip").namelist()
    assert sorted(names) == sorted(
        [f"train/{i}.png" for i in split["train"]] + [f"test/{i}.png" for i in split["test"]]
    )
    m = import_side_by_side(
        tmp_path / "sbs.zip", tmp_path / "imported", tmp_path / "split2", size=48
    )
    assert read_split(tmp_path / "split2") == {k: sorted(v) for k, v in split.items()}
    assert not m["skipped"]
    for pid in split["test"][:3] + split["train"][:3]:
        a_in, a_tgt = load_pair(pairs_dir, pid)
        b_in, b_tgt = load_pair(tmp_path / "imported", pid)
        np.testing.assert_array_equal(a_in, b_in)  # left = target, right = input, lossless
        np.testing.assert_array_equal(a_tgt, b_tgt)


def test_side_by_side_jpeg_and_bad_members(pairs_dir: Path, tmp_path: Path) -> None:
    split_pairs(pairs_dir, tmp_path / "split", 0.2, seed=1)
    export_side_by_side(pairs_dir, tmp_path / "split", tmp_path / "sbs.zip", fmt="jpg")
    with zipfile.ZipFile(tmp_path / "sbs.zip", "a") as zf:
        zf.writestr("train/corrupt.jpg", b"\xff\xd8\xff not a jpeg")
        write_image(tmp_path / "odd.png", np.zeros((8, 9, 3), np.float32))
        zf.write(tmp_path / "odd.png", "test/odd.png")
    m = import_side_by_side(
        tmp_path / "sbs.zip", tmp_path / "imported", tmp_path / "split2", size=48
    )
    assert len(m["pairs"]) == 24 and len(m["skipped"]) == 2
    assert any("corrupt.jpg" in s for s in m["skipped"]) and any(
        "odd.png" in s and "odd" in s for s in m["skipped"]
    )
    a_in, a_tgt = load_pair(pairs_dir, "00003")
    b_in, b_tgt = load_pair(tmp_path / "imported", "00003")
    assert np.abs(a_in - b_in).mean() < 0.02 and np.abs(a_tgt - b_tgt).mean() < 0.02  # JPEG q95
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="junk.zip: not a readable zip"):
        import_side_by_side(tmp_path / "junk.zip", tmp_path / "x", tmp_path / "y")
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as zf:
        zf.writestr("readme.txt", "no images")
    with pytest.raises(ValueError, match="no images in train/ or test/"):
        import_side_by_side(tmp_path / "empty.zip", tmp_path / "x", tmp_path / "y")
    assert not (tmp_path / "x").exists()


def test_split_side_by_side_halves_and_odd_widths() -> None:
    """Left half = target, right half = input, pixel for pixel; an odd width is refused (no guessing
    which half the middle column belongs to), naming the file."""
    target = np.arange(4 * 3 * 3, dtype=np.uint16).reshape(4, 3, 3)
    inp = target + 100
    got_inp, got_target = split_side_by_side(np.concatenate([target, inp], axis=1), "pair.png")
    np.testing.assert_array_equal(got_inp, inp)
    np.testing.assert_array_equal(got_target, target)
    for width in (1, 7):
        with pytest.raises(ValueError, match=f"pair.png: width {width} is odd"):
            split_side_by_side(np.zeros((4, width, 3), np.float32), "pair.png")
