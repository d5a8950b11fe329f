"""Typed configuration: one frozen dataclass per block of `params.yaml`, one per stage.

Config flows conf/ -> params.yaml -> stages; each stage converts its blocks once, at its top
(``cfg = TrainStage.from_params(load_params())``), and hands typed objects or plain arguments down.
The dataclasses have no default values: defaults live only in `conf/`. Converting checks the keys:
an unknown or a missing key raises `ConfigError` naming the block and the keys.

Blocks whose keys differ by variant are chosen by a key: `model` by `model.name` (`MODEL_CONFIGS`),
`train` by the model's kind (look estimator or pair-trained GAN). Two stay typed mappings, on
purpose: a look's parameters (`LookConfig.params`: they differ per look family; their keys are
checked against the look builder's signature) and `synth.families` (weights keyed by degradation
family; the keys are checked against `DEGRADATIONS`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar, Union

T = TypeVar("T", bound="Block")


class ConfigError(ValueError):
    """A params block with unknown or missing keys, or a value of the wrong type."""


def _plain(mapping: Any) -> Any:
    """An OmegaConf node -> plain containers (dicts, lists); anything else unchanged."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf
    except ImportError:  # pragma: no cover - omegaconf is a pinned dependency
        return mapping
    if isinstance(mapping, DictConfig | ListConfig):
        return OmegaConf.to_container(mapping, resolve=True)
    return mapping


def check_keys(mapping: Any, where: str, known: typing.Iterable[str]) -> None:
    """Raise `ConfigError` naming `where` unless `mapping` is a mapping with exactly the keys `known`."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    known = list(known)
    unknown = sorted(set(mapping) - set(known))
    missing = [k for k in known if k not in mapping]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown keys {unknown}")
        if missing:
            parts.append(f"missing keys {missing}")
        raise ConfigError(f"{where}: {' and '.join(parts)} (known keys: {known})")


def _is_type(value: Any, tp: Any) -> bool:
    """A light check of a YAML value against a field annotation."""
    if tp is Any:
        return True
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return any(_is_type(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return isinstance(value, list) and all(_is_type(v, item) for v in value)
    if origin is dict:
        _, item = typing.get_args(tp) or (Any, Any)
        return isinstance(value, Mapping) and all(_is_type(v, item) for v in value.values())
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def _convert(value: Any, tp: Any, where: str) -> Any:
    if isinstance(tp, type) and issubclass(tp, Block):
        return tp.from_mapping(value, where)
    if not _is_type(value, tp):
        name = getattr(tp, "__name__", None) or str(tp).replace("typing.", "")
        raise ConfigError(f"{where}: expected {name}, got {value!r}")
    return value


@dataclasses.dataclass(frozen=True)
class Block:
    """Base of the config blocks: `from_mapping` checks keys and types, nested blocks included."""

    @classmethod
    def from_mapping(cls: type[T], mapping: Any, where: str) -> T:
        mapping = _plain(mapping)
        fields = dataclasses.fields(cls)
        check_keys(mapping, where, [f.name for f in fields])
        hints = typing.get_type_hints(cls)
        values = {
            f.name: _convert(mapping[f.name], hints[f.name], f"{where}.{f.name}") for f in fields
        }
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain containers again (for JSON metadata and MLflow params)."""
        return dataclasses.asdict(self)


# ---- corpus, frames, look -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CorpusConfig(Block):
    root: str
    eval: int
    look: int


@dataclasses.dataclass(frozen=True)
class VideoConfig(Block):
    fps: float
    max_frames: int
    duplicate_threshold: float
    shot_threshold: float


@dataclasses.dataclass(frozen=True)
class FramesConfig(Block):
    source: str
    path: str | None
    graded: bool
    colour_space: str | None
    per_photo: int
    crop: list[float]
    min_size: int
    max_size: int
    video: VideoConfig


@dataclasses.dataclass(frozen=True)
class LookConfig:
    """A look: the builder's name and its keyword parameters (they differ per look family)."""

    name: str
    params: dict[str, Any]

    @classmethod
    def from_mapping(cls, mapping: Any, where: str) -> LookConfig:
        import inspect

        from lutml.data.looks import LOOKS

        mapping = _plain(mapping)
        if not isinstance(mapping, Mapping) or "name" not in mapping:
            raise ConfigError(f"{where}: missing keys ['name'] (one of {sorted(LOOKS)})")
        name = mapping["name"]
        if name not in LOOKS:
            raise ConfigError(f"{where}.name: unknown look {name!r}; known: {sorted(LOOKS)}")
        signature = inspect.signature(LOOKS[name]).parameters
        check_keys(mapping, f"{where} ({name})", ["name", *signature])
        return cls(str(name), {k: v for k, v in mapping.items() if k != "name"})

    def to_dict(self) -> dict[str, Any]:
        """The `look` block as in params.yaml (what `lutml.data.looks.get_look` takes)."""
        return {"name": self.name, **self.params}


# ---- synthesize, split ----------------------------------------------------------------------------


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


@dataclasses.dataclass(frozen=True)
class SplitConfig(Block):
    test_fraction: float


# ---- fit, model, train ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BasisConfig(Block):
    n_components: int
    floor: float
    blur: float


@dataclasses.dataclass(frozen=True)
class FitConfig(Block):
    method: str
    size: int
    smoothness: float | None
    interpolation: str
    robust: bool
    gt_robust: bool
    workers: int
    basis: BasisConfig


@dataclasses.dataclass(frozen=True)
class ModelConfig(Block):
    """Keys every `model` block has; `model_config` picks the subclass by `name`."""

    name: str
    variant: str


@dataclasses.dataclass(frozen=True)
class LookEncoderConfig(ModelConfig):
    width: int
    set_max: int
    single_fraction: float


@dataclasses.dataclass(frozen=True)
class Pix2PixConfig(ModelConfig):
    size: int
    output_size: int | None
    width: int
    max_mult: int
    bottleneck_mult: int
    dropout_layers: int
    disc_width: int
    disc_last_mult: int
    bn_momentum: float
    residual: bool
    lambda_l1: float
    lambda_gan: float
    reverse: bool


@dataclasses.dataclass(frozen=True)
class LutGanConfig(Pix2PixConfig):
    lut_size: int
    n_basis: int
    lambda_lut: float
    lambda_smooth: float
    lambda_mono: float


@dataclasses.dataclass(frozen=True)
class LutGan3dConfig(LutGanConfig):
    head_width: int


#: model.name -> its config class (every name of lutml.models.MODELS).
MODEL_CONFIGS: dict[str, type[ModelConfig]] = {
    "look_encoder": LookEncoderConfig,
    "pix2pix": Pix2PixConfig,
    "asymmetric": Pix2PixConfig,
    "lut_gan": LutGanConfig,
    "lut_gan_3d": LutGan3dConfig,
}


def model_config(mapping: Any, where: str = "model") -> ModelConfig:
    """The `model` block as the config class of its `name`."""
    mapping = _plain(mapping)
    name = mapping.get("name") if isinstance(mapping, Mapping) else None
    if name not in MODEL_CONFIGS:
        valid = ", ".join(sorted(MODEL_CONFIGS))
        raise ConfigError(f"{where}.name: unknown model.name {name!r}; valid names: {valid}")
    return MODEL_CONFIGS[name].from_mapping(mapping, where)


@dataclasses.dataclass(frozen=True)
class LookTrainConfig(Block):
    """`train` for the look estimator (conf/train/look.yaml)."""

    epochs: int
    steps_per_epoch: int
    batch_size: int
    learning_rate: float
    noise: float
    val_batches: int
    mlflow: bool
    ema: float | None
    crops_per_batch: int | None
    mosaic: float | None
    key: float | None
    trust_sets: int | None


@dataclasses.dataclass(frozen=True)
class GanTrainConfig(Block):
    """`train` for the pair-trained models (conf/train/gan.yaml, `original.train`)."""

    epochs: int
    batch_size: int
    steps_per_epoch: int | None
    jitter: float
    flip: bool
    learning_rate: float
    beta_1: float
    checkpoint_every: int
    validate_every: int
    val_pairs: int
    val_lut_size: int
    strategy: str
    mixed_precision: bool
    jit_compile: bool
    mlflow: bool


def train_config(
    mapping: Any, model: ModelConfig, where: str = "train"
) -> LookTrainConfig | GanTrainConfig:
    """The `train` block of `model`'s kind."""
    cls = LookTrainConfig if isinstance(model, LookEncoderConfig) else GanTrainConfig
    return cls.from_mapping(mapping, where)


# ---- evaluate, original ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EvalConfig(Block):
    score_size: int
    refine: int
    preview_photos: int
    min_frames: int
    neutral_max: float
    mixed_max: float
    families: list[str]
    single_refs: int


@dataclasses.dataclass(frozen=True)
class OriginalConfig(Block):
    pairs: int
    size: int
    ops: OpsCount
    test_fraction: float
    model: Pix2PixConfig
    train: GanTrainConfig


# ---- the whole file and each stage's view of it ---------------------------------------------------

TOP_LEVEL = (
    "look",
    "corpus",
    "synth",
    "split",
    "model",
    "train",
    "fit",
    "eval",
    "original",
    "seed",
    "frames",
)


def _seed(params: Mapping) -> int:
    return _convert(params["seed"], int, "seed")


def _block(params: Mapping, key: str) -> Any:
    if key not in params:
        raise ConfigError(f"params: missing keys [{key!r}]")
    return params[key]


@dataclasses.dataclass(frozen=True)
class Params:
    """Every block of params.yaml (the test of conf/ builds it; stages build their own view)."""

    seed: int
    look: LookConfig
    corpus: CorpusConfig
    frames: FramesConfig
    synth: SynthConfig
    split: SplitConfig
    model: ModelConfig
    train: LookTrainConfig | GanTrainConfig
    fit: FitConfig
    eval: EvalConfig
    original: OriginalConfig

    @classmethod
    def from_params(cls, params: Any) -> Params:
        params = _plain(params)
        check_keys(params, "params", TOP_LEVEL)
        model = model_config(params["model"])
        return cls(
            seed=_seed(params),
            look=LookConfig.from_mapping(params["look"], "look"),
            corpus=CorpusConfig.from_mapping(params["corpus"], "corpus"),
            frames=FramesConfig.from_mapping(params["frames"], "frames"),
            synth=SynthConfig.from_mapping(params["synth"], "synth"),
            split=SplitConfig.from_mapping(params["split"], "split"),
            model=model,
            train=train_config(params["train"], model),
            fit=FitConfig.from_mapping(params["fit"], "fit"),
            eval=EvalConfig.from_mapping(params["eval"], "eval"),
            original=OriginalConfig.from_mapping(params["original"], "original"),
        )


@dataclasses.dataclass(frozen=True)
class FramesStage:
    """Stage `frames` (dvc.yaml params: seed, look, frames, corpus)."""

    seed: int
    look: LookConfig
    frames: FramesConfig
    corpus: CorpusConfig

    @classmethod
    def from_params(cls, params: Any) -> FramesStage:
        p = _plain(params)
        return cls(
            _seed(p),
            LookConfig.from_mapping(_block(p, "look"), "look"),
            FramesConfig.from_mapping(_block(p, "frames"), "frames"),
            CorpusConfig.from_mapping(_block(p, "corpus"), "corpus"),
        )


@dataclasses.dataclass(frozen=True)
class SynthesizeStage:
    """Stage `synthesize` (seed, synth, corpus)."""

    seed: int
    synth: SynthConfig
    corpus: CorpusConfig

    @classmethod
    def from_params(cls, params: Any) -> SynthesizeStage:
        p = _plain(params)
        return cls(
            _seed(p),
            SynthConfig.from_mapping(_block(p, "synth"), "synth"),
            CorpusConfig.from_mapping(_block(p, "corpus"), "corpus"),
        )


def _synth_mode(p: Mapping) -> str:
    """`synth.mode` alone (stages split, fit_luts and train depend on that key only)."""
    synth = _block(p, "synth")
    if not isinstance(synth, Mapping) or "mode" not in synth:
        raise ConfigError("synth: missing keys ['mode']")
    mode = synth["mode"]
    if mode not in SynthConfig.MODES:
        raise ConfigError(f"synth.mode: {mode!r} is not one of {list(SynthConfig.MODES)}")
    return mode


@dataclasses.dataclass(frozen=True)
class SplitStage:
    """Stage `split` (seed, split, synth.mode)."""

    seed: int
    split: SplitConfig
    synth_mode: str

    @classmethod
    def from_params(cls, params: Any) -> SplitStage:
        p = _plain(params)
        return cls(_seed(p), SplitConfig.from_mapping(_block(p, "split"), "split"), _synth_mode(p))


@dataclasses.dataclass(frozen=True)
class FitLutsStage:
    """Stage `fit_luts` (seed, fit, synth.mode)."""

    seed: int
    fit: FitConfig
    synth_mode: str

    @classmethod
    def from_params(cls, params: Any) -> FitLutsStage:
        p = _plain(params)
        return cls(_seed(p), FitConfig.from_mapping(_block(p, "fit"), "fit"), _synth_mode(p))


@dataclasses.dataclass(frozen=True)
class TrainStage:
    """Stage `train` (seed, model, train, synth.mode; look.name labels pair-trained runs)."""

    seed: int
    model: ModelConfig
    train: LookTrainConfig | GanTrainConfig
    synth_mode: str
    look_name: str

    @classmethod
    def from_params(cls, params: Any) -> TrainStage:
        p = _plain(params)
        model = model_config(_block(p, "model"))
        mode = _synth_mode(p)
        # Before the train block (a wrong train block is the symptom); as lutml.models.check_mode.
        if isinstance(model, LookEncoderConfig) != (mode == "looks"):
            want = "looks" if isinstance(model, LookEncoderConfig) else "grade or neutralize"
            raise ConfigError(
                f"model {model.name!r} learns from synth.mode={want}, but synth.mode={mode!r} "
                "(use `-S experiment=pix2pix` for the pair-trained models)"
            )
        look = _block(p, "look")
        if not isinstance(look, Mapping) or not isinstance(look.get("name"), str):
            raise ConfigError("look: missing keys ['name']")
        return cls(_seed(p), model, train_config(_block(p, "train"), model), mode, look["name"])


@dataclasses.dataclass(frozen=True)
class OriginalStage:
    """Stage `original` (seed, synth, original, fit.size)."""

    seed: int
    synth: SynthConfig
    original: OriginalConfig
    fit_size: int

    @classmethod
    def from_params(cls, params: Any) -> OriginalStage:
        p = _plain(params)
        fit = _block(p, "fit")
        if not isinstance(fit, Mapping) or "size" not in fit:
            raise ConfigError("fit: missing keys ['size']")
        return cls(
            _seed(p),
            SynthConfig.from_mapping(_block(p, "synth"), "synth"),
            OriginalConfig.from_mapping(_block(p, "original"), "original"),
            _convert(fit["size"], int, "fit.size"),
        )


@dataclasses.dataclass(frozen=True)
class EvaluateStage:
    """Stage `evaluate` (seed, fit, eval, corpus)."""

    seed: int
    fit: FitConfig
    eval: EvalConfig
    corpus: CorpusConfig

    @classmethod
    def from_params(cls, params: Any) -> EvaluateStage:
        p = _plain(params)
        return cls(
            _seed(p),
            FitConfig.from_mapping(_block(p, "fit"), "fit"),
            EvalConfig.from_mapping(_block(p, "eval"), "eval"),
            CorpusConfig.from_mapping(_block(p, "corpus"), "corpus"),
        )


#: dvc.yaml stage name -> its config class.
STAGES: dict[str, Any] = {
    "frames": FramesStage,
    "synthesize": SynthesizeStage,
    "split": SplitStage,
    "fit_luts": FitLutsStage,
    "train": TrainStage,
    "original": OriginalStage,
    "evaluate": EvaluateStage,
}
