"""The house rules of the package, checked on its source: layers, cycles, a light import.

Data flows one way: schema -> model -> storage -> authoring -> validation -> agreement
-> release / views / labelstudio -> publish -> actions -> cli. A module may import only
from its own subpackage or from a lower layer, never lazily from inside a function, and
no two modules may import each other, however indirectly.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "hmeimim"
# The layers, lowest first; a unit may import from any unit of a lower layer.
LAYERS: list[set[str]] = [
    {"errors", "paths", "progress"},
    {"model", "schema"},
    {"storage"},
    {"authoring"},
    {"validation"},
    {"agreement"},
    {"release", "views", "labelstudio", "render"},
    {"publish"},
    {"actions"},
    {"cli"},
    {"__main__", "__init__"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
# Same-layer imports that are part of the design (publish reads diffs for the changelog
# and the mapping for the labeling config, so it sits above both; these are the only ones).
SUBPACKAGES = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(("hmeimim", *parts))] = path
    return found


def _unit(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """hmeimim modules imported at module level, and those imported inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    nested: list[str] = []
    type_checking = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    functions = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(node)
    }
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name != "hmeimim" and not name.startswith("hmeimim."):
                continue
            if id(node) in functions:
                nested.append(name)
            elif id(node) not in type_checking:
                top.add(name)
    return top, nested


def test_every_subpackage_has_a_layer() -> None:
    top_level = {p.stem for p in PACKAGE.glob("*.py")}
    assert SUBPACKAGES | top_level <= set(RANK), (SUBPACKAGES | top_level) - set(RANK)


def test_imports_only_go_down_the_layers() -> None:
    wrong = []
    for module, path in _modules().items():
        unit = _unit(module)
        top, nested = _imports(path)
        for imported in top | set(nested):
            target = _unit(imported)
            if target != unit and RANK[target] >= RANK[unit]:
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


# The entry points import each command's modules when the command runs, so that a
# `validate` does not start by loading ingest, Label Studio and rendering. Their nested
# imports still count in the layer check above; nowhere else may a function import.
LAZY_ENTRY_POINTS = {"hmeimim.cli", "hmeimim.actions"}


def test_no_import_inside_a_function_hides_a_dependency() -> None:
    nested = {module: _imports(path)[1] for module, path in _modules().items()}
    assert {m: n for m, n in nested.items() if n and m not in LAZY_ENTRY_POINTS} == {}


def test_the_cli_starts_without_the_modules_validate_does_not_use() -> None:
    probe = (
        "import sys, hmeimim.cli; "
        "print(','.join(sorted(m for m in ('datasketch', 'trafilatura', 'scipy', "
        "'label_studio_sdk', 'hmeimim.labelstudio.importer', 'hmeimim.authoring.ingest', "
        "'hmeimim.render.site', 'pyarrow', 'duckdb') if m in sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == ""


def test_no_import_cycle() -> None:
    modules = _modules()
    graph = {m: {i for i in _imports(p)[0] if i in modules} for m, p in modules.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_import_hmeimim_is_light_and_portable() -> None:
    probe = (
        "import sys, hmeimim; "
        "heavy = sorted(m for m in ('pyarrow', 'datasets', 'pandas', 'spacy', 'fcntl', "
        "'label_studio_sdk', 'hmeimim.cli') if m in sys.modules); "
        "print(','.join(heavy)); print(len(hmeimim.__all__))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    heavy, count = run.stdout.split("\n")[:2]
    assert heavy == ""
    assert int(count) > 50


def test_every_public_name_resolves_lazily() -> None:
    import hmeimim

    for name in hmeimim.__all__:
        assert getattr(hmeimim, name) is not None, name
    assert sorted(hmeimim.__all__) == sorted(set(hmeimim.__all__))


def test_cli_module_holds_parsing_only() -> None:
    """The CLI defines no logic of its own: every command body calls library functions."""
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    handlers = [n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)]
    # The one error boundary is the only place that catches anything.
    assert len(handlers) == 1
    assert ast.unparse(handlers[0].type) == "HmeimimError"
