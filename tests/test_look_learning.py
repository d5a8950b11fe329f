"""The look-learning pieces: random look prior, corpus roles, LUT basis, population baseline,
NumPy inference parity, reliability checks and the warnings of `lutml grade` with a look model."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sample_helpers import make_fake_corpus, smooth_photo

from lutml.color import linear_to_srgb, mean_delta_e, srgb_to_linear
from lutml.config.synth import PriorConfig
from lutml.data.corpus import assign_roles, bench_photos, corpus_photos
from lutml.data.lookgen import apply_recipe, chroma_offset, look_bank, sample_recipe
from lutml.data.looks import LOOKS, get_look, luma
from lutml.fit.basis import colour_weights, fit_basis
from lutml.fit.population import population_look
from lutml.grade import still_problems, usable_stills
from lutml.lut import LUT3D, apply_lut, resample_lut
from lutml.lut.lut3d import identity_table
from lutml.models.look_inference import QUANTILES as NP_Q
from lutml.models.look_inference import (
    LookModel,
    NumpyLookNet,
    colour_features_np,
    export_numpy_weights,
    resample_table,
)
from lutml.pipeline.config import compose
from lutml.reliability import assess, lut_distance, natural_palette

PRIOR = PriorConfig.from_mapping(compose()["synth"]["prior"], "synth.prior")


def test_random_looks_are_seeded_valid_and_varied() -> None:
    x = identity_table(9).reshape(-1, 3)
    recipes = [sample_recipe(np.random.default_rng([3, i]), PRIOR) for i in range(40)]
    assert recipes == [sample_recipe(np.random.default_rng([3, i]), PRIOR) for i in range(40)]
    outs = [apply_recipe(x, r) for r in recipes]
    for out in outs:
        assert (
            out.dtype == np.float32
            and np.all(np.isfinite(out))
            and out.min() >= 0
            and out.max() <= 1
        )
    spread = [np.abs(o - x).mean() for o in outs]
    assert sum(s < 1e-6 for s in spread) <= 8  # a few identity looks, most are real grades
    assert max(spread) > 0.05
    ops = {op["op"] for r in recipes for op in r}
    assert {"tone", "saturation", "split_tone", "camera"} <= ops
    assert not ops & set(LOOKS)  # no built-in look is part of the prior


def test_look_bank_is_a_prefix_stable_table_of_the_recipes() -> None:
    tables, recipes = look_bank(6, 1, PRIOR, size=5)
    more, _ = look_bank(8, 1, PRIOR, size=5)
    np.testing.assert_array_equal(tables, more[:6])
    np.testing.assert_allclose(
        tables[2].reshape(-1, 3), apply_recipe(identity_table(5).reshape(-1, 3), recipes[2])
    )


def test_chroma_offsets_keep_luma() -> None:
    for angle in (0, 90, 200):
        off = chroma_offset(angle, 0.1)
        assert abs(luma(off)) < 1e-9 and np.linalg.norm(off) == pytest.approx(0.1)


def test_corpus_roles_are_disjoint_seeded_and_stratified(tmp_path: Path) -> None:
    photos = corpus_photos(make_fake_corpus(tmp_path / "c", n=12))
    roles = assign_roles(photos, seed=1, n_eval=3, n_look=4)
    names = [set(p.name for p in roles[r]) for r in ("eval", "look", "train")]
    assert [len(n) for n in names] == [3, 4, 5] and not (
        names[0] & names[1] or names[0] & names[2] or names[1] & names[2]
    )
    assert {p.category for p in roles["eval"]} == {
        "animal",
        "building",
        "landscape",
    }  # one of each category
    assert assign_roles(photos, 1, 3, 4) == roles and assign_roles(photos, 2, 3, 4) != roles
    with pytest.raises(ValueError, match="must leave photos for training"):
        assign_roles(photos, 1, 6, 6)


def _with_bench_only(root: Path, names: list[str]) -> Path:
    """Mark `names` of a fake corpus as bench-only (SOURCES.csv ``role`` "bench")."""
    listing = root / "SOURCES.csv"
    with listing.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["role"] = "bench" if Path(r["file"]).stem in names else ""
    with listing.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return root


def test_bench_only_photos_take_no_role_nor_move_the_others(tmp_path: Path) -> None:
    base = corpus_photos(make_fake_corpus(tmp_path / "a", n=12))
    root = make_fake_corpus(tmp_path / "b", n=18)  # the same 12 photos and 6 more
    extra = [f"photo{i:02d}" for i in range(12, 18)]
    with_extra = corpus_photos(_with_bench_only(root, extra))
    assert [p.name for p in bench_photos(root)] == extra
    for seed in (1, 2, 3):
        a, b = assign_roles(base, seed, 3, 4), assign_roles(with_extra, seed, 3, 4)
        for role in ("eval", "look", "train"):
            assert [p.name for p in b[role]] == [p.name for p in a[role]]
    with pytest.raises(ValueError, match="must leave photos for training"):
        assign_roles(with_extra, 1, 6, 6)  # bench-only photos cannot fill the dealt roles


def test_a_corpus_role_other_than_bench_is_refused_with_the_line(tmp_path: Path) -> None:
    root = make_fake_corpus(tmp_path / "c", n=4)
    listing = root / "SOURCES.csv"
    listing.write_text(
        listing.read_text(encoding="utf-8")
        .replace(",tests\n", ",tests,\n", 1)
        .replace("origin\n", "origin,role\n", 1)
        .replace(",tests\n", ",tests,eval\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"SOURCES.csv line 3: role 'eval' of photos/photo01.png"):
        corpus_photos(root)


def test_the_embedded_corpus_is_listed_and_large_enough() -> None:
    photos = corpus_photos()
    assert len(photos) >= 100 and {p.licence.split("-")[0] for p in photos} <= {
        "Public",
        "CC0",
        "CC",
    }
    roles = assign_roles(photos, 42, 20, 30)
    assert len(roles["train"]) == len(photos) - len(bench_photos()) - 50
    small = bench_photos()
    assert len(small) >= 90 and not {p.name for p in small} & {
        p.name for r in roles.values() for p in r
    }
    assert sum(f.stat().st_size for f in Path(photos[0].path).parent.iterdir()) <= 16_000_000


def test_basis_coefficients_round_trip_and_weights() -> None:
    rng = np.random.default_rng(0)
    crops = (rng.random((50, 8, 8, 3)) * 255).astype(np.uint8)
    w = colour_weights(crops, 5, floor=0.05, blur=1.0)
    assert w.shape == (5, 5, 5) and w.mean() == pytest.approx(1.0, rel=1e-5) and w.min() > 0
    tables, _ = look_bank(60, 0, PRIOR, size=5)
    basis = fit_basis(tables, w, 20)
    c = basis.coefficients(tables)
    back = basis.tables(c)
    assert np.abs(back - tables).mean() < 0.01  # 20 components hold most of the 60 looks
    assert basis.explained.sum() > 0.9 and np.all(np.diff(basis.explained) <= 1e-6)


def test_population_look_learns_a_desaturation_from_pooled_statistics() -> None:
    # Pools of the same content (shuffled): the lightness map is the identity, the chroma scale 0.5.
    neutral = [smooth_photo(i, 60, 80) for i in range(10)]
    others = neutral[::-1]
    desat = get_look(
        {"name": "bleach_bypass", "strength": 0.0, "saturation": 0.5, "gamma": [1, 1, 1]}
    )
    lut = population_look(neutral, [desat(o) for o in others], size=9)
    test = smooth_photo(999, 60, 80)

    assert mean_delta_e(apply_lut(lut, test), desat(test)) < 0.5 * mean_delta_e(test, desat(test))


def test_numpy_features_match_tensorflow() -> None:
    import tensorflow as tf

    from lutml.models.look_encoder import colour_features

    rng = np.random.default_rng(0)
    imgs = np.round(rng.random((3, 16, 16, 3)) * 255).astype(np.float32) / 255
    np.testing.assert_allclose(
        colour_features_np(imgs), np.asarray(colour_features(tf.constant(imgs))), atol=2e-5
    )


def test_still_problems() -> None:
    assert still_problems(smooth_photo(0, 80, 100)) == {}
    grey = smooth_photo(0, 80, 100).mean(axis=2, keepdims=True).repeat(3, axis=2)
    assert "grayscale" in still_problems(grey)["grayscale"]
    assert "uniform" in still_problems(np.full((80, 100, 3), 0.4, np.float32))["uniform"]
    assert "tiny" in still_problems(smooth_photo(0, 40, 50))["tiny"]


def test_usable_stills_leave_out_what_cannot_show_a_look() -> None:
    """A still too small to read alone is an error naming it; among others it is left out, as is
    a nearly uniform one (named, with why); small ones are used and named; warnings true of every
    still used are given once. The kept stills are read from the caller's sequence lazily."""
    good, small = smooth_photo(0, 80, 100), smooth_photo(1, 40, 50)
    speck, black = smooth_photo(2, 5, 8), np.zeros((80, 100, 3), np.float32)
    with pytest.raises(ValueError, match=r"^speck.png: too small to read a look from \(8x5 px"):
        usable_stills([speck], ["speck.png"])
    with pytest.raises(ValueError, match="^a.png: none of the 2 stills can be read"):
        usable_stills([speck, speck], ["a.png", "b.png"])
    names = ["good.png", "speck.png", "black.png", "small.png"]
    kept, used, warnings = usable_stills([good, speck, black, small], names)
    assert used == ["good.png", "small.png"] and len(kept) == 2
    assert kept[1] is small and [k.shape for k in kept[:]] == [good.shape, small.shape]
    assert warnings == [
        "speck.png is not used: too small to read a look from (8x5 px; at least 16 px on the "
        "short side, 64 for a good reading)",
        "black.png is not used: nearly uniform: one colour says little about a grade",
        "small.png: tiny (50x40 px; at least 64 px on the short side are needed)",
    ]
    stills = [good, good]
    kept, used, warnings = usable_stills(stills)
    assert kept is stills and used == ["still 1", "still 2"] and warnings == []
    kept, used, warnings = usable_stills([black, black, speck])  # only blank ones: used, said
    assert used == ["still 1", "still 2"]
    assert warnings == [
        "still 3 is not used: too small to read a look from (8x5 px; at least 16 px on the "
        "short side, 64 for a good reading)",
        "every still is (nearly) grayscale: its colour grade cannot be measured",
        "every still is nearly uniform: one colour says little about a grade",
    ]
    assert usable_stills([black])[2][0].startswith("the still is (nearly) grayscale")


def test_reliability_flags_neutral_frames() -> None:
    class Fixed:  # a stand-in look model whose every frame's look is the identity
        def frame_tables(self, frames):
            return np.stack([identity_table(5)] * len(frames))

        def predict_table(self, frames, refine=0):
            return identity_table(5)

    frames = [smooth_photo(i, 30, 40) for i in range(3)]
    pal = natural_palette(frames)
    rel = assess(
        Fixed(), frames, LUT3D.identity(5), pal, min_frames=8, neutral_max=1.0, mixed_max=6.0
    )
    assert (
        not rel.reliable
        and any("neutral" in w for w in rel.warnings)
        and any("only 3" in w for w in rel.warnings)
    )
    teal = LUT3D(get_look("teal_orange")(identity_table(17)))
    assert lut_distance(teal, LUT3D.identity(17), pal) > 2.0


def test_numpy_and_tensorflow_quantiles_agree() -> None:
    from lutml.models.look_encoder import QUANTILES as TF_Q

    assert TF_Q == NP_Q


def test_numpy_inference_equals_keras(tmp_path: Path) -> None:
    import keras

    from lutml.models.look_encoder import LookEncoder

    keras.utils.set_random_seed(0)
    enc = LookEncoder(16, 6, 5, 32)
    enc.build_all()
    rng = np.random.default_rng(1)
    enc.set_basis(rng.normal(0, 0.01, 375), rng.normal(0, 0.01, (6, 375)), np.ones(125))
    export_numpy_weights(enc, tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as z:
        net = NumpyLookNet({k: z[k] for k in z.files})
    frames = [smooth_photo(i, 40, 70) for i in range(3)]
    a = LookModel(enc, 16, 5).predict_table(frames, refine=0)
    b = LookModel(net, 16, 5).predict_table(frames, refine=0)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_resample_table_is_trilinear_resampling() -> None:
    t = get_look("teal_orange")(identity_table(17))
    np.testing.assert_allclose(
        resample_table(t, 33), resample_lut(LUT3D(t), 33, "trilinear").table, atol=2e-6
    )
    np.testing.assert_allclose(resample_table(t, 17), t, atol=1e-6)


def test_packed_batches_fill_every_step_with_whole_sets() -> None:
    from lutml.train.look_batches import draw_packed_batches

    def draw(seed: int) -> dict[str, np.ndarray]:
        return draw_packed_batches(np.random.default_rng(seed), 50, 40, 12, 30, 20, 0.25)

    d = draw(3)
    assert d["crops"].shape == d["segment"].shape == d["look"].shape == (50, 40)
    assert d["crops"].min() >= 0 and d["crops"].max() < 20 and d["look"].max() < 30
    sizes = []
    for seg in d["segment"]:
        assert seg[0] == 0 and set(np.diff(seg)) <= {0, 1}  # contiguous sets 0, 1, 2, ...
        counts = np.bincount(seg)
        assert counts.max() <= 12 and counts.min() >= 1
        sizes += list(counts[:-1])  # the last set of a batch may be cut to fit
    sizes = np.array(sizes)
    assert 0.25 < np.mean(sizes == 1) < 0.45  # single_fraction + the uniform draw's own ones
    assert sizes.max() == 12
    for key, value in draw(3).items():
        np.testing.assert_array_equal(value, d[key])
    assert not np.array_equal(draw(4)["segment"], d["segment"])


def test_packed_loss_equals_the_padded_loss_of_the_same_sets() -> None:
    """Segment-mean pooling over packed crops is the masked mean of the padded layout."""
    import keras
    import tensorflow as tf

    from lutml.models.look_encoder import LookEncoder
    from lutml.train.look_trainer import LookTrainer

    keras.utils.set_random_seed(0)
    enc = LookEncoder(16, 6, 5, 32)
    enc.build_all()
    rng = np.random.default_rng(1)
    enc.set_basis(rng.normal(0, 0.01, 375), rng.normal(0, 0.01, (6, 375)), np.ones(125))
    crops = rng.integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)
    tables = np.stack([get_look(n)(identity_table(5)) for n in ("teal_orange", "bleach_bypass")])
    coefficients = rng.normal(0, 1, (2, 6)).astype(np.float32)
    trainer = LookTrainer(enc, crops, tables.astype(np.float32), coefficients, 0.0)
    sets = [([3, 1, 4], 1), ([5], 0), ([9, 2], 1)]  # (crop ids, look) of three sets
    packed = {
        "crops": tf.constant([c for ids, _ in sets for c in ids], tf.int32),
        "segment": tf.constant([i for i, (ids, _) in enumerate(sets) for _ in ids], tf.int32),
        "look": tf.constant([lk for _, lk in sets] + [0] * 3, tf.int32),
        "seed": tf.constant([1, 2], tf.int32),
    }
    padded = {
        "crops": tf.constant([ids + [0] * (3 - len(ids)) for ids, _ in sets], tf.int32),
        "size": tf.constant([len(ids) for ids, _ in sets], tf.int32),
        "look": tf.constant([lk for _, lk in sets], tf.int32),
        "seed": tf.constant([1, 2], tf.int32),
    }
    a, b = float(trainer._loss(packed)), float(trainer._loss(padded))
    assert a > 0.1
    assert a == pytest.approx(b, rel=1e-5)


def test_mosaic_crops_tile_four_area_halved_crops() -> None:
    import tensorflow as tf

    from lutml.train.look_batches import draw_packed_batches, mosaic_crops

    rng = np.random.default_rng(2)
    x = rng.random((2, 8, 8, 3)).astype(np.float32)
    partners = rng.random((2, 3, 8, 8, 3)).astype(np.float32)
    out = np.asarray(mosaic_crops(tf.constant(x), tf.constant(partners), tf.constant([1.0, 0.0])))

    def halved(img: np.ndarray) -> np.ndarray:
        return img.reshape(4, 2, 4, 2, 3).mean(axis=(1, 3))

    np.testing.assert_allclose(out[0, :4, :4], halved(x[0]), atol=1e-6)
    np.testing.assert_allclose(out[0, :4, 4:], halved(partners[0, 0]), atol=1e-6)
    np.testing.assert_allclose(out[0, 4:, :4], halved(partners[0, 1]), atol=1e-6)
    np.testing.assert_allclose(out[0, 4:, 4:], halved(partners[0, 2]), atol=1e-6)
    np.testing.assert_array_equal(out[1], x[1])  # not mixed: the crop as it was
    plain = draw_packed_batches(np.random.default_rng(0), 4, 32, 8, 10, 20, 0.1)
    mixed = draw_packed_batches(np.random.default_rng(0), 4, 32, 8, 10, 20, 0.1, mosaic=0.5)
    assert "mix" not in plain and mixed["partners"].shape == (4, 32, 3)
    assert 0.3 < mixed["mix"].mean() < 0.7
    for key, value in plain.items():  # the other indices do not change with mosaics on
        np.testing.assert_array_equal(mixed[key], value)


def test_expose_sets_moves_each_set_by_one_exposure_and_keeps_the_order() -> None:
    """The key augmentation: per-set exposure (+ per-crop jitter) in linear light, seeded."""
    import tensorflow as tf

    from lutml.train.look_batches import expose_sets

    x = np.full((6, 4, 4, 3), 0.4, np.float32)
    segment = tf.constant([0, 0, 0, 1, 1, 1])
    seed = tf.constant([3, 4], tf.int32)
    out = np.asarray(expose_sets(tf.constant(x), segment, 0.8, seed))
    again = np.asarray(expose_sets(tf.constant(x), segment, 0.8, seed))
    assert np.array_equal(out, again)  # same seed, same crops
    stops = np.log2(srgb_to_linear(out[:, 0, 0, 0]) / srgb_to_linear(np.float64(0.4)))
    # crops of one set share the set's move; the per-crop jitter is half as large
    assert abs(stops[:3].mean() - stops[3:].mean()) > 0.05
    assert np.all((out >= 0) & (out <= 1))
    flat = np.asarray(expose_sets(tf.constant(x), segment, 0.0, seed))
    assert np.allclose(flat, linear_to_srgb(srgb_to_linear(x)), atol=1e-5)
