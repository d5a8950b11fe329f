"""Scoring pieces of the evaluate stage (the full stage runs in the slow pipeline test)."""

from __future__ import annotations

import numpy as np
import pytest

from lutml.lut import LUT3D
from lutml.lut.lut3d import identity_table
from lutml.models.look_inference import load_look_model
from lutml.pipeline.evaluate import METHODS, ratios, score_luts, single_still_table
from lutml.pipeline.evaluate import lut_mean_difference as lmd


def _red_gain(x: np.ndarray, gain: float = 1.2) -> np.ndarray:
    out = np.array(x, dtype=np.float32, copy=True)
    out[..., 0] = np.clip(out[..., 0] * gain, 0, 1)
    return out


def _swap(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, np.float32)[..., ::-1])


def test_lut_mean_difference_is_zero_for_the_look_itself_and_sees_asymmetric_grades() -> None:
    lut = LUT3D(_red_gain(identity_table(17)))
    assert lmd(lut, _red_gain) == pytest.approx(0.0, abs=1e-6)
    # identity vs a red-only gain: mean over the lattice of |r - min(1.2 r, 1)| / 3 channels
    r = np.linspace(0, 1, 17)
    assert lmd(LUT3D.identity(9), _red_gain) == pytest.approx(
        np.mean(np.minimum(1.2 * r, 1) - r) / 3, rel=0.05
    )
    # a channel swap: the transposed LUT is far from the look
    assert lmd(LUT3D(_swap(identity_table(9))), _swap) < 1e-6
    assert lmd(LUT3D.identity(9), _swap) > 0.1


def test_score_luts_pools_pixels_and_takes_one_or_one_per_photo() -> None:
    rng = np.random.default_rng(0)
    photos = [rng.random((8, 10, 3)).astype(np.float32) for _ in range(3)]
    truths = [_red_gain(p) for p in photos]
    exact = score_luts([LUT3D(_red_gain(identity_table(33)))], photos, truths, _red_gain).summary()
    assert exact["de00_mean"] < 0.05 and exact["lut_mean_diff"] < 1e-3
    ident = score_luts([LUT3D.identity(9)], photos, truths, _red_gain).summary()
    assert ident["de00_mean"] > 1.0 and ident["de00_p95"] >= ident["de00_mean"]
    per_photo = score_luts([LUT3D.identity(9)] * 3, photos, truths, _red_gain).summary()
    assert per_photo == ident
    with pytest.raises(ValueError):
        score_luts([LUT3D.identity(9)], photos, truths[:2], _red_gain)


def test_ratios_are_relative_to_identity() -> None:
    summary = {m: {"de00_mean": v} for m, v in zip(METHODS, [1.0, 4.0, 3.0, 8.0, 0.4], strict=True)}
    r = ratios(summary)
    assert (
        r["identity"] == 1.0 and r["ours"] == 0.25 and r["original"] == 2.0 and r["pair_fit"] == 0.1
    )


def test_single_still_table_scores_each_family_and_its_new_parameters_beside_mkl(tmp_path):
    """Story 3's table: one row per family and per family with fresh parameters, each with ours,
    identity, MKL colour transfer and the pair-fit bound; the pair fit beats identity."""
    from sample_helpers import make_tiny_look_model

    model = load_look_model(make_tiny_look_model(tmp_path / "m"))
    rng = np.random.default_rng(0)
    photos = [rng.random((24, 32, 3), dtype=np.float32) for _ in range(3)]
    table = single_still_table(model, photos[:1], photos[1:], ["teal_orange"], size=9, refine=0)
    assert set(table) == {"teal_orange", "teal_orange (new parameters)"}
    for row in table.values():
        assert set(row) == {"ours", "identity", "pair_fit", "mkl", "ratio"}
        assert row["pair_fit"] < row["identity"] and row["mkl"] > 0
        assert row["ratio"] == pytest.approx(row["ours"] / row["identity"], abs=1e-3)


def _single_still_reference(model, references, photos, families, size, refine):
    """`single_still_table` as it was written before its shared work was hoisted: every (family,
    reference) scored in full (identity included), MKL per pair."""
    from lutml.color import delta_e_image, mkl_transfer
    from lutml.data.looks import get_look, jitter_look
    from lutml.fit import fit_lut
    from lutml.pipeline.evaluate import MethodScore
    from lutml.pipeline.scoring import single_still_row

    table = {}
    for family, spec in [(f, f) for f in families] + [
        (f"{f} (new parameters)", jitter_look(f, 7)) for f in families
    ]:
        look = get_look(spec)
        truths = [look(p) for p in photos]
        ours, ident, pair, mkl = [], [], [], []
        for ref in references:
            graded = look(ref)
            lut = model.predict_look([graded], refine=refine, size=size)
            ours.append(score_luts([lut], photos, truths, look).summary()["de00_mean"])
            ident.append(
                score_luts([LUT3D.identity(size)], photos, truths, look).summary()["de00_mean"]
            )
            fitted = fit_lut(ref, graded, size=size, method="lattice", robust=True)
            pair.append(score_luts([fitted], photos, truths, look).summary()["de00_mean"])
            moved = [mkl_transfer(p, graded) for p in photos]
            de = [
                delta_e_image(m, t).astype(np.float32) for m, t in zip(moved, truths, strict=True)
            ]
            mkl.append(MethodScore(de, [1.0], 0.0).summary()["de00_mean"])
        o, i, q = float(np.mean(ours)), float(np.mean(ident)), float(np.mean(pair))
        table[family] = single_still_row(o, i, q, float(np.mean(mkl)))  # the same rounding
    return table


def test_single_still_table_gives_the_numbers_of_scoring_every_reference_in_full(tmp_path):
    """Identity scored once per family, the photos' Lab and MKL moments computed once: the same
    table as scoring each (family, reference) from scratch."""
    from sample_helpers import make_tiny_look_model

    from lutml.models.look_inference import load_look_model
    from lutml.pipeline.evaluate import single_still_table

    model = load_look_model(make_tiny_look_model(tmp_path / "m"))
    rng = np.random.default_rng(1)
    photos = [rng.random((20, 28, 3), dtype=np.float32) for _ in range(5)]
    args = (model, photos[:2], photos[2:], ["faded_film", "hue_shift"], 9, 0)
    assert single_still_table(*args) == _single_still_reference(*args)


def test_score_luts_with_the_truths_lab_given_scores_the_same() -> None:
    from lutml.pipeline.evaluate import truth_labs

    rng = np.random.default_rng(2)
    photos = [rng.random((8, 10, 3)).astype(np.float32) for _ in range(3)]
    truths = [_red_gain(p) for p in photos]
    luts = [LUT3D(_red_gain(identity_table(9), 1.1))]
    a = score_luts(luts, photos, truths, _red_gain)
    b = score_luts(luts, photos, truths, _red_gain, labs=truth_labs(truths))
    assert a.summary() == b.summary()
    for x, y in zip(a.de00, b.de00, strict=True):
        np.testing.assert_array_equal(x, y)
