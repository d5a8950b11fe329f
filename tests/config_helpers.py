"""Typed configs for tests: conf/'s defaults (the only place defaults live) with a few overrides."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lutml.config.model import ModelConfig
from lutml.config.registries import model_config
from lutml.config.train import GanTrainConfig
from lutml.pipeline.config import compose

#: model.name -> the conf/model option whose values fill the keys a test leaves out: the one file
#: that declares the name (`name:`; the others inherit it).
MODEL_OPTION = {
    yaml.safe_load(path.read_text())["name"]: path.stem
    for path in sorted((Path(__file__).resolve().parents[1] / "conf" / "model").glob("*.yaml"))
    if "name" in yaml.safe_load(path.read_text())
}


@cache
def _composed(*overrides: str) -> dict:
    return compose(list(overrides))


def model_dict(**overrides: Any) -> dict:
    """A complete `model` block: conf/model's option for `name` (default pix2pix) + `overrides`."""
    option = MODEL_OPTION.get(overrides.get("name", "pix2pix"), "pix2pix64")
    return {**_composed(f"model={option}")["model"], **overrides}


def model_cfg(**overrides: Any) -> ModelConfig:
    """`model_dict` as the typed config (raises for unknown names and keys, as the stages do)."""
    return model_config(model_dict(**overrides))


def gan_train_dict(**overrides: Any) -> dict:
    """A complete pair-trained `train` block (conf/train/gan.yaml) + `overrides`."""
    return {**_composed("experiment=pix2pix")["train"], **overrides}


def gan_train_cfg(**overrides: Any) -> GanTrainConfig:
    return GanTrainConfig.from_mapping(gan_train_dict(**overrides), "train")
