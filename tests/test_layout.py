"""The package layout: imports flow one way, modules stay small, the public API is pinned."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import linkflow

PACKAGE = Path(linkflow.__file__).parent

# Earlier layers never import later ones; packages in the same layer do not import each other.
LAYERS: list[set[str]] = [
    {"errors"},
    {"settings", "models", "urls"},
    {"extract"},
    {"store"},
    {"crawl", "ingest"},
    {"graph"},
    {"analyses", "engines"},
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
