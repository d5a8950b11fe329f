"""Model builders, the model table, config variants, TF LUT lookup and the inference API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from config_helpers import model_cfg

from lutml.config.registries import model_config
from lutml.lut import LUT3D, apply_lut, identity_table
from lutml.models import MODEL_KINDS, MODELS, generator_builder
from lutml.models.builders import build_gan, build_generator, model_sizes
from lutml.models.inference import load_model
from lutml.models.lut_layers import apply_lut_trilinear, lut_monotonicity, lut_smoothness
from lutml.models.pix2pix import build_patchgan, build_unet
from lutml.pipeline.config import CONF_DIR, compose

ALL_VARIANTS = sorted(p.stem for p in (CONF_DIR / "model").glob("*.yaml"))
VARIANTS = [
    v for v in ALL_VARIANTS if MODEL_KINDS[compose([f"model={v}"])["model"]["name"]] != "look"
]
LOOK_VARIANTS = [v for v in ALL_VARIANTS if v not in VARIANTS]


def asymmetric_lut(n: int, seed: int = 0) -> LUT3D:
    """Red-only gain, a channel swap of green/blue and noise: catches any transposed axis."""
    t = identity_table(n)
    rng = np.random.default_rng(seed)
    out = np.stack([1.3 * t[..., 0] - 0.1, t[..., 2], t[..., 1] ** 2], -1)
    return LUT3D((out + rng.normal(0, 0.05, out.shape)).astype(np.float32))


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_model_config_composes_and_builds(variant):
    cfg = model_config(compose([f"model={variant}"])["model"])
    gan = build_gan(cfg, 2e-4, 0.5)
    size, out = model_sizes(cfg)
    x = tf.random.uniform((1, size, size, 3))
    y = gan.generator(x, training=False)
    if cfg.name.startswith("lut_gan"):
        n = cfg.lut_size
        assert y.shape == (1, n, n, n, 3)
    else:
        assert y.shape == (1, out, out, 3)
        assert 0.0 <= float(tf.reduce_min(y)) and float(tf.reduce_max(y)) <= 1.0
    logits = gan.discriminator([tf.zeros((1, out, out, 3)), tf.zeros((1, out, out, 3))])
    assert logits.shape == (1, out // 8 - 2, out // 8 - 2, 1)


@pytest.mark.parametrize("variant", LOOK_VARIANTS)
def test_every_look_model_config_composes_and_builds(variant):
    from lutml.models.look_encoder import LookEncoder

    cfg = compose([f"model={variant}"])["model"]
    enc = LookEncoder(32, 6, 5, cfg["width"])
    enc.build_all()
    coefficients = enc(
        {
            "frames": tf.random.uniform((2, 3, 32, 32, 3)),
            "mask": tf.constant([[1.0, 1, 0], [1, 0, 0]]),
        }
    )
    assert coefficients.shape == (2, 6)
    assert enc.tables(coefficients).shape == (2, 5, 5, 5, 3)
    assert 0.0 < cfg["single_fraction"] <= 1.0 and cfg["set_max"] >= 1


def test_look_model_set_mean_ignores_masked_frames():
    from lutml.models.look_encoder import LookEncoder

    enc = LookEncoder(16, 4, 3, 16)
    enc.build_all()
    a = tf.random.uniform((1, 2, 16, 16, 3), seed=1)
    padded = tf.concat([a, tf.random.uniform((1, 3, 16, 16, 3), seed=2)], axis=1)
    one = enc({"frames": a, "mask": tf.ones((1, 2))})
    masked = enc({"frames": padded, "mask": tf.constant([[1.0, 1, 0, 0, 0]])})
    np.testing.assert_allclose(np.asarray(one), np.asarray(masked), atol=1e-5)


def test_neutraliser_experiments():
    params = compose(
        ["model=neutraliser"]
    )  # story 3: the look estimator, trained with more single stills
    assert params["model"]["name"] == "look_encoder" and params["synth"]["mode"] == "looks"
    assert params["model"]["single_fraction"] > compose()["model"]["single_fraction"]
    old = compose(
        ["experiment=pix2pix_neutraliser"]
    )  # the original's image neutraliser, for comparison
    assert old["model"]["reverse"] is True and old["model"]["name"] == "pix2pix"
    assert old["synth"]["mode"] == "neutralize"


def test_original_parameter_counts():
    """The original project's 64 px and 128 px networks, reproduced by the default configs."""
    g64 = build_generator(model_config(compose(["model=pix2pix64"])["model"]))
    assert g64.count_params() == 1_832_515  # ~1.83 M
    assert build_patchgan(64, 16, 4).count_params() == 109_697  # ~0.11 M, 6x6 logits
    cfg128 = model_config(compose(["model=pix2pix128"])["model"])
    assert build_generator(cfg128).count_params() == 12_564_611  # ~12.56 M
    assert build_patchgan(128, 32, 16).count_params() == 1_226_497  # ~1.23 M, 14x14 logits


def test_width_scales_and_size_sets_depth():
    small = build_unet(64, 8).count_params()
    assert 0.2 < small / 1_832_515 < 0.3  # conv params scale with width^2
    assert (
        len(
            [
                lyr
                for lyr in build_unet(256, 8).layers
                if lyr.name.startswith("down") and lyr.name.endswith("conv")
            ]
        )
        == 8
    )


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (
            {"name": "unet9000", "size": 64},
            "valid names: asymmetric, look_encoder, lut_gan, lut_gan_3d, pix2pix",
        ),
        ({"name": "look_encoder"}, "no generator builder"),
        ({"name": "pix2pix", "size": 100}, "power of two"),
        ({"name": "pix2pix", "size": 64, "output_size": 128}, "must not exceed"),
        ({"name": "lut_gan_3d", "size": 64, "lut_size": 12}, "2^k or 2^k + 1"),
        ({"name": "lut_gan", "size": 64, "lut_size": 99}, "between 2 and 65"),
    ],
)
def test_bad_model_configs_are_refused(cfg, message):
    with pytest.raises(ValueError, match=message.replace("^", r"\^").replace("+", r"\+")):
        build_generator(model_cfg(**cfg))


def test_one_model_table_gives_kinds_and_builders():
    """`lutml.models.MODELS` is the only list of model names: kinds and builders both come from it."""
    from lutml.models.builders import GENERATORS

    assert MODEL_KINDS == {name: spec.kind for name, spec in MODELS.items()}
    assert set(GENERATORS) == {name for name, spec in MODELS.items() if spec.builder}
    for name in GENERATORS:
        assert GENERATORS[name] is generator_builder(name)


@pytest.mark.parametrize("n", [2, 5, 17])
def test_tf_trilinear_lookup_matches_numpy_apply_lut(n):
    lut = asymmetric_lut(n, seed=n)
    rng = np.random.default_rng(1)
    img = rng.uniform(-0.1, 1.1, (2, 23, 17, 3)).astype(np.float32)  # includes out-of-domain values
    img[0, 0, 0] = [0, 0, 0]
    img[0, 0, 1] = [1, 1, 1]
    img[0, 0, 2] = [1, 0, 0.5]
    tables = np.stack([lut.table, lut.table[::-1]])  # two different LUTs in one batch
    got = apply_lut_trilinear(tf.constant(tables), tf.constant(img)).numpy()
    for i in range(2):
        want = apply_lut(LUT3D(tables[i]), img[i], interpolation="trilinear")
        np.testing.assert_allclose(got[i], want, atol=1e-5, rtol=0)


def test_tf_lookup_is_differentiable_in_the_table():
    table = tf.Variable(identity_table(4)[None])
    img = tf.random.uniform((1, 8, 8, 3), seed=1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(apply_lut_trilinear(table, img))
    grad = tape.gradient(loss, table)
    assert grad is not None and float(tf.reduce_sum(grad)) == pytest.approx(
        1.0, rel=1e-5
    )  # weights sum to 1


def test_lut_regularisers():
    ident = tf.constant(identity_table(6)[None])
    assert float(lut_smoothness(ident)) == pytest.approx(0.0, abs=1e-12)
    assert float(lut_monotonicity(ident)) == pytest.approx(0.0, abs=1e-12)
    inverted = tf.constant((1.0 - identity_table(6))[None])
    assert float(lut_monotonicity(inverted)) == pytest.approx(
        0.6, rel=1e-5
    )  # 3 channels x mean step of -1/5
    noisy = tf.constant(asymmetric_lut(6).table[None])
    assert float(lut_smoothness(noisy)) > 1e-3


@pytest.mark.parametrize(
    "cfg",
    [
        {"name": "pix2pix", "size": 32, "width": 8},
        {"name": "asymmetric", "size": 64, "output_size": 32, "width": 8},
        {"name": "lut_gan", "size": 32, "width": 8, "lut_size": 5},
    ],
)
def test_inference_round_trip(tmp_path, cfg):
    cfg = model_cfg(**cfg)
    gen = build_generator(cfg)
    gen.save(tmp_path / "generator.keras")
    size, out = model_sizes(cfg)
    kind = "lut" if cfg.name == "lut_gan" else "image"
    (tmp_path / "model.json").write_text(
        json.dumps({"kind": kind, "input_size": size, "variant": "t"})
    )
    model = load_model(tmp_path)
    assert (model.kind, model.input_size, model.output_size) == (kind, size, out)
    img = np.random.default_rng(0).uniform(0, 1, (50, 70, 3)).astype(np.float32)
    model_input, output = model.predict(img)
    assert model_input.shape == (size, size, 3) and output.shape == (out, out, 3)
    assert output.dtype == np.float32 and 0 <= output.min() and output.max() <= 1
    direct = np.clip(np.asarray(gen(model_input[None]))[0], 0, 1)
    if kind == "lut":
        lut = model.predict_lut(img)
        assert lut.size == 5  # untrained basis = identity
        np.testing.assert_allclose(lut.table, identity_table(5), atol=1e-6, rtol=0)
        np.testing.assert_allclose(output, model_input, atol=1e-5)
    else:
        np.testing.assert_allclose(output, direct, atol=1e-5)
        with pytest.raises(ValueError, match="no predict_lut"):
            model.predict_lut(img)


def test_inference_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.keras")
    bad = tmp_path / "bad" / "generator.keras"
    bad.parent.mkdir()
    bad.write_text("not a model")
    with pytest.raises(ValueError, match="cannot load Keras model"):
        load_model(bad.parent)
    with pytest.raises(ValueError, match="not a Keras model"):
        load_model(Path(__file__))
    good = tmp_path / "good"
    good.mkdir()
    build_generator(model_cfg(size=32, width=4)).save(good / "generator.keras")
    (good / "model.json").write_text(json.dumps({"input_size": 64}))
    with pytest.raises(ValueError, match="says input size 64, the model takes 32"):
        load_model(good)
    (good / "model.json").write_text(json.dumps({"input_size": 32}))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        load_model(good).predict(np.zeros((8, 8), np.float32))
