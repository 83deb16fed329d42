"""An audit file written by schema version 1 opens upgraded: 64-bit backlink counts, flags and
anchors a provider never reported marked unknown, and the deduplicating view of backlinks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from linkflow.store import Store
from linkflow.store.migrations import SCHEMA_VERSION

V1 = Path(__file__).with_name("schema_v1.sql")
SITE = "https://www.example.com"
NOW = datetime(2026, 1, 5)


def _v1_file(path: Path) -> None:
    """What linkflow wrote with schema 1: an Ahrefs and a Search Console links import whose
    linking pages are the same, GSC's flags stored as FALSE and empty anchors as NULL."""
    con = duckdb.connect(str(path))
    con.execute(V1.read_text(encoding="utf-8"))
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for import_id, provider in ((1, "ahrefs"), (2, "gsc")):
        con.execute(
            "INSERT INTO imports (id, path, kind, provider, report, site, rows, imported_at) "
            "VALUES (?, ?, 'backlinks', ?, 'links', 'self', 2, ?)",
            [import_id, f"{provider}.csv", provider, NOW],
        )
    rows = [
        (1, "ahrefs", "https://a.example.org/1", SITE + "/x", "sheds", True, False),
        (1, "ahrefs", "https://b.example.org/2", SITE + "/y", None, False, True),
        (2, "gsc", "https://a.example.org/1", "", None, False, False),
        (2, "gsc", "https://b.example.org/2", "", None, False, False),
    ]
    for import_id, provider, source, target, anchor, nofollow, lost in rows:
        con.execute(
            "INSERT INTO backlinks (import_id, provider, source_url, source_domain, target_url, "
            "anchor, nofollow, sponsored, ugc, is_image, lost, source_outlinks) "
            "VALUES (?, ?, ?, 'example.org', ?, ?, ?, FALSE, FALSE, FALSE, ?, 7)",
            [import_id, provider, source, target, anchor, nofollow, lost],
        )
    con.close()


def test_a_version_1_file_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    _v1_file(path)
    with Store.open(path) as store:
        assert store.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(
            SCHEMA_VERSION
        )
        types = dict(
            store.rows(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'backlinks' AND column_name IN "
                "('source_outlinks', 'links_in_group')"
            )
        )
        assert types == {"source_outlinks": "BIGINT", "links_in_group": "BIGINT"}
        gsc = store.rows(
            "SELECT DISTINCT nofollow, lost, anchor FROM backlinks WHERE import_id = 2"
        )
        assert gsc == [(None, None, None)]  # Search Console says none of these
        assert store.scalar("SELECT anchor FROM backlinks WHERE source_url LIKE '%b.example%' "
                            "AND import_id = 1") == ""  # fmt: skip
        # The raw rows stay; the view counts each link once, Ahrefs' flags intact.
        assert store.count("backlinks") == 4
        edges = store.rows(
            "SELECT source_url, target_url, providers, nofollow, lost, anchor "
            "FROM backlink_edges ORDER BY source_url"
        )
        assert edges == [
            ("https://a.example.org/1", SITE + "/x", "ahrefs,gsc", True, False, "sheds"),
            ("https://b.example.org/2", SITE + "/y", "ahrefs,gsc", False, True, ""),
        ]
        store.append(
            "backlinks",
            [{"import_id": 1, "provider": "ahrefs", "source_url": "https://c.example.org/",
              "target_url": SITE + "/", "source_outlinks": 3_000_000_000}],
        )  # fmt: skip
        assert store.scalar("SELECT max(source_outlinks) FROM backlinks") == 3_000_000_000


def test_an_upgraded_file_defines_backlinks_as_a_new_one_does(tmp_path: Path) -> None:
    old, new = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    _v1_file(old)
    views = []
    for path in (old, new):
        with Store.open(path) as store:
            sql = store.scalar("SELECT sql FROM duckdb_views() WHERE view_name = 'backlink_edges'")
            views.append(" ".join(str(sql).replace("IF NOT EXISTS ", "").split()))
    assert views[0] == views[1]
