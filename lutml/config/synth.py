"""The `synth` block (conf/synth/): the look estimator's training material (random looks from
`prior`, crops) and the (input, target) pairs of the pair-trained modes (the degradation ranges).

`synth.families` stays a typed mapping, on purpose: weights keyed by degradation family, whose
keys are checked against `DEGRADATIONS`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from lutml.config.validators import Block, ConfigError, check_keys, leaf_block


@dataclasses.dataclass(frozen=True)
class CropsConfig(Block):
    per_photo: int
    size: int
    scale: list[float]


@dataclasses.dataclass(frozen=True)
class OpsCount(Block):
    min: int
    max: int


@dataclasses.dataclass(frozen=True)
class JpegNoiseConfig(Block):
    p: float
    quality: list[int]
    sigma: list[float]


@dataclasses.dataclass(frozen=True)
class NeutralizeConfig(Block):
    looks: list[str]
    strength: list[float]


#: Random-look prior (synth.prior, lutml.data.lookgen.sample_recipe): op -> its block, each op
#: present with probability p; ranges are [lo, hi] or +-value.
PRIOR_OPS: dict[str, type[Block]] = {
    "camera": leaf_block(
        "CameraPrior",
        p=float,
        stops=float,
        temperature=float,
        tint=float,
        mixer_p=float,
        mixer=float,
    ),
    "filmic": leaf_block(
        "FilmicPrior",
        p=float,
        stops=list[float],
        black=list[float],
        white=list[float],
        contrast=list[float],
        grey=list[float],
        per_channel_p=float,
    ),
    "tone": leaf_block(
        "TonePrior",
        p=float,
        black=float,
        white=float,
        fade_p=float,
        contrast=list[float],
        pivot=list[float],
        gamma=float,
    ),
    "channel_tone": leaf_block("ChannelTonePrior", p=float, lift=float, gamma=float, gain=float),
    "saturation": leaf_block("SaturationPrior", p=float, mid=list[float], spread=float),
    "vibrance": leaf_block("VibrancePrior", p=float, amount=float),
    "split_tone": leaf_block("SplitTonePrior", p=float, amount=float, balance=list[float]),
    "hue": leaf_block("HuePrior", p=float, degrees=float),
    "hue_selective": leaf_block(
        "HueSelectivePrior", p=float, width=list[float], degrees=float, saturation=list[float]
    ),
    "warp": leaf_block("WarpPrior", p=float, knots=int, sigma=float, scale=float),
}

#: The `synth.prior` block: the share of identity looks, then each op's block.
PriorConfig = leaf_block("PriorConfig", identity=float, **PRIOR_OPS)

#: Degradation families of the pair modes (the keys of `synth.families`) -> the ranges of their
#: `synth.<family>` block (lutml.data.sampling.sample_op): magnitudes [lo, hi] (signs are balanced
#: by the sampler) or +-value.
RANGES: dict[str, type[Block]] = {
    "exposure": leaf_block("ExposureRange", stops=list[float]),
    "white_balance": leaf_block("WhiteBalanceRange", temperature=list[float], tint=list[float]),
    "contrast": leaf_block("ContrastRange", factor=list[float], pivot=list[float]),
    "gamma": leaf_block("GammaRange", gamma=list[float]),
    "saturation": leaf_block("SaturationRange", factor=list[float]),
    "vibrance": leaf_block("VibranceRange", amount=list[float]),
    "hue": leaf_block("HueRange", degrees=list[float]),
    "curves": leaf_block("CurvesRange", knots=int, jitter=float),
    "lift_gamma_gain": leaf_block("LiftGammaGainRange", lift=float, gamma=float, gain=float),
    "lut": leaf_block("LutWarpRange", knots=int, sigma=float, scale=list[float]),
}
DEGRADATIONS = tuple(RANGES)

#: Every family's ranges, as keys of `synth` (the base of `SynthConfig`).
DegradationRanges = leaf_block("DegradationRanges", **RANGES)


@dataclasses.dataclass(frozen=True)
class SynthConfig(DegradationRanges):
    """The `synth` block: the look estimator's material (mode looks: `n_looks` random looks from
    `prior`, `crops`) and the pairs of the grade/neutralize modes (the rest, with the ranges of
    each degradation family, `synth.<family>`, from `DegradationRanges`)."""

    mode: str
    n_looks: int
    lut_size: int
    crops: CropsConfig
    prior: PriorConfig
    input_from: str
    pairs: int
    size: int
    full_max: int
    crop_fraction: list[float]
    ops: OpsCount
    families: dict[str, float]
    jpeg_noise: JpegNoiseConfig
    neutralize: NeutralizeConfig

    MODES: ClassVar[tuple[str, ...]] = ("looks", "grade", "neutralize")

    @classmethod
    def from_mapping(cls, mapping: Any, where: str) -> SynthConfig:
        cfg = super().from_mapping(mapping, where)
        check_keys(cfg.families, f"{where}.families", DEGRADATIONS)
        if cfg.mode not in cls.MODES:
            raise ConfigError(f"{where}.mode: {cfg.mode!r} is not one of {list(cls.MODES)}")
        return cfg

    def degradation(self, family: str) -> Block:
        """The ranges of degradation `family` (one of `DEGRADATIONS`)."""
        if family not in DEGRADATIONS:
            raise ValueError(f"synth: unknown degradation family {family!r}")
        return getattr(self, family)
