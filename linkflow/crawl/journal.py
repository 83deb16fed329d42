"""The crawl journal: a running crawl's batches on disk, loaded into the store in bulk.

A crawl does not write to DuckDB page by page. Each batch (pages, links, text, hreflang,
frontier rows, sitemap entries) is appended as CSV to one file per table in
``<store>.spool/crawl-<id>/``, and a line naming the batch and the committed size of every
file is appended to ``commits.log``. A batch is committed when its line is complete; a
process killed at any moment leaves either the whole batch (its line written) or bytes past
the last committed sizes, which are cut off before anything reads the files.

URL ids are assigned as the batches are written (:meth:`Store.assign_url_ids`), the new
URLs going to the journal's ``urls`` file, so the files hold the rows exactly as the tables
do. The files are written in parts (``pages.0.csv``, ``pages.1.csv`` ...): a part ends once
it holds ``PART_BYTES``, or ``WIDE_PART_BYTES`` of wide rows (rows longer than
``PLAIN_LINE``, such as the text of a 10 MB page). Each commit line also bounds the part's
widest row per file and sums its wide rows, so the load reads every row whatever its
length and sizes its memory cap for them. :mod:`linkflow.crawl.journal_load` moves each
part into the store in one transaction and deletes the files.

Why: the crawl process then holds neither DuckDB's buffers nor Arrow while it fetches and
parses, so its memory stays flat, and the bulk load runs out of core under one small memory
cap (the ``crawl.store_memory`` setting).

Files are flushed to the operating system on every commit (a killed process loses
nothing), not fsynced: a power cut may lose the last seconds of a crawl, which a resume
fetches again.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from linkflow.errors import StoreError
from linkflow.store import Store

__all__ = [
    "FILES",
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "CrawlBatch",
    "Journal",
    "journal_dir",
    "journal_root",
    "loaded_seq",
    "part_file",
]

PAGE_COLUMNS = (
    "internal", "depth", "status", "content_type", "fetched_at", "response_ms", "bytes",
    "meta_robots", "x_robots_tag", "indexable", "title", "meta_description", "h1", "lang",
    "word_count", "content_hash", "other_scheme_links", "error",
)  # fmt: skip
"""Columns of a page row besides its URLs (``url``, ``redirect_url``, ``canonical_url``)."""

LINK_COLUMNS = (
    "ordinal", "anchor", "alt", "is_image", "rel", "rel_nofollow", "rel_sponsored", "rel_ugc",
    "target", "fragment", "position", "dom_path", "context",
)  # fmt: skip
"""Columns of a link row besides ``src``/``dst`` (URL strings)."""

_V, _I, _B, _N = "VARCHAR", "INTEGER", "BOOLEAN", "BIGINT"
FILES: dict[str, dict[str, str]] = {
    "urls": {"id": _I, "url": _V, "host": _V, "path": _V},
    "pages": {
        "url_id": _I, "redirect_url_id": _I, "canonical_url_id": _I, "internal": _B,
        "depth": _I, "status": "SMALLINT", "content_type": _V, "fetched_at": "TIMESTAMP",
        "response_ms": "DOUBLE", "bytes": _N, "meta_robots": _V, "x_robots_tag": _V,
        "indexable": _B, "title": _V, "meta_description": _V, "h1": _V, "lang": _V,
        "word_count": _I, "content_hash": _V, "other_scheme_links": _I, "error": _V,
    },
    "links": {
        "src_id": _I, "dst_id": _I, "ordinal": _I, "anchor": _V, "alt": _V, "is_image": _B,
        "rel": _V, "rel_nofollow": _B, "rel_sponsored": _B, "rel_ugc": _B, "target": _V,
        "fragment": _V, "position": _V, "dom_path": _V, "context": _V,
    },
    "page_text": {"url_id": _I, "main_text": _V},
    "hreflang": {"src_id": _I, "dst_id": _I, "lang": _V},
    "frontier": {"n": _N, "url_id": _I, "depth": _I, "hops": _I, "state": _V},
    "sitemap_urls": {"n": _N, "url_id": _I, "sitemap_url_id": _I, "lastmod": _V},
}  # fmt: skip
"""Each journal file (named after its table) and its columns with their DuckDB types, in
file order; ``urls`` is loaded first. ``n`` numbers the rows whose order matters
(breadth-first order of the frontier, sitemap order), and the load sorts by it."""

PART_BYTES = 64 * 2**20
"""A journal starts a new part (a new set of files) once its current part holds this many
bytes; each part loads in its own transaction. DuckDB's memory for a load grows with the
rows committed at once, so parts keep the load flat however big the crawl."""

PLAIN_LINE = 2_000_000
"""DuckDB's default longest CSV line. A row longer than this is *wide*: the load reads its
file with a line limit (and a read buffer) of the widest row's length instead."""

WIDE_PART_BYTES = 16 * 2**20
"""A part also ends once its wide rows hold this many bytes. DuckDB keeps a transaction's
long strings in memory at once, about three times their size (measured: three 10 MB texts
needed a 96 MB cap and 97 MB more resident memory), so wide rows are loaded a few at a time."""

SUFFIX = ".spool"
COMMITS = "commits.log"
CRAWL_DIR = re.compile(r"^crawl-(\d+)$")
LOADED = "spool_loaded:{}"
"""The ``meta`` key recording a crawl's last batch loaded into the store."""

_FIELD = 32
"""Bytes a field takes at most besides its text: separator, quotes, a number or a date."""


def journal_root(store_path: Path) -> Path:
    """The folder holding the journals of the store at ``store_path``."""
    return store_path.with_name(store_path.name + SUFFIX)


def journal_dir(store_path: Path, crawl_id: int) -> Path:
    """The journal folder of crawl ``crawl_id`` of the store at ``store_path``."""
    return journal_root(store_path) / f"crawl-{crawl_id}"


def part_file(folder: Path, name: str, part: int | None) -> Path:
    """The file of table ``name`` in ``part`` (``None``: a journal written before parts)."""
    return folder / (f"{name}.csv" if part is None else f"{name}.{part}.csv")


def loaded_seq(store: Store, crawl_id: int) -> int:
    """The last batch of ``crawl_id``'s journal loaded into ``store`` (0: none)."""
    value = store.scalar("SELECT value FROM meta WHERE key = ?", [LOADED.format(crawl_id)])
    return int(value) if value is not None else 0


class _Null(int):
    """What the CSV writer gets for ``None``: a number (so it is written unquoted) that
    prints as nothing. Strings are always quoted, so an empty field is NULL and ``""`` is
    an empty string when DuckDB reads the file back (``allow_quoted_nulls=false``)."""

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


_NULL = _Null()


def _link_columns() -> dict[str, list[Any]]:
    return {name: [] for name in ("src", "dst", *LINK_COLUMNS)}


@dataclass(slots=True)
class CrawlBatch:
    """Rows to commit together. URLs are normalised strings; ids are assigned on write."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, list[Any]] = field(default_factory=_link_columns)
    texts: list[tuple[str, str]] = field(default_factory=list)
    hreflang: list[tuple[str, str, str]] = field(default_factory=list)
    queued: list[tuple[str, int, int]] = field(default_factory=list)
    """(url, depth, hops) discovered by this batch's pages."""
    done: list[str] = field(default_factory=list)
    sitemaps: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(url, sitemap url, lastmod) entries read from the site's sitemaps."""

    def __len__(self) -> int:
        return len(self.pages)

    @property
    def link_count(self) -> int:
        return len(self.links["src"])

    def is_empty(self) -> bool:
        return not (self.pages or self.queued or self.sitemaps)


def _nulls(values: Iterable[Any]) -> list[Any]:
    return [_NULL if v is None else v for v in values]


_Columns = list[Sequence[Any]]


def _write_csv(f: IO[bytes], columns: _Columns) -> None:
    """Append the rows of ``columns`` to ``f`` as CSV, streamed: a batch's text is never
    built whole in memory (a 50-page batch of links is megabytes of text, held four bytes a
    character by ``StringIO``; glibc kept those blocks resident, about 40 MB over a crawl)."""
    # A lone surrogate (undecodable input kept by a lenient decoder) must not kill a crawl.
    text = io.TextIOWrapper(f, encoding="utf-8", errors="replace", newline="")
    try:
        writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerows(zip(*columns, strict=True))
        text.flush()
    finally:
        text.detach()  # leave ``f`` open


_EXACT = 16_384
"""Strings from this many characters on are measured exactly (encoded), shorter ones bounded."""


def _text_bytes(value: Any) -> int:
    """Bytes of ``value`` in the CSV (a bound for short strings, exact for long ones)."""
    if not isinstance(value, str):
        return 0
    if len(value) < _EXACT:
        return 4 * len(value)  # UTF-8 takes at most four bytes a character, a doubled quote two
    return len(value.encode("utf-8", "replace")) + value.count('"')


def _widths(name: str, columns: _Columns) -> tuple[int, int]:
    """``(widest, wide)`` of one file's rows: a bound on the longest row's bytes, and the
    bytes of the rows longer than ``PLAIN_LINE``.

    Cheap for ordinary rows (one ``len`` a string, in C); only when some string is long are
    the rows measured one by one.
    """
    fixed = _FIELD * len(columns)
    texts = [c for c, kind in zip(columns, FILES[name].values(), strict=True) if kind == _V]
    longest = sum(max(map(len, filter(None, c)), default=0) for c in texts)
    if fixed + 4 * longest <= PLAIN_LINE:
        return fixed + 4 * longest, 0
    rows = [fixed + sum(map(_text_bytes, row)) for row in zip(*texts, strict=True)]
    return max(rows), sum(r for r in rows if r > PLAIN_LINE)


class _Ids:
    """URL ids for one batch, collecting the URLs that are new to the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.new: dict[str, int] = {}

    def __call__(self, urls: Sequence[str | None]) -> list[Any]:
        present = [u for u in urls if u is not None]
        ids, new = self.store.assign_url_ids(present)
        self.new.update(new)
        if len(present) == len(urls):
            return ids
        it = iter(ids)
        return [_NULL if u is None else next(it) for u in urls]


def _batch_files(batch: CrawlBatch, ids: _Ids, n: int) -> dict[str, _Columns]:
    """The columns of each journal file for ``batch`` (``n``: first row number), in the
    order the files are written (``FILES`` order). Ids are assigned here."""
    out: dict[str, _Columns] = {}
    if batch.pages:
        pages = batch.pages
        cols: _Columns = [
            ids([p["url"] for p in pages]),
            ids([p.get("redirect_url") for p in pages]),
            ids([p.get("canonical_url") for p in pages]),
        ]
        cols += [_nulls(p.get(name) for p in pages) for name in PAGE_COLUMNS]
        out["pages"] = cols
    links = batch.links
    if links["src"]:
        cols = [ids(links["src"]), ids(links["dst"])]
        cols += [_nulls(links[name]) for name in LINK_COLUMNS]
        out["links"] = cols
    if batch.texts:
        out["page_text"] = [ids([u for u, _ in batch.texts]), [t for _, t in batch.texts]]
    if batch.hreflang:
        out["hreflang"] = [
            ids([h[0] for h in batch.hreflang]),
            ids([h[1] for h in batch.hreflang]),
            [h[2] for h in batch.hreflang],
        ]
    frontier = [(u, d, h, "queued") for u, d, h in batch.queued]
    frontier += [(u, 0, 0, "done") for u in batch.done]
    if frontier:
        out["frontier"] = [
            range(n, n + len(frontier)),
            ids([f[0] for f in frontier]),
            *(list(c) for c in zip(*(f[1:] for f in frontier), strict=True)),
        ]
    if batch.sitemaps:
        maps = batch.sitemaps
        out["sitemap_urls"] = [
            range(n, n + len(maps)),
            ids([m[0] for m in maps]),
            ids([m[1] for m in maps]),
            _nulls(m[2] for m in maps),
        ]
    if ids.new:
        parts = [urlsplit(u) for u in ids.new]
        urls: _Columns = [
            list(ids.new.values()),
            list(ids.new),
            [p.netloc for p in parts],
            [p.path or "/" for p in parts],
        ]
        out = {"urls": urls, **out}
    return out


class Journal:
    """The journal of one crawl, open for appending batches (see the module docstring).

    Create it only after the crawl's journal was loaded and emptied
    (:func:`linkflow.crawl.journal_load.load_journal`; the crawl stage does so when it
    starts): batches are numbered on from the last one loaded.
    """

    def __init__(self, store: Store, crawl_id: int) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.path = journal_dir(store.path, crawl_id)
        self.seq = loaded_seq(store, crawl_id)
        self.urls = int(store.scalar("SELECT count(*) FROM urls"))
        """URLs in the store and the journal so far: the next new URL's id."""
        self.part = 0
        self.url_base = self.urls
        """URLs the store will hold when the current part loads (its first new id)."""
        self._files: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}
        self._widest: dict[str, int] = {}
        self._wide = 0
        self._log: IO[bytes] | None = None
        self._log_size = 0
        self._rows = 0

    def write(self, batch: CrawlBatch) -> None:
        """Append ``batch`` and commit it; returns once it survives the process.

        Raises :class:`StoreError` if the files cannot be written (disk full); the batch is
        then taken back whole, so the journal still ends at its last commit.
        """
        if batch.is_empty():
            return
        if sum(self._sizes.values()) >= PART_BYTES or self._wide >= WIDE_PART_BYTES:
            self._next_part()
        ids = _Ids(self.store)
        try:
            self._append(_batch_files(batch, ids, self._rows))
        except BaseException as exc:
            # Void the ids this batch handed out; earlier batches' ids stay assigned.
            self.store.drop_url_ids(ids.new)
            if isinstance(exc, OSError):
                raise StoreError(
                    f"{self.path}: cannot write the crawl journal ({exc}); free disk space "
                    "and run the same command again to resume"
                ) from exc
            raise
        self._rows += len(batch.queued) + len(batch.done) + len(batch.sitemaps)
        self.urls += len(ids.new)

    def _next_part(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()
        self._sizes = {}
        self._widest = {}
        self._wide = 0
        self.part += 1
        self.url_base = self.urls

    def _append(self, data: dict[str, _Columns]) -> None:
        if self._log is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._log = open(self.path / COMMITS, "ab")  # noqa: SIM115 - closed in close()
            self._log_size = self._log.tell()
        sizes, widest, wide = dict(self._sizes), dict(self._widest), self._wide
        try:
            for name, columns in data.items():
                f = self._files.get(name)
                if f is None:
                    path = part_file(self.path, name, self.part)
                    f = self._files[name] = open(path, "ab")  # noqa: SIM115
                    self._sizes[name] = sizes[name] = f.tell()
                _write_csv(f, columns)
                f.flush()
                written = f.tell() - sizes[name]
                sizes[name] += written
                # No row is longer than what the batch wrote: measure only long batches.
                row, long = (written, 0) if written <= PLAIN_LINE else _widths(name, columns)
                widest[name] = max(widest.get(name, 0), row)
                wide += long
            entry = {
                "seq": self.seq + 1, "part": self.part, "url_base": self.url_base,
                "sizes": sizes, "widest": widest, "wide": wide,
            }  # fmt: skip
            self._log.write(json.dumps(entry).encode() + b"\n")
            self._log.flush()
        except BaseException:
            self._cut_back()
            raise
        self._sizes, self._widest, self._wide = sizes, widest, wide
        self._log_size = self._log.tell()
        self.seq += 1

    def _cut_back(self) -> None:
        """Cut a half-written batch off, so the next one follows the last commit.

        The files are closed first: a buffer that could not be flushed (disk full) is
        dropped with its file object rather than written after the cut; the next batch
        reopens them."""
        cuts = {part_file(self.path, n, self.part): self._sizes[n] for n in self._files}
        cuts[self.path / COMMITS] = self._log_size
        for f in [*self._files.values(), *([self._log] if self._log else [])]:
            with suppress(OSError):
                f.close()
        self._files.clear()
        self._log = None
        for path, size in cuts.items():
            with suppress(OSError):
                os.truncate(path, size)

    def close(self) -> None:
        """Close the files (what was written stays committed)."""
        for f in self._files.values():
            f.close()
        self._files.clear()
        if self._log is not None:
            self._log.close()
            self._log = None
