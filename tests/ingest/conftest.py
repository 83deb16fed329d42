from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.store import Store

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"
ORIGIN = "https://www.example.com"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as s:
        yield s


def export(name: str) -> Path:
    return EXPORTS / name
