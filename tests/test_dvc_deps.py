"""Each pipeline's `deps` cover what each stage script imports from lutml/ (else `dvc repro` misses
edits): dvc.yaml (the default story) and pipelines/pairs/dvc.yaml (the pair-trained method), whose
stages run in their own folder (paths relative to it).

The import closure is static (ast): `import lutml.x`, `from lutml.x import y` and relative imports,
also those inside functions (stages import heavy modules lazily), followed through every lutml
module reached; importing a module imports its packages' `__init__.py` too.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "lutml"


def module_files(name: str) -> list[Path]:
    """Files Python runs for `import name` (every package `__init__.py` on the way, then the module);
    empty when `name` is not a lutml module (e.g. a class imported with `from lutml.x import Name`)."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return []
    files = []
    for i in range(1, len(parts) + 1):
        base = ROOT.joinpath(*parts[:i])
        if (base / "__init__.py").is_file():
            files.append(base / "__init__.py")
        elif i == len(parts) and base.with_suffix(".py").is_file():
            files.append(base.with_suffix(".py"))
        else:
            break
    return files


def imported_names(path: Path) -> set[str]:
    """Module names `path` may import: for `from a.b import c` both `a.b` and `a.b.c` (c may be a module)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = path.relative_to(ROOT).parent.parts  # of a module or of a package's __init__.py
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the package of `path`, up level - 1
                base = list(package[: len(package) - node.level + 1])
                base += node.module.split(".") if node.module else []
            else:
                base = node.module.split(".")
            names.add(".".join(base))
            names.update(".".join([*base, alias.name]) for alias in node.names)
    return names


def import_closure(script: Path) -> set[Path]:
    """Every lutml/ file that running `script` may import, directly or through other lutml modules."""
    seen: set[Path] = set()
    todo = [script]
    while todo:
        for name in imported_names(todo.pop()):
            for f in module_files(name):
                if f not in seen:
                    seen.add(f)
                    todo.append(f)
    return seen


def covered(path: Path, deps: list[str]) -> bool:
    """Whether a dep of the stage (repo-relative) is `path` or a folder above it."""
    rel = path.relative_to(ROOT)
    return any(rel == Path(d) or Path(d) in rel.parents for d in deps)


#: The pipeline files: the default story and the pair-trained method's.
PIPELINES = ("dvc.yaml", "pipelines/pairs/dvc.yaml")


def dvc_stages() -> dict[str, dict]:
    """``<pipeline>:<stage>`` -> the stage, its `script` and `deps` made repo-relative (a stage runs
    in its dvc.yaml's folder, or its `wdir`)."""
    stages = {}
    for pipeline in PIPELINES:
        folder = Path(pipeline).parent
        for name, stage in yaml.safe_load((ROOT / pipeline).read_text())["stages"].items():
            wdir = folder / stage.get("wdir", ".")
            script = stage["cmd"].split()[1]  # `python <script> <paths...>`
            stages[f"{pipeline}:{name}"] = {
                "script": ROOT / os.path.normpath(wdir / script),
                "deps": [os.path.normpath(wdir / d) for d in stage["deps"]],
            }
    return stages


@pytest.mark.parametrize("name", sorted(dvc_stages()))
def test_stage_deps_cover_import_closure(name: str) -> None:
    stage = dvc_stages()[name]
    script = stage["script"]
    assert covered(script, stage["deps"]), f"stage {name}: deps miss its script {script.name}"
    missing = sorted(
        str(f.relative_to(ROOT)) for f in import_closure(script) if not covered(f, stage["deps"])
    )
    assert not missing, f"stage {name}: dvc.yaml deps miss files the script imports: {missing}"


@pytest.mark.parametrize("name", sorted(dvc_stages()))
def test_stage_deps_name_only_imported_library_code(name: str) -> None:
    """A lutml/ dep the script never reaches reruns the stage for nothing (or is a typo hiding a miss)."""
    stage = dvc_stages()[name]
    closure = import_closure(stage["script"])
    lib_deps = [d for d in stage["deps"] if d.split("/")[0] == PACKAGE]
    unused = [d for d in lib_deps if not any(covered(f, [d]) for f in closure)]
    assert not unused, (
        f"stage {name}: dvc.yaml deps on lutml/ code the script never imports: {unused}"
    )


def test_closure_follows_lazy_imports() -> None:
    """The analysis itself: a stage whose only lutml import is inside a function reaches lutml/fit's
    modules through lutml/fit/__init__.py, and the packages' __init__.py files are part of it."""
    closure = {str(f.relative_to(ROOT)) for f in import_closure(ROOT / "stages" / "fit_luts.py")}
    expected = {
        "lutml/__init__.py",
        "lutml/pipeline/params.py",
        "lutml/fit/__init__.py",
        "lutml/fit/basis.py",
    }
    assert expected <= closure
    assert "lutml/cli/__init__.py" not in closure
    pairs = ROOT / "pipelines/pairs/stages/fit_luts.py"
    assert "lutml/data/ground_truth.py" in {str(f.relative_to(ROOT)) for f in import_closure(pairs)}
