"""Schema version 8: an audit file without ``page_metrics.trapped_low_value`` upgrades."""

from __future__ import annotations

from pathlib import Path

import pytest

import linkflow.store.db as db
from linkflow.store import Store
from linkflow.store.export import table_columns
from linkflow.store.migrations import MIGRATIONS


def test_a_file_without_trapped_low_value_gets_the_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = next(v for v, sql in MIGRATIONS.items() if "trapped_low_value" in sql)
    monkeypatch.setattr(db, "SCHEMA_VERSION", step)
    path = tmp_path / "old.duckdb"
    with Store.open(path) as store:
        store.append("page_metrics", [{"crawl_id": 1, "url_id": 0, "url": "https://a.test/",
                                       "flow_in": 0.1, "trapped": 0.05}])  # fmt: skip
        store.execute("ALTER TABLE page_metrics DROP COLUMN trapped_low_value")
        store.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(step - 1)])
    with Store.open(path) as store:
        assert "trapped_low_value" in {name for name, _ in table_columns(store, "page_metrics")}
        assert store.rows("SELECT trapped, trapped_low_value FROM page_metrics") == [(0.05, None)]
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(step)
