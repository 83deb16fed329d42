"""The crawl journal: batches committed to CSV files, loaded into the store once, exactly.

Every test writes through :class:`Journal` and reads back through DuckDB, so the CSV dialect
(NULL against empty string, quotes, newlines, odd characters, rows of many megabytes) is
checked end to end.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.crawl import journal as journal_module
from linkflow.crawl import journal_load, journal_rows
from linkflow.crawl.journal import (
    LINK_COLUMNS,
    CrawlBatch,
    Journal,
    journal_dir,
    journal_root,
)
from linkflow.crawl.journal_load import load_journal, recover
from linkflow.crawl.journal_rows import PLAIN_LINE
from linkflow.errors import StoreError
from linkflow.linkrows import LinkRows, csv_lines, quoted
from linkflow.models import Link
from linkflow.store import Store

HOME = "https://example.com/"


def _store(tmp_path: Path) -> tuple[Store, int]:
    store = Store.open(tmp_path / "audit.duckdb")
    crawl_id = store.new_crawl(source="http", seeds=[HOME], settings={})
    return store, crawl_id


def _batch(pages: list[str], anchors: list[str | None] | None = None) -> CrawlBatch:
    batch = CrawlBatch()
    for n, url in enumerate(pages):
        batch.pages.append({"url": url, "internal": True, "depth": n, "status": 200})
        batch.done.append(url)
        for i, anchor in enumerate(anchors or ["next"]):
            batch.links["src"].append(url)
            batch.links["dst"].append(f"{HOME}p/{n + 1}")
            for name in LINK_COLUMNS:
                batch.links[name].append(None)
            batch.links["ordinal"][-1] = i
            batch.links["anchor"][-1] = anchor
            batch.links["position"][-1] = "content"
            batch.links["is_image"][-1] = False
        batch.queued.append((f"{HOME}p/{n + 1}", n + 1, 0))
    return batch


def _one_batch(tmp_path: Path) -> tuple[Store, int, Path]:
    """A store with one committed, unloaded batch; returns its journal folder too."""
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    journal.write(_batch([HOME]))
    journal.close()
    return store, crawl_id, journal_dir(store.path, crawl_id)


def _links(store: Store) -> list[tuple[str, str, int, str | None]]:
    return sorted(
        store.rows(
            "SELECT s.url, d.url, l.ordinal, l.anchor FROM links l "
            "JOIN urls s ON s.id = l.src_id JOIN urls d ON d.id = l.dst_id"
        ),
        key=repr,
    )


def _pages(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id")]


def test_batches_load_once_and_the_journal_is_removed(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    journal.write(_batch([HOME]))
    journal.write(_batch([f"{HOME}a", f"{HOME}b"]))
    journal.close()
    assert store.count("pages") == 0  # nothing reaches the store before the load
    assert load_journal(store, crawl_id) is True
    assert store.count("pages") == 3
    assert store.count("links") == 3
    assert store.count("frontier", crawl_id=crawl_id) == 6
    assert not journal_root(store.path).exists()
    assert load_journal(store, crawl_id) is False  # idempotent
    assert store.count("pages") == 3
    # URL ids are dense and unique, and host/path are filled as Store.url_ids would.
    urls = store.rows("SELECT id, url, host, path FROM urls ORDER BY id")
    assert [u[0] for u in urls] == list(range(len(urls)))
    assert len({u[1] for u in urls}) == len(urls)
    for _, url, host, path in urls:
        assert (host, path) == (urlsplit(url).netloc, urlsplit(url).path or "/")


def test_a_second_journal_numbers_batches_on_and_reuses_known_urls(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    for pages in ([HOME], [f"{HOME}p/1"]):  # the second run links to a URL the first stored
        journal = Journal(store, crawl_id)
        journal.write(_batch(pages))
        journal.close()
        load_journal(store, crawl_id)
    assert store.count("pages") == 2
    assert store.scalar("SELECT value FROM meta WHERE key = ?", [f"spool_loaded:{crawl_id}"]) == "2"
    assert store.scalar("SELECT count(DISTINCT url) = count(*) FROM urls") is True


def test_a_torn_batch_is_cut_off_and_the_committed_ones_survive(tmp_path: Path) -> None:
    store, _, folder = _one_batch(tmp_path)
    # A process killed mid-batch: rows appended past the commit, a half-written log line.
    with open(folder / "pages.0.csv", "ab") as f:
        f.write(b'9999,,,True,1,200,"text/ht')
    with open(folder / "links.0.csv", "ab") as f:
        f.write(b'1,2,0,"half')
    with open(folder / "commits.log", "ab") as f:
        f.write(b'{"seq": 2, "part": 0, "url_base": 0, "sizes": {"pages"')
    store.forget_urls()  # the killed process's ids die with it
    store.close()
    with Store.open(tmp_path / "audit.duckdb") as reopened:
        assert reopened.count("pages") == 0  # opening the store leaves the journal alone
        assert recover(reopened) == [1]
        assert reopened.count("pages") == 1
        assert _links(reopened) == [(HOME, f"{HOME}p/1", 0, "next")]
    assert not journal_root(tmp_path / "audit.duckdb").exists()


def test_a_crash_after_the_load_committed_never_loads_twice(tmp_path: Path) -> None:
    store, crawl_id, folder = _one_batch(tmp_path)
    kept = {p.name: p.read_bytes() for p in folder.iterdir()}
    load_journal(store, crawl_id)
    folder.mkdir(parents=True)  # as if the process died before deleting the files
    for name, data in kept.items():
        (folder / name).write_bytes(data)
    assert recover(store) == []
    assert store.count("pages") == 1
    assert not folder.exists()


def test_a_journal_that_does_not_match_the_store_is_refused(tmp_path: Path) -> None:
    store, crawl_id, folder = _one_batch(tmp_path)
    log = folder / "commits.log"
    entry = json.loads(log.read_text())
    entry["url_base"] = 5
    log.write_text(json.dumps(entry) + "\n")
    store.forget_urls()
    with pytest.raises(StoreError, match="cannot be loaded"):
        load_journal(store, crawl_id)
    assert store.count("pages") == 0


def test_sitemap_rows_keep_their_order(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    entries: list[tuple[str, str, str | None]] = [
        (f"{HOME}{n}", f"{HOME}sitemap.xml", f"2024-01-0{n % 9 + 1}") for n in range(50)
    ]
    entries[3] = (entries[3][0], entries[3][1], None)
    journal.write(CrawlBatch(sitemaps=entries))
    journal.close()
    load_journal(store, crawl_id)
    rows = store.rows(
        "SELECT u.url, m.url, s.lastmod FROM sitemap_urls s JOIN urls u ON u.id = s.url_id "
        "JOIN urls m ON m.id = s.sitemap_url_id ORDER BY s.rowid"
    )
    assert rows == entries


text = st.one_of(st.none(), st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))


@settings(max_examples=60, deadline=None)
@given(anchors=st.lists(text, min_size=1, max_size=6))
def test_strings_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, anchors: list[str | None]
) -> None:
    """NULL stays NULL, '' stays '', and quotes, commas, newlines and NUL survive."""
    store, crawl_id = _store(tmp_path_factory.mktemp("rt"))
    journal = Journal(store, crawl_id)
    journal.write(_batch([HOME], anchors=anchors))
    journal.close()
    load_journal(store, crawl_id)
    got = [row[3] for row in sorted(_links(store), key=lambda r: r[2])]
    assert got == anchors
    store.close()


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=5))
def test_main_texts_round_trip_as_the_csv_module_writes_them(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    """A page's main text is quoted without the csv module: the field is the one the csv
    module writes (same file bytes), and DuckDB reads the text back exactly (a lone
    surrogate replaced, as everywhere in the journal)."""
    for t in texts:
        assert quoted(t) + "\n" == csv_lines([[t]])[0]
    store, crawl_id = _store(tmp_path_factory.mktemp("text"))
    journal = Journal(store, crawl_id)
    pages = [f"{HOME}t/{i}" for i in range(len(texts))]
    batch = _batch(pages)
    batch.texts = list(zip(pages, texts, strict=True))
    journal.write(batch)
    journal.close()
    load_journal(store, crawl_id)
    got = dict(
        store.rows("SELECT u.url, t.main_text FROM page_text t JOIN urls u ON u.id = t.url_id")
    )
    want = {p: t.encode("utf-8", "replace").decode() for p, t in zip(pages, texts, strict=True)}
    assert got == want
    store.close()


long_text = st.text(st.sampled_from('a"é€😀\n,'), max_size=3000)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.tuples(long_text, st.one_of(st.none(), long_text)), min_size=1))
def test_the_widest_row_is_bounded_from_above(values: list[tuple[str, str | None]]) -> None:
    """The bounds the load sizes DuckDB's line limit and memory cap with are never below
    the real rows, whether a string is measured exactly or bounded."""
    columns: list[Sequence[Any]] = [
        list(range(len(values))),
        [a for a, _ in values],
        journal_rows._nulls(b for _, b in values),
    ]
    lines = []
    for row in zip(*columns, strict=True):
        out = io.BytesIO()
        journal_rows.write_csv(out, [[v] for v in row])
        lines.append(len(out.getvalue()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal_rows, "PLAIN_LINE", 100)  # measure rows one by one
        patch.setattr(journal_rows, "_EXACT", 1000)  # and the long strings exactly
        widest, wide = journal_rows.widths("hreflang", columns)
    assert widest >= max(lines)
    assert wide >= sum(n for n in lines if n > 100)


def test_rows_of_many_megabytes_load(tmp_path: Path) -> None:
    """A page at the crawler's largest body (its text one 10 MB paragraph) and a page with a
    5 MB title and a 5 MB anchor, in one batch: DuckDB's default line limit is 2 MB."""
    store, crawl_id = _store(tmp_path)
    paragraph = 'lorem ipsum "dolor" sit amet, ' * 340_000  # 10.2 MB
    batch = _batch([HOME, f"{HOME}big"], anchors=["next"])
    batch.pages[1]["title"] = "t" * 5_000_000
    batch.links["anchor"][1] = "a" * 5_000_000
    batch.texts = [(HOME, paragraph), (f"{HOME}big", "short")]
    journal = Journal(store, crawl_id)
    journal.write(batch)
    journal.close()
    own_limit = store.memory_limit
    entry = json.loads((journal.path / "commits.log").read_text().splitlines()[-1])
    assert entry["widest"]["page_text"] >= len(paragraph.encode()) + paragraph.count('"')
    assert entry["wide"] > 20_000_000
    assert load_journal(store, crawl_id)
    assert store.scalar("SELECT max(length(main_text)) FROM page_text") == len(paragraph)
    assert store.scalar("SELECT max(length(title)) FROM pages") == 5_000_000
    assert store.scalar("SELECT max(length(anchor)) FROM links") == 5_000_000
    assert store.memory_limit == own_limit  # the cap is lifted afterwards


def test_links_given_as_encoded_lines_load_beside_links_given_by_column(tmp_path: Path) -> None:
    """The crawl hands the journal its pages' links as lines a parse worker encoded; they
    load with the same values as links given column by column, a 5 MB anchor included."""
    store, crawl_id = _store(tmp_path)
    batch = _batch([HOME], anchors=["by column"])
    nofollow = Link(
        url=f"{HOME}b",
        anchor='say "hi"',
        ordinal=1,
        rel=frozenset({"ugc", "nofollow"}),
        position="nav",
        alt=None,
        is_image=True,
        fragment="top",
        target="_blank",
        context="A sentence.",
        dom_path="html>body>nav>a",
    )
    wide = Link(url=f"{HOME}c", anchor="a" * 5_000_000, ordinal=2, position="content")
    rows = LinkRows.of([nofollow, wide])
    batch.encoded.src.extend([HOME, HOME])
    batch.encoded.dst.extend(rows.urls)
    batch.encoded.lines.extend(rows.lines)
    journal = Journal(store, crawl_id)
    journal.write(batch)
    journal.close()
    entry = json.loads((journal.path / "commits.log").read_text().splitlines()[-1])
    assert entry["widest"]["links"] >= 5_000_000
    assert entry["wide"] >= 5_000_000
    assert load_journal(store, crawl_id)
    got = store.rows(
        "SELECT d.url, l.ordinal, length(l.anchor), l.alt, l.is_image, l.rel, l.rel_nofollow, "
        "l.rel_sponsored, l.rel_ugc, l.target, l.fragment, l.position, l.dom_path, l.context "
        "FROM links l JOIN urls d ON d.id = l.dst_id ORDER BY l.ordinal"
    )
    assert [tuple(r) for r in got] == [
        # _batch leaves the columns it does not set None
        (f"{HOME}p/1", 0, 9, None, False, None, None, None, None, None, None, "content",
         None, None),
        (f"{HOME}b", 1, 8, None, True, "nofollow ugc", True, False, True, "_blank", "top",
         "nav", "html>body>nav>a", "A sentence."),
        (f"{HOME}c", 2, 5_000_000, None, False, None, False, False, False, None, None,
         "content", None, None),
    ]  # fmt: skip
    assert store.scalar("SELECT anchor FROM links WHERE ordinal = 1") == 'say "hi"'


def test_wide_rows_start_a_new_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "WIDE_PART_BYTES", PLAIN_LINE)
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    for n in range(3):
        batch = _batch([f"{HOME}{n}"])
        batch.texts = [(f"{HOME}{n}", "x" * (PLAIN_LINE + 1))]
        journal.write(batch)
    journal.close()
    assert journal.part == 2  # each wide batch in a part of its own
    assert load_journal(store, crawl_id)
    assert store.count("page_text") == 3


def test_a_load_the_cap_cannot_hold_says_which_setting_to_raise(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    pages = [f"{HOME}p/{n}" for n in range(200)]
    journal.write(_batch(pages, anchors=[f"anchor {i} " * 20 for i in range(40)]))
    journal.close()
    with pytest.raises(StoreError, match=r"raise the crawl\.store_memory setting") as caught:
        load_journal(store, crawl_id, "1MB")
    assert "\n" not in str(caught.value)
    assert store.count("links") == 0  # nothing half loaded, and the journal is kept
    assert journal.path.exists()
    assert load_journal(store, crawl_id, "256MB") is True
    assert store.count("links") == 200 * 40
    assert store.memory_limit not in ("1MB", "256MB")  # the cap is lifted afterwards


class _DiskFull:
    """A journal file that writes a few bytes of a batch and then finds the disk full."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def write(self, blob: bytes) -> int:
        self.real.write(blob[:7])
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_batch_that_cannot_be_written_is_taken_back_whole(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    journal.write(_batch([HOME]))
    real = journal._files["links"]
    journal._files["links"] = _DiskFull(real)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="free disk space"):
        journal.write(_batch([f"{HOME}lost"]))
    assert real.closed  # dropped with whatever it could not flush; reopened on the next write
    assert (journal.path / "links.0.csv").stat().st_size == journal._sizes["links"]
    journal.write(_batch([f"{HOME}kept"]))  # space freed: the crawl goes on
    journal.close()
    load_journal(store, crawl_id)
    assert set(_pages(store)) == {HOME, f"{HOME}kept"}
    assert len(_links(store)) == 2
    urls = store.rows("SELECT id, url FROM urls ORDER BY id")
    assert [u[0] for u in urls] == list(range(len(urls)))  # dense: the lost batch's ids reused
    assert f"{HOME}lost" not in {u[1] for u in urls}


def test_a_big_journal_loads_part_by_part_and_resumes_between_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "PART_BYTES", 1)  # every batch starts a new part
    store, crawl_id = _store(tmp_path)
    journal = Journal(store, crawl_id)
    names = [HOME, f"{HOME}a", f"{HOME}b", f"{HOME}c"]
    for name in names:
        journal.write(_batch([name]))
    journal.close()
    assert journal.part == 3
    folder = journal.path
    assert sorted(p.name for p in folder.glob("pages.*.csv")) == [
        f"pages.{n}.csv" for n in range(4)
    ]
    real_load, calls = journal_load._load, []

    def dies_on_the_third_part(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise StoreError("the process stops here")
        real_load(*args)

    monkeypatch.setattr(journal_load, "_load", dies_on_the_third_part)
    with pytest.raises(StoreError, match="stops here"):
        load_journal(store, crawl_id)
    assert sorted(_pages(store)) == sorted(names[:2])  # two parts in, each whole
    assert folder.exists()
    monkeypatch.setattr(journal_load, "_load", real_load)
    assert load_journal(store, crawl_id)
    assert sorted(_pages(store)) == sorted(names)  # the rest, none twice
    assert len(_links(store)) == 4
    urls = store.rows("SELECT id, url FROM urls ORDER BY id")
    assert [u[0] for u in urls] == list(range(len(urls)))
    assert len({u[1] for u in urls}) == len(urls)
    assert not folder.exists()


def test_a_journal_from_before_parts_still_loads(tmp_path: Path) -> None:
    store, crawl_id, folder = _one_batch(tmp_path)
    for path in folder.glob("*.0.csv"):  # the older layout: one file per table, no part
        path.rename(folder / path.name.replace(".0.csv", ".csv"))
    log = folder / "commits.log"
    entry = json.loads(log.read_text())
    for key in ("part", "widest", "wide"):
        del entry[key]
    log.write_text(json.dumps(entry) + "\n")
    store.forget_urls()
    assert load_journal(store, crawl_id)
    assert _pages(store) == [HOME]
    assert _links(store) == [(HOME, f"{HOME}p/1", 0, "next")]


def test_a_journal_from_before_pages_had_schema_types_still_loads(tmp_path: Path) -> None:
    """A crawl killed under a version whose pages rows ended before ``schema_types`` (and
    whose commit lines recorded no columns) is loaded by this one, the column NULL."""
    store, crawl_id, folder = _one_batch(tmp_path)
    pages = next(folder.glob("pages.*.csv"))
    rows = pages.read_bytes().splitlines(keepends=True)
    assert rows
    assert all(r.endswith(b",\n") for r in rows)  # schema_types: the last column, NULL
    pages.write_bytes(b"".join(r[:-2] + b"\n" for r in rows))
    log = folder / "commits.log"
    entry = json.loads(log.read_text())
    del entry["columns"]
    entry["sizes"]["pages"] = pages.stat().st_size
    log.write_text(json.dumps(entry) + "\n")
    store.forget_urls()
    assert load_journal(store, crawl_id)
    got = store.rows(
        "SELECT u.url, p.depth, p.status, p.schema_types "
        "FROM pages p JOIN urls u ON u.id = p.url_id"
    )
    assert got == [(HOME, 0, 200, None)]


def test_schema_types_go_through_the_journal(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    batch = _batch([HOME, f"{HOME}a"])
    batch.pages[0]["schema_types"] = "Offer Service"
    journal = Journal(store, crawl_id)
    journal.write(batch)
    journal.close()
    assert load_journal(store, crawl_id)
    got = store.rows(
        "SELECT u.url, p.schema_types FROM pages p JOIN urls u ON u.id = p.url_id ORDER BY u.url"
    )
    assert got == [(HOME, "Offer Service"), (f"{HOME}a", None)]
