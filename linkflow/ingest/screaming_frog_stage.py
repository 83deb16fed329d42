"""Staging of a Screaming Frog crawl import, before its write transaction.

DuckDB's CSV reader loads each export (fast, parallel, and its errors name the line) into a
temporary table: ``_sf_rows`` for the inlinks, ``_sf_internal`` for ``Internal: All``. The
caller normalises the distinct raw URLs (:func:`raw_urls`) and numbers the distinct results
``k`` (:func:`save_url_map`, table ``_sf_map``); :func:`build_edges` joins the rows to those
numbers once, as ``_sf_edges``. Nothing of the audit is written here: the writes, inside one
transaction, are :mod:`linkflow.ingest.screaming_frog_write`'s.

Row kinds, from the ``Type`` column (lower-cased, trimmed), across all layout eras:
``link`` (``hyperlink``, ``ahref``, ``href``), ``redirect`` (``http redirect``, ``hsts redirect``,
``meta refresh``, ``javascript redirect``), ``canonical`` (``html canonical``,
``http canonical``), ``sitemap`` (``xml sitemap``), and the resources a page embeds: ``image``
(``image``, ``img``), ``css``, ``script`` (``javascript``, ``js``), which are recorded as
pages of their content type but never as links. Every other row (iframes, hreflang,
prev/next ...) is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa

from linkflow.errors import ImportFormatError, StoreError
from linkflow.ingest.records import Reject
from linkflow.store import Store

__all__ = [
    "INLINK_FIELDS",
    "INTERNAL_FIELDS",
    "RESOURCE_KINDS",
    "TEMP_TABLES",
    "TEMP_VIEWS",
    "CsvSource",
    "build_edges",
    "drop_temp_tables",
    "load_inlinks",
    "load_internal",
    "no_progress_bar",
    "raw_urls",
    "rejected_rows",
    "save_url_map",
    "source_keys",
]

INLINK_FIELDS: Final = (
    "type", "source", "destination", "anchor", "alt", "status_code", "status", "follow",
    "target", "rel", "link_path", "link_position",
)  # fmt: skip
"""Columns of an inlinks/outlinks export that the import reads (canonical names)."""

INTERNAL_FIELDS: Final = (
    "address", "content_type", "status_code", "status", "indexability", "canonical",
    "meta_robots", "x_robots_tag", "redirect_url", "crawl_depth", "title", "h1",
    "meta_description", "word_count", "response_time", "size", "crawl_timestamp", "hash",
)  # fmt: skip
"""Columns of an ``Internal: All`` export that the import reads (canonical names)."""

TEMP_TABLES: Final = ("_sf_rows", "_sf_edges", "_sf_internal", "_sf_map", "_sf_ids")
"""Every temporary table of an import (``_sf_ids`` is made inside the write transaction)."""
TEMP_VIEWS: Final = ("_sf_e", "_sf_urlmap")
"""Every temporary view of an import (made inside the write transaction)."""

_KINDS = """CASE
    WHEN {t} IN ('hyperlink', 'ahref', 'href') THEN 'link'
    WHEN {t} IN ('http redirect', 'hsts redirect', 'meta refresh', 'javascript redirect')
        THEN 'redirect'
    WHEN {t} IN ('html canonical', 'http canonical') THEN 'canonical'
    WHEN {t} = 'xml sitemap' THEN 'sitemap'
    WHEN {t} IN ('image', 'img') THEN 'image'
    WHEN {t} = 'css' THEN 'css'
    WHEN {t} IN ('javascript', 'js') THEN 'script'
    ELSE 'other' END"""
RESOURCE_KINDS: Final = ("image", "css", "script")
"""Row kinds of embedded resources: their destinations are pages, not link targets."""
_LINE = re.compile(r"CSV Error on Line: (\d+)")
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


@dataclass(frozen=True, slots=True)
class CsvSource:
    """Where and how to read one export: a UTF-8 ``path`` whose data starts after ``skip``
    lines, ``width`` columns split by ``delimiter``; ``columns`` maps canonical names (see
    :data:`INLINK_FIELDS`, :data:`INTERNAL_FIELDS`) to 0-based column positions.
    ``shown_path`` is the file name used in error messages."""

    path: Path
    shown_path: Path
    skip: int
    width: int
    delimiter: str
    columns: Mapping[str, int]


def _select(src: CsvSource, fields: Sequence[str]) -> str:
    parts = [
        f"c{src.columns[f]} AS {f}" if f in src.columns else f"NULL::VARCHAR AS {f}" for f in fields
    ]
    return ", ".join(parts)


def _reader(src: CsvSource) -> str:
    """The ``read_csv(...) WITH ORDINALITY`` clause of ``src`` (parameters ``$path``, ``$skip``,
    ``$delim``): every column text, strict quoting, a wrong column count is an error."""
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(src.width))
    return (
        f"read_csv($path, columns = {{{cols}}}, skip = $skip, header = false, "
        "delim = $delim, quote = '\"', escape = '\"', strict_mode = true, auto_detect = false, "
        "max_line_size = 16777216) WITH ORDINALITY"
    )


def _run(store: Store, src: CsvSource, sql: str) -> None:
    """Run a statement that reads ``src``; CSV errors become one-line ImportFormatErrors."""
    params = {"path": str(src.path), "skip": src.skip, "delim": src.delimiter}
    try:
        store.execute(sql, params)
    except StoreError as exc:
        # The store names its own file; the user needs the export's name and line, which
        # only DuckDB's own message (the cause) holds.
        raise _csv_error(src.shown_path, str(exc.__cause__ or exc)) from exc


def _csv_error(path: Path, text: str) -> ImportFormatError:
    """One line naming the file and line, from DuckDB's multi-line CSV error ``text``."""
    line = _LINE.search(text)
    where = f"{path}: line {line.group(1)}" if line else str(path)
    columns = _COLUMNS.search(text)
    damaged = "the file looks truncated or damaged; export it from Screaming Frog again"
    if columns:
        why = f"expected {columns.group(1)} columns, found {columns.group(2)}; {damaged}"
    elif "unterminated quote" in text:
        why = f"a quoted value is never closed; {damaged}"
    elif "unicode" in text.lower():
        why = "the text is not valid UTF-8; save the file as UTF-8 and import it again"
    elif "maximum line size" in text.lower():
        why = f"a line is longer than 16 MB; {damaged}"
    else:
        why = f"{text.splitlines()[0] if text else 'unreadable'}; {damaged}"
    return ImportFormatError(f"{where}: {why}")


def _kind(src: CsvSource) -> str:
    return _KINDS.format(t=f"lower(trim(c{src.columns['type']}))")


def load_inlinks(store: Store, src: CsvSource) -> int:
    """Stage an inlinks/outlinks export as the temp table ``_sf_rows``; return its data rows.

    Adds ``rn`` (1-based data row number) and ``kind`` (see the module docstring). Raises
    :class:`ImportFormatError` naming the file and line when the CSV is malformed (wrong
    column count, unclosed quote, invalid UTF-8).
    """
    _run(
        store,
        src,
        f"CREATE OR REPLACE TEMP TABLE _sf_rows AS SELECT {_select(src, INLINK_FIELDS)}, "
        f"ordinality AS rn, {_kind(src)} AS kind FROM {_reader(src)}",
    )
    return int(store.scalar("SELECT count(*) FROM _sf_rows"))


def load_internal(store: Store, src: CsvSource | None) -> int:
    """Stage an ``Internal: All`` export as the temp table ``_sf_internal``; return its rows.

    With ``src`` None the table is created empty. Raises :class:`ImportFormatError` like
    :func:`load_inlinks`.
    """
    if src is None:
        cols = ", ".join(f"{f} VARCHAR" for f in INTERNAL_FIELDS)
        store.execute(f"CREATE OR REPLACE TEMP TABLE _sf_internal ({cols}, rn BIGINT)")
        return 0
    _run(
        store,
        src,
        f"CREATE OR REPLACE TEMP TABLE _sf_internal AS SELECT {_select(src, INTERNAL_FIELDS)}, "
        f"ordinality AS rn FROM {_reader(src)}",
    )
    return int(store.scalar("SELECT count(*) FROM _sf_internal"))


def raw_urls(store: Store) -> list[str]:
    """Distinct raw URL strings of the staged rows that are used (not ``other``) and of the
    ``Internal: All`` rows: the strings the caller normalises."""
    rows = store.rows(
        "SELECT raw FROM (SELECT source FROM _sf_rows WHERE kind <> 'other' "
        "UNION SELECT destination FROM _sf_rows WHERE kind <> 'other' "
        "UNION SELECT address FROM _sf_internal UNION SELECT canonical FROM _sf_internal "
        "UNION SELECT redirect_url FROM _sf_internal) AS t(raw) "
        "WHERE raw IS NOT NULL AND raw <> ''"
    )
    return [str(r[0]) for r in rows]


def save_url_map(
    store: Store, raw: Sequence[str], keys: Sequence[int | None], fragments: Sequence[str | None]
) -> None:
    """Stage ``raw → (k, fragment)`` as ``_sf_map``: ``k`` numbers the distinct normalised
    URLs from 0 (``None``: not an http(s) URL)."""
    batch = pa.table(
        {
            "raw": pa.array(raw, pa.string()),
            "k": pa.array(keys, pa.int32()),
            "fragment": pa.array(fragments, pa.string()),
        }
    )
    with store.registered("_sf_map_batch", batch):
        store.execute("CREATE OR REPLACE TEMP TABLE _sf_map AS SELECT * FROM _sf_map_batch")


def build_edges(store: Store) -> None:
    """Join the staged rows to ``_sf_map`` once, as ``_sf_edges`` (``src``/``dst`` are ``k``
    numbers), and drop ``_sf_rows``.

    Rows of ignored kinds keep only ``rn`` and ``kind`` meaningful. ``bad`` holds the raw
    Source or Destination of a used row that is not an http(s) URL (an embedded resource
    that is not, a ``data:`` image, is no rejected link: it is skipped); ``code`` is the
    destination's status code as an integer.
    """
    store.execute(
        """CREATE OR REPLACE TEMP TABLE _sf_edges AS
        SELECT r.rn, r.kind, s.k AS src, d.k AS dst, d.fragment,
            CASE WHEN r.kind = 'other' OR list_contains($resources, r.kind) THEN NULL
                WHEN d.k IS NULL THEN coalesce(r.destination, '')
                WHEN s.k IS NULL AND r.kind <> 'sitemap' THEN coalesce(r.source, '')
            END AS bad,
            try_cast(nullif(regexp_replace(trim(r.status_code), '\\.0+$', ''), '') AS INTEGER)
                AS code,
            nullif(trim(r.status), '') AS status_text,
            r.anchor, r.alt, r.follow, r.target, r.rel, r.link_path, r.link_position
        FROM _sf_rows r LEFT JOIN _sf_map s ON s.raw = r.source
        LEFT JOIN _sf_map d ON d.raw = r.destination""",
        {"resources": list(RESOURCE_KINDS)},
    )
    store.execute("DROP TABLE _sf_rows")  # frees the memory of the raw rows


def source_keys(store: Store) -> list[int]:
    """The distinct ``k`` of the Sources of hyperlink rows: the pages Screaming Frog parsed."""
    rows = store.rows(
        "SELECT DISTINCT src FROM _sf_edges WHERE kind = 'link' AND src IS NOT NULL ORDER BY src"
    )
    return [int(r[0]) for r in rows]


def rejected_rows(store: Store, *, header_line: int, limit: int) -> tuple[int, list[Reject]]:
    """Used rows whose Source or Destination is not an http(s) URL: count and first ``limit``.

    Each sample is ``{"line", "reason", "value"}``, the shape of ``imports.rejects``:
    ``line`` is the file line of the row, ``header_line`` (the 1-based line of the header)
    plus its data row number, which assumes no quoted value before it spans lines.
    """
    count = int(store.scalar("SELECT count(*) FROM _sf_edges WHERE bad IS NOT NULL"))
    sample = store.rows(
        "SELECT rn, bad FROM _sf_edges WHERE bad IS NOT NULL ORDER BY rn LIMIT ?", [limit]
    )
    return count, [
        {"line": header_line + int(rn), "reason": "not an http(s) URL", "value": str(bad)[:200]}
        for rn, bad in sample
    ]


@contextmanager
def no_progress_bar(store: Store) -> Iterator[None]:
    """Silence DuckDB's own progress bar (drawn on stdout for long statements) meanwhile.

    Enter it outside :meth:`Store.transaction`: a failed transaction refuses statements
    until it is rolled back, and the setting is restored after that.
    """
    before = bool(store.scalar("SELECT current_setting('enable_progress_bar')"))
    store.execute("SET enable_progress_bar = false")
    try:
        yield
    finally:
        store.execute(f"SET enable_progress_bar = {str(before).lower()}")


def drop_temp_tables(store: Store) -> None:
    """Drop the import's temporary tables and views (they live until the connection closes
    otherwise)."""
    for view in TEMP_VIEWS:
        store.execute(f"DROP VIEW IF EXISTS {view}")
    for table in TEMP_TABLES:
        store.execute(f"DROP TABLE IF EXISTS {table}")
