"""lutml's internal import graph: no import circles, and floors that read top-down.

The graph is read from the source with the stdlib `ast` (nothing is imported): every `import` and
`from ... import` anywhere in a module counts, at module level and inside functions, classes and
`if TYPE_CHECKING:` blocks alike (an import inside a function is still an arrow a reader and a
refactoring must follow), plus `importlib.import_module("literal")` calls. An import of
`lutml.a.b` is an arrow to the module `lutml.a.b`; `from lutml.a import b` is an arrow to the
module `lutml.a.b` where that is a module, else to `lutml.a` (its `__init__`). Relative imports are
resolved against the importing module's package.

A circle is a strongly connected component of that graph with more than one module (or a module
importing itself); there are none, and a new one fails the test. Nor are there circles between
lutml's subpackages and top-level modules (a subpackage that imports another one through some
module is never imported back by it). Two floors are checked by name: `lutml.config` (the typed
configuration) is the ground floor and imports nothing of lutml outside itself, and
`lutml.pipeline` (the stages' glue) stands on top: the library below it (`LOWER_FLOORS`) never
imports it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "lutml"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

#: The ground floor: it imports only itself (and the standard library, NumPy, OmegaConf).
GROUND = "lutml.config"
#: Stage glue, on top of the library: none of `LOWER_FLOORS` imports it.
TOP = "lutml.pipeline"
LOWER_FLOORS = (
    "lutml.config",
    "lutml.data",
    "lutml.models",
    "lutml.train",
    "lutml.fit",
    "lutml.lut",
)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The lutml module `name` is, or the closest package above it; None outside lutml."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The lutml modules that `module` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        names: Iterable[str] = ()
        if isinstance(node, ast.Import):
            names = (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                # level 1 is the module's own package (the module itself for an __init__)
                keep = len(base) - node.level + (1 if is_package else 0)
                prefix = ".".join(base[:keep])
                base_name = f"{prefix}.{node.module}" if node.module else prefix
            else:
                base_name = node.module or ""
            # `from a import b`: the module a.b where it is one, else a itself
            names = [
                f"{base_name}.{alias.name}" if f"{base_name}.{alias.name}" in known else base_name
                for alias in node.names
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                target = _resolve(name, known)
                if target is not None:
                    targets.add(target)
    return targets


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with a circle in them (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(frozenset(component))
    return found


def _show(circle: frozenset[str], graph: dict[str, set[str]]) -> str:
    arrows = sorted(f"{a} -> {b}" for a in circle for b in graph[a] if b in circle)
    return "{" + ", ".join(sorted(circle)) + "}: " + "; ".join(arrows)


def test_graph_is_read() -> None:
    graph = import_graph()
    assert len(graph) > 20 and {"lutml", "lutml.lut", "lutml.cli"} <= graph.keys()
    assert sum(map(len, graph.values())) > len(graph), "too few arrows: is the graph read?"
    assert all(t in graph for targets in graph.values() for t in targets)


def test_circles_on_synthetic_graphs() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [frozenset({"a", "b"})]
    assert circles({"a": {"a"}}) == [frozenset({"a"})]
    two = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d"}}
    assert sorted(map(sorted, circles(two))) == [["a", "b", "c"], ["d", "e"]]


def test_relative_imports_resolve(tmp_path: Path) -> None:
    known = dict.fromkeys(["lutml", "lutml.pkg", "lutml.pkg.a", "lutml.pkg.b", "lutml.c"], ROOT)
    src = tmp_path / "a.py"
    src.write_text("from . import b\nfrom ..c import x\n")
    assert imports_of("lutml.pkg.a", src, known) == {"lutml.pkg.b", "lutml.c"}
    # function-level, TYPE_CHECKING and importlib imports count like module-level ones
    src.write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    import lutml.c\n"
        "def f():\n    from .b import y\n"
        "def g():\n    importlib.import_module('lutml.pkg')\n"
    )
    assert imports_of("lutml.pkg.a", src, known) == {"lutml.pkg.b", "lutml.c", "lutml.pkg"}
    init = tmp_path / "__init__.py"
    init.write_text("from .a import thing\nfrom . import b\n")
    assert imports_of("lutml.pkg", init, known) == {"lutml.pkg.a", "lutml.pkg.b"}


def test_no_import_circles() -> None:
    graph = import_graph()
    found = circles(graph)
    assert not found, "import circles in lutml (break them):\n" + "\n".join(
        _show(c, graph) for c in found
    )


def unit(module: str) -> str:
    """The top-level unit of lutml a module belongs to: its subpackage or top-level module."""
    return ".".join(module.split(".")[:2])


def unit_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Arrows between lutml's subpackages and top-level modules (the package `lutml` left out)."""
    units: dict[str, set[str]] = {unit(m): set() for m in graph if m != PACKAGE}
    for a, targets in graph.items():
        for b in targets:
            if a != PACKAGE and b != PACKAGE and unit(a) != unit(b):
                units[unit(a)].add(unit(b))
    return units


def test_no_circles_between_subpackages() -> None:
    """Floors: no subpackage (or top-level module) reaches back to one that imports it, even
    through different modules (lutml.fit.basis -> lutml.data, lutml.data.x -> lutml.fit would)."""
    graph = import_graph()
    units = unit_graph(graph)
    found = circles(units)
    shown = [
        _show(c, units)
        + " ("
        + "; ".join(_arrows(graph, lambda a, c=c: unit(a) in c, lambda b, c=c: unit(b) in c))
        + ")"
        for c in found
    ]
    assert not found, "circles between lutml's subpackages:\n" + "\n".join(shown)


def _arrows(graph: dict[str, set[str]], source, target) -> list[str]:
    return sorted(f"{a} -> {b}" for a in graph if source(a) for b in graph[a] if target(b))


def test_config_is_the_ground_floor() -> None:
    graph = import_graph()
    assert {f"{GROUND}.stages", f"{GROUND}.validators"} <= graph.keys()
    up = _arrows(graph, lambda a: _within(a, GROUND), lambda b: not _within(b, GROUND))
    assert not up, f"{GROUND} imports lutml outside itself: {up}"


def test_pipeline_is_not_imported_by_the_library_below_it() -> None:
    graph = import_graph()
    below = lambda m: any(_within(m, floor) for floor in LOWER_FLOORS)  # noqa: E731
    up = _arrows(graph, below, lambda b: _within(b, TOP))
    assert not up, f"{', '.join(LOWER_FLOORS)} must not import {TOP}: {up}"


def test_floor_checks_see_an_upward_arrow() -> None:
    graph = {"lutml.config.a": {"lutml.data.b"}, "lutml.data.b": {"lutml.pipeline.c"}}
    assert _arrows(graph, lambda a: _within(a, GROUND), lambda b: not _within(b, GROUND)) == [
        "lutml.config.a -> lutml.data.b"
    ]
    assert not _within("lutml.configs", GROUND) and _within("lutml.config", GROUND)
    two_way = {
        "lutml.fit.a": {"lutml.data.b"},
        "lutml.data.b": {"lutml.fit.c"},
        "lutml.fit.c": set(),
    }
    assert circles(two_way) == []  # no module circle, but the subpackages import each other
    assert circles(unit_graph(two_way)) == [frozenset({"lutml.fit", "lutml.data"})]
