"""A read-only command on a file an older linkflow wrote upgrades it once, then reads."""

from __future__ import annotations

from pathlib import Path

import duckdb

from linkflow.store import Store
from linkflow.store.migrations import SCHEMA_VERSION

V1 = Path(__file__).parent.parent / "ingest" / "schema_v1.sql"


def _v1_file(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(V1.read_text(encoding="utf-8"))
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.close()


def test_a_reader_of_an_old_file_gets_it_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    _v1_file(path)
    with Store.open(path, read_only=True) as store:
        assert store.read_only
        version = store.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version == str(SCHEMA_VERSION)
