"""The crawl journal: batches committed to CSV files, loaded into the store once, exactly.

Every test writes through :class:`CrawlSpool` and reads back through DuckDB, so the CSV
dialect (NULL against empty string, quotes, newlines, odd characters) is checked end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.errors import StoreError
from linkflow.store import Store, memcap
from linkflow.store import spool as spool_module
from linkflow.store.spool import (
    LINK_COLUMNS,
    CrawlBatch,
    CrawlSpool,
    load_spool,
    recover_spools,
    spool_root,
)

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
    spool = CrawlSpool(store, crawl_id)
    spool.write(_batch([HOME]))
    spool.close()
    return store, crawl_id, spool_root(store.path) / f"crawl-{crawl_id}"


def _links(store: Store) -> list[tuple[str, str, int, str | None]]:
    return sorted(
        store.rows(
            "SELECT s.url, d.url, l.ordinal, l.anchor FROM links l "
            "JOIN urls s ON s.id = l.src_id JOIN urls d ON d.id = l.dst_id"
        ),
        key=repr,
    )


def test_batches_load_once_and_the_journal_is_removed(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    spool = CrawlSpool(store, crawl_id)
    spool.write(_batch([HOME]))
    spool.write(_batch([f"{HOME}a", f"{HOME}b"]))
    spool.close()
    assert store.count("pages") == 0  # nothing reaches the store before the load
    assert load_spool(store, crawl_id) is True
    assert store.count("pages") == 3
    assert store.count("links") == 3
    assert store.count("frontier", crawl_id=crawl_id) == 6
    assert not spool_root(store.path).exists()
    assert load_spool(store, crawl_id) is False  # idempotent
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
        spool = CrawlSpool(store, crawl_id)
        spool.write(_batch(pages))
        spool.close()
        load_spool(store, crawl_id)
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
    with Store.open(tmp_path / "audit.duckdb") as reopened:  # opening recovers
        assert reopened.count("pages") == 1
        assert _links(reopened) == [(HOME, f"{HOME}p/1", 0, "next")]
    assert not spool_root(tmp_path / "audit.duckdb").exists()


def test_a_crash_after_the_load_committed_never_loads_twice(tmp_path: Path) -> None:
    store, crawl_id, folder = _one_batch(tmp_path)
    kept = {p.name: p.read_bytes() for p in folder.iterdir()}
    load_spool(store, crawl_id)
    folder.mkdir(parents=True)  # as if the process died before deleting the files
    for name, data in kept.items():
        (folder / name).write_bytes(data)
    assert recover_spools(store) == []
    assert store.count("pages") == 1
    assert not folder.exists()


def test_a_journal_that_does_not_match_the_store_is_refused(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    spool = CrawlSpool(store, crawl_id)
    spool.write(_batch([HOME]))
    spool.close()
    log = spool_root(store.path) / f"crawl-{crawl_id}" / "commits.log"
    entry = json.loads(log.read_text())
    entry["url_base"] = 5
    log.write_text(json.dumps(entry) + "\n")
    store.forget_urls()
    with pytest.raises(StoreError, match="cannot be loaded"):
        load_spool(store, crawl_id)
    assert store.count("pages") == 0


def test_sitemap_rows_keep_their_order(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    spool = CrawlSpool(store, crawl_id)
    entries = [(f"{HOME}{n}", f"{HOME}sitemap.xml", f"2024-01-0{n % 9 + 1}") for n in range(50)]
    entries[3] = (entries[3][0], entries[3][1], None)
    spool.write(CrawlBatch(sitemaps=entries))
    spool.close()
    load_spool(store, crawl_id)
    rows = store.rows(
        "SELECT u.url, m.url, s.lastmod FROM sitemap_urls s JOIN urls u ON u.id = s.url_id "
        "JOIN urls m ON m.id = s.sitemap_url_id ORDER BY s.rowid"
    )
    assert rows == entries


text = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))


@settings(max_examples=60, deadline=None)
@given(anchors=st.lists(text, min_size=1, max_size=6))
def test_strings_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, anchors: list[str | None]
) -> None:
    """NULL stays NULL, '' stays '', and quotes, commas, newlines and NUL survive."""
    store, crawl_id = _store(tmp_path_factory.mktemp("rt"))
    spool = CrawlSpool(store, crawl_id)
    spool.write(_batch([HOME], anchors=anchors))
    spool.close()
    load_spool(store, crawl_id)
    got = [row[3] for row in sorted(_links(store), key=lambda r: r[2])]
    assert got == anchors
    store.close()


def test_a_load_too_big_for_the_cap_is_retried_under_a_bigger_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import linkflow.store.spool as spool_module

    store, crawl_id = _store(tmp_path)
    spool = CrawlSpool(store, crawl_id)
    pages = [f"{HOME}p/{n}" for n in range(200)]
    spool.write(_batch(pages, anchors=[f"anchor {i} " * 20 for i in range(40)]))
    spool.close()
    attempts: list[str] = []
    real_load = spool_module._load

    def counting_load(*args: object) -> None:
        attempts.append(store.memory_limit)
        real_load(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(spool_module, "_load", counting_load)
    monkeypatch.setattr(memcap, "_LADDER", ("1MB", "256MB", None))
    assert load_spool(store, crawl_id) is True
    assert attempts == ["1MB", "256MB"]  # out of memory under the first cap, then loaded
    assert store.count("links") == 200 * 40
    assert store.memory_limit not in ("1MB", "256MB")  # the caps are lifted afterwards


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
    spool = CrawlSpool(store, crawl_id)
    spool.write(_batch([HOME]))
    real = spool._files["links"]
    spool._files["links"] = _DiskFull(real)
    with pytest.raises(StoreError, match="free disk space"):
        spool.write(_batch([f"{HOME}lost"]))
    assert real.closed  # dropped with whatever it could not flush; reopened on the next write
    assert (spool.path / "links.0.csv").stat().st_size == spool._sizes["links"]
    spool.write(_batch([f"{HOME}kept"]))  # space freed: the crawl goes on
    spool.close()
    load_spool(store, crawl_id)
    pages = {r[0] for r in store.rows("SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id")}
    assert pages == {HOME, f"{HOME}kept"}
    assert len(_links(store)) == 2
    urls = store.rows("SELECT id, url FROM urls ORDER BY id")
    assert [u[0] for u in urls] == list(range(len(urls)))  # dense: the lost batch's ids reused
    assert f"{HOME}lost" not in {u[1] for u in urls}


def _pages(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id")]


def test_a_big_journal_loads_part_by_part_and_resumes_between_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool_module, "PART_BYTES", 1)  # every batch starts a new part
    store, crawl_id = _store(tmp_path)
    spool = CrawlSpool(store, crawl_id)
    names = [HOME, f"{HOME}a", f"{HOME}b", f"{HOME}c"]
    for name in names:
        spool.write(_batch([name]))
    spool.close()
    assert spool.part == 3
    folder = spool.path
    assert sorted(p.name for p in folder.glob("pages.*.csv")) == [
        f"pages.{n}.csv" for n in range(4)
    ]
    real_load, calls = spool_module._load, []

    def dies_on_the_third_part(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise StoreError("the process stops here")
        real_load(*args)

    monkeypatch.setattr(spool_module, "_load", dies_on_the_third_part)
    with pytest.raises(StoreError, match="stops here"):
        load_spool(store, crawl_id)
    assert sorted(_pages(store)) == sorted(names[:2])  # two parts in, each whole
    assert folder.exists()
    monkeypatch.setattr(spool_module, "_load", real_load)
    assert load_spool(store, crawl_id)
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
    del entry["part"]
    log.write_text(json.dumps(entry) + "\n")
    store.forget_urls()
    assert load_spool(store, crawl_id)
    assert _pages(store) == [HOME]
    assert _links(store) == [(HOME, f"{HOME}p/1", 0, "next")]


def test_a_checkpoint_that_fails_is_retried_on_the_reopened_store(tmp_path: Path) -> None:
    store, crawl_id = _store(tmp_path)
    spool = CrawlSpool(store, crawl_id)
    spool.write(_batch([HOME, f"{HOME}a"]))
    spool.close()
    store.execute("SET checkpoint_threshold = '1TB'")
    with memcap.memory_cap(store, "512MB"):  # the load commits, nothing checkpoints
        spool_module._part_loader(
            store, crawl_id, spool.path, spool_module._committed(spool.path)[0]
        )()
    wal = Path(f"{store.path}.wal")
    assert wal.stat().st_size > 0
    # A checkpoint that fails leaves DuckDB's database unusable in this process, as running
    # out of memory does.
    store.execute("SET debug_checkpoint_abort = 'before_header'")
    failing, own_limit = store.con, store.memory_limit
    shown = store.scalar("SELECT current_setting('memory_limit')")
    memcap.checkpoint(store)
    assert store.con is not failing  # reopened, and the checkpoint done there
    assert not wal.exists() or wal.stat().st_size == 0
    assert sorted(_pages(store)) == [HOME, f"{HOME}a"]  # the committed rows survived
    store.execute("INSERT INTO meta VALUES ('still', 'writable')")
    # The log was replayed under the next cap; the store keeps its own limit afterwards.
    assert store.memory_limit == own_limit
    assert store.scalar("SELECT current_setting('memory_limit')") == shown
