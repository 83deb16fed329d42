"""The audit store: round trips, URL ids, transactions, schema versions, crash safety."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.errors import SchemaVersionError, StoreError
from linkflow.store import TABLES, Store
from linkflow.store.migrations import SCHEMA_VERSION

text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
link_rows = st.lists(
    st.fixed_dictionaries(
        {
            "crawl_id": st.integers(1, 3),
            "src_id": st.integers(0, 2**31 - 1),
            "dst_id": st.integers(0, 2**31 - 1),
            "ordinal": st.integers(0, 10_000),
            "anchor": st.none() | text,
            "rel_nofollow": st.booleans(),
            "position": st.sampled_from(["content", "nav", "footer", "other"]),
            "template_share": st.none() | st.floats(0, 1, width=32),
        }
    ),
    max_size=30,
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "audit.duckdb")
    yield s
    s.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=link_rows)
def test_links_round_trip(store: Store, rows: list[dict[str, object]]) -> None:
    store.delete("links")
    store.append("links", rows)
    got = store.query(
        "SELECT crawl_id, src_id, dst_id, ordinal, anchor, rel_nofollow, position, template_share "
        "FROM links"
    ).to_pylist()
    key = lambda r: (r["crawl_id"], r["src_id"], r["dst_id"], r["ordinal"], str(r["anchor"]))  # noqa: E731
    assert sorted(got, key=key) == sorted(rows, key=key)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(urls=st.lists(st.from_regex(r"https://[a-c]\.example/[a-z0-9/]{0,12}", fullmatch=True)))
def test_url_ids_are_dense_stable_and_unique(store: Store, urls: list[str]) -> None:
    ids = store.url_ids(urls)
    again = store.url_ids(urls)
    assert ids == again
    assert len(set(ids)) == len(set(urls))
    total = store.count("urls")
    table = store.read("urls", ["id", "url"]).to_pylist()
    assert sorted(r["id"] for r in table) == list(range(total))
    assert len({r["url"] for r in table}) == total
    assert store.urls_by_id(ids) == urls


def test_url_ids_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with Store.open(path) as s:
        first = s.url_ids(["https://x.example/", "https://x.example/a"])
    with Store.open(path) as s:
        assert s.url_ids(["https://x.example/a", "https://x.example/b"]) == [first[1], 2]


def test_transaction_rolls_back_rows_and_url_ids(store: Store) -> None:
    store.url_ids(["https://x.example/"])
    finding = {"crawl_id": 1, "kind": "k", "severity": "low", "detail": "d", "why": "w"}

    def failing_work() -> None:
        with store.transaction():
            store.url_ids(["https://x.example/lost"])
            store.append("findings", [finding])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_work()
    assert store.count("findings") == 0
    assert store.lookup_url_ids(["https://x.example/lost"]) == [None]
    assert store.url_ids(["https://x.example/next"]) == [1]


def test_replace_is_scoped_to_where(store: Store) -> None:
    row = {"kind": "k", "severity": "low", "detail": "d", "why": "w"}
    store.append("findings", [{**row, "crawl_id": 1}, {**row, "crawl_id": 2}])
    store.replace("findings", [{**row, "crawl_id": 1, "detail": "new"}], crawl_id=1)
    assert sorted(store.read("findings", ["crawl_id", "detail"]).to_pylist(), key=str) == [
        {"crawl_id": 1, "detail": "new"},
        {"crawl_id": 2, "detail": "d"},
    ]


def test_crawl_records(store: Store) -> None:
    first = store.new_crawl(source="http", seeds=["https://x.example/"], settings={"a": 1})
    second = store.new_crawl(source="folder", seeds=["site"], settings={}, base_url="https://x")
    assert (first, second) == (1, 2)
    assert store.latest_crawl_id() == 2
    store.finish_crawl(first, "interrupted")
    info = store.crawl_info(first)
    assert info["seeds"] == ["https://x.example/"]
    assert info["status"] == "interrupted"
    assert isinstance(info["finished_at"], datetime)
    with pytest.raises(StoreError, match="no crawl 9"):
        store.crawl_info(9)


def test_every_schema_table_exists(store: Store) -> None:
    assert set(TABLES) <= set(store.tables())


def test_newer_schema_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with Store.open(path) as s:
        s.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                      [str(SCHEMA_VERSION + 1)])  # fmt: skip
    with pytest.raises(SchemaVersionError, match="newer linkflow.*upgrade linkflow"):
        Store.open(path)


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no audit here"):
        Store.open(tmp_path / "none.duckdb", create=False)


def test_a_file_where_the_audit_folder_should_be_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path / "notes.txt" / "audit" / "audit.duckdb")
    folder = tmp_path / "notes.txt" / "audit"
    assert str(caught.value) == (
        f"{folder / 'audit.duckdb'}: cannot make its folder (Not a directory: {folder}); "
        "choose another audit folder"
    )
    assert (tmp_path / "notes.txt").read_text() == "a file"  # left as it was


def test_garbage_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.duckdb"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(path)


def test_committed_rows_survive_sigkill(tmp_path: Path) -> None:
    """A process killed after a commit and inside the next transaction keeps the commit only."""
    path = tmp_path / "a.duckdb"
    script = f"""
import os, signal
from linkflow.store import Store
s = Store.open({str(path)!r})
with s.transaction():
    s.url_ids(["https://x.example/kept"])
s.con.execute("BEGIN TRANSACTION")
s.con.execute("INSERT INTO urls VALUES (1, 'https://x.example/lost', 'x.example', '/lost')")
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == -9
    with Store.open(path) as s:
        assert s.read("urls", ["url"]).column(0).to_pylist() == ["https://x.example/kept"]


def test_append_keeps_keys_that_only_later_rows_have(store: Store) -> None:
    base = {"crawl_id": 1, "kind": "k", "severity": "low", "detail": "d", "why": "w"}
    store.append("findings", [base, {**base, "url": "https://x.example/", "value": 2.5}])
    rows = store.read("findings", ["url", "value"]).to_pylist()
    assert {"url": "https://x.example/", "value": 2.5} in rows


def test_tables_lists_every_table_of_the_schema_in_its_order(tmp_path: Path) -> None:
    import re
    from importlib import resources

    schema = resources.files("linkflow.store").joinpath("schema.sql").read_text()
    declared = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema)
    assert [t for t in declared if t != "meta"] == list(TABLES)
    with Store.open(tmp_path / "audit.duckdb") as store:
        assert store.tables() == [*TABLES, "backlink_edges"]  # the view comes last


def test_a_reader_runs_beside_its_store_and_sees_what_was_committed(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        store.execute("CREATE TABLE t AS SELECT range AS x FROM range(200000)")
        with store.reader() as reader:
            total: list[int] = []
            thread = threading.Thread(
                target=lambda: total.append(int(reader.scalar("SELECT sum(x) FROM t")))
            )
            thread.start()
            assert store.scalar("SELECT count(*) FROM t") == 200_000
            thread.join()
            assert total == [sum(range(200_000))]
            with store.transaction():
                store.execute("INSERT INTO t VALUES (-1)")
                assert reader.scalar("SELECT count(*) FROM t") == 200_000  # not committed yet
            assert reader.scalar("SELECT count(*) FROM t") == 200_001
        with pytest.raises(duckdb.Error):
            reader.con.execute("SELECT 1")  # closed with the block
        assert store.scalar("SELECT count(*) FROM t") == 200_001
