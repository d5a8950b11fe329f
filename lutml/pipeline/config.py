"""Compose the Hydra configuration in `conf/` into each pipeline's params file: `params.yaml` (the
default pipeline, dvc.yaml; the same thing `dvc exp run` writes) and `pipelines/pairs/params.yaml`
(the pair-trained method, pipelines/pairs/dvc.yaml: conf/ + `experiment=pix2pix`). Used by
`make params` and by the test that keeps both in sync."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from omegaconf import OmegaConf

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"

#: Each pipeline's params file (repo-relative) -> the overrides its default composition starts from.
PARAMS_FILES: dict[str, list[str]] = {
    "params.yaml": [],
    "pipelines/pairs/params.yaml": ["experiment=pix2pix"],
}
PAIRS_PARAMS = "pipelines/pairs/params.yaml"


def compose(overrides: list[str] | None = None, conf_dir: Path = CONF_DIR) -> dict:
    """Compose `conf/config.yaml` with `overrides` (Hydra syntax, e.g. ``model=pix2pix128``)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(conf_dir), version_base=None):
        cfg = hydra_compose(config_name="config", overrides=list(overrides or []))
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]


def dump_params(params: dict) -> str:
    """YAML text in the layout DVC writes for params.yaml (keys in config order)."""
    return yaml.safe_dump(params, sort_keys=False, default_flow_style=False)


def main(argv: list[str] | None = None) -> None:
    """`python -m lutml.pipeline.config [overrides…]` rewrites params.yaml from conf/;
    `… --pairs [overrides…]` rewrites the pair pipeline's pipelines/pairs/params.yaml (conf/ +
    experiment=pix2pix + overrides, e.g. ``model=lut_gan`` or ``experiment=pix2pix_neutraliser``)."""
    from lutml.atomic import write_text_atomic

    args = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(args):
        print(USAGE)
        return
    path = "params.yaml"
    if args[:1] == ["--pairs"]:
        args, path = args[1:], PAIRS_PARAMS
    from hydra.errors import HydraException

    try:
        params = compose(pipeline_overrides(path, args))
    except HydraException as exc:  # a bad override: Hydra's message, not its traceback
        reason = " ".join(str(exc).split())
        print(f"python -m lutml.pipeline.config: error: {reason}", file=sys.stderr)
        raise SystemExit(2) from None
    write_text_atomic(path, dump_params(params))


USAGE = """\
usage: python -m lutml.pipeline.config [--pairs] [OVERRIDE ...]

Compose conf/ (Hydra) into params.yaml, what `dvc exp run` also writes; with --pairs into
pipelines/pairs/params.yaml (conf/ + experiment=pix2pix). OVERRIDEs are Hydra's, e.g.
  python -m lutml.pipeline.config train.epochs=6 look=bleach_bypass
  python -m lutml.pipeline.config --pairs model=lut_gan
`make params` runs both without overrides (the defaults live in conf/ only)."""


def pipeline_overrides(path: str, overrides: list[str]) -> list[str]:
    """The overrides composing params file `path`: its defaults (`PARAMS_FILES`), less those that
    `overrides` sets again (``experiment=pix2pix_neutraliser`` replaces ``experiment=pix2pix``), then
    `overrides`."""
    keys = {o.split("=", 1)[0] for o in overrides}
    return [o for o in PARAMS_FILES[path] if o.split("=", 1)[0] not in keys] + list(overrides)


if __name__ == "__main__":
    main()
