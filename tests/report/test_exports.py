"""Exports: CSV/JSON/Parquet round trips on a real DuckDB file, formula neutralisation."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.errors import ReportError
from linkflow.report import export_all, export_table
from linkflow.store import Store
from linkflow.store.export import copy_query
from tests.report.conftest import FORMULA, SCRIPT, Audit


def owasp(cell: str) -> str:
    """The OWASP rule, written independently of the code under test."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV as a spreadsheet reads it: UTF-8 after the byte-order mark."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_round_trip_neutralises_formulas(audit: Audit, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    with Store.open(audit.path) as store:
        rows = export_table(store, "links", "csv", out)
        stored = store.read("links").to_pylist()
        url_of = dict(store.rows("SELECT id, url FROM urls"))
    assert rows == len(stored) > 0
    got = read_csv(out)
    assert [r["Anchor"] for r in got] == [owasp(s["anchor"]) for s in stored]
    assert [r["Destination"] for r in got] == [url_of[s["dst_id"]] for s in stored]
    hostile = [r["Anchor"] for r in got if "HYPERLINK" in r["Anchor"]]
    assert hostile
    assert all(a == "'" + FORMULA for a in hostile)
    assert SCRIPT in {r["Anchor"] for r in got}  # not a formula: kept as is


def test_json_and_parquet_keep_raw_values(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        expected = store.read("links")
        n_json = export_table(store, "links", "json", tmp_path / "links.json")
        n_lines = export_table(store, "links", "json", tmp_path / "links.jsonl")
        n_pq = export_table(store, "links", "parquet", tmp_path / "links.parquet")
    assert n_json == n_lines == n_pq == expected.num_rows
    as_list = json.loads((tmp_path / "links.json").read_text("utf-8"))
    assert as_list == expected.to_pylist()
    lines = (tmp_path / "links.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected.to_pylist()
    assert pq.read_table(tmp_path / "links.parquet").equals(expected)
    assert FORMULA in {r["anchor"] for r in as_list}


def test_pages_title_is_neutralised_in_csv_only(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        export_table(store, "pages", "csv", tmp_path / "pages.csv")
        export_table(store, "pages", "parquet", tmp_path / "pages.parquet")
        titles = store.read("pages", ["title"]).column(0).to_pylist()
    assert [r["Title 1"] for r in read_csv(tmp_path / "pages.csv")] == [
        owasp(t) if t else "" for t in titles
    ]
    assert pq.read_table(tmp_path / "pages.parquet").column("title").to_pylist() == titles


def test_unknown_table_is_one_line_listing_the_tables(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store, pytest.raises(ReportError) as err:
        export_table(store, "nope; DROP TABLE pages", "csv", tmp_path / "x.csv")
    message = str(err.value)
    assert "\n" not in message
    assert "nope; DROP TABLE pages" in message
    assert "page_metrics" in message
    assert "findings" in message
    with Store.open(audit.path) as store:
        assert store.count("pages") > 0
    assert not (tmp_path / "x.csv").exists()


def test_unknown_format(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store, pytest.raises(ReportError, match="csv, json, parquet"):
        export_table(store, "pages", "xlsx", tmp_path / "pages.xlsx")


def test_unwritable_output_leaves_nothing_behind(audit: Audit, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with Store.open(audit.path) as store, pytest.raises(ReportError) as err:
        export_table(store, "pages", "csv", blocker / "pages.csv")
    assert "\n" not in str(err.value)
    assert blocker.read_text() == "not a folder"


def test_failed_copy_keeps_the_previous_file(audit: Audit, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    target = out / "pages.csv"
    target.write_text("previous complete export\n")
    # A folder where the temporary file would go makes the COPY fail half-way.
    (out / ".pages.csv.partial").mkdir()
    with Store.open(audit.path) as store, pytest.raises(ReportError) as err:
        export_table(store, "pages", "csv", target)
    assert "\n" not in str(err.value)
    assert target.read_text() == "previous complete export\n"


def test_export_all_writes_every_table(audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        paths = export_all(store, tmp_path / "exports")
        tables = store.tables()
        counts = {t: store.count(t) for t in ("pages", "links", "findings", "urls")}
    assert [p.name for p in paths] == [f"{t}.csv" for t in tables]
    for table, n in counts.items():
        assert len(read_csv(tmp_path / "exports" / f"{table}.csv")) == n


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    """One store for every hypothesis example (a new DuckDB file per example is slow)."""
    root = tmp_path_factory.mktemp("scratch")
    with Store.open(root / "a.duckdb") as store:
        yield store, root


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))))
def test_any_text_survives_csv_and_json(scratch: tuple[Store, Path], details: list[str]) -> None:
    store, root = scratch
    n = len(details)
    store.replace(
        "findings",
        {"crawl_id": [1] * n, "kind": ["k"] * n, "severity": ["low"] * n, "detail": details,
         "why": ["w"] * n},
        crawl_id=1,
    )  # fmt: skip
    export_table(store, "findings", "csv", root / "f.csv")
    export_table(store, "findings", "json", root / "f.json")
    assert [r["Detail"] for r in read_csv(root / "f.csv")] == [owasp(d) for d in details]
    raw = json.loads((root / "f.json").read_text("utf-8"))
    assert [r["detail"] for r in raw] == details


def test_json_is_strict_even_with_nan(tmp_path: Path) -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    values = [0.25, float("nan"), float("inf"), None]
    with Store.open(tmp_path / "a.duckdb") as store:
        store.append(
            "page_metrics",
            {"crawl_id": [1] * 4, "url_id": [0, 1, 2, 3], "url": list("abcd"), "equity": values},
        )
        export_table(store, "page_metrics", "json", tmp_path / "m.json")
        export_table(store, "page_metrics", "parquet", tmp_path / "m.parquet")
    rows = json.loads((tmp_path / "m.json").read_text("utf-8"), parse_constant=refuse)
    assert [r["equity"] for r in rows] == [0.25, None, None, None]
    kept = pq.read_table(tmp_path / "m.parquet").column("equity").to_pylist()
    assert kept[0] == 0.25
    assert kept[1] != kept[1]  # NaN stays NaN in Parquet
    assert kept[2:] == [float("inf"), None]


def test_a_long_export_keeps_the_order_of_its_query(tmp_path: Path) -> None:
    """The formula-neutralising projection wraps the export's query, whose ORDER BY DuckDB
    keeps through it only for some expressions: with ``left(col, 1) IN (...)`` instead of
    ``regexp_matches``, 300,000 rows came out of order (from row 2,048 of the Rust docs'
    links). Rows stored shuffled; the expected order is DuckDB's own ``ORDER BY rowid``."""
    with Store.open(tmp_path / "a.duckdb") as store:
        store.execute(
            "CREATE TABLE t AS SELECT i AS k, CASE WHEN i % 7 = 0 THEN '-x' "
            "ELSE 'y' || i::VARCHAR END AS s FROM range(300000) r(i) ORDER BY hash(i)"
        )
        expected = [int(k) for (k,) in store.rows("SELECT k FROM t ORDER BY rowid")]
        copy_query(store, "SELECT k, s FROM t ORDER BY rowid", "csv", tmp_path / "t.csv",
                   neutralise=True)  # fmt: skip
    rows = read_csv(tmp_path / "t.csv")
    assert [int(r["k"]) for r in rows] == expected
    assert expected != sorted(expected)  # the stored order is not the numbers' own
    assert {r["s"] for r in rows if int(r["k"]) % 7 == 0} == {"'-x"}
