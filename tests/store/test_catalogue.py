"""The catalogue questions (columns of a table, whether it has rows), asked once or many times."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.store import Store
from linkflow.store.export import catalogue_snapshot, has_rows, table_columns


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "audit.duckdb")
    s.execute("CREATE TABLE extra (b VARCHAR, a DOUBLE)")
    s.execute("CREATE TABLE filled AS SELECT 1 AS x")
    yield s
    s.close()


def test_a_snapshot_answers_as_the_file_does(store: Store) -> None:
    with catalogue_snapshot(store):
        assert table_columns(store, "extra") == [("b", "VARCHAR"), ("a", "DOUBLE")]
        assert table_columns(store, "missing") == []
        assert has_rows(store, "filled")
        assert not has_rows(store, "extra")
        assert not has_rows(store, "missing")
        columns = {t: table_columns(store, t) for t in ("links", "pages", "crawls", "filled")}
    assert columns == {t: table_columns(store, t) for t in columns}
    assert ("src_id", "INTEGER") in columns["links"]


def test_a_snapshot_is_taken_when_the_block_starts(store: Store, tmp_path: Path) -> None:
    with catalogue_snapshot(store):
        assert not has_rows(store, "extra")
        store.execute("CREATE TABLE later (x INTEGER)")
        store.execute("INSERT INTO extra VALUES ('x', 1.0)")
        assert table_columns(store, "later") == []  # not seen inside the block, by contract
        assert not has_rows(store, "extra")
        with Store.open(tmp_path / "other.duckdb") as other:  # another store is asked as ever
            assert table_columns(other, "extra") == []
            assert table_columns(other, "crawls")
    assert table_columns(store, "later") == [("x", "INTEGER")]
    assert has_rows(store, "extra")
