"""The crawl journal: a running crawl's batches on disk, loaded into the store in bulk.

A crawl does not write to DuckDB page by page. Each batch (pages, links, text, hreflang,
frontier rows, sitemap entries) is appended as CSV to one file per table in
``<store>.spool/crawl-<id>/``, and a line naming the batch and the committed size of every
file is appended to ``commits.log``. A batch is committed when its line is complete; a
process killed at any moment leaves either the whole batch (its line written) or bytes past
the last committed sizes, which are cut off before anything reads the files.

URL ids are assigned as the batches are written (:meth:`Store.assign_url_ids`), the new
URLs going to the journal's ``urls`` file, so the files hold the rows exactly as the tables
do. The files are written in parts of about ``PART_BYTES`` (``pages.0.csv``,
``pages.1.csv`` ...). :func:`load_spool` moves each part into the store in one transaction,
a plain ``INSERT ... SELECT`` from ``read_csv`` per table (no join), which also records
the part's last batch as loaded in ``meta``; then it deletes the files. A crash between
parts, or between the last commit and the deletion, is recognised by that mark, so no batch
is ever loaded twice. Opening a store writable recovers any journal left behind
(:func:`recover_spools`).

Why: the crawl process then holds neither DuckDB's buffers nor Arrow while it fetches and
parses, so its memory stays flat, and the bulk load runs out of core under a small memory
cap (:data:`linkflow.store.memcap.STORE_MEMORY`).

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
import shutil
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from linkflow.errors import StoreError
from linkflow.store.db import Store
from linkflow.store.memcap import capped, checkpoint

__all__ = [
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "CrawlBatch",
    "CrawlSpool",
    "load_spool",
    "recover_spools",
    "spool_root",
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
_FILES: dict[str, dict[str, str]] = {
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
rows committed at once (measured: 0.7M links peaked 50-60 MB over the process, 3.4M links
90 MB), so parts keep the load flat however big the crawl."""

SPOOL_SUFFIX = ".spool"
_COMMITS = "commits.log"
_CRAWL_DIR = re.compile(r"^crawl-(\d+)$")


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


def spool_root(store_path: Path) -> Path:
    """The folder holding the journals of the store at ``store_path``."""
    return store_path.with_name(store_path.name + SPOOL_SUFFIX)


def _spool_dir(store_path: Path, crawl_id: int) -> Path:
    return spool_root(store_path) / f"crawl-{crawl_id}"


def _nulls(values: Iterable[Any]) -> list[Any]:
    return [_NULL if v is None else v for v in values]


_Rows = Iterable[Sequence[Any]]


def _write_csv(f: IO[bytes], rows: _Rows) -> None:
    """Append ``rows`` to ``f`` as CSV, streamed: a batch's text is never built whole in
    memory (a 50-page batch of links is megabytes of text, held four bytes a character by
    ``StringIO``; glibc kept those blocks resident, about 40 MB over a crawl)."""
    # A lone surrogate (undecodable input kept by a lenient decoder) must not kill a crawl.
    text = io.TextIOWrapper(f, encoding="utf-8", errors="replace", newline="")
    try:
        csv.writer(text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
        text.flush()
    finally:
        text.detach()  # leave ``f`` open


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


def _batch_files(batch: CrawlBatch, ids: _Ids, n: int) -> dict[str, _Rows]:
    """The rows of each journal file for ``batch`` (``n``: first row number), in the order
    the files are written. Ids are assigned here; the rows are produced as they are written."""
    out: dict[str, _Rows] = {}
    if batch.pages:
        pages = batch.pages
        cols = [
            ids([p["url"] for p in pages]),
            ids([p.get("redirect_url") for p in pages]),
            ids([p.get("canonical_url") for p in pages]),
        ]
        cols += [_nulls(p.get(name) for p in pages) for name in PAGE_COLUMNS]
        out["pages"] = zip(*cols, strict=True)
    links = batch.links
    if links["src"]:
        cols = [ids(links["src"]), ids(links["dst"])]
        cols += [_nulls(links[name]) for name in LINK_COLUMNS]
        out["links"] = zip(*cols, strict=True)
    if batch.texts:
        url_ids = ids([u for u, _ in batch.texts])
        out["page_text"] = zip(url_ids, (t for _, t in batch.texts), strict=True)
    if batch.hreflang:
        src = ids([h[0] for h in batch.hreflang])
        dst = ids([h[1] for h in batch.hreflang])
        out["hreflang"] = zip(src, dst, (h[2] for h in batch.hreflang), strict=True)
    frontier = [(u, d, h, "queued") for u, d, h in batch.queued]
    frontier += [(u, 0, 0, "done") for u in batch.done]
    if frontier:
        url_ids = ids([f[0] for f in frontier])
        out["frontier"] = (
            (n + i, uid, *f[1:]) for i, (uid, f) in enumerate(zip(url_ids, frontier, strict=True))
        )
    if batch.sitemaps:
        url_ids = ids([m[0] for m in batch.sitemaps])
        maps = ids([m[1] for m in batch.sitemaps])
        lastmods = _nulls(m[2] for m in batch.sitemaps)
        out["sitemap_urls"] = (
            (n + i, *row) for i, row in enumerate(zip(url_ids, maps, lastmods, strict=True))
        )
    if ids.new:
        parts = [urlsplit(u) for u in ids.new]
        hosts = [p.netloc for p in parts]
        paths = [p.path or "/" for p in parts]
        out = {"urls": zip(ids.new.values(), ids.new, hosts, paths, strict=True), **out}
    return out


class CrawlSpool:
    """The journal of one crawl, open for appending batches (see the module docstring).

    Create it only after :func:`load_spool` emptied the crawl's journal (the crawl stage
    does so when it starts); batches are numbered on from the last one loaded.
    """

    def __init__(self, store: Store, crawl_id: int) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.path = _spool_dir(store.path, crawl_id)
        self.seq = _loaded_seq(store, crawl_id)
        self.urls = int(store.scalar("SELECT count(*) FROM urls"))
        """URLs in the store and the journal so far: the next new URL's id."""
        self.part = 0
        self.url_base = self.urls
        """URLs the store will hold when the current part loads (its first new id)."""
        self._files: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}
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
        if sum(self._sizes.values()) >= PART_BYTES:
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
        self.part += 1
        self.url_base = self.urls

    def _append(self, data: dict[str, _Rows]) -> None:
        if self._log is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._log = open(self.path / _COMMITS, "ab")  # noqa: SIM115 - closed in close()
            self._log_size = self._log.tell()
        sizes = dict(self._sizes)
        try:
            for name, rows in data.items():
                f = self._files.get(name)
                if f is None:
                    path = _part_file(self.path, name, self.part)
                    f = self._files[name] = open(path, "ab")  # noqa: SIM115
                    self._sizes[name] = sizes[name] = f.tell()
                _write_csv(f, rows)
                f.flush()
                sizes[name] = f.tell()
            entry = {
                "seq": self.seq + 1, "part": self.part, "url_base": self.url_base, "sizes": sizes
            }  # fmt: skip
            self._log.write(json.dumps(entry).encode() + b"\n")
            self._log.flush()
        except BaseException:
            self._cut_back()
            raise
        self._sizes = sizes
        self._log_size = self._log.tell()
        self.seq += 1

    def _cut_back(self) -> None:
        """Cut a half-written batch off, so the next one follows the last commit.

        The files are closed first: a buffer that could not be flushed (disk full) is
        dropped with its file object rather than written after the cut; the next batch
        reopens them."""
        cuts = {_part_file(self.path, n, self.part): self._sizes[n] for n in self._files}
        cuts[self.path / _COMMITS] = self._log_size
        for f in [*self._files.values(), *([self._log] if self._log else [])]:
            with suppress(OSError):
                f.close()
        self._files.clear()
        self._log = None
        for path, size in cuts.items():
            with suppress(OSError):
                os.truncate(path, size)

    def size(self) -> int:
        """Bytes in the journal's files (every part, committed or not)."""
        if not self.path.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    def close(self) -> None:
        """Close the files (what was written stays committed)."""
        for f in self._files.values():
            f.close()
        self._files.clear()
        if self._log is not None:
            self._log.close()
            self._log = None


# ---------------------------------------------------------------------- loading
def _loaded_seq(store: Store, crawl_id: int) -> int:
    value = store.scalar("SELECT value FROM meta WHERE key = ?", [f"spool_loaded:{crawl_id}"])
    return int(value) if value is not None else 0


def _part_file(folder: Path, name: str, part: int | None) -> Path:
    # ``None``: a journal written before parts existed (one file per table).
    return folder / (f"{name}.csv" if part is None else f"{name}.{part}.csv")


@dataclass(frozen=True, slots=True)
class _Part:
    """A journal part as its last complete commit line left it."""

    part: int | None
    seq: int
    url_base: int
    sizes: dict[str, int]


def _committed(folder: Path) -> list[_Part]:
    """Each part of a journal with its last complete commit line, in order."""
    log = folder / _COMMITS
    if not log.exists():
        return []
    parts: dict[int | None, _Part] = {}
    for line in log.read_bytes().split(b"\n"):
        try:
            entry = json.loads(line)
            sizes = {str(k): int(v) for k, v in entry["sizes"].items()}
            part = None if entry.get("part") is None else int(entry["part"])
            parts[part] = _Part(part, int(entry["seq"]), int(entry["url_base"]), sizes)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # the torn last line of a killed process, or the empty tail
    return list(parts.values())


def _truncate(folder: Path, part: _Part) -> dict[str, Path]:
    """Cut a part's files back to their committed size; return the non-empty ones by table."""
    files: dict[str, Path] = {}
    for name in _FILES:
        path = _part_file(folder, name, part.part)
        size = part.sizes.get(name, 0)
        if path.exists() and path.stat().st_size > size:
            with open(path, "r+b") as f:
                f.truncate(size)
        if size:
            files[name] = path
    return files


def _scan(name: str, path: Path) -> str:
    columns = ", ".join(f"'{c}': '{t}'" for c, t in _FILES[name].items())
    literal = str(path).replace("'", "''")
    return (
        f"read_csv('{literal}', header = false, auto_detect = false, delim = ',', "
        "quote = '\"', escape = '\"', new_line = '\\n', allow_quoted_nulls = false, "
        f"buffer_size = 2000000, columns = {{{columns}}})"
    )


def _load(store: Store, crawl_id: int, files: dict[str, Path]) -> None:
    for table, path in files.items():  # in _FILES order: urls first
        crawl = "" if table == "urls" else f"{int(crawl_id)} AS crawl_id, "
        if "n" in _FILES[table]:
            select = f"SELECT {crawl}* EXCLUDE (n) FROM {_scan(table, path)} ORDER BY n"
        else:
            select = f"SELECT {crawl}* FROM {_scan(table, path)}"
        store.execute(f"INSERT INTO {table} BY NAME {select}")


def load_spool(store: Store, crawl_id: int) -> bool:
    """Load the committed batches of ``crawl_id``'s journal into ``store``; delete it.

    Each part loads in its own transaction, which also records the part's last batch as
    loaded, so a load stopped between parts goes on with the next part. Returns True if
    rows were loaded. Safe to call at any time and any number of times.
    """
    folder = _spool_dir(store.path, crawl_id)
    if not folder.exists():
        return False
    loaded = False
    done = _loaded_seq(store, crawl_id)
    for part in _committed(folder):
        if part.seq <= done:
            continue  # loaded before the process stopped
        try:
            capped(store, _part_loader(store, crawl_id, folder, part))
            checkpoint(store)
        except BaseException:
            store.forget_urls()  # the rest of the journal stays on disk for the next attempt
            raise
        loaded = True
    shutil.rmtree(folder)
    root = folder.parent
    if root.exists() and not any(root.iterdir()):
        root.rmdir()
    return loaded


def _part_loader(store: Store, crawl_id: int, folder: Path, part: _Part) -> Callable[[], None]:
    """Check that ``part`` follows what the store holds, cut its files to their committed
    size, and return the step that loads it (one transaction, retried by :func:`capped`)."""
    have = int(store.scalar("SELECT count(*) FROM urls"))
    if have != part.url_base:
        raise StoreError(
            f"{folder}: this crawl journal numbers URLs from {part.url_base} but the store has "
            f"{have}; it cannot be loaded. Move the folder away and run the crawl again"
        )
    files = _truncate(folder, part)

    def load() -> None:
        with store.transaction():
            _load(store, crawl_id, files)
            store.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [f"spool_loaded:{crawl_id}", str(part.seq)],
            )

    return load


def recover_spools(store: Store) -> list[int]:
    """Load every journal a killed crawl left beside ``store``; return their crawl ids."""
    root = spool_root(store.path)
    if not root.is_dir():
        return []
    done = []
    for folder in sorted(root.iterdir()):
        match = _CRAWL_DIR.match(folder.name)
        if match and load_spool(store, int(match.group(1))):
            done.append(int(match.group(1)))
    return done
