"""The package layout: imports flow one way, modules stay small, the public API is pinned."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import linkflow

PACKAGE = Path(linkflow.__file__).parent

# Earlier layers never import later ones; packages in the same layer do not import each other.
LAYERS: list[set[str]] = [
    {"errors", "heap"},
    {"encodings"},
    {"settings", "models", "urls", "robotstxt", "progress"},
    {"linkrows"},
    {"extract"},
    {"store"},
    {"crawl", "ingest"},
    {"graph"},
    {"analyses", "engines"},
    {"authority"},
    {"recommend"},
    {"report"},
    {"demo"},
    {"audit"},
    {"cli"},
    {"__main__", "__init__"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported_units(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "linkflow" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "demo/site" not in str(p))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path: Path) -> None:
    unit = _unit(path)
    assert unit in RANK, f"{unit} is not placed in a layer of tests/test_layout.py"
    for other in _imported_units(path) - {unit}:
        assert other in RANK, f"{path}: imports unknown unit linkflow.{other}"
        assert RANK[other] < RANK[unit], (
            f"{path.relative_to(PACKAGE)} ({unit}) imports linkflow.{other}, a later or "
            "sibling stage"
        )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{path.relative_to(PACKAGE)} has {lines} lines; split it along a seam"


def test_public_api_is_sorted_and_importable() -> None:
    assert list(linkflow.__all__) == sorted(linkflow.__all__)
    for name in linkflow.__all__:
        assert getattr(linkflow, name) is not None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, lazy ones inside functions included, except those under
    ``if TYPE_CHECKING:`` (they never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in skip
    ]


def _module_graph() -> nx.DiGraph:
    """linkflow's modules and the modules each one imports when it runs."""
    names = {_module_name(p) for p in MODULES}
    graph = nx.DiGraph()
    for path in MODULES:
        this = _module_name(path)
        graph.add_node(this)
        package = this if path.name == "__init__.py" else this.rpartition(".")[0]
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod.
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in names else base for a in node.names
                ]
            graph.add_edges_from((this, t) for t in targets if t in names and t != this)
    return graph


def test_no_module_import_cycles() -> None:
    cycles = list(nx.simple_cycles(_module_graph()))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_only_the_store_touches_the_connection() -> None:
    offenders = []
    for path in MODULES:
        if _unit(path) == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"con", "_lock"}:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
    assert not offenders, offenders


def test_the_store_is_plumbing_only() -> None:
    """Stages keep their SQL beside their code: the store holds connection, schema, migrations
    and generic readers/writers, and stays small."""
    store = [p for p in MODULES if _unit(p) == "store"]
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in store)
    assert lines <= 900, f"linkflow/store/ has {lines} lines of Python; a stage's rules moved in?"
