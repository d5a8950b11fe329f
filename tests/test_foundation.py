"""Project-wide invariants: the package layout, cheap import, config flows conf/ -> params.yaml,
CLI wiring, self-contained test modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lutml.pipeline.config import PARAMS_FILES, compose

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = (
    "bench",
    "cli",
    "config",
    "data",
    "fit",
    "imageio",
    "lut",
    "models",
    "pipeline",
    "train",
    "web",
)
# Everything but lutml.train (and the model builders) must load without TensorFlow.
TF_FREE = (
    "lutml",
    "lutml.config.stages",
    "lutml.lut",
    "lutml.fit",
    "lutml.data",
    "lutml.models",
    "lutml.models.inference",
    "lutml.web",
    "lutml.cli",
    "lutml.bench",
    "lutml.imageio",
    "lutml.color",
    "lutml.pipeline.params",
    "lutml.tracking",
    "lutml.data.looks",
    "lutml.grade",
)


def test_every_subpackage_is_there() -> None:
    """A missing (or unlisted) subpackage fails here, not as a skipped import somewhere else."""
    found = {p.parent.name for p in (ROOT / "lutml").glob("*/__init__.py")}
    missing, unlisted = set(SUBPACKAGES) - found, found - set(SUBPACKAGES)
    assert not missing and not unlisted, (
        f"lutml subpackages missing: {missing}; not in SUBPACKAGES: {unlisted}"
    )


def test_import_lutml_does_not_import_tensorflow() -> None:
    code = (
        f"import sys, {', '.join(TF_FREE)}\n"
        "from lutml.cli import build_parser; build_parser()\n"
        "bad = [m for m in sys.modules if m == 'tensorflow' or m.startswith('tensorflow.') or m == 'keras']\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, f"importing {TF_FREE} failed:\n{out.stderr[-3000:]}"
    assert out.stdout.strip() == "", f"TensorFlow imported by lutml: {out.stdout}"


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in helper modules (fixtures in conftest.py), so each test_*.py runs
    alone; nothing imports a conftest, as tests/ has several and which one is found varies."""
    bad = []
    for path in sorted((ROOT / "tests").rglob("*.py")):  # tests/ and its subfolders
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            bad += [
                f"{path.relative_to(ROOT)} imports {n}"
                for n in names
                if n == "conftest" or any(part.startswith("test_") for part in n.split("."))
            ]
    assert not bad, bad


def test_params_files_equal_their_default_composition() -> None:
    """params.yaml and pipelines/pairs/params.yaml are conf/ composed (the latter with
    experiment=pix2pix)."""
    for path, overrides in PARAMS_FILES.items():
        committed = yaml.safe_load((ROOT / path).read_text())
        assert committed == compose(overrides), (
            f"{path} is stale: run `make params` (python -m lutml.pipeline.config [--pairs])"
        )


def test_every_config_group_option_composes() -> None:
    for group_dir in sorted(p for p in (ROOT / "conf").iterdir() if p.is_dir()):
        for option in sorted(group_dir.glob("*.yaml")):
            cfg = compose([f"{group_dir.name}={option.stem}"])
            if (
                group_dir.name == "experiment"
            ):  # experiments (@package _global_) override other groups
                assert cfg != compose(), f"{option} changes nothing"
                continue
            assert group_dir.name in cfg, f"{option} did not land under '{group_dir.name}'"


@pytest.mark.parametrize("pipeline", ["dvc.yaml", "pipelines/pairs/dvc.yaml"])
def test_stages_match_dvc_yaml(pipeline: str) -> None:
    """Stage name = script name, in the `stages/` folder beside each pipeline file."""
    folder = (ROOT / pipeline).parent
    dvc = yaml.safe_load((ROOT / pipeline).read_text())
    assert sorted(p.stem for p in (folder / "stages").glob("*.py")) == sorted(dvc["stages"])
    for name, stage in dvc["stages"].items():
        script = folder / "stages" / f"{name}.py"
        assert script.is_file(), f"stage {name} has no script {script}"
        assert stage["cmd"].startswith(f"python stages/{name}.py ")
        assert "hydra.main" not in script.read_text(), (
            f"{script} must read params.yaml, not compose config"
        )


def test_cli_help_lists_commands() -> None:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "lutml"), "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0
    for cmd in ("apply", "info", "fit", "grade", "serve"):
        assert cmd in out.stdout


def test_a_stage_runs_numpy_on_one_blas_thread() -> None:
    """parse_paths (every stage's first call) puts OpenBLAS on one thread, even when NumPy is not
    loaded yet: the thread count changes the bits of the look basis (issue 22 determinism)."""
    code = (
        "from lutml.pipeline.params import parse_paths; parse_paths(['x'], 'a');"
        "from threadpoolctl import threadpool_info;"
        "print(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[1]", out.stdout
