"""Schema version 3: an audit file written before the authority flow upgrades in place."""

from __future__ import annotations

from pathlib import Path

import pytest

import linkflow.store.db as db
from linkflow.store import Store
from linkflow.store.export import table_columns
from linkflow.store.migrations import MIGRATIONS, SCHEMA_VERSION

FLOW_COLUMNS = {"flow", "flow_score", "flow_in", "trapped"}
FLOW_TABLES = ("flow_paths", "verdict", "actions")


def _as_version_2(path: Path) -> None:
    """A file as schema version 2 left the flow's part: authority columns, no flow tables
    (later steps' changes are of other tables and stay)."""
    with Store.open(path) as store:
        store.append("urls", [{"id": 0, "url": "https://site.test/", "host": "site.test",
                               "path": "/"}])  # fmt: skip
        store.append("page_metrics", [{"crawl_id": 1, "url_id": 0, "url": "https://site.test/",
                                       "equity": 1.0}])  # fmt: skip
        for table in FLOW_TABLES:
            store.execute(f"DROP TABLE {table}")
        for column in sorted(FLOW_COLUMNS):
            store.execute(f"ALTER TABLE page_metrics DROP COLUMN {column}")
        store.execute("ALTER TABLE page_metrics ADD COLUMN authority DOUBLE")
        store.execute("ALTER TABLE page_metrics ADD COLUMN authority_score DOUBLE")
        store.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


@pytest.fixture
def upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A version-2 file opened by a linkflow whose newest step is 3."""
    path = tmp_path / "old.duckdb"
    _as_version_2(path)
    monkeypatch.setattr(db, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(db, "MIGRATIONS", {k: v for k, v in MIGRATIONS.items() if k <= 3})
    Store.open(path).close()
    return path


def test_a_version_2_file_gains_the_flow_columns_and_tables(upgraded: Path) -> None:
    assert SCHEMA_VERSION >= 3
    with Store.open(upgraded, read_only=True) as store:
        columns = {name for name, _ in table_columns(store, "page_metrics")}
        assert columns >= FLOW_COLUMNS
        assert not columns & {"authority", "authority_score"}
        for table in FLOW_TABLES:
            assert table_columns(store, table), table
        assert store.read("page_metrics").to_pylist()[0]["equity"] == 1.0  # rows survive
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == "3"


def test_an_upgraded_file_has_the_tables_of_a_new_one(upgraded: Path, tmp_path: Path) -> None:
    with (
        Store.open(upgraded, read_only=True) as old,
        Store.open(tmp_path / "new.duckdb") as new,
    ):
        for table in (*FLOW_TABLES, "page_metrics"):
            assert dict(table_columns(old, table)) == dict(table_columns(new, table)), table


def test_step_3_alone_turns_version_2_tables_into_version_3(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.duckdb") as new:
        expected = {t: table_columns(new, t) for t in FLOW_TABLES}
    with Store.open(tmp_path / "new.duckdb") as store:
        for table in FLOW_TABLES:
            store.execute(f"DROP TABLE {table}")
        for column in sorted(FLOW_COLUMNS):
            store.execute(f"ALTER TABLE page_metrics DROP COLUMN {column}")
        store.execute("ALTER TABLE page_metrics ADD COLUMN authority DOUBLE")
        store.execute("ALTER TABLE page_metrics ADD COLUMN authority_score DOUBLE")
        store.execute(MIGRATIONS[3])
        assert {t: table_columns(store, t) for t in FLOW_TABLES} == expected
        columns = {name for name, _ in table_columns(store, "page_metrics")}
        assert columns >= FLOW_COLUMNS
