"""params.yaml: loading it (`load_params`), the whole file as one typed config (`Params`), and
reading its top-level keys.

Stages never compose Hydra config themselves: config flows conf/ -> params.yaml (composed from
`conf/` by `dvc exp run`) -> stages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lutml.config.corpus import CorpusConfig
from lutml.config.eval import EvalConfig
from lutml.config.fit import FitConfig
from lutml.config.frames import FramesConfig
from lutml.config.look import LookConfig
from lutml.config.model import ModelConfig
from lutml.config.original import OriginalConfig
from lutml.config.registries import model_config, train_config
from lutml.config.split import SplitConfig
from lutml.config.synth import SynthConfig
from lutml.config.train import GanTrainConfig, LookTrainConfig
from lutml.config.validators import ConfigError, check_keys, convert, plain

if TYPE_CHECKING:
    from omegaconf import DictConfig

PARAMS_FILE = "params.yaml"


def load_params(path: str | Path = PARAMS_FILE) -> DictConfig:
    """Load `params.yaml` as a read-only OmegaConf tree; stages convert it once into their typed
    config (`lutml.config.stages`, e.g. ``SplitStage.from_params(load_params())``)."""
    from omegaconf import DictConfig, OmegaConf

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: params file not found (run from the repository root)")
    cfg = OmegaConf.load(p)
    if not isinstance(cfg, DictConfig):
        raise ValueError(f"{p}: expected a mapping at the top level")
    OmegaConf.set_readonly(cfg, True)
    return cfg


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


def read_seed(params: Mapping) -> int:
    """The top-level `seed`."""
    return convert(params["seed"], int, "seed")


def read_block(params: Mapping, key: str) -> Any:
    """The top-level block `key`; `ConfigError` when params has none."""
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
        params = plain(params)
        check_keys(params, "params", TOP_LEVEL)
        model = model_config(params["model"])
        return cls(
            seed=read_seed(params),
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
