"""The look estimator's fast training step (`train.palette`): crops graded as compact colour
palettes give the features, the mosaics and the loss of grading every pixel, within tolerance."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from look_data import random_tables, smooth_crops

from lutml.bench.train import look_step, print_look_step
from lutml.models.look_features import colour_features_np
from lutml.pipeline.config import compose
from lutml.train.look_batches import crop_palettes, half_crops


def features(images: np.ndarray, pixel_weight: float = 1.0) -> np.ndarray:
    """The training graph's colour features (TensorFlow), each value standing for `pixel_weight` pixels."""
    import tensorflow as tf

    from lutml.models.look_encoder import colour_features

    return np.asarray(colour_features(tf.constant(images, tf.float32), pixel_weight=pixel_weight))


def graded(tables: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Images (n, h, w, 3) through their tables (n, ...), quantised to 8 bits like training."""
    import tensorflow as tf

    from lutml.models.lut_layers import apply_lut_trilinear

    out = np.asarray(
        apply_lut_trilinear(tf.constant(tables, tf.float32), tf.constant(images, tf.float32))
    )
    return np.round(np.clip(out, 0, 1) * 255) / 255


def test_palette_keeps_the_crops_mean_and_is_deterministic() -> None:
    crops = smooth_crops(5, 16, 0)
    pal = crop_palettes(crops, 64)
    assert pal.shape == (5, 64, 3) and pal.dtype == np.float32
    # every entry stands for the same number of pixels: the mean colour is the crop's
    np.testing.assert_allclose(
        pal.mean(axis=1), (crops / 255.0).reshape(5, -1, 3).mean(1), atol=1e-6
    )
    np.testing.assert_array_equal(pal, crop_palettes(crops, 64))
    with pytest.raises(ValueError, match="power of two"):
        crop_palettes(crops, 48)
    with pytest.raises(ValueError, match="dividing 256 pixels"):
        crop_palettes(crops, 512)


def test_palette_of_flat_colours_is_exact_and_so_are_its_features() -> None:
    """A crop of four flat colours (16 pixels each): every palette cell is one of them, in
    proportion, so its features are the crop's features exactly."""
    colours = np.array([[10, 200, 90], [250, 40, 120], [70, 110, 230], [160, 180, 20]], np.uint8)
    crop = np.zeros((1, 8, 8, 3), np.uint8)
    for i, c in enumerate(colours):
        crop[0, 4 * (i // 2) : 4 * (i // 2) + 4, 4 * (i % 2) : 4 * (i % 2) + 4] = c
    pal = crop_palettes(crop, 16)
    found, counts = np.unique(np.round(pal[0] * 255).astype(int), axis=0, return_counts=True)
    assert sorted(map(tuple, found)) == sorted(map(tuple, colours.astype(int)))
    assert set(counts) == {4}
    np.testing.assert_allclose(
        features(pal[:, :, None], 4.0), colour_features_np(crop / 255.0), atol=2e-5
    )
    # unweighted, the counts are the palette's: empty L* bands' regularised shares differ
    assert np.abs(features(pal[:, :, None]) - colour_features_np(crop / 255.0)).max() > 1e-3


def test_palette_features_match_full_pixel_features_under_looks() -> None:
    """Graded through random looks, a 256-colour palette of a 48 px crop (9 pixels an entry)
    gives the colour features of all 2304 pixels within a small share of their spread."""
    crops = smooth_crops(48, 48, 1)
    tables = random_tables(48, 9, 2)
    full = colour_features_np(graded(tables, crops / 255.0))
    pal = features(graded(tables, crop_palettes(crops, 256)[:, :, None]), 9.0)
    spread = np.abs(full - full.mean(axis=0)).mean()
    err = np.abs(pal - full).mean()
    assert err < 0.2 * spread, (err, spread)
    # the summary statistics (band means, quantiles: the last 32 + 44 features) are closer still
    tail = slice(-(4 * 8 + 24 + 256 + 44), None)
    qs = slice(-44, None)
    assert np.abs(pal[:, qs] - full[:, qs]).mean() < 0.006  # 1.5 levels of 255
    assert np.abs(pal[:, qs] - full[:, qs]).max() < 0.05
    assert np.abs(pal[:, tail] - full[:, tail]).mean() < np.abs(full[:, tail]).mean()


def test_mosaic_palettes_are_the_union_of_the_halved_crops() -> None:
    """A 2x2 mosaic's pixels are exactly the four area-halved crops' pixels, so its palette is
    the union of their palettes, and its features follow."""
    import tensorflow as tf

    from lutml.train.look_batches import mosaic_crops, mosaic_palettes

    crops = smooth_crops(8, 16, 3)
    x = crops / np.float32(255.0)
    partners = np.stack([x[[1, 2, 3]], x[[4, 5, 6]]])  # for crops 0 and 7
    mosaic = np.asarray(
        mosaic_crops(tf.constant(x[[0, 7]]), tf.constant(partners), tf.constant([1.0, 1.0]))
    )
    halves = half_crops(crops)
    for row, ids in enumerate(([0, 1, 2, 3], [7, 4, 5, 6])):
        union = np.sort(halves[ids].reshape(-1, 3), axis=0)
        np.testing.assert_allclose(np.sort(mosaic[row].reshape(-1, 3), axis=0), union, atol=1e-6)
    full = crop_palettes(crops, 64)[:, :, None]
    hp = crop_palettes(halves, 16)
    out = np.asarray(
        mosaic_palettes(
            tf.constant(full[[0, 7]]),
            tf.constant(hp[[0, 7]]),
            tf.constant(np.stack([hp[[1, 2, 3]], hp[[4, 5, 6]]])),
            tf.constant([1.0, 0.0]),
        )
    )
    assert out.shape == (2, 64, 1, 3)
    np.testing.assert_array_equal(out[1], full[7])  # not mixed: the crop's own palette
    f_mosaic = colour_features_np(mosaic[:1])
    f_union = features(out[:1], 4.0)
    assert np.abs(f_union - f_mosaic).mean() < 0.02


def _trainer(palette: int | None, noise: float = 0.0, m: int = 24, s: int = 16):
    import keras

    from lutml.models.look_encoder import LookEncoder
    from lutml.train.look_trainer import LookTrainer

    keras.utils.set_random_seed(0)
    enc = LookEncoder(s, 6, 5, 32)
    enc.build_all()
    rng = np.random.default_rng(1)
    enc.set_basis(rng.normal(0, 0.01, 375), rng.normal(0, 0.01, (6, 375)), np.ones(125))
    crops = smooth_crops(m, s, 4)
    tables = random_tables(8, 5, 5)
    coefficients = rng.normal(0, 1, (8, 6)).astype(np.float32)
    return LookTrainer(enc, crops, tables, coefficients, noise, palette=palette), crops


def test_palette_step_gives_the_loss_of_the_full_pixel_step() -> None:
    """The same packed batch (mosaics included), graded as palettes or pixel by pixel, gives the
    same loss within a few per cent, and the same loss gradient direction."""
    import tensorflow as tf

    from lutml.train.look_batches import draw_packed_batches

    full, crops = _trainer(None)
    fast, _ = _trainer(64)
    assert fast.palettes.shape == (len(crops), 64, 3) and fast.half_palettes.shape[1] == 16
    idx = draw_packed_batches(np.random.default_rng(3), 2, 32, 4, 8, len(crops), 0.2, mosaic=0.5)
    for i in range(2):
        batch = {k: tf.constant(v[i]) for k, v in idx.items()}
        a, b = float(full._loss(batch)), float(fast._loss(batch))
        assert a > 0.1 and b == pytest.approx(a, rel=0.05)
        grads = []
        for tr in (full, fast):
            with tf.GradientTape() as tape:
                loss = tr._loss(batch)
            g = tape.gradient(loss, tr.encoder.trainable_variables)
            grads.append(np.concatenate([np.ravel(v) for v in g]))
        cos = grads[0] @ grads[1] / np.linalg.norm(grads[0]) / np.linalg.norm(grads[1])
        assert cos > 0.9, cos
    assert fast.packed_inputs(batch).shape[1:] == (64, 1, 3)
    assert full.packed_inputs(batch).shape[1:] == (16, 16, 3)


def _fit(palette, full_epochs, epochs=2):
    from lutml.train.look_trainer import fit_encoder

    trainer, crops = _trainer(None)
    train = compose()["train"]
    cfg = SimpleNamespace(
        **{
            **train,
            "epochs": epochs,
            "steps_per_epoch": 3,
            "crops_per_batch": 24,
            "val_batches": 1,
            "batch_size": 4,
            "mlflow": False,
            "palette": palette,
            "full_epochs": full_epochs,
        }
    )
    tables = trainer.looks.numpy()
    val = {
        "crops": crops[:8],
        "tables": tables[:4],
        "coefficients": trainer.coefficients.numpy()[:4],
    }
    history = fit_encoder(
        trainer.encoder, crops, tables, trainer.coefficients.numpy(), val, cfg, 4, 0.2, 7
    )
    return history.history, [v.numpy() for v in trainer.encoder.weights]


@pytest.mark.parametrize("full_epochs", [0, 1])
def test_palette_training_is_deterministic_and_logs_every_epoch(full_epochs) -> None:
    """Same params, same weights byte for byte; a palette run with a full-pixel last epoch logs
    both epochs and differs from the all-palette run only by that epoch."""
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    h1, w1 = _fit(64, full_epochs)
    h2, w2 = _fit(64, full_epochs)
    assert len(h1["loss"]) == len(h1["val_loss"]) == 2 and "final_val_loss" in h1
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))
    assert all(np.isfinite(h1["loss"]))


def test_bench_times_the_old_and_the_palette_step_side_by_side(capsys) -> None:
    """`python -m lutml.bench train --look`'s measurement on stand-in data (one timed step)."""
    trainer, crops = _trainer(None)
    n = 5
    data = (
        crops,
        trainer.looks.numpy(),
        trainer.coefficients.numpy(),
        (np.zeros(n**3 * 3), np.zeros((6, n**3 * 3)), np.ones(n**3), n),
        "stand-ins",
    )
    res = look_step(1, 64, data=data)
    assert res["every pixel"]["steps_per_s"] > 0 and res["palette 64"]["steps_per_s"] > 0
    assert set(res["palette 64"]["parts_ms"]) == set(res["every pixel"]["parts_ms"])
    epochs, full, mean = res["schedule"]
    assert 0 <= full <= epochs and mean > 0
    print_look_step(res)
    out = capsys.readouterr().out
    assert "ratio (palette / every pixel)" in out and "cheaper per step on average" in out


def test_bench_like_validation_is_logged_repeatable_and_unseen_by_training(monkeypatch) -> None:
    """val_ratio / val_worse (the LUT vs the true look, ratio to no grade) are logged every epoch
    and at the end, are the same on two runs, and training with them gives the same weights as
    training without them (the score draws no random state)."""
    import tensorflow as tf

    import lutml.train.look_trainer as look_trainer

    tf.config.experimental.enable_op_determinism()
    h1, w1 = _fit(64, 1)
    h2, _ = _fit(64, 1)
    assert len(h1["val_ratio"]) == len(h1["val_worse"]) == 2
    assert "final_val_ratio" in h1 and 0 <= h1["final_val_worse"][0] <= 1
    assert h1["val_ratio"] == h2["val_ratio"] and np.all(np.isfinite(h1["val_ratio"]))
    monkeypatch.setattr(look_trainer, "Validation", lambda *a: lambda: {})
    h3, w3 = _fit(64, 1)
    assert "val_ratio" not in h3
    assert all(np.array_equal(a, b) for a, b in zip(w1, w3, strict=True))


def test_one_validation_pass_gives_the_loss_keras_evaluate_gives() -> None:
    """`Validation` grades the validation sets once for the loss and the bench-like ratio; its
    loss is the trainer's own test loss (what `LookTrainer.evaluate` reports) on the same sets,
    and its ratio is `lut_errors`' on the estimates."""
    from lutml.train.look_batches import draw_batches, index_dataset
    from lutml.train.look_validation import Validation, lut_errors

    trainer, crops = _trainer(None)
    trainer.compile()
    idx = draw_batches(np.random.default_rng(5), 3, 4, 4, 8, len(crops), 0.5)
    tables, coefficients = trainer.looks.numpy(), trainer.coefficients.numpy()
    res = Validation(trainer.encoder, trainer, idx, tables, coefficients)()
    expected = trainer.evaluate(index_dataset(idx), verbose=0, return_dict=True)["loss"]
    assert res["val_loss"] == pytest.approx(expected, rel=1e-5)
    ours, none = [], []
    for i in range(3):
        batch = {k: v[i] for k, v in idx.items()}
        frames, mask = trainer.graded_sets(batch)
        pred = trainer.encoder.tables(trainer.encoder({"frames": frames, "mask": mask}))
        a, b = lut_errors(
            np.asarray(pred), tables[idx["look"][i]], trainer.encoder.basis.node_weights
        )
        ours.append(a)
        none.append(b)
    ours, none = np.concatenate(ours), np.concatenate(none)
    assert res["val_ratio"] == pytest.approx(ours.sum() / none.sum(), rel=1e-6)
    assert res["val_worse"] == pytest.approx(np.mean(ours > none))
