"""A crawl batch as the journal writes it: the rows of each file, in CSV, and bounds on
how long they are.

The CSV dialect is :mod:`linkflow.linkrows`' (where parse workers encode their pages'
links): every string is quoted (quotes doubled), ``None`` is an empty unquoted field, so
DuckDB reads NULL and ``""`` apart (``allow_quoted_nulls=false``); text is UTF-8, a lone
surrogate replaced. :func:`widths` bounds a file's longest row and sums its wide
rows (longer than ``PLAIN_LINE``), which the load sizes DuckDB's line limit and memory cap
with (:mod:`linkflow.crawl.journal_load`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import length_hint
from typing import IO
from urllib.parse import urlsplit

from linkflow.crawl.rows import LINK_COLUMNS, PAGE_COLUMNS, LinkColumns, PageRow, new_link_columns
from linkflow.linkrows import NULL, Cell, Columns, csv_lines, quoted, write_csv
from linkflow.store import Store

__all__ = [
    "COLUMN_COUNTS",
    "FILES",
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "PLAIN_LINE",
    "UNRECORDED_COUNTS",
    "Cell",
    "Columns",
    "CrawlBatch",
    "EncodedLinks",
    "Ids",
    "Lines",
    "batch_files",
    "line_widths",
    "widths",
    "write_csv",
    "write_lines",
]

_V, _I, _B, _N = "VARCHAR", "INTEGER", "BOOLEAN", "BIGINT"
FILES: dict[str, dict[str, str]] = {
    "urls": {"id": _I, "url": _V, "host": _V, "path": _V},
    "pages": {
        "url_id": _I, "redirect_url_id": _I, "canonical_url_id": _I, "internal": _B,
        "depth": _I, "status": "SMALLINT", "content_type": _V, "fetched_at": "TIMESTAMP",
        "response_ms": "DOUBLE", "bytes": _N, "meta_robots": _V, "x_robots_tag": _V,
        "indexable": _B, "title": _V, "meta_description": _V, "h1": _V, "lang": _V,
        "word_count": _I, "content_hash": _V, "other_scheme_links": _I, "error": _V,
        "schema_types": _V,
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

COLUMN_COUNTS: dict[str, int] = {name: len(columns) for name, columns in FILES.items()}
"""Columns of each file, recorded in every commit line: a journal left by an older version
(a killed crawl) is read with the columns it was written with."""

UNRECORDED_COUNTS: dict[str, int] = {"pages": list(FILES["pages"]).index("schema_types")}
"""Columns of the files of a journal whose commit lines record none: the files written before
``pages.schema_types`` was added at the end (the others had all their columns)."""

PLAIN_LINE = 2_000_000
"""DuckDB's default longest CSV line. A row longer than this is *wide*: the load reads its
file with a line limit (and a read buffer) of the widest row's length instead."""

_FIELD = 32
"""Bytes a field takes at most besides its text: separator, quotes, a number or a date."""


@dataclass(slots=True)
class EncodedLinks:
    """Links whose :data:`LINK_COLUMNS` are CSV lines already (see
    :class:`linkflow.linkrows.LinkRows`): ``src[i]`` and ``dst[i]`` are the URLs of the
    link of ``lines[i]``."""

    src: list[str]
    dst: list[str]
    lines: list[str]


@dataclass(slots=True)
class Lines:
    """A journal file's rows as whole CSV lines, each ending in a newline."""

    lines: list[str]


@dataclass(slots=True)
class CrawlBatch:
    """Rows to commit together. URLs are normalised strings; ids are assigned on write."""

    pages: list[PageRow] = field(default_factory=list)
    links: LinkColumns = field(default_factory=new_link_columns)
    """Links given column by column."""
    encoded: EncodedLinks = field(default_factory=lambda: EncodedLinks([], [], []))
    """Links given as journal lines (what the crawl's pages give)."""
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
        return len(self.links["src"]) + len(self.encoded.src)

    def is_empty(self) -> bool:
        return not (self.pages or self.queued or self.sitemaps)


def _nulls(values: Iterable[Cell | None]) -> list[Cell]:
    return [NULL if v is None else v for v in values]


_EXACT = 16_384
"""Strings from this many characters on are measured exactly (encoded), shorter ones bounded."""


def _text_bytes(value: Cell) -> int:
    """Bytes of ``value`` in the CSV (a bound for short strings, exact for long ones)."""
    if not isinstance(value, str):
        return 0
    if len(value) < _EXACT:
        return 4 * len(value)  # UTF-8 takes at most four bytes a character, a doubled quote two
    return len(value.encode("utf-8", "replace")) + value.count('"')


def line_widths(lines: Lines) -> tuple[int, int]:
    """:func:`widths` of rows given as lines: exact, where it matters."""
    longest = max(map(len, lines.lines), default=0)
    if 4 * longest <= PLAIN_LINE:
        return 4 * longest, 0
    sizes = [len(line.encode("utf-8", "replace")) for line in lines.lines]
    return max(sizes), sum(n for n in sizes if n > PLAIN_LINE)


def write_lines(f: IO[bytes], lines: Lines) -> None:
    """Append ``lines`` to ``f`` in UTF-8 (a lone surrogate replaced), a slice at a time."""
    rows = lines.lines
    for start in range(0, len(rows), _SLICE):
        f.write("".join(rows[start : start + _SLICE]).encode("utf-8", "replace"))


_SLICE = 4096
"""Lines encoded at once: the text of a slice is built whole, so it stays small."""


def widths(name: str, columns: Columns) -> tuple[int, int]:
    """``(widest, wide)`` of one file's rows: a bound on the longest row's bytes, and the
    bytes of the rows longer than ``PLAIN_LINE``.

    Cheap for ordinary rows (one ``len`` a string, in C); only when some string is long are
    the rows measured one by one.
    """
    fixed = _FIELD * len(columns)
    texts = [c for c, kind in zip(columns, FILES[name].values(), strict=True) if kind == _V]
    # length_hint is len for a string and 0 for what has no length, at the speed of len.
    longest = sum(max(map(length_hint, filter(None, c)), default=0) for c in texts)
    if fixed + 4 * longest <= PLAIN_LINE:
        return fixed + 4 * longest, 0
    rows = [fixed + sum(map(_text_bytes, row)) for row in zip(*texts, strict=True)]
    return max(rows), sum(r for r in rows if r > PLAIN_LINE)


class Ids:
    """URL ids for one batch, collecting the URLs that are new to the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.new: dict[str, int] = {}

    def __call__(self, urls: Sequence[str | None]) -> list[int]:
        present = [u for u in urls if u is not None]
        ids, new = self.store.assign_url_ids(present)
        self.new.update(new)
        if len(present) == len(urls):
            return ids
        it = iter(ids)
        return [NULL if u is None else next(it) for u in urls]


def batch_files(batch: CrawlBatch, ids: Ids, n: int) -> dict[str, Columns | Lines]:
    """The columns of each journal file for ``batch`` (``n``: first row number), in the
    order the files are written (``FILES`` order). Ids are assigned here."""
    out: dict[str, Columns | Lines] = {}
    if batch.pages:
        pages = batch.pages
        cols: Columns = [
            ids([p["url"] for p in pages]),
            ids([p.get("redirect_url") for p in pages]),
            ids([p.get("canonical_url") for p in pages]),
        ]
        cols += [_nulls(p.get(name) for p in pages) for name in PAGE_COLUMNS]
        out["pages"] = cols
    links, encoded = batch.links, batch.encoded
    if links["src"] or encoded.src:
        lines = csv_lines([_nulls(links[name]) for name in LINK_COLUMNS]) if links["src"] else []
        src, dst = ids(links["src"] + encoded.src), ids(links["dst"] + encoded.dst)
        lines += encoded.lines
        rows = zip(src, dst, lines, strict=True)
        out["links"] = Lines([f"{s},{d},{line}" for s, d, line in rows])
    if batch.texts:
        text_ids = ids([u for u, _ in batch.texts])
        out["page_text"] = Lines(
            [f"{i},{quoted(t)}\n" for i, (_, t) in zip(text_ids, batch.texts, strict=True)]
        )
    if batch.hreflang:
        out["hreflang"] = [
            ids([h[0] for h in batch.hreflang]),
            ids([h[1] for h in batch.hreflang]),
            [h[2] for h in batch.hreflang],
        ]
    queued, done = batch.queued, batch.done
    if queued or done:  # the queued rows, then the done ones (depth and hops 0)
        out["frontier"] = [
            range(n, n + len(queued) + len(done)),
            ids([u for u, _, _ in queued] + done),
            [d for _, d, _ in queued] + [0] * len(done),
            [h for _, _, h in queued] + [0] * len(done),
            ["queued"] * len(queued) + ["done"] * len(done),
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
        urls: Columns = [
            list(ids.new.values()),
            list(ids.new),
            [p.netloc for p in parts],
            [p.path or "/" for p in parts],
        ]
        out = {"urls": urls, **out}
    return out
