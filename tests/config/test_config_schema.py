"""Every stage's typed config builds from its pipeline's params file and from every composition of
conf/ for that pipeline; unknown or missing keys fail naming the key; a stage's fields are its
dvc.yaml params (lutml.config). Two pipelines: dvc.yaml (the look estimator) and
pipelines/pairs/dvc.yaml (the pair-trained method), each refusing the other's models."""

from __future__ import annotations

import copy
import inspect
from functools import cache
from pathlib import Path

import pytest
import yaml

from lutml.config.look import LOOK_PARAMS
from lutml.config.params import Params
from lutml.config.registries import MODELS
from lutml.config.stages import PIPELINES, STAGES
from lutml.config.train import GanTrainConfig, LookTrainConfig
from lutml.config.validators import ConfigError
from lutml.data.looks import LOOKS
from lutml.models import MODEL_KINDS
from lutml.pipeline.config import PARAMS_FILES, compose

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


@cache
def composed(overrides: tuple[str, ...]) -> dict:
    return compose(list(overrides))


def compositions() -> list[tuple[str, ...]]:
    """The default, each experiment, each look, and each model in the setting it trains in."""
    out: list[tuple[str, ...]] = [()]
    out += [(f"experiment={e}",) for e in options("experiment")]
    out += [(f"look={name}",) for name in options("look")]
    for m in options("model"):
        name = composed((f"model={m}",))["model"]["name"]
        pair = MODEL_KINDS[name] != "look"
        out.append(("experiment=pix2pix", f"model={m}") if pair else (f"model={m}",))
    return out


def test_conf_model_options_match_the_model_table() -> None:
    """A model is declared once in code (lutml.config.registries.MODELS); conf/model chooses it: each
    name of the table is declared (`name:`) by exactly one conf/model file, the other options inherit
    it, and every option composes to a name of the table."""
    declared: dict[str, list[str]] = {}
    for path in sorted((CONF / "model").glob("*.yaml")):
        name = yaml.safe_load(path.read_text()).get("name")
        if name is not None:
            declared.setdefault(name, []).append(path.stem)
    assert {n: len(files) for n, files in declared.items()} == {n: 1 for n in MODELS}, declared
    for option in options("model"):
        assert composed((f"model={option}",))["model"]["name"] in MODELS, option
    assert MODEL_KINDS == {name: spec.kind for name, spec in MODELS.items()}


def test_look_params_declare_every_look_builder() -> None:
    """lutml.config declares the looks and their keys; lutml.data.looks builds them: the same names,
    each builder's keyword parameters in order."""
    assert list(LOOK_PARAMS) == list(LOOKS)
    for name, build in LOOKS.items():
        assert LOOK_PARAMS[name] == tuple(inspect.signature(build).parameters), name


def pipeline_of(params: dict) -> str:
    """The pipeline file a composition is for: the look estimator's or the pair-trained method's."""
    return (
        "dvc.yaml" if MODEL_KINDS[params["model"]["name"]] == "look" else "pipelines/pairs/dvc.yaml"
    )


def params_file(pipeline: str) -> str:
    return str(Path(pipeline).parent / "params.yaml")


def dvc_stage(key: str) -> dict:
    """``<pipeline>:<stage>`` -> the stage in that dvc.yaml."""
    pipeline, name = key.split(":")
    return yaml.safe_load((ROOT / pipeline).read_text())["stages"][name]


STAGE_KEYS = [f"{p}:{name}" for p, stages in PIPELINES.items() for name in stages]


def stage_class(key: str):
    pipeline, name = key.split(":")
    return PIPELINES[pipeline][name]


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
def test_params_file_builds_every_stage_config(pipeline: str) -> None:
    params = yaml.safe_load((ROOT / params_file(pipeline)).read_text())
    assert pipeline_of(params) == pipeline
    Params.from_params(params)
    for stage in PIPELINES[pipeline].values():
        stage.from_params(params)
    dvc = yaml.safe_load((ROOT / pipeline).read_text())
    assert set(PIPELINES[pipeline]) == set(dvc["stages"])
    assert set(PARAMS_FILES) == {params_file(p) for p in PIPELINES}


@pytest.mark.parametrize("overrides", compositions(), ids=lambda o: ",".join(o) or "default")
def test_every_composition_builds_every_stage_config(overrides: tuple[str, ...]) -> None:
    params = composed(overrides)
    full = Params.from_params(params)
    want = LookTrainConfig if MODEL_KINDS[full.model.name] == "look" else GanTrainConfig
    assert isinstance(full.train, want)
    assert type(full.model) is MODELS[full.model.name].config
    for stage in PIPELINES[pipeline_of(params)].values():
        stage.from_params(params)


def test_each_pipeline_refuses_the_other_method() -> None:
    """The default stages take no pair-trained model nor pair mode (they name the pair pipeline);
    the pair pipeline does not train the look estimator."""
    pairs = composed(("experiment=pix2pix",))
    for name in ("synthesize", "train"):
        with pytest.raises(ConfigError, match="pipelines/pairs"):
            STAGES[name].from_params(pairs)
    with pytest.raises(ConfigError, match="look estimator"):
        PIPELINES["pipelines/pairs/dvc.yaml"]["train"].from_params(composed(()))


# (block path, key): an unknown key there and the key missing must each fail naming the key.
CASES = [
    (("corpus",), "eval"),
    (("frames",), "per_photo"),
    (("frames", "video"), "fps"),
    (("look",), "contrast"),
    (("synth",), "n_looks"),
    (("synth",), "exposure"),
    (("synth", "crops"), "size"),
    (("synth", "prior"), "warp"),
    (("synth", "prior", "warp"), "knots"),
    (("synth", "prior", "camera"), "mixer_p"),
    (("synth", "exposure"), "stops"),
    (("synth", "lut"), "scale"),
    (("synth", "jpeg_noise"), "quality"),
    (("synth", "neutralize"), "looks"),
    (("synth", "families"), "hue"),
    (("split",), "test_fraction"),
    (("fit",), "gt_robust"),
    (("fit", "basis"), "floor"),
    (("model",), "set_max"),
    (("train",), "ema"),
    (("eval",), "single_refs"),
    (("original",), "pairs"),
    (("original", "model"), "residual"),
    (("original", "train"), "beta_1"),
]


def _at(params: dict, path: tuple[str, ...]) -> dict:
    node = params
    for key in path:
        node = node[key]
    return node


def _builders_reading(path: tuple[str, ...]):
    """Params, plus the stage configs whose dvc.yaml params include the block."""
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    readers = [Params.from_params]
    for name, stage in STAGES.items():
        deps = dvc[name]["params"]
        if any(".".join(path[: i + 1]) in deps for i in range(len(path))):
            readers.append(stage.from_params)
    return readers


@pytest.mark.parametrize("path,key", CASES)
def test_unknown_and_missing_keys_raise_naming_them(path: tuple[str, ...], key: str) -> None:
    base = composed(())
    for build in _builders_reading(path):
        extra = copy.deepcopy(base)
        _at(extra, path)["bogus_key"] = 1
        with pytest.raises(ConfigError, match="bogus_key"):
            build(extra)
        missing = copy.deepcopy(base)
        del _at(missing, path)[key]
        with pytest.raises(ConfigError, match=key):
            build(missing)


def test_wrong_types_and_variants_raise() -> None:
    base = composed(())
    bad = copy.deepcopy(base)
    bad["fit"]["size"] = "17"
    with pytest.raises(ConfigError, match=r"fit\.size"):
        Params.from_params(bad)
    bad = copy.deepcopy(base)
    bad["model"]["name"] = "nope"
    with pytest.raises(ConfigError, match="nope"):
        STAGES["train"].from_params(bad)
    bad = copy.deepcopy(base)
    bad["synth"]["mode"] = "sideways"
    with pytest.raises(ConfigError, match="sideways"):
        STAGES["synthesize"].from_params(bad)
    # a pair-trained model in the default pipeline: refused before its train block is read
    pix = composed(("model=pix2pix64",))
    with pytest.raises(ConfigError, match="pair-trained model"):
        STAGES["train"].from_params(pix)


@pytest.mark.parametrize("key", STAGE_KEYS)
def test_stage_fields_are_its_dvc_params(key: str) -> None:
    """The bundle's tracked fields are the stage's `params:` in its dvc.yaml, each once; the pair
    train stage also reads `look.name` (it labels its runs; the look estimator is look-agnostic),
    untracked."""
    want = dvc_stage(key)["params"]
    got = stage_class(key).dvc_params()
    assert sorted(got) == sorted(want) and len(set(got)) == len(got)
    extra = [k for k in stage_class(key).reads() if k not in got]
    assert extra == (["look.name"] if key == "pipelines/pairs/dvc.yaml:train" else [])


@pytest.mark.parametrize("key", STAGE_KEYS)
def test_stage_configs_read_only_their_dvc_params(key: str) -> None:
    """A stage's config builds from its dvc.yaml params (and its untracked reads) alone (else DVC
    misses a change), for each composition of its pipeline."""
    stage, cls = dvc_stage(key), stage_class(key)
    untracked = [k for k in cls.reads() if k not in cls.dvc_params()]
    for overrides in [(), ("experiment=pix2pix",), ("experiment=pix2pix", "model=lut_gan")]:
        params = composed(overrides)
        if pipeline_of(params) != key.split(":")[0]:
            continue
        pruned: dict = {}
        for path in [*stage["params"], *untracked]:
            *parents, last = path.split(".")
            src, dst = params, pruned
            for k in parents:
                src, dst = src[k], dst.setdefault(k, {})
            dst[last] = copy.deepcopy(src[last])
        cls.from_params(pruned)


@pytest.mark.parametrize("group", ["model", "look", "train", "synth", "fit", "eval"])
def test_group_options_only_set_their_own_block(group: str) -> None:
    """A model (look, ...) file changes only its block; changing other blocks (e.g. synth.mode) is
    an experiment's job (conf/experiment/, `# @package _global_`)."""
    default = composed(())
    for option in options(group):
        cfg = composed((f"{group}={option}",))
        others = {k: v for k, v in cfg.items() if k != group}
        assert others == {k: v for k, v in default.items() if k != group}, option


@pytest.mark.parametrize("overrides", [(), ("experiment=pix2pix", "model=lut_gan_3d")])
def test_typed_blocks_round_trip_to_params(overrides: tuple[str, ...]) -> None:
    """`to_dict` gives the params.yaml block back (MLflow params and checkpoints use it)."""
    params = composed(overrides)
    full = Params.from_params(params)
    for key in params:
        if key != "seed":
            assert getattr(full, key).to_dict() == params[key], key


def test_the_params_command_helps_and_refuses_bad_overrides(tmp_path, monkeypatch, capsys) -> None:
    """`python -m lutml.pipeline.config --help` printed a Hydra traceback; a bad override is one
    error line (exit 2) and writes nothing."""
    from lutml.pipeline.config import main

    monkeypatch.chdir(tmp_path)  # params.yaml would be written here
    main(["--help"])
    assert capsys.readouterr().out.startswith("usage: python -m lutml.pipeline.config [--pairs]")
    for bad in ("train.no_such_key=3", "look=(("):
        with pytest.raises(SystemExit) as stop:
            main([bad])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("python -m lutml.pipeline.config: error: ") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
