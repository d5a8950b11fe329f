"""Each DVC stage's typed view of params.yaml: one frozen bundle per stage of dvc.yaml (`STAGES`).

A bundle's fields are its params: `param(key)` names the params.yaml key a field is read from (a
whole block, converted by the field's class, or one `block.key`, read by the reader given). The
fields read in order; a reader may ask for another field first (train checks the model's kind
against `synth.mode` before it converts the `train` block). `dvc_params()` is the stage's
`params:` list of dvc.yaml (a test keeps the two equal); a field with `tracked=False` is read but
not a param of the stage (train labels pair-trained runs with `look.name`; the look estimator is
look-agnostic).
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
from lutml.config.registries import model_config, train_config
from lutml.config.split import SplitConfig
from lutml.config.synth import SynthConfig
from lutml.config.train import GanTrainConfig, LookTrainConfig
from lutml.config.validators import ConfigError, convert, plain

S = TypeVar("S", bound="Stage")

#: Reads one field from the plain params; `need(name)` gives another field of the stage (reading it
#: first when it is not read yet), so a check against another field runs before this block converts.
Need = Callable[[str], Any]
Reader = Callable[[Mapping, Need], Any]


def param(key: str, read: Reader | None = None, *, tracked: bool = True) -> Any:
    """A stage field read from params key `key`: by `read`, or (a whole block) by the field's class
    (`from_mapping`). `tracked`: the key is one of the stage's dvc.yaml params."""
    return dataclasses.field(metadata={"param": key, "read": read, "tracked": tracked})


@dataclasses.dataclass(frozen=True)
class Stage:
    """Base of the stage bundles: `from_params` reads every field as its `param` says."""

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
        fields = {f.name: f for f in dataclasses.fields(cls)}
        got: dict[str, Any] = {}

        def need(name: str) -> Any:
            if name not in got:
                key, read = fields[name].metadata["param"], fields[name].metadata["read"]
                got[name] = (
                    read(p, need) if read else hints[name].from_mapping(read_block(p, key), key)
                )
            return got[name]

        return cls(**{name: need(name) for name in fields})


# ---- readers of single keys -----------------------------------------------------------------------


def _seed(p: Mapping, need: Need) -> int:
    return read_seed(p)


def _model(p: Mapping, need: Need) -> ModelConfig:
    return model_config(read_block(p, "model"))


def _synth_mode(p: Mapping, need: Need) -> str:
    """`synth.mode` alone (stages split, fit_luts and train depend on that key only)."""
    synth = read_block(p, "synth")
    if not isinstance(synth, Mapping) or "mode" not in synth:
        raise ConfigError("synth: missing keys ['mode']")
    mode = synth["mode"]
    if mode not in SynthConfig.MODES:
        raise ConfigError(f"synth.mode: {mode!r} is not one of {list(SynthConfig.MODES)}")
    return mode


def _mode_of_model(p: Mapping, need: Need) -> str:
    """`synth.mode`, checked against the kind of the stage's model (as lutml.models.check_mode)."""
    model, mode = need("model"), _synth_mode(p, need)
    if isinstance(model, LookEncoderConfig) != (mode == "looks"):
        want = "looks" if isinstance(model, LookEncoderConfig) else "grade or neutralize"
        raise ConfigError(
            f"model {model.name!r} learns from synth.mode={want}, but synth.mode={mode!r} "
            "(use `-S experiment=pix2pix` for the pair-trained models)"
        )
    return mode


def _look_name(p: Mapping, need: Need) -> str:
    look = read_block(p, "look")
    if not isinstance(look, Mapping) or not isinstance(look.get("name"), str):
        raise ConfigError("look: missing keys ['name']")
    return look["name"]


def _train(p: Mapping, need: Need) -> LookTrainConfig | GanTrainConfig:
    model = need("model")
    need(
        "synth_mode"
    )  # the model's kind against synth.mode first (a wrong train block is a symptom)
    return train_config(read_block(p, "train"), model)


def _fit_size(p: Mapping, need: Need) -> int:
    fit = read_block(p, "fit")
    if not isinstance(fit, Mapping) or "size" not in fit:
        raise ConfigError("fit: missing keys ['size']")
    return convert(fit["size"], int, "fit.size")


# ---- the stages -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FramesStage(Stage):
    """Stage `frames`."""

    seed: int = param("seed", _seed)
    look: LookConfig = param("look")
    frames: FramesConfig = param("frames")
    corpus: CorpusConfig = param("corpus")


@dataclasses.dataclass(frozen=True)
class SynthesizeStage(Stage):
    """Stage `synthesize`."""

    seed: int = param("seed", _seed)
    synth: SynthConfig = param("synth")
    corpus: CorpusConfig = param("corpus")


@dataclasses.dataclass(frozen=True)
class SplitStage(Stage):
    """Stage `split`."""

    seed: int = param("seed", _seed)
    split: SplitConfig = param("split")
    synth_mode: str = param("synth.mode", _synth_mode)


@dataclasses.dataclass(frozen=True)
class FitLutsStage(Stage):
    """Stage `fit_luts`."""

    seed: int = param("seed", _seed)
    fit: FitConfig = param("fit")
    synth_mode: str = param("synth.mode", _synth_mode)


@dataclasses.dataclass(frozen=True)
class TrainStage(Stage):
    """Stage `train` (look.name, read but not a param of the stage, labels pair-trained runs)."""

    seed: int = param("seed", _seed)
    model: ModelConfig = param("model", _model)
    train: LookTrainConfig | GanTrainConfig = param("train", _train)
    synth_mode: str = param("synth.mode", _mode_of_model)
    look_name: str = param("look.name", _look_name, tracked=False)


@dataclasses.dataclass(frozen=True)
class OriginalStage(Stage):
    """Stage `original`."""

    seed: int = param("seed", _seed)
    synth: SynthConfig = param("synth")
    original: OriginalConfig = param("original")
    fit_size: int = param("fit.size", _fit_size)


@dataclasses.dataclass(frozen=True)
class EvaluateStage(Stage):
    """Stage `evaluate`."""

    seed: int = param("seed", _seed)
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
