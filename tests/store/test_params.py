"""Statement parameters: plain values are written into a prepared statement as literals
(so DuckDB's client never imports pandas to bind them); each must read back unchanged."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "a.duckdb")


plain = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
)


@given(values=st.lists(plain, min_size=1, max_size=4))
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_plain_values_read_back_unchanged(store: Store, values: list[object]) -> None:
    sql = "SELECT " + ", ".join("?" for _ in values)
    row = store.rows(sql, values)[0]
    assert list(row) == values
    assert [type(v) for v in row] == [type(v) for v in values]


def test_quotes_and_sql_in_strings_stay_data(store: Store) -> None:
    store.execute("INSERT INTO meta VALUES (?, ?)", ["k'; DROP TABLE urls; --", "it's"])
    assert store.scalar("SELECT value FROM meta WHERE key = ?", ["k'; DROP TABLE urls; --"]) == (
        "it's"
    )
    assert "urls" in store.tables()


def test_datetimes_and_other_values_bind(store: Store) -> None:
    naive = datetime(2024, 5, 6, 7, 8, 9, 123456)
    assert store.scalar("SELECT ?", [naive]) == naive
    aware = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert store.scalar("SELECT epoch(?)", [aware]) == aware.timestamp()
    # Values without a literal form are bound by DuckDB, as are named parameters and the
    # parameters of statements DuckDB cannot prepare.
    assert store.scalar("SELECT len(?)", [[1, 2, 3]]) == 3
    assert store.scalar("SELECT ? || 'x'", ["a\x00b"]) == "a\x00bx"
    assert store.scalar("SELECT $n + 1", {"n": 41}) == 42
    store.execute("CREATE TEMP TABLE t AS SELECT ? AS v", [7])
    assert store.scalar("SELECT v FROM t") == 7


def test_an_error_in_a_statement_is_a_store_error(store: Store) -> None:
    with pytest.raises(Exception, match="statement failed|query failed"):
        store.scalar("SELECT nosuchcolumn FROM meta WHERE key = ?", ["x"])
    assert store.scalar("SELECT ?", [1]) == 1  # the connection goes on


def test_binding_plain_values_imports_no_pandas(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom datetime import datetime\nfrom linkflow.store import Store\n"
        f"s = Store.open({str(tmp_path / 'b.duckdb')!r})\n"
        "s.rows('SELECT ?, ?, ?, ?, ?, ?', [1, 'a', 1.5, None, True, datetime(2024, 1, 1)])\n"
        "cid = s.new_crawl(source='http', seeds=['https://e.com/'], settings={})\n"
        "s.finish_crawl(cid)\n"
        "s.crawl_info(cid)\n"
        "print(' '.join(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == []
