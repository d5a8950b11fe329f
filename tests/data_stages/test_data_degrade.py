"""Degradation ops and their sampler: range, inverses, sign balance, determinism, no NaN."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from lutml.config.synth import SynthConfig
from lutml.data.degrade import OPS, apply_op, apply_ops
from lutml.data.sampling import (
    BalancedSigns,
    sample_jpeg_noise,
    sample_look_op,
    sample_op,
    sample_ops,
)
from lutml.pipeline.config import CONF_DIR

# The default ranges with 1-4 ops per pair (the default allows 0: the neutral frame as is), so
# every draw has a colour op to test.
SYNTH = {
    **yaml.safe_load((CONF_DIR / "synth" / "default.yaml").read_text()),
    "ops": {"min": 1, "max": 4},
}
FAMILIES = list(SYNTH["families"])
CFG = SynthConfig.from_mapping(SYNTH, "synth")


@pytest.fixture(scope="module")
def colours() -> np.ndarray:
    g = np.linspace(0.0, 1.0, 11, dtype=np.float32)
    grid = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)
    return np.concatenate([grid, np.random.default_rng(5).random((749, 3), dtype=np.float32)])


def inverse_op(op: dict) -> dict | None:
    """The op undoing `op` on colours it does not clip, or None where there is no closed form
    (vibrance, lut, look, jpeg_noise)."""
    name = op["op"]
    if name == "exposure":
        return {"op": name, "stops": -op["stops"]}
    if name == "white_balance":
        return {
            "op": name,
            "temperature": -op["temperature"],
            "tint": -op["tint"],
            "gains": (1.0 / np.asarray(op["gains"])).tolist(),
        }
    if name == "contrast":
        return {"op": name, "factor": 1.0 / op["factor"], "pivot": op["pivot"]}
    if name == "gamma":
        return {"op": name, "gamma": 1.0 / op["gamma"]}
    if name == "saturation":
        return {"op": name, "factor": 1.0 / op["factor"]}
    if name == "hue":
        return {"op": name, "degrees": -op["degrees"]}
    if name in ("curves", "lift_gamma_gain"):
        return {**op, "invert": not op.get("invert", False)}
    return None


def draw(family: str, n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    sign = BalancedSigns(rng)
    if family == "jpeg_noise":
        return [sample_jpeg_noise(rng, CFG.jpeg_noise) for _ in range(n)]
    return [sample_op(family, rng, sign, CFG.degradation(family)) for _ in range(n)]


def test_every_configured_family_is_an_op() -> None:
    assert set(FAMILIES) | {"jpeg_noise", "look"} == set(OPS)


@pytest.mark.parametrize("family", [*FAMILIES, "jpeg_noise"])
def test_range_kept_and_no_nan(family: str, colours: np.ndarray) -> None:
    img = colours.reshape(32, -1, 3)  # an image, so jpeg_noise runs its JPEG round trip
    for op in draw(family, 25):
        out = apply_op(img, op)
        assert out.dtype == np.float32 and out.shape == img.shape
        assert np.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0, op


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in ("vibrance", "lut")])
def test_inverse_direction_undoes_the_op(family: str, colours: np.ndarray) -> None:
    """For each drawn op the opposite op exists and restores every colour the op did not clip."""
    for op in draw(family, 20, seed=1):
        out = apply_op(colours, op)
        back = apply_op(out, inverse_op(op))
        unclipped = ((out > 1e-3) & (out < 1 - 1e-3)).all(axis=1)
        assert unclipped.mean() > 0.25, f"{op} clips too much to be a mild degradation"
        err = np.abs(back - colours)[unclipped].max()
        assert err < 2e-4, f"{family}: inverse misses by {err} for {op}"


SIGNED = {  # family -> (sign key, the signed value of an op)
    "exposure": lambda op: op["stops"],
    "white_balance": lambda op: op["temperature"],
    "contrast": lambda op: np.log(op["factor"]),
    "gamma": lambda op: np.log(op["gamma"]),
    "saturation": lambda op: np.log(op["factor"]),
    "vibrance": lambda op: op["amount"],
    "hue": lambda op: op["degrees"],
    "lut": lambda op: op["scale"],
}


@pytest.mark.parametrize("family", list(SIGNED))
def test_sign_balance_is_exact(family: str) -> None:
    values = np.array([SIGNED[family](op) for op in draw(family, 101, seed=2)])
    assert abs(int((values > 0).sum()) - int((values < 0).sum())) <= 1
    assert (values != 0).all()


def test_sign_balance_of_brightness_over_a_dataset(colours: np.ndarray) -> None:
    """Whole composed op lists: as many pairs brighter as darker (the README's warning)."""
    rng = np.random.default_rng(3)
    sign = BalancedSigns(rng)
    shifts = []
    for _ in range(300):
        ops = [op for op in sample_ops(rng, sign, CFG) if op["op"] != "jpeg_noise"]
        shifts.append(float((apply_ops(colours, ops) - colours).mean()))
    shifts = np.array(shifts)
    assert abs((shifts > 0).mean() - 0.5) < 0.1
    assert abs(np.median(shifts)) < 0.01


def test_per_channel_families_are_symmetric_on_average() -> None:
    knots = np.array([op["knots"] for op in draw("curves", 400, seed=4)])  # (n, 3, K)
    assert abs((knots[..., 1:-1] - np.linspace(0, 1, knots.shape[-1])[1:-1]).mean()) < 0.005
    assert (np.diff(knots, axis=-1) > 0).all()  # strictly increasing: invertible curves
    lgg = draw("lift_gamma_gain", 400, seed=4)
    assert abs(np.mean([op["lift"] for op in lgg])) < 0.005
    assert abs(np.mean(np.log([op["gain"] for op in lgg]))) < 0.01


def test_lut_warp_is_finite_at_knots_smooth_and_monotone() -> None:
    """The original's IDW LUTs were NaN exactly on a knot (white -> black); ours never are,
    and every drawn warp is monotone along each axis (output channel c in input channel c)."""
    g = np.linspace(0.0, 1.0, 17, dtype=np.float32)
    grid = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1)  # (17, 17, 17, 3), red first
    diffs = []
    for op in draw("lut", 60, seed=6):
        out = apply_op(grid, op)
        assert np.isfinite(out).all()
        for c in range(3):
            assert (np.diff(out[..., c], axis=c) >= -1e-6).all(), (
                f"not monotone in channel {c}: {op}"
            )
        diffs.append(np.abs(out - grid).mean())
    knots = np.linspace(0, 1, 5, dtype=np.float32)[:, None].repeat(3, 1)
    assert np.isfinite(apply_op(knots, draw("lut", 1)[0])).all()
    assert 0.01 < np.mean(diffs) < 0.12  # a real but mild warp (original: mean 0.12)


def test_sampling_is_seed_deterministic_and_json_ready(colours: np.ndarray) -> None:
    def run(seed: int) -> list[list[dict]]:
        rng = np.random.default_rng(seed)
        sign = BalancedSigns(rng)
        return [sample_ops(rng, sign, CFG) for _ in range(30)]

    a, b, c = run(7), run(7), run(8)
    assert json.dumps(a) == json.dumps(b) != json.dumps(c)
    assert all(1 <= len([o for o in ops if o["op"] != "jpeg_noise"]) <= 4 for ops in a)
    img = colours.reshape(32, -1, 3)
    for ops in a[:10]:
        np.testing.assert_array_equal(
            apply_ops(img, ops), apply_ops(img, json.loads(json.dumps(ops)))
        )


def test_look_op_and_unknown_op(colours: np.ndarray) -> None:
    op = sample_look_op(np.random.default_rng(0), CFG.neutralize)
    assert op["name"] in SYNTH["neutralize"]["looks"]
    out = apply_op(colours, op)
    assert np.abs(out - colours).mean() > 0.01 and 0 <= out.min() and out.max() <= 1
    with pytest.raises(ValueError, match="unknown degradation op 'blur'"):
        apply_op(colours, {"op": "blur"})
    with pytest.raises(ValueError, match="every weight is 0"):
        sample_ops(
            np.random.default_rng(0),
            BalancedSigns(np.random.default_rng(0)),
            SynthConfig.from_mapping({**SYNTH, "families": {k: 0 for k in FAMILIES}}, "synth"),
        )
