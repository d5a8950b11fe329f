"""The `synth` block (conf/synth/): the look estimator's training material (random looks from
`prior`, crops) and the (input, target) pairs of the pair-trained modes (the degradation ranges).

`synth.families` stays a typed mapping, on purpose: weights keyed by degradation family, whose
keys are checked against `DEGRADATIONS`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from lutml.config.validators import Block, ConfigError, check_keys


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


# Random-look prior (synth.prior, lutml.data.lookgen.sample_recipe): each op present with
# probability p; ranges are [lo, hi] or +-value.


@dataclasses.dataclass(frozen=True)
class CameraPrior(Block):
    p: float
    stops: float
    temperature: float
    tint: float
    mixer_p: float
    mixer: float


@dataclasses.dataclass(frozen=True)
class FilmicPrior(Block):
    p: float
    stops: list[float]
    black: list[float]
    white: list[float]
    contrast: list[float]
    grey: list[float]
    per_channel_p: float


@dataclasses.dataclass(frozen=True)
class TonePrior(Block):
    p: float
    black: float
    white: float
    fade_p: float
    contrast: list[float]
    pivot: list[float]
    gamma: float


@dataclasses.dataclass(frozen=True)
class ChannelTonePrior(Block):
    p: float
    lift: float
    gamma: float
    gain: float


@dataclasses.dataclass(frozen=True)
class SaturationPrior(Block):
    p: float
    mid: list[float]
    spread: float


@dataclasses.dataclass(frozen=True)
class VibrancePrior(Block):
    p: float
    amount: float


@dataclasses.dataclass(frozen=True)
class SplitTonePrior(Block):
    p: float
    amount: float
    balance: list[float]


@dataclasses.dataclass(frozen=True)
class HuePrior(Block):
    p: float
    degrees: float


@dataclasses.dataclass(frozen=True)
class HueSelectivePrior(Block):
    p: float
    width: list[float]
    degrees: float
    saturation: list[float]


@dataclasses.dataclass(frozen=True)
class WarpPrior(Block):
    p: float
    knots: int
    sigma: float
    scale: float


@dataclasses.dataclass(frozen=True)
class PriorConfig(Block):
    identity: float
    camera: CameraPrior
    filmic: FilmicPrior
    tone: TonePrior
    channel_tone: ChannelTonePrior
    saturation: SaturationPrior
    vibrance: VibrancePrior
    split_tone: SplitTonePrior
    hue: HuePrior
    hue_selective: HueSelectivePrior
    warp: WarpPrior


# Degradation ranges of the pair modes (synth.<family>, lutml.data.sampling.sample_op): magnitudes
# [lo, hi] (signs are balanced by the sampler) or +-value.


@dataclasses.dataclass(frozen=True)
class ExposureRange(Block):
    stops: list[float]


@dataclasses.dataclass(frozen=True)
class WhiteBalanceRange(Block):
    temperature: list[float]
    tint: list[float]


@dataclasses.dataclass(frozen=True)
class ContrastRange(Block):
    factor: list[float]
    pivot: list[float]


@dataclasses.dataclass(frozen=True)
class GammaRange(Block):
    gamma: list[float]


@dataclasses.dataclass(frozen=True)
class FactorRange(Block):
    factor: list[float]


@dataclasses.dataclass(frozen=True)
class AmountRange(Block):
    amount: list[float]


@dataclasses.dataclass(frozen=True)
class DegreesRange(Block):
    degrees: list[float]


@dataclasses.dataclass(frozen=True)
class CurvesRange(Block):
    knots: int
    jitter: float


@dataclasses.dataclass(frozen=True)
class LiftGammaGainRange(Block):
    lift: float
    gamma: float
    gain: float


@dataclasses.dataclass(frozen=True)
class LutWarpRange(Block):
    knots: int
    sigma: float
    scale: list[float]


#: Degradation families of the pair modes: the keys of `synth.families`, each a `synth.<family>` block.
DEGRADATIONS = (
    "exposure",
    "white_balance",
    "contrast",
    "gamma",
    "saturation",
    "vibrance",
    "hue",
    "curves",
    "lift_gamma_gain",
    "lut",
)


@dataclasses.dataclass(frozen=True)
class SynthConfig(Block):
    """The `synth` block: the look estimator's material (mode looks: `n_looks` random looks from
    `prior`, `crops`) and the pairs of the grade/neutralize modes (the rest)."""

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
    exposure: ExposureRange
    white_balance: WhiteBalanceRange
    contrast: ContrastRange
    gamma: GammaRange
    saturation: FactorRange
    vibrance: AmountRange
    hue: DegreesRange
    curves: CurvesRange
    lift_gamma_gain: LiftGammaGainRange
    lut: LutWarpRange
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
