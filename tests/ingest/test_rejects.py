"""A value that cannot be read or is impossible rejects its row, with its line and reason; a
file with too many such rows fails whole. Nothing is silently changed, dropped or crashed on."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from linkflow.errors import ImportFormatError
from linkflow.ingest import import_file
from linkflow.ingest.importer import MAX_REJECTED_SHARE
from linkflow.store import TABLES, Store
from tests.ingest.conftest import ORIGIN

HEADER = ["Referring page URL", "Target URL", "Domain rating", "UR", "External links",
          "First seen", "Anchor", "Nofollow"]  # fmt: skip


def good(i: int) -> list[str]:
    return [f"https://site{i}.example.org/p", ORIGIN + "/sheds/", "40", "12.5", "25",
            "2025-01-10 08:00:00", "sheds", "false"]  # fmt: skip


def ahrefs(path: Path, rows: list[list[str]]) -> Path:
    """An Ahrefs backlinks export (UTF-8, comma): header on line 1, row i on line i + 2."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def with_cell(i: int, column: str, value: str) -> list[str]:
    row = good(i)
    row[HEADER.index(column)] = value
    return row


def test_a_count_beyond_32_bits_is_kept_exactly(store: Store, tmp_path: Path) -> None:
    # Was a pyarrow int32 overflow traceback and exit 1.
    path = ahrefs(tmp_path / "b.csv", [with_cell(0, "External links", "3000000000"), good(1)])
    result = import_file(store, path)
    assert (result.rows, result.rejected) == (2, 0)
    stored = store.rows("SELECT source_outlinks FROM backlinks ORDER BY source_url")
    assert stored == [(3_000_000_000,), (25,)]


def test_unreadable_and_impossible_values_reject_their_rows(store: Store, tmp_path: Path) -> None:
    rows = [good(i) for i in range(40)]
    rows[3] = with_cell(3, "UR", "abc")  # was stored as 0.0
    rows[10] = with_cell(10, "First seen", "2026-02-30")  # was NULL (or rolled to March 2)
    rows[20] = with_cell(20, "External links", "-5")  # was kept
    rows[30] = with_cell(30, "Domain rating", "140")  # was clipped to 100
    path = ahrefs(tmp_path / "b.csv", rows)
    result = import_file(store, path)
    assert (result.rows, result.rejected) == (40, 4)
    assert result.rejects == [
        {"line": 5, "reason": "UR: not a number", "value": "abc"},
        {"line": 12, "reason": "First seen: not a date", "value": "2026-02-30"},
        {"line": 22, "reason": "External links: out of range: must be 0 or more", "value": "-5"},
        {"line": 32, "reason": "Domain rating: out of range: must be from 0 to 100",
         "value": "140"},
    ]  # fmt: skip
    row = store.read("imports").to_pylist()[0]
    assert (row["rows"], row["rejected"]) == (40, 4)
    assert json.loads(row["rejects"]) == result.rejects
    kept = {r[0] for r in store.rows("SELECT source_url FROM backlinks")}
    assert len(kept) == 36
    assert not kept & {f"https://site{i}.example.org/p" for i in (3, 10, 20, 30)}
    assert store.scalar("SELECT min(source_authority) FROM backlinks") == 12.5


def test_no_value_markers_are_empty_not_rejected(store: Store, tmp_path: Path) -> None:
    rows = [with_cell(0, "UR", "-"), with_cell(1, "External links", ""), good(2)]
    result = import_file(store, ahrefs(tmp_path / "b.csv", rows))
    assert result.rejected == 0
    assert store.scalar("SELECT count(*) FROM backlinks WHERE source_authority IS NULL") == 1


def test_a_file_with_too_many_rejects_fails_whole(store: Store, tmp_path: Path) -> None:
    rows = [good(i) for i in range(10)]
    rows[2] = with_cell(2, "UR", "n.a.")
    rows[7] = with_cell(7, "First seen", "yesterday")
    assert MAX_REJECTED_SHARE * len(rows) < 2
    before = {t: store.count(t) for t in TABLES}
    with pytest.raises(ImportFormatError) as caught:
        import_file(store, ahrefs(tmp_path / "b.csv", rows))
    message = str(caught.value)
    assert "\n" not in message
    assert "b.csv: 2 of 10 rows rejected" in message
    assert "line 4: UR: not a number ('n.a.')" in message
    assert {t: store.count(t) for t in TABLES} == before  # nothing written, not even URLs


def test_one_bad_row_of_a_small_file_is_only_rejected(store: Store, tmp_path: Path) -> None:
    path = ahrefs(tmp_path / "b.csv", [good(0), with_cell(1, "Nofollow", "maybe")])
    result = import_file(store, path)
    assert (result.rows, result.rejected) == (2, 1)
    assert result.rejects[0]["reason"] == "Nofollow: not true or false"


def test_traffic_values_out_of_range(store: Store, tmp_path: Path) -> None:
    lines = ["Top pages,Clicks,Impressions,CTR,Position"]
    lines += [f"{ORIGIN}/p{i},3,100,3%,4.5" for i in range(30)]
    lines[5] = f"{ORIGIN}/p4,3,100,130%,4.5"  # a rate above 100 %
    lines[9] = f"{ORIGIN}/p8,2.5,100,3%,4.5"  # half a click
    lines[12] = f"{ORIGIN}/p11,3,100,3%,0"  # no search position is 0
    path = tmp_path / "Pages.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(store, path)
    assert [(r["line"], r["reason"]) for r in result.rejects] == [
        (6, "CTR: out of range: a rate must be from 0 to 100 %"),
        (10, "Clicks: not a whole number"),
        (13, "Position: out of range: must be 1 or more"),
    ]
