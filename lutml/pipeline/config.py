"""Compose the default Hydra configuration in `conf/` — the same thing `dvc exp run` writes
to `params.yaml`. Used by `make params` and by the test that keeps `params.yaml` in sync."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from omegaconf import OmegaConf

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


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
    """`python -m lutml.pipeline.config [overrides…]` rewrites params.yaml from conf/."""
    from lutml.atomic import write_text_atomic

    args = sys.argv[1:] if argv is None else argv
    write_text_atomic("params.yaml", dump_params(compose(args)))


if __name__ == "__main__":
    main()
