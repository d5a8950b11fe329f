#!/usr/bin/env python3
"""Issue 13 item 3: the package layout shows the architecture, then `ruff format` everywhere.

    python3 scripts/relayout.py                 # on the checkout this script is in
    python3 scripts/relayout.py --repo DIR      # on another checkout (a clean work tree)
    python3 scripts/relayout.py --no-format     # the layout only

Re-runnable and idempotent (a second run changes nothing); stdlib only, plus `git` and `ruff`
(found next to this Python, on PATH or given by --ruff). It relies on module paths, not on file
contents, so it can be run again on a newer main:

1. moves (`git mv`), each only while the old path exists and the new one does not:
   - pipeline glue -> `lutml/pipeline/` (new package, docstring-only `__init__.py`): params,
     config, tracking, ground_truth, evaluate, report, original (the `original` stage's recipe:
     synthesize -> split -> ground truth -> train; glue, not library code);
     `lutml/reliability.py` stays (look analysis over LUTs and colours, library code);
   - `lutml/looks.py` -> `lutml/data/looks.py` (beside the data code that uses it);
   - `lutml/web/loadtest.py` -> `lutml/bench/web.py` (`python -m lutml.bench web`);
   - `lutml/models/registry.py` -> `lutml/models/builders.py` (the generator/GAN builders);
   - `lutml/web/registry.py` -> `lutml/web/model_index.py` (the models the server can serve).
   A moved module's `Path(__file__).parent...` chains are re-based to its new depth.
2. references, in every tracked (or untracked, not ignored) *.py, *.pyi, *.yaml, *.yml, *.md,
   *.toml, *.cfg, *.ini, *.sh, *.txt, Makefile and .ci/* file (not data/, dvc.lock, this script):
   `python -m lutml.web.loadtest` -> `python -m lutml.bench web`; `from lutml[.pkg] import name`
   of a moved module (aliased to its old name where the name changes); dotted names
   (`lutml.params` -> `lutml.pipeline.params`, also inside strings: monkeypatch targets, `-m`
   arguments, importlib paths); file paths (`lutml/params.py` -> `lutml/pipeline/params.py`).
3. dvc.yaml deps lists: `lutml/pipeline/__init__.py` added where a stage depends on a pipeline
   module, deps inside another dep of the list dropped (`lutml/data/looks.py` with `lutml/data`).
4. small guarded edits: tests/test_foundation.py's SUBPACKAGES, `lutml.bench`'s dispatcher
   (exit status of the benchmark) and docstring (list of names), README's Layout block.
5. `ruff check --select I --fix` (import order after the renames).
6. unless --no-format: `[tool.ruff.format]` in pyproject.toml, `ruff format --check` in the
   Makefile's lint target, every `# fmt: skip` removed, `ruff format lutml stages tests scripts`,
   then `ruff check` (reported).

Not done here: the one model table (`lutml.models.MODELS`, item 3's "MODEL_KINDS and GENERATORS
one table") is a code edit made once by hand in its own commit; this script only warns when it is
missing. dvc.lock is left as it is (the next `dvc repro`/`dvc commit` records the new dep paths).
Relative imports (`from .x import y`) are not rewritten: the script stops and lists any that name
a moved module.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: old module -> new module (dotted). A module that is a package on some main moves whole.
MOVES: dict[str, str] = {
    "lutml.params": "lutml.pipeline.params",
    "lutml.config": "lutml.pipeline.config",
    "lutml.tracking": "lutml.pipeline.tracking",
    "lutml.ground_truth": "lutml.pipeline.ground_truth",
    "lutml.evaluate": "lutml.pipeline.evaluate",
    "lutml.report": "lutml.pipeline.report",
    "lutml.original": "lutml.pipeline.original",
    "lutml.looks": "lutml.data.looks",
    "lutml.web.loadtest": "lutml.bench.web",
    "lutml.models.registry": "lutml.models.builders",
    "lutml.web.registry": "lutml.web.model_index",
}

#: `python -m OLD` -> `python -m NEW` where the new entry point is not the module's new name.
ENTRY_POINTS: dict[str, tuple[str, ...]] = {"lutml.web.loadtest": ("lutml.bench", "web")}

PIPELINE_INIT = '''"""Pipeline glue: what the DVC stages (stages/*.py) and `make run` call; lutml/ does the work.

- `params`: read params.yaml (composed from conf/) and a stage's positional paths.
- `config`: compose conf/ into params.yaml (`python -m lutml.pipeline.config [overrides...]`).
- `tracking`: the MLflow store, runs and tags of training and evaluation.
- `ground_truth`: the lattice fit of every (input, target) pair (stage `fit_luts`) and reading it.
- `evaluate`: the evaluate stage: the learned look vs the true look and the baselines on held-out
  photos, reliability checks, the one-still table.
- `report`: `python -m lutml.pipeline.report`, the results table after `make run`.
- `original`: the original project's pix2pix baseline trained on our graded frames (stage
  `original`).

Nothing is imported here: `lutml.pipeline.params` stays cheap (no TensorFlow, no MLflow).
"""
'''

NEW_INITS = {"lutml/pipeline/__init__.py": PIPELINE_INIT}

README_LAYOUT = """\
lutml/     the library: lut/ (LUT3D, formats, apply), fit/ (lattice, kNN, population, look basis), data/ (corpus,
           built-in looks, frames, random looks, pairs), models/ + train/ (TensorFlow, imported only there),
           reliability.py, grade.py, web/, cli/, bench/ (benchmarks, web load test), pipeline/ (what the DVC
           stages call: params, config, tracking, ground truth, evaluate, report, the original's baseline)
"""

RUFF_FORMAT = """\
[tool.ruff.format]
# `ruff format lutml stages tests scripts` (checked by `make lint`); line length: [tool.ruff]'s.
quote-style = "double"
indent-style = "space"
skip-magic-trailing-comma = false
line-ending = "lf"
docstring-code-format = false
"""

TEXT_SUFFIXES = {".py", ".pyi", ".yaml", ".yml", ".md", ".toml", ".cfg", ".ini", ".sh", ".txt"}
TEXT_NAMES = {"Makefile", "Dockerfile"}
SKIP = {"dvc.lock", "requirements.lock"}
FORMAT_DIRS = ["lutml", "stages", "tests", "scripts"]


def log(msg: str) -> None:
    print(f"relayout: {msg}")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def module_path(repo: Path, dotted: str) -> Path | None:
    """The file or package folder of `dotted` in `repo`, or None."""
    base = repo.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base
    return None


def rebase_file_paths(text: str, delta: int) -> str:
    """`Path(__file__)[.resolve()].parent.parent` -> `.parents[n]` with `delta` more levels."""

    def repl(m: re.Match[str]) -> str:
        levels = int(m.group(4)) + 1 if m.group(4) is not None else m.group(3).count(".parent")
        return f"{m.group(1)}.parents[{levels + delta - 1}]"

    pattern = r"(Path\(__file__\)(\.resolve\(\))?)((?:\.parent(?![\w\[]))+|\.parents\[(\d+)\])"
    return re.sub(pattern, repl, text)


def move_modules(repo: Path) -> list[str]:
    for rel, text in NEW_INITS.items():
        path = repo / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            git(repo, "add", rel)
            log(f"created {rel}")
    moved = []
    for old, new in MOVES.items():
        src, dst = module_path(repo, old), module_path(repo, new)
        if src is None:
            if dst is None:
                log(f"warning: neither {old} nor {new} exists; nothing to move")
            continue
        if dst is not None:
            sys.exit(
                f"relayout: both {src.relative_to(repo)} and {dst.relative_to(repo)} exist; merge them by hand"
            )
        target = repo.joinpath(*new.split("."))
        if src.suffix == ".py":
            target = target.with_suffix(".py")
        if not (target.parent / "__init__.py").is_file():
            sys.exit(f"relayout: {target.parent.relative_to(repo)} is not a package")
        git(repo, "mv", str(src.relative_to(repo)), str(target.relative_to(repo)))
        delta = len(new.split(".")) - len(old.split("."))
        for f in [target] if target.is_file() else sorted(target.rglob("*.py")):
            text = f.read_text(encoding="utf-8")
            if delta and "__file__" in text:
                rebased = rebase_file_paths(text, delta)
                f.write_text(rebased, encoding="utf-8")
                if "__file__" in rebased.replace("Path(__file__).resolve().parents[", "").replace(
                    "Path(__file__).parents[", ""
                ):
                    log(f"warning: check the other __file__ uses in {f.relative_to(repo)}")
        log(f"moved {src.relative_to(repo)} -> {target.relative_to(repo)}")
        moved.append(old)
    return moved


def text_files(repo: Path) -> list[Path]:
    listed = git(repo, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    me = Path(__file__).resolve()
    out = []
    for rel in sorted(set(filter(None, listed))):
        p = Path(rel)
        if p.parts[0] == "data" or p.name in SKIP:
            continue
        if p.suffix in TEXT_SUFFIXES or p.name in TEXT_NAMES or p.parts[0] == ".ci":
            path = repo / p
            if path.is_file() and not path.is_symlink() and path.resolve() != me:
                out.append(path)
    return out


OLD = sorted(MOVES, key=len, reverse=True)
DOTTED = re.compile(r"(?<![\w.])(" + "|".join(re.escape(o) for o in OLD) + r")(?!\w)")
SLASHED = re.compile(
    r"(?<![\w.-])(" + "|".join(re.escape(o.replace(".", "/")) for o in OLD) + r")(\.py\b|/)"
)
FROM_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from[ \t]+(?P<pkg>lutml(?:\.\w+)*)[ \t]+import[ \t]+"
    r"(?:\((?P<paren>[^)]*)\)|(?P<names>[^\n#(]*?))(?P<comment>[ \t]*#[^\n]*)?$",
    re.M,
)


def rewrite_from_import(m: re.Match[str]) -> str:
    """`from lutml.web import registry, jobs` -> `from lutml.web import jobs` +
    `from lutml.web import model_index as registry` (only when a name is a moved module)."""
    pkg = m.group("pkg")
    raw = m.group("paren") if m.group("paren") is not None else m.group("names")
    raw = re.sub(r"#[^\n]*", "", raw)
    names = [n.strip() for n in raw.replace("\n", ",").split(",") if n.strip()]
    if not any(f"{pkg}.{n.split()[0]}" in MOVES for n in names):
        return m.group(0)
    groups: dict[str, list[str]] = {}
    for n in names:
        parts = n.split()
        name, alias = parts[0], (parts[2] if len(parts) == 3 else None)
        full = f"{pkg}.{name}"
        if full in MOVES:
            new_pkg, new_name = MOVES[full].rsplit(".", 1)
            if alias is None and new_name != name:
                alias = name
            groups.setdefault(new_pkg, []).append(new_name + (f" as {alias}" if alias else ""))
        else:
            groups.setdefault(pkg, []).append(n)
    indent, comment = m.group("indent"), m.group("comment") or ""
    lines = [f"{indent}from {p} import {', '.join(ns)}" for p, ns in groups.items()]
    lines[0] += comment
    return "\n".join(lines)


def rewrite_text(text: str) -> str:
    for old, new in ENTRY_POINTS.items():
        text = re.sub(
            rf"(-m[ \t]+){re.escape(old)}(?!\w)", lambda m, n=new: m.group(1) + " ".join(n), text
        )
        quoted = ", ".join(f'"{part}"' for part in new)
        text = re.sub(
            rf"""(["']-m["'],[ \t]*)["']{re.escape(old)}["']""",
            lambda m, q=quoted: m.group(1) + q,
            text,
        )
    text = FROM_IMPORT.sub(rewrite_from_import, text)
    text = DOTTED.sub(lambda m: MOVES[m.group(1)], text)
    return SLASHED.sub(
        lambda m: MOVES[m.group(1).replace("/", ".")].replace(".", "/") + m.group(2), text
    )


def rewrite_references(repo: Path) -> None:
    relative = re.compile(r"^\s*from\s+(\.+)(\w*(?:\.\w+)*)\s+import\s+(.+)$", re.M)
    leaves = {o.rsplit(".", 1)[1] for o in MOVES}
    for path in text_files(repo):
        text = path.read_text(encoding="utf-8")
        new = rewrite_text(text)
        if path.suffix == ".py":
            for m in relative.finditer(new):
                words = set(re.findall(r"\w+", m.group(2) + " " + m.group(3)))
                if words & leaves:
                    sys.exit(
                        f"relayout: rewrite this relative import by hand, then re-run: "
                        f"{path.relative_to(repo)}: {m.group(0).strip()}"
                    )
        if new != text:
            path.write_text(new, encoding="utf-8")
            log(f"rewrote references in {path.relative_to(repo)}")


def fix_dvc_deps(repo: Path, width: int = 118) -> None:
    """Each flow-style `deps: [...]`: add `lutml/pipeline/__init__.py` where needed, drop deps that
    lie inside another dep of the list, and re-wrap the lists that changed."""
    path = repo / "dvc.yaml"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")

    def repl(m: re.Match[str]) -> str:
        items = [i.strip() for i in m.group(3).split(",") if i.strip()]
        new = list(items)
        if any(i.startswith("lutml/pipeline/") for i in new) and not {
            "lutml/pipeline",
            "lutml/pipeline/__init__.py",
        } & set(new):
            at = new.index("lutml/__init__.py") + 1 if "lutml/__init__.py" in new else len(new)
            new.insert(at, "lutml/pipeline/__init__.py")
        new = [
            i
            for i in new
            if not (
                i.startswith("lutml/")
                and any(d != i and i.startswith(d.rstrip("/") + "/") for d in new)
            )
        ]
        if new == items and all(len(line) <= width for line in m.group(0).splitlines()):
            return m.group(0)
        head = m.group(1) + m.group(2)
        indent = " " * len(head)
        lines, line = [], head
        for n, item in enumerate(new):
            piece = item + ("," if n < len(new) - 1 else "]")
            if line not in (head,) and len(line) + 1 + len(piece) > width:
                lines.append(line.rstrip())
                line = indent
            line += ("" if line in (head, indent) else " ") + piece
        lines.append(line)
        return "\n".join(lines)

    new = re.sub(r"^([ \t]*deps:[ \t]*)(\[)([^\]]*)\]", repl, text, flags=re.M)
    if re.search(r"^[ \t]*deps:[ \t]*$", new, re.M):
        log(
            "warning: dvc.yaml has block-style deps lists; check them by hand (tests/test_dvc_deps.py)"
        )
    if new != text:
        path.write_text(new, encoding="utf-8")
        log("dvc.yaml deps: pipeline package added, redundant deps dropped")


def edit(repo: Path, rel: str, fn, what: str) -> None:
    path = repo / rel
    if not path.is_file():
        log(f"warning: {rel} not found; skipped: {what}")
        return
    text = path.read_text(encoding="utf-8")
    new = fn(text)
    if new is None:
        log(f"warning: {rel}: could not apply: {what}; do it by hand")
    elif new != text:
        path.write_text(new, encoding="utf-8")
        log(f"{rel}: {what}")


def guarded_edits(repo: Path) -> None:
    def subpackages(text: str) -> str | None:
        m = re.search(r"SUBPACKAGES = \(([^)]*)\)", text)
        if m is None:
            return None
        names = set(re.findall(r"[\"'](\w+)[\"']", m.group(1)))
        names |= {p.parent.name for p in (repo / "lutml").glob("*/__init__.py")} & {"pipeline"}
        new = "SUBPACKAGES = (" + ", ".join(f'"{n}"' for n in sorted(names)) + ")"
        return text[: m.start()] + new + text[m.end() :]

    edit(repo, "tests/test_foundation.py", subpackages, "SUBPACKAGES lists lutml/pipeline")

    def dispatcher(text: str) -> str | None:
        if "raise SystemExit(module.main(" in text:
            return text
        new = re.sub(
            r"^(\s*)module\.main\((sys\.argv\[2:\])\)$",
            r"\1raise SystemExit(module.main(\2))",
            text,
            flags=re.M,
        )
        return new if new != text else None

    edit(
        repo,
        "lutml/bench/__main__.py",
        dispatcher,
        "the benchmark's return value is the exit status",
    )

    def bench_doc(text: str) -> str | None:
        names = sorted(
            p.stem for p in (repo / "lutml" / "bench").glob("*.py") if not p.stem.startswith("_")
        )
        new = re.sub(
            r"(`python -m lutml\.bench NAME` )\([^)]*\)",
            lambda m: m.group(1) + f"({', '.join(names)})",
            text,
        )
        return new if "`python -m lutml.bench NAME` (" in new else None

    edit(repo, "lutml/bench/__init__.py", bench_doc, "docstring lists the benchmarks")

    def readme(text: str) -> str | None:
        m = re.search(r"^lutml/ {5}the library:.*\n(?: {11}\S.*\n)*", text, re.M)
        if m is None:
            return None
        return (
            text
            if m.group(0) == README_LAYOUT
            else text[: m.start()] + README_LAYOUT + text[m.end() :]
        )

    edit(repo, "README.md", readme, "Layout block names lutml/pipeline/")

    init = repo / "lutml" / "models" / "__init__.py"
    if init.is_file() and not re.search(r"^MODELS\b", init.read_text(encoding="utf-8"), re.M):
        log(
            "warning: lutml.models has no MODELS table (MODEL_KINDS and GENERATORS one table): "
            "cherry-pick the commit 'models: one table of model names' first"
        )


def find_ruff(given: str | None) -> str:
    for cand in (given, str(Path(sys.executable).parent / "ruff"), shutil.which("ruff")):
        if cand and os.access(cand, os.X_OK):
            return cand
    sys.exit("relayout: ruff not found; pass --ruff PATH")


def ruff(repo: Path, exe: str, *args: str, check: bool = True) -> int:
    dirs = [d for d in FORMAT_DIRS if (repo / d).is_dir()]
    proc = subprocess.run([exe, *args, *dirs], cwd=repo, capture_output=True, text=True)
    out = (proc.stdout + proc.stderr).strip()
    if out:
        log(f"ruff {' '.join(args)}: {out.splitlines()[-1]}")
    if check and proc.returncode:
        print(proc.stdout + proc.stderr)
    return proc.returncode


def adopt_format(repo: Path, exe: str) -> None:
    def pyproject(text: str) -> str | None:
        if "[tool.ruff.format]" in text:
            return text
        m = re.search(r"^\[tool\.ruff\]\n(?:(?!\[).*\n)*", text, re.M)
        if m is None:
            return None
        block = m.group(0).rstrip("\n") + "\n\n"
        return (
            text[: m.start()]
            + block
            + RUFF_FORMAT
            + ("\n" if text[m.end() :].strip() else "")
            + text[m.end() :].lstrip("\n")
        )

    edit(repo, "pyproject.toml", pyproject, "[tool.ruff.format] settings")

    def makefile(text: str) -> str | None:
        if "ruff format --check" in text:
            return text
        m = re.search(r"^lint:.*\n((?:\t.*\n)*?)(\t(.*)ruff check (.*)\n)", text, re.M)
        if m is None:
            return None
        line = f"\t{m.group(3)}ruff format --check {m.group(4)}\n"
        return text[: m.end()] + line + text[m.end() :]

    edit(repo, "Makefile", makefile, "lint target runs ruff format --check")

    skip = re.compile(r"[ \t]*#[ \t]*fmt:[ \t]*skip[ \t]*$", re.M)
    for d in FORMAT_DIRS:
        for path in sorted((repo / d).rglob("*.py")) if (repo / d).is_dir() else []:
            text = path.read_text(encoding="utf-8")
            new = skip.sub("", text)
            if new != text:
                path.write_text(new, encoding="utf-8")
                log(f"removed {len(skip.findall(text))} '# fmt: skip' in {path.relative_to(repo)}")
    ruff(repo, exe, "format")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--repo",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout to change",
    )
    ap.add_argument("--no-format", action="store_true", help="layout only: no ruff format adoption")
    ap.add_argument("--ruff", help="ruff executable (default: next to this Python, else on PATH)")
    args = ap.parse_args(argv)
    repo = args.repo.resolve()
    if not (repo / "lutml" / "__init__.py").is_file():
        sys.exit(f"relayout: {repo} is not a lutml checkout")
    exe = find_ruff(args.ruff)
    move_modules(repo)
    rewrite_references(repo)
    fix_dvc_deps(repo)
    guarded_edits(repo)
    ruff(repo, exe, "check", "--select", "I", "--fix", check=False)
    if not args.no_format:
        adopt_format(repo, exe)
    rc = ruff(repo, exe, "check")
    log("ruff check passes" if rc == 0 else "ruff check FAILS: fix the above by hand")
    return rc


if __name__ == "__main__":
    sys.exit(main())
