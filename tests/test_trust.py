"""The trust model (lutml.trust, lutml.trust_fit): per-part shrinkage, calibrated intervals, words."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lutml.lut.lut3d import identity_table
from lutml.models.look_inference import load_look_model
from lutml.trust import (
    FEATURES,
    FEW_MAX_STRENGTH,
    LOOK_FOUND,
    MIXED_MAX_STRENGTH,
    NO_CLEAR_LOOK,
    NO_SINGLE_LOOK,
    TRUST_VERSION,
    TrustModel,
    _design,
    level_of,
)
from lutml.trust_fit import fit_shrink, fit_spread, fit_trust


def test_fit_shrink_learns_where_the_estimate_is_right():
    # the estimate is right (s* = 1) for x > 0 and pure content (s* = 0) for x < 0
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 1))
    s_true = (x[:, 0] > 0).astype(float)
    E = rng.uniform(0.5, 2.0, 4000)
    C = E * s_true + rng.normal(0, 0.05, 4000)
    X = _design(x, np.zeros(1), np.ones(1))
    theta = fit_shrink(X, E, C)
    s = 1.2 / (1 + np.exp(-X @ theta))
    assert s[x[:, 0] > 1].mean() > 0.85
    assert s[x[:, 0] < -1].mean() < 0.15


def test_fit_spread_gives_intervals_that_cover_as_claimed():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6000, 1))
    r = rng.normal(size=6000) * np.exp(0.7 * x[:, 0])
    X = _design(x, np.zeros(1), np.ones(1))
    phi = fit_spread(X[:3000], r[:3000])
    z = np.abs(r) / np.exp(X @ phi)
    k80 = np.quantile(z[3000:4500], 0.8)
    covered = np.mean(z[4500:] <= k80)
    assert abs(covered - 0.8) < 0.04
    assert phi[0] == pytest.approx(0.7, abs=0.1)


def _block(**over):
    f = len(FEATURES)
    block = {
        "version": TRUST_VERSION,
        "features": list(FEATURES),
        "mu": [0.0] * f,
        "sd": [1.0] * f,
        "theta": {c: [0.0] * (f + 1) for c in ("tone", "saturation", "cast")},
        "phi": {q: [0.0] * (f + 1) for q in ("tone_mid", "saturation_gain", "cast_a", "cast_b")},
        "k80": {q: 1.28 for q in ("tone_mid", "saturation_gain", "cast_a", "cast_b")},
        "no_look_de00": 1.5,
    }
    block.update(over)
    return block


def test_a_damaged_trust_block_is_refused():
    TrustModel(_block())
    with pytest.raises(ValueError, match="features"):
        TrustModel(_block(features=list(FEATURES[:-1])))
    bad = _block()
    bad["theta"]["tone"][3] = float("nan")
    with pytest.raises(ValueError, match="non-finite"):
        TrustModel(bad)
    with pytest.raises(ValueError, match="version"):
        TrustModel(_block(version=99))


def test_verdicts_no_clear_and_no_single_look():
    """A weak look is "no clear look found"; stills that disagree more than one look's stills do
    (the mixed model's p above its threshold, 4+ stills) are "no single look found", whatever the
    strength; fewer than 4 stills are never called that."""
    f = len(FEATURES)
    ident = identity_table(9)
    strong = np.clip(ident * np.array([1.0, 0.8, 0.6], np.float32), 0, 1)  # a clear warm look
    w = np.ones(9**3)
    x = np.zeros(f)
    x[FEATURES.index("log_frames")] = np.log(8)
    plain = TrustModel(_block(theta={c: [0.0] * f + [5.0] for c in ("tone", "saturation", "cast")}))
    assert plain.apply(strong, x, w)[1].verdict == LOOK_FOUND
    assert plain.apply(ident, x, w)[1].verdict == NO_CLEAR_LOOK
    # every part unsure (applied at 0.4 x S_MAX / 2): not "look found", however strong what is left
    unsure = TrustModel(
        _block(theta={c: [0.0] * f + [-0.8] for c in ("tone", "saturation", "cast")})
    )
    table, report = unsure.apply(strong, x, w)
    assert {p.level for p in report.parts} == {"unsure"} and report.look_de00 > 1.5
    assert report.verdict == NO_CLEAR_LOOK
    assert report.warnings[0].startswith("no clear look found: the model is unsure of every part")
    flagged = TrustModel(
        _block(
            theta={c: [0.0] * f + [5.0] for c in ("tone", "saturation", "cast")},
            mixed={"coef": [0.0] * f + [5.0], "threshold": 0.9},
        )
    )
    table, report = flagged.apply(strong, x, w)
    assert report.verdict == NO_SINGLE_LOOK
    assert "ungraded" in report.warnings[0] and "more than one look" in report.warnings[0]
    # stills that disagree are never "sure": each part at most MIXED_MAX_STRENGTH, and says why
    assert {p.level for p in report.parts} == {"fairly sure"}
    assert all(p.strength == MIXED_MAX_STRENGTH for p in report.parts)
    assert all("disagree about the look" in p.why for p in report.parts)
    full, _ = plain.apply(strong, x, w)
    assert np.abs(table - ident).max() < np.abs(full - ident).max()  # a weaker LUT
    x[FEATURES.index("log_frames")] = np.log(3)
    _, three = flagged.apply(strong, x, w)
    assert three.verdict == LOOK_FOUND and {p.level for p in three.parts} == {"sure"}


def test_a_model_with_an_older_trust_block_names_its_file_and_the_fix(tmp_path):
    from sample_helpers import make_tiny_look_model

    model_dir = make_tiny_look_model(tmp_path / "m")
    meta_path = model_dir / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["trust"] = _block(version=1)
    meta_path.write_text(json.dumps(meta))
    model = load_look_model(model_dir)
    frame = np.full((32, 32, 3), 0.5, np.float32)
    with pytest.raises(ValueError, match=r"trust block version 1 .*lutml\.trust_fit") as err:
        model.estimate([frame])
    assert str(err.value).startswith(f"{meta_path}: ")


def test_levels():
    assert level_of(1.0) == "sure" and level_of(0.5) == "fairly sure" and level_of(0.1) == "unsure"


def test_too_few_stills_are_at_most_fairly_sure():
    """Below the block's `sure_min_frames` a part the strengths call sure is "fairly sure", with a
    reason, and is not scaled beyond the raw estimate (the strengths would give 1.19 here).
    Blocks without the field keep "sure" and the strengths."""
    f = len(FEATURES)
    strong = np.clip(identity_table(9) * np.array([1.0, 0.8, 0.6], np.float32), 0, 1)
    w = np.ones(9**3)
    theta = {c: [0.0] * f + [5.0] for c in ("tone", "saturation", "cast")}
    x1, x5 = np.zeros(f), np.zeros(f)
    x5[FEATURES.index("log_frames")] = np.log(5)
    capped = TrustModel(_block(theta=theta, sure_min_frames=2))
    table1, one = capped.apply(strong, x1, w)
    table5, five = capped.apply(strong, x5, w)
    assert {p.level for p in one.parts} == {"fairly sure"}
    assert all(p.why.startswith("from one still, held-out") for p in one.parts)
    assert all(p.strength == FEW_MAX_STRENGTH == 1.0 for p in one.parts)
    assert np.allclose(table1, strong, atol=1e-6)  # the raw estimate, not amplified
    assert {p.level for p in five.parts} == {"sure"} and all(p.why == "" for p in five.parts)
    assert all(p.strength > 1.15 for p in five.parts)
    x3 = x5.copy()
    x3[FEATURES.index("log_frames")] = np.log(3)
    three = TrustModel(_block(theta=theta, sure_min_frames=4)).apply(strong, x3, w)[1]
    assert all(p.why.startswith("from fewer than 4 stills") for p in three.parts)
    older = TrustModel(_block(theta=theta))
    table_old, old = older.apply(strong, x1, w)
    assert {p.level for p in old.parts} == {"sure"}
    assert all(p.strength > 1.15 for p in old.parts)


def test_sure_min_frames_is_where_held_out_sure_parts_stop_going_wrong():
    """`_sure_min_frames`: the smallest size bucket from which parts called sure made the held-out
    look worse (than without that part) in at most SURE_MAX_WORSE of the sets."""
    from lutml.trust_fit import S_GRID, _sure_min_frames

    f = len(FEATURES)
    theta = {c: np.array([0.0] * f + [5.0]) for c in ("tone", "saturation", "cast")}  # all sure
    good = np.array([1.0, 0.6, 0.3, 0.35])  # the part helps: lower error at s ~ 1.2
    bad = np.array([0.5, 0.7, 0.9, 1.0])  # the part hurts
    assert len(good) == len(S_GRID)

    def records(k_curves):
        recs = [{"k": k, "inner": {c: cv for c in theta}} for k, cv in k_curves]
        return recs, np.ones((len(recs), f + 1))

    recs, X = records([(1, bad), (1, good), (2, good), (3, good), (8, good), (16, good)])
    n, fig = _sure_min_frames(recs, X, theta)
    assert n == 2 and fig["buckets"]["1-1"]["worse_than_without"] == 0.5
    recs, X = records([(1, good), (2, good), (8, good)])
    assert _sure_min_frames(recs, X, theta)[0] == 1
    recs, X = records([(1, good), (2, good), (8, bad), (9, good)])
    assert _sure_min_frames(recs, X, theta)[0] == 10**6  # large sets fail: never sure


def test_fit_trust_on_a_tiny_model_and_use_it(tmp_path):
    """End to end on a tiny (untrained) estimator: the block fits, validates, and the model then
    reports per-part confidence in words; a uniform dark frame set gets an 'unsure' or weak look."""
    from sample_helpers import make_tiny_look_model

    folder = make_tiny_look_model(tmp_path / "m")
    model = load_look_model(folder)
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, (40, 16, 16, 3), dtype=np.uint8)
    groups = np.repeat(np.arange(8), 5)
    ident = identity_table(5)
    tables = np.stack([np.clip(ident * g, 0, 1) for g in rng.uniform(0.7, 1.2, (12, 1, 1, 1, 3))])
    block, figures = fit_trust(model.model, crops, groups, tables.astype(np.float32), 0, n_sets=45)
    assert set(figures["held_out"]) >= {"mean_ratio_raw", "mean_ratio_trust"}
    meta = json.loads((folder / "model.json").read_text())
    meta["trust"] = json.loads(json.dumps(block))  # survives JSON
    (folder / "model.json").write_text(json.dumps(meta))
    model = load_look_model(folder)
    # frames like the calibration crops (stills unlike all of them would get no grade at all)
    frames = [np.repeat(np.repeat(c, 3, 0), 3, 1).astype(np.float32) / 255 for c in crops[:3]]
    lut, report = model.estimate(frames, size=9)
    assert lut.table.shape == (9, 9, 9, 3) and np.isfinite(lut.table).all()
    assert [p.component for p in report.parts] == ["tone", "saturation", "cast"]
    text = "\n".join(report.lines())
    assert "tone:" in text and "80 % interval" in text and "verdict:" in text
    for _, lo, hi in report.intervals.values():
        assert lo <= hi
    # same input, same answer
    again = model.estimate(frames, size=9)[0]
    assert np.array_equal(again.table, lut.table)


def test_stills_unlike_every_calibration_set_get_no_grade_and_say_why():
    """A content feature beyond the calibration range by more than NOVELTY_SD standard deviations
    (stills of objects on white: far more bright area than any held-out set) is not extrapolated:
    nothing is applied, every part is unsure with the reason, no interval is claimed. More stills,
    or a stronger look read, than calibration met are not a novel scene."""
    from lutml.trust import NOVELTY_SD

    f = len(FEATURES)
    strong = np.clip(identity_table(9) * np.array([1.0, 0.8, 0.6], np.float32), 0, 1)
    w = np.ones(9**3)
    theta = {c: [0.0] * f + [5.0] for c in ("tone", "saturation", "cast")}
    model = TrustModel(_block(theta=theta, lo=[-1.0] * f, hi=[1.0] * f, sd=[0.5] * f))
    x = np.zeros(f)
    x[FEATURES.index("log_frames")] = 0.9
    table, report = model.apply(strong, x, w)
    assert report.verdict == LOOK_FOUND and {p.level for p in report.parts} == {"sure"}
    near, far = x.copy(), x.copy()
    near[FEATURES.index("bright")] = 1.0 + 0.5 * NOVELTY_SD * 0.9  # just inside the margin
    far[FEATURES.index("bright")] = 1.0 + 0.5 * NOVELTY_SD * 1.2
    assert np.array_equal(model.apply(strong, near, w)[0], table)  # clipped, as before
    table_far, novel = model.apply(strong, far, w)
    np.testing.assert_allclose(table_far, identity_table(9), atol=1e-6)
    assert novel.verdict == NO_CLEAR_LOOK and novel.intervals == {}
    assert {p.level for p in novel.parts} == {"unsure"} and all(
        p.strength == 0 for p in novel.parts
    )
    why = "your stills are mostly bright, beyond every set the model was checked on"
    assert all(p.why == why for p in novel.parts)
    assert len(novel.warnings) == 1 and novel.warnings[0].startswith(f"no clear look found: {why}")
    assert "--no-trust" in novel.warnings[0]
    dark = x.copy()
    dark[FEATURES.index("mean_L")] = -2.0  # below the range: the other words
    assert "mostly dark" in model.apply(strong, dark, w)[1].parts[0].why
    many = x.copy()
    many[FEATURES.index("log_frames")] = 5.0  # 150 stills: beyond calibration's 32, not novel
    many[FEATURES.index("est_tone")] = 3.0  # a stronger look than calibration read
    assert model.apply(strong, many, w)[1].verdict == LOOK_FOUND


def test_a_mix_of_features_unlike_every_calibration_set_is_novel_too():
    """Each feature inside the calibration range, but together far from every calibration set
    (two features that always moved together, here apart): the joint check (`novelty_model`,
    the block's optional "novelty") withholds the grade; blocks without it do not."""
    from lutml.trust import NOVELTY_FEATURES, novelty_model

    f = len(FEATURES)
    rng = np.random.default_rng(0)
    x = np.zeros((400, f))
    x[:, FEATURES.index("log_frames")] = np.log(8)
    t = rng.uniform(-1, 1, 400)
    x[:, FEATURES.index("mean_L")] = t
    x[:, FEATURES.index("bright")] = t + rng.normal(0, 0.02, 400)  # bright moves with mean_L
    for name in NOVELTY_FEATURES:
        if name not in ("mean_L", "bright"):
            x[:, FEATURES.index(name)] = rng.normal(0, 0.3, 400)
    nov = novelty_model(x)
    assert len(nov["mean"]) == len(NOVELTY_FEATURES) and nov["d2_max"] > 0
    theta = {c: [0.0] * f + [5.0] for c in ("tone", "saturation", "cast")}
    lo, hi = x.min(0), x.max(0)
    joint = TrustModel(_block(theta=theta, lo=lo.tolist(), hi=hi.tolist(), novelty=nov))
    plain = TrustModel(_block(theta=theta, lo=lo.tolist(), hi=hi.tolist()))
    strong = np.clip(identity_table(9) * np.array([1.0, 0.8, 0.6], np.float32), 0, 1)
    w = np.ones(9**3)
    usual, odd = x[0].copy(), x[0].copy()
    odd[FEATURES.index("mean_L")], odd[FEATURES.index("bright")] = 0.9, -0.9  # in range, apart
    assert joint.apply(strong, usual, w)[1].verdict == LOOK_FOUND
    table, report = joint.apply(strong, odd, w)
    np.testing.assert_allclose(table, identity_table(9), atol=1e-6)
    assert report.verdict == NO_CLEAR_LOOK and "mix of key and colour" in report.parts[0].why
    assert plain.apply(strong, odd, w)[1].verdict == LOOK_FOUND
    bad = dict(nov, inv_cov=[[0.0]])
    with pytest.raises(ValueError, match="novelty"):
        TrustModel(_block(novelty=bad))


def test_a_part_is_never_unsure_for_another_parts_reason():
    """Features about one part (its size, the frames' disagreement on it, the tone readings' gap)
    give reasons for that part only; the two tone readings' gap is said in words."""
    f = len(FEATURES)
    theta = {c: [0.0] * (f + 1) for c in ("tone", "saturation", "cast")}
    theta["tone"][FEATURES.index("est_cast")] = 3.0  # a small cast lowers the tone's strength most
    theta["tone"][FEATURES.index("tone_gap")] = -1.0  # and a large tone gap a little
    model = TrustModel(_block(theta=theta))
    x = np.zeros(f)
    x[FEATURES.index("est_cast")] = -1.0
    x[FEATURES.index("tone_gap")] = 1.0
    assert (
        model.reason(x, "tone")
        == "the stills' local contrast and their colours tell different tones"
    )
    theta["cast"][FEATURES.index("est_cast")] = 3.0
    model = TrustModel(_block(theta=theta))
    assert model.reason(x, "cast") == "the cast it reads is small (as content alone gives)"


def test_grade_reports_say_what_was_written(tmp_path, capsys):
    """`lutml grade --no-trust` writes the raw estimate: the trust model's report is printed as
    about the look it would have written, and its warnings as its words (they said "applied at
    60 %" and "no grade is applied" of a LUT that was not written). A look the trust model drops
    entirely is written as "no grade (an identity LUT)", not as "the look of ..."."""
    from PIL import Image
    from sample_helpers import make_numpy_look_model, smooth_photo

    from lutml.cli import main
    from lutml.lut import read_lut

    still = tmp_path / "still.png"
    Image.fromarray(np.rint(smooth_photo(3, 90, 120) * 255).astype(np.uint8)).save(still)
    f = len(FEATURES)
    models = {
        "half": _block(),  # every part applied at S_MAX / 2 = 60 %
        "none": _block(theta={c: [0.0] * f + [-30.0] for c in ("tone", "saturation", "cast")}),
    }
    out = {}
    for name, block in models.items():
        folder = make_numpy_look_model(tmp_path / name, trust=block)
        for flag in ([], ["--no-trust"]):
            cube = tmp_path / f"{name}{'_raw' if flag else ''}.cube"
            assert main(["grade", str(still), "--model", str(folder), "-o", str(cube), *flag]) == 0
            out[cube.stem] = capsys.readouterr().out
    assert "the look of still.png; the still shows" in out["half"]
    assert "  tone: fairly sure (applied at 60% of the estimate)" in out["half"]
    raw = out["half_raw"]
    assert raw.startswith(f"wrote {tmp_path / 'half_raw.cube'} (33^3): the raw look of still.png")
    assert "  the trust model's report, of the look it would have written (not applied):" in raw
    assert "    tone: fairly sure (applied at 60% of the estimate)" in raw
    assert "no grade (an identity LUT): nothing of the look read from still.png" in out["none"]
    identity = identity_table(33)
    assert np.abs(read_lut(tmp_path / "none.cube").table - identity).max() < 1e-6
    assert np.abs(read_lut(tmp_path / "none_raw.cube").table - identity).max() > 1e-3
    assert "the raw look of still.png" in out["none_raw"]


def test_the_web_one_frame_result_says_how_sure_and_how_much_is_applied(tmp_path):
    """One frame through a look model with a trust model: the result carries the report (it had
    none, and a meaningless "fit dE00 0.00"), each part with the share of the estimate applied."""
    import io

    from PIL import Image
    from sample_helpers import make_numpy_look_model, smooth_photo

    from lutml.web import create_app

    make_numpy_look_model(tmp_path / "models" / "looky", trust=_block())
    app = create_app({"TESTING": True, "LUTML_MODEL_DIRS": [tmp_path / "models"]})
    buf = io.BytesIO()
    Image.fromarray(np.rint(smooth_photo(3, 90, 120) * 255).astype(np.uint8)).save(buf, "PNG")
    buf.seek(0)
    data = {"frame": (buf, "still.png"), "model": "looky", "size": "17"}
    resp = app.test_client().post("/api/grade", data=data, content_type="multipart/form-data")
    info = resp.get_json()["info"]
    assert info["fit_de00"] is None
    assert [c["component"] for c in info["confidence"]] == ["tone", "saturation", "cast"]
    assert all(c["strength"] == pytest.approx(0.6) for c in info["confidence"])
    assert info["trust"][0].startswith("verdict: ")


def test_one_still_is_spoken_of_as_one():
    from lutml.trust import one_still

    assert one_still("your stills are mostly dark") == "your still is mostly dark"
    assert (
        one_still("the stills may be ungraded, or their look cannot be told from their content")
        == "the still may be ungraded, or its look cannot be told from its content"
    )
    assert one_still("the stills' local contrast and their colours tell different tones") == (
        "the still's local contrast and its colours tell different tones"
    )
