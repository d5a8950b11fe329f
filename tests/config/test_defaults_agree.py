"""Defaults live in conf/: where code keeps a default of its own (a look builder's keyword defaults,
the `lutml fit` command's options), it equals conf/'s, or differs on purpose and says why here.

The pipeline reads conf/ only (params.yaml); the code defaults serve callers outside it (a look
by name in the web app and the benchmarks, the `lutml fit` command).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml

from lutml.config.look import LOOK_PARAMS
from lutml.data.looks import LOOKS

CONF = Path(__file__).resolve().parents[2] / "conf"


def _plain(value):
    """Tuples (signature defaults) and lists (YAML) compare alike."""
    return [_plain(v) for v in value] if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("name", sorted(LOOK_PARAMS))
def test_look_builder_defaults_are_conf_look(name: str) -> None:
    """conf/look/<name>.yaml holds exactly the keyword defaults of its builder in lutml.data.looks."""
    conf = yaml.safe_load((CONF / "look" / f"{name}.yaml").read_text())
    assert conf.pop("name") == name
    signature = inspect.signature(LOOKS[name]).parameters
    defaults = {k: _plain(p.default) for k, p in signature.items()}
    assert {k: _plain(v) for k, v in conf.items()} == defaults, name


def test_every_builtin_look_has_a_conf_option() -> None:
    assert sorted(p.stem for p in (CONF / "look").glob("*.yaml")) == sorted(LOOKS)


def test_fit_command_defaults_follow_conf_fit() -> None:
    """`lutml fit` takes conf/fit's method, interpolation and smoothness ("auto" is conf's null);
    its size (33, the size a LUT is shipped at) and robust (off: a user's frames are clean stills)
    differ on purpose from the pipeline's (17, robust for network outputs)."""
    from lutml.cli import build_parser
    from lutml.fit import DEFAULT_SIZE

    conf = yaml.safe_load((CONF / "fit" / "default.yaml").read_text())
    args = build_parser().parse_args(["fit", "--pair", "a.png", "-o", "x.cube"])
    assert args.method == conf["method"]
    assert args.interpolation == conf["interpolation"]
    assert (args.smoothness == "auto") == (conf["smoothness"] is None)
    assert args.size is None and DEFAULT_SIZE[args.method] == 33 and conf["size"] == 17
    assert args.robust is False and conf["robust"] is True


def test_train_model_takes_its_seed_from_the_caller() -> None:
    """The pair-trained models' seed is params' `seed` (conf/config.yaml): no default of its own."""
    from lutml.train.trainer import train_model

    assert inspect.signature(train_model).parameters["seed"].default is inspect.Parameter.empty
