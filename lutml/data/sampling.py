"""Seeded sampling of degradation ops from the ranges in `conf/synth/*.yaml`.

Balance in sign is exact, not just expected: every signed quantity (exposure stops, temperature,
tint, log contrast, log gamma, log saturation, vibrance, hue angle, LUT strength) takes its sign
from a `BalancedSigns` stream that hands out +1 and -1 in shuffled pairs, so over any dataset
there are as many brighter as darker, warmer as cooler, ... draws (within one). A model trained
on one-sided degradations learns a bias (the original project's README warns about it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lutml.config.synth import JpegNoiseConfig, NeutralizeConfig, SynthConfig
from lutml.data.degrade import Op, wb_gains


class BalancedSigns:
    """Per-key streams of signs: each consecutive pair of draws holds one +1 and one -1."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._pending: dict[str, list[int]] = {}

    def __call__(self, key: str) -> int:
        pending = self._pending.setdefault(key, [])
        if not pending:
            pending.extend([1, -1] if self._rng.random() < 0.5 else [-1, 1])
        return pending.pop()


def _magnitude(rng: np.random.Generator, lo_hi: Any) -> float:
    lo, hi = (float(v) for v in lo_hi)
    if not 0.0 <= lo <= hi:
        raise ValueError(f"synth range {list(lo_hi)} must satisfy 0 <= min <= max")
    return float(rng.uniform(lo, hi))


def _log_factor(rng: np.random.Generator, sign: int, lo_hi: Any) -> float:
    """A multiplicative factor exp(+-m) with |m| in [log lo, log hi] (lo, hi >= 1)."""
    lo, hi = (float(v) for v in lo_hi)
    if not 1.0 <= lo <= hi:
        raise ValueError(f"synth factor range {list(lo_hi)} must satisfy 1 <= min <= max")
    return float(np.exp(sign * rng.uniform(np.log(lo), np.log(hi))))


def _monotone_knots(rng: np.random.Generator, n: int, jitter: float) -> list[float]:
    """n increasing knot values from 0 to 1; the interior ones jittered by +-jitter (symmetric)."""
    inner = np.linspace(0.0, 1.0, n)[1:-1] + rng.uniform(-jitter, jitter, n - 2)
    return [0.0, *np.sort(np.clip(inner, 0.02, 0.98)).round(5).tolist(), 1.0]


def sample_op(family: str, rng: np.random.Generator, sign: BalancedSigns, r: Any) -> Op:
    """Draw one op of `family` with its ranges `r` (`synth.<family>`, `SynthConfig.degradation`)."""
    if family == "exposure":
        return {"op": family, "stops": sign("exposure") * _magnitude(rng, r.stops)}
    if family == "white_balance":
        t = sign("temperature") * _magnitude(rng, r.temperature)
        g = sign("tint") * _magnitude(rng, r.tint)
        return {"op": family, "temperature": t, "tint": g, "gains": wb_gains(t, g)}
    if family == "contrast":
        factor = _log_factor(rng, sign("contrast"), r.factor)
        return {"op": family, "factor": factor, "pivot": _magnitude(rng, r.pivot)}
    if family == "gamma":
        return {"op": family, "gamma": _log_factor(rng, sign("gamma"), r.gamma)}
    if family == "saturation":
        return {"op": family, "factor": _log_factor(rng, sign("saturation"), r.factor)}
    if family == "vibrance":
        return {"op": family, "amount": sign("vibrance") * _magnitude(rng, r.amount)}
    if family == "hue":
        return {"op": family, "degrees": sign("hue") * _magnitude(rng, r.degrees)}
    if family == "curves":
        knots = [_monotone_knots(rng, int(r.knots), float(r.jitter)) for _ in range(3)]
        return {"op": family, "knots": knots}
    if family == "lift_gamma_gain":
        lift = rng.uniform(-1, 1, 3) * float(r.lift)
        gam = np.exp(rng.uniform(-1, 1, 3) * np.log(float(r.gamma)))
        gain = np.exp(rng.uniform(-1, 1, 3) * np.log(float(r.gain)))
        return {"op": family, "lift": lift.tolist(), "gamma": gam.tolist(), "gain": gain.tolist()}
    if family == "lut":
        k = int(r.knots)
        return {
            "op": family,
            "knots": rng.uniform(-1, 1, (k, 3)).round(5).tolist(),
            "sigma": float(r.sigma),
            "scale": sign("lut") * _magnitude(rng, r.scale),
        }
    raise ValueError(f"synth: unknown degradation family {family!r}")


def sample_jpeg_noise(rng: np.random.Generator, j: JpegNoiseConfig) -> Op:
    """JPEG round trip at a random quality, then Gaussian noise (`synth.jpeg_noise`)."""
    q = int(rng.integers(int(j.quality[0]), int(j.quality[1]) + 1))
    return {
        "op": "jpeg_noise",
        "quality": q,
        "sigma": _magnitude(rng, j.sigma),
        "seed": int(rng.integers(2**31)),
    }


def sample_ops(rng: np.random.Generator, sign: BalancedSigns, c: SynthConfig) -> list[Op]:
    """1..N colour ops of distinct families (weights `c.families`), then maybe JPEG + noise."""
    weights = {k: float(v) for k, v in c.families.items() if float(v) > 0}
    if not weights:
        raise ValueError("synth.families: every weight is 0; enable at least one family")
    lo, hi = c.ops.min, c.ops.max
    n = min(int(rng.integers(lo, hi + 1)), len(weights))
    names = list(weights)
    p = np.array([weights[k] for k in names]) / sum(weights.values())
    chosen = rng.choice(len(names), size=n, replace=False, p=p)
    ops = [sample_op(names[i], rng, sign, c.degradation(names[i])) for i in chosen]
    if rng.random() < float(c.jpeg_noise.p):
        ops.append(sample_jpeg_noise(rng, c.jpeg_noise))
    return ops


def sample_look_op(rng: np.random.Generator, c: NeutralizeConfig) -> Op:
    """A random built-in look at a random strength (the inputs of neutralise mode)."""
    looks = list(c.looks)
    strength = _magnitude(rng, c.strength)
    return {"op": "look", "name": str(looks[int(rng.integers(len(looks)))]), "strength": strength}
