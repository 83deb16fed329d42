"""A file written before pages had ``schema_types`` opens with the column, its pages kept."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from linkflow.store import Store, db
from linkflow.store.export import table_columns
from linkflow.store.migrations import MIGRATIONS


def test_pages_of_an_older_file_get_the_schema_types_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is taken back to the version before that step and opened by a linkflow whose
    # newest step is that one: later steps, which this file already has, stay out of it.
    step = next(v for v, sql in MIGRATIONS.items() if "ADD COLUMN schema_types" in sql)
    monkeypatch.setattr(db, "SCHEMA_VERSION", step)
    fresh, old = tmp_path / "fresh.duckdb", tmp_path / "old.duckdb"
    with Store.open(fresh) as store:
        want = table_columns(store, "pages")
    assert ("schema_types", "VARCHAR") in want
    Store.open(old).close()
    con = duckdb.connect(str(old))
    con.execute("ALTER TABLE pages DROP COLUMN schema_types")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(step - 1)])
    con.execute("INSERT INTO pages (crawl_id, url_id, status, title) VALUES (1, 0, 200, 'Home')")
    con.close()
    with Store.open(old) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(step)
        assert table_columns(store, "pages") == want
        assert store.rows("SELECT url_id, title, schema_types FROM pages") == [(0, "Home", None)]
