"""Each DVC stage's typed view of params.yaml: one frozen bundle per stage (`STAGES` for the default
pipeline, dvc.yaml; `PAIR_STAGES` for the pair-trained method's, pipelines/pairs/dvc.yaml).

A bundle's fields are its params: `param(key)` names the params.yaml key a field is read from (a
whole block, converted by the field's class, or one `block.key`, read by the reader given). The
fields read in order; a reader may ask for another field first. `dvc_params()` is the stage's
`params:` list of its dvc.yaml (a test keeps the two equal); a field with `tracked=False` is read
but not a param of the stage (the pair train stage labels its runs with `look.name`; the look
estimator is look-agnostic). Each pipeline takes only its own method: the default stages refuse a
pair-trained model or a pair mode of `synth`, naming the pair pipeline.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from lutml.config.corpus import CorpusConfig
from lutml.config.eval import EvalConfig
from lutml.config.fit import FitConfig
from lutml.config.frames import FramesConfig
from lutml.config.look import LookConfig
from lutml.config.model import LookEncoderConfig, ModelConfig
from lutml.config.original import OriginalConfig
from lutml.config.params import read_block, read_seed
from lutml.config.registries import model_config
from lutml.config.split import SplitConfig
from lutml.config.synth import SynthConfig
from lutml.config.train import GanTrainConfig, LookTrainConfig
from lutml.config.validators import ConfigError, convert, plain

S = TypeVar("S", bound="Stage")

PAIRS_ELSEWHERE = (
    "the pair-trained models (pix2pix, LUT-GANs) run in their own pipeline: "
    "`python -m lutml.pipeline.config --pairs [overrides]`, then `dvc repro pipelines/pairs/dvc.yaml`"
)

#: Reads one field from the plain params (a single key, or a block with a check of its own).
Reader = Callable[[Mapping], Any]


def param(key: str, read: Reader | None = None, *, tracked: bool = True) -> Any:
    """A stage field read from params key `key`: by `read`, or (a whole block) by the field's class
    (`from_mapping`). `tracked`: the key is one of the stage's dvc.yaml params."""
    return dataclasses.field(metadata={"param": key, "read": read, "tracked": tracked})


def _seed(p: Mapping) -> int:
    return read_seed(p)


@dataclasses.dataclass(frozen=True)
class Stage:
    """Base of the stage bundles: `from_params` reads every field as its `param` says. Every stage
    reads the top-level `seed` (its first field)."""

    seed: int = param("seed", _seed)

    @classmethod
    def dvc_params(cls) -> list[str]:
        """The stage's `params:` in dvc.yaml: the keys of its tracked fields."""
        return [f.metadata["param"] for f in dataclasses.fields(cls) if f.metadata["tracked"]]

    @classmethod
    def reads(cls) -> list[str]:
        """Every params key the stage reads (tracked or not)."""
        return [f.metadata["param"] for f in dataclasses.fields(cls)]

    @classmethod
    def from_params(cls: type[S], params: Any) -> S:
        p = plain(params)
        hints = typing.get_type_hints(cls)
        values = {}
        for f in dataclasses.fields(cls):  # in order: the model's kind before its train block
            key, read = f.metadata["param"], f.metadata["read"]
            values[f.name] = (
                read(p) if read else hints[f.name].from_mapping(read_block(p, key), key)
            )
        return cls(**values)


# ---- readers of single keys -----------------------------------------------------------------------


def _looks_synth(p: Mapping) -> SynthConfig:
    """`synth` for the look estimator's material (synth.mode looks); the pair modes have their own
    pipeline."""
    synth = SynthConfig.from_mapping(read_block(p, "synth"), "synth")
    if synth.mode != "looks":
        raise ConfigError(f"synth.mode={synth.mode!r}: {PAIRS_ELSEWHERE}")
    return synth


def _look_model(p: Mapping) -> LookEncoderConfig:
    """`model`, a look estimator (the pair-trained models have their own pipeline)."""
    model = model_config(read_block(p, "model"))
    if not isinstance(model, LookEncoderConfig):
        raise ConfigError(f"model {model.name!r} is a pair-trained model: {PAIRS_ELSEWHERE}")
    return model


def _pair_model(p: Mapping) -> ModelConfig:
    """`model`, a pair-trained model (the look estimator is the default pipeline's)."""
    model = model_config(read_block(p, "model"))
    if isinstance(model, LookEncoderConfig):
        raise ConfigError(
            f"model {model.name!r} is the look estimator: it trains in the default pipeline "
            "(dvc.yaml), not in pipelines/pairs"
        )
    return model


def _look_name(p: Mapping) -> str:
    look = read_block(p, "look")
    if not isinstance(look, Mapping) or not isinstance(look.get("name"), str):
        raise ConfigError("look: missing keys ['name']")
    return look["name"]


def _fit_size(p: Mapping) -> int:
    fit = read_block(p, "fit")
    if not isinstance(fit, Mapping) or "size" not in fit:
        raise ConfigError("fit: missing keys ['size']")
    return convert(fit["size"], int, "fit.size")


# ---- the stages of dvc.yaml: the default story, the look estimator -----------------------------


@dataclasses.dataclass(frozen=True)
class FramesStage(Stage):
    """Stage `frames`."""

    look: LookConfig = param("look")
    frames: FramesConfig = param("frames")
    corpus: CorpusConfig = param("corpus")


@dataclasses.dataclass(frozen=True)
class SynthesizeStage(Stage):
    """Stage `synthesize` (synth.mode looks)."""

    synth: SynthConfig = param("synth", _looks_synth)
    corpus: CorpusConfig = param("corpus")


@dataclasses.dataclass(frozen=True)
class SplitStage(Stage):
    """Stage `split` (of both pipelines)."""

    split: SplitConfig = param("split")


@dataclasses.dataclass(frozen=True)
class FitLutsStage(Stage):
    """Stage `fit_luts` (of both pipelines)."""

    fit: FitConfig = param("fit")


@dataclasses.dataclass(frozen=True)
class TrainStage(Stage):
    """Stage `train`: the look estimator (look-agnostic: the look is not one of its params)."""

    model: LookEncoderConfig = param("model", _look_model)
    train: LookTrainConfig = param("train")


@dataclasses.dataclass(frozen=True)
class OriginalStage(Stage):
    """Stage `original`."""

    synth: SynthConfig = param("synth")
    original: OriginalConfig = param("original")
    fit_size: int = param("fit.size", _fit_size)


@dataclasses.dataclass(frozen=True)
class EvaluateStage(Stage):
    """Stage `evaluate`."""

    fit: FitConfig = param("fit")
    eval: EvalConfig = param("eval")
    corpus: CorpusConfig = param("corpus")


#: dvc.yaml stage name -> its config class.
STAGES: dict[str, type[Stage]] = {
    "frames": FramesStage,
    "synthesize": SynthesizeStage,
    "split": SplitStage,
    "fit_luts": FitLutsStage,
    "train": TrainStage,
    "original": OriginalStage,
    "evaluate": EvaluateStage,
}


# ---- the stages of pipelines/pairs/dvc.yaml: the pair-trained method (pix2pix, LUT-GANs) ---------


@dataclasses.dataclass(frozen=True)
class PairSynthesizeStage(Stage):
    """Pair stage `synthesize` (synth.mode grade or neutralize; `synthesize_pairs` checks it)."""

    synth: SynthConfig = param("synth")


@dataclasses.dataclass(frozen=True)
class PairTrainStage(Stage):
    """Pair stage `train` (look.name, read but not a param of the stage, labels the MLflow run)."""

    model: ModelConfig = param("model", _pair_model)
    train: GanTrainConfig = param("train")
    look_name: str = param("look.name", _look_name, tracked=False)


#: pipelines/pairs/dvc.yaml stage name -> its config class.
PAIR_STAGES: dict[str, type[Stage]] = {
    "synthesize": PairSynthesizeStage,
    "split": SplitStage,
    "fit_luts": FitLutsStage,
    "train": PairTrainStage,
}

#: Each pipeline file -> its stages' config classes.
PIPELINES: dict[str, dict[str, type[Stage]]] = {
    "dvc.yaml": STAGES,
    "pipelines/pairs/dvc.yaml": PAIR_STAGES,
}
