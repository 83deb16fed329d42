"""Malformed inputs end in one ImportFormatError naming the file, never a traceback and never
a partial import: the store holds nothing of the file afterwards."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from linkflow.errors import ImportFormatError, LinkflowError
from linkflow.ingest import import_file
from linkflow.store import Store
from tests.ingest.conftest import ORIGIN, export

# Exports that quote every field: any cut inside their data is detectable.
QUOTED = ["ahrefs_backlinks.csv", "majestic_backlinks.csv", "ahrefs_backlinks_legacy.csv"]
TABLES = ("imports", "backlinks", "traffic", "domain_authority", "backlink_counts",
          "domain_counts", "queries", "urls")  # fmt: skip


def assert_empty(store: Store) -> None:
    assert {t: store.count(t) for t in TABLES} == dict.fromkeys(TABLES, 0)


def fails(store: Store, path: Path) -> str:
    with pytest.raises(ImportFormatError) as info:
        import_file(store, path, site_origin=ORIGIN)
    message = str(info.value)
    assert str(path) in message
    assert "\n" not in message
    assert_empty(store)
    return message


def _data_start(data: bytes, name: str) -> int:
    newline = "\n".encode("utf-16-le") if data.startswith(b"\xff\xfe") else b"\n"
    return data.index(newline) + len(newline)


def _line_ends(data: bytes) -> set[int]:
    wide = data.startswith(b"\xff\xfe")
    newline = "\n".encode("utf-16-le") if wide else b"\n"
    ends, i = {len(data)}, data.find(newline)
    while i >= 0:
        ends.update({i, i + len(newline)})
        if data[i - (2 if wide else 1) : i] == ("\r".encode("utf-16-le") if wide else b"\r"):
            ends.add(i - (2 if wide else 1))
        i = data.find(newline, i + 1)
    return ends


@pytest.mark.parametrize("name", QUOTED)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_truncated_quoted_exports(tmp_path: Path, name: str, data: st.DataObject) -> None:
    raw = export(name).read_bytes()
    start = _data_start(raw, name)
    cuts = sorted(set(range(start + 1, len(raw))) - _line_ends(raw))
    cut = data.draw(st.sampled_from(cuts))
    path = tmp_path / f"cut-{cut}.csv"
    path.write_bytes(raw[:cut])
    with Store.open(tmp_path / f"a-{cut}.duckdb") as store:
        fails(store, path)


def test_truncated_mid_row_unquoted(store: Store, tmp_path: Path) -> None:
    raw = export("semrush_backlinks.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(raw[: raw.index(b"https://partner") + 10])  # cells missing in row 3
    assert "line 3" in fails(store, path)


def test_truncated_gzip(store: Store, tmp_path: Path) -> None:
    raw = export("majestic_api.csv.gz").read_bytes()
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(raw[: len(raw) // 2])
    fails(store, path)


def test_extra_cells_in_a_row(store: Store, tmp_path: Path) -> None:
    lines = export("gsc_latest_links.csv").read_bytes().split(b"\r\n")
    lines[2] += b",surprise"
    path = tmp_path / "extra.csv"
    path.write_bytes(b"\r\n".join(lines))
    message = fails(store, path)
    assert "line 3" in message
    assert "3 cells" in message


def test_utf8_file_with_a_utf16_bom(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xff\xfe" + export("semrush_backlinks.csv").read_bytes())
    fails(store, path)


def test_invalid_utf8_after_the_sniffed_head(store: Store, tmp_path: Path) -> None:
    head = b"Linking page,Last crawled\r\n"
    body = b"".join(b"https://a%d.example.org/,2025-01-01\r\n" % i for i in range(12000))
    path = tmp_path / "late.csv"
    path.write_bytes(head + body + b"https://bad.example.org/\xff\xfe,2025-01-01\r\n")
    assert len(head + body) > 256 * 1024
    assert "export it again" in fails(store, path)


def test_header_only_followed_by_garbage_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"Linking page,Last crawled\nnot a url,yesterday\n???,!!!\n")
    assert "no row" in fails(store, path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(garbage=st.binary(min_size=1, max_size=400))
def test_garbage_after_a_known_header(tmp_path: Path, garbage: bytes) -> None:
    assume(garbage.strip())  # blank lines after a header are an empty export, not garbage
    header = export("ahrefs_backlinks_utf8.csv").read_bytes().split(b"\n", 1)[0] + b"\n"
    path = tmp_path / "g.csv"
    path.write_bytes(header + garbage)
    with Store.open(tmp_path / "g.duckdb") as store:
        with pytest.raises(ImportFormatError):
            import_file(store, path)
        assert_empty(store)
    (tmp_path / "g.duckdb").unlink()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["ahrefs_backlinks.csv", "semrush_backlinks.csv", "gsc_pages.csv",
                          "ga4_exploration.csv", "cc_domain_ranks.txt.gz", "domcop.csv"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                   min_size=1, max_size=6),
)  # fmt: skip
def test_random_byte_damage_never_escapes(
    tmp_path: Path, name: str, flips: list[tuple[float, int]]
) -> None:
    raw = export(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    damaged = bytearray(raw)
    for where, byte in flips:
        damaged[int(where * len(damaged))] = byte
    path = tmp_path / "damaged.csv"
    path.write_bytes(bytes(damaged))
    db = tmp_path / "d.duckdb"
    with Store.open(db) as store:
        try:
            result = import_file(store, path, site_origin=ORIGIN)
        except LinkflowError:
            assert_empty(store)  # all or nothing
        else:
            assert store.count("imports") == 1
            assert result.rows >= result.rejected
    db.unlink()
