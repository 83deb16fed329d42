"""Exports of store tables to CSV, JSON (array or lines) and Parquet.

Every export streams inside DuckDB (``COPY ... TO``), so tables bigger than memory are fine.
A file is written under a temporary name and renamed into place, so a failed export never
leaves a truncated file where a complete one is expected.

CSV is for people and spreadsheets: UTF-8 with a byte-order mark and a header row; text cells
that a spreadsheet would evaluate as a formula (OWASP: starting with ``= + - @``, TAB or CR)
get a leading apostrophe. The tables that hold URL ids (``pages``, ``links``, ``findings``,
``backlinks``, ``hreflang``, ``sitemap_urls``, ``frontier``, ``page_text``) carry the URLs
instead, under the column names of Screaming Frog's exports where it has the same column
(docs/exports.md lists them).
JSON and Parquet are for programs: every table exactly as stored, values and names.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Final

from linkflow.errors import ReportError, StoreError
from linkflow.models import SEVERITIES
from linkflow.store import Store
from linkflow.store.export import (
    catalogue_snapshot,
    copy_query,
    copy_table,
    has_rows,
    table_columns,
)

__all__ = [
    "CSV_COLUMNS",
    "EXTENSIONS",
    "FORMATS",
    "INTERNAL_TABLES",
    "download_tables",
    "export_all",
    "export_table",
    "exports_beside",
    "make_folder",
    "output_format",
    "table_counts",
]

FORMATS = ("csv", "json", "parquet")
"""Formats accepted by :func:`export_table` (``json`` to a ``.jsonl`` file writes JSON lines)."""

EXTENSIONS: Final = {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}
"""The format each file extension names; a file may not say one format and hold another."""

INTERNAL_TABLES: Final = frozenset(
    {"meta", "urls", "frontier", "page_text", "crawls", "imports", "analysis_runs"}
)
"""The store's bookkeeping (URL dictionary, crawl queue, run records, page texts): exported
on request, never offered among the report's downloads."""

_POSITION = (
    "CASE l.position WHEN 'nav' THEN 'Navigation' "
    "ELSE upper(left(l.position, 1)) || substr(l.position, 2) END"
)  # Screaming Frog's words: Content, Navigation, Header, Footer, Sidebar ...
_SEVERITY_LIST = "[" + ", ".join(f"'{s}'" for s in SEVERITIES) + "]"

CSV_COLUMNS: Final[dict[str, str]] = {
    "pages": """
        WITH inl AS (SELECT crawl_id, dst_id, count(*) AS n, count(DISTINCT src_id) AS u
                     FROM links GROUP BY crawl_id, dst_id)
        SELECT u.url AS "Address", p.content_type AS "Content Type", p.status AS "Status Code",
            CASE WHEN p.indexable THEN 'Indexable' WHEN NOT p.indexable THEN 'Non-Indexable'
            END AS "Indexability",
            p.title AS "Title 1", p.meta_description AS "Meta Description 1", p.h1 AS "H1-1",
            p.meta_robots AS "Meta Robots 1", p.x_robots_tag AS "X-Robots-Tag 1",
            c.url AS "Canonical Link Element 1", r.url AS "Redirect URL",
            p.depth AS "Crawl Depth", coalesce(inl.n, 0) AS "Inlinks",
            coalesce(inl.u, 0) AS "Unique Inlinks", p.word_count AS "Word Count",
            p.bytes AS "Size (bytes)", p.response_ms / 1000 AS "Response Time",
            p.lang AS "Language", p.content_hash AS "Hash", p.fetched_at AS "Crawl Timestamp",
            p.internal AS "Internal", p.error AS "Error",
            p.other_scheme_links AS "Other Scheme Links", p.schema_types AS "Schema Types",
            p.crawl_id AS "Crawl"
        FROM pages p LEFT JOIN urls u ON u.id = p.url_id
        LEFT JOIN urls c ON c.id = p.canonical_url_id LEFT JOIN urls r ON r.id = p.redirect_url_id
        LEFT JOIN inl ON inl.crawl_id = p.crawl_id AND inl.dst_id = p.url_id
        ORDER BY p.rowid""",
    "links": f"""
        WITH st AS (SELECT crawl_id, url_id, any_value(status) AS status FROM pages
                    GROUP BY crawl_id, url_id)
        SELECT 'Hyperlink' AS "Type", s.url AS "Source", d.url AS "Destination",
            l.alt AS "Alt Text", l.anchor AS "Anchor", st.status AS "Status Code",
            NOT coalesce(l.rel_nofollow, FALSE) AS "Follow", l.target AS "Target",
            l.rel AS "Rel", '/' || replace(nullif(l.dom_path, ''), '>', '/') AS "Link Path",
            {_POSITION} AS "Link Position", l.ordinal AS "Link Order",
            l.fragment AS "Fragment", l.is_image AS "Image", l.rel_sponsored AS "Sponsored",
            l.rel_ugc AS "UGC", l.sitewide AS "Sitewide", l.template_share AS "Template Share",
            l.context AS "Context", l.crawl_id AS "Crawl"
        FROM links l LEFT JOIN urls s ON s.id = l.src_id LEFT JOIN urls d ON d.id = l.dst_id
        LEFT JOIN st ON st.crawl_id = l.crawl_id AND st.url_id = l.dst_id
        ORDER BY l.rowid""",
    "findings": f"""
        SELECT f.kind AS "Issue", f.severity AS "Severity", coalesce(f.url, u.url) AS "Address",
            f.target_url AS "Destination", f.detail AS "Detail", f.value AS "Value",
            f.why AS "Why", f.crawl_id AS "Crawl"
        FROM findings f LEFT JOIN urls u ON u.id = f.url_id
        ORDER BY f.crawl_id, coalesce(list_position({_SEVERITY_LIST}, f.severity), 99), f.kind,
            f.rowid""",
    "backlinks": """
        SELECT b.source_url AS "Source", b.target_url AS "Destination", b.anchor AS "Anchor",
            NOT b.nofollow AS "Follow", b.sponsored AS "Sponsored", b.ugc AS "UGC",
            b.is_image AS "Image", b.is_content AS "Content", b.lost AS "Lost",
            b.first_seen AS "First Seen", b.last_seen AS "Last Seen", b.lost_at AS "Lost At",
            b.source_authority AS "Source Authority", b.domain_authority AS "Domain Authority",
            b.source_host AS "Source Host", b.source_domain AS "Source Domain",
            b.source_outlinks AS "Source Outlinks", b.links_in_group AS "Links In Group",
            b.lang AS "Language", b.is_spam AS "Spam", b.spam_score AS "Spam Score",
            b.sitewide AS "Sitewide", b.provider AS "Provider", i.site AS "Site",
            b.import_id AS "Import"
        FROM backlinks b LEFT JOIN imports i ON i.id = b.import_id
        ORDER BY b.rowid""",
    "hreflang": """
        SELECT s.url AS "Source", d.url AS "Destination", h.lang AS "Language",
            h.crawl_id AS "Crawl"
        FROM hreflang h LEFT JOIN urls s ON s.id = h.src_id LEFT JOIN urls d ON d.id = h.dst_id
        ORDER BY h.rowid""",
    "sitemap_urls": """
        SELECT u.url AS "Address", m.url AS "Sitemap", s.lastmod AS "Lastmod",
            s.crawl_id AS "Crawl"
        FROM sitemap_urls s LEFT JOIN urls u ON u.id = s.url_id
        LEFT JOIN urls m ON m.id = s.sitemap_url_id
        ORDER BY s.rowid""",
    "frontier": """
        SELECT u.url AS "Address", f.depth AS "Crawl Depth", f.state AS "State",
            f.hops AS "Redirect Hops", f.crawl_id AS "Crawl"
        FROM frontier f LEFT JOIN urls u ON u.id = f.url_id
        ORDER BY f.rowid""",
    # The main text as a person reads it: without the code marks the store keeps around code
    # (linkflow.extract.text.CODE_OPEN/CODE_CLOSE, U+FDD0/U+FDD1, noncharacters that a
    # spreadsheet would show as boxes).
    "page_text": """
        SELECT u.url AS "Address",
            replace(replace(t.main_text, chr(64976), ''), chr(64977), '') AS "Main Text",
            t.crawl_id AS "Crawl"
        FROM page_text t LEFT JOIN urls u ON u.id = t.url_id
        ORDER BY t.rowid""",
}
"""The CSV of each table that holds URL ids: the query that gives its rows, URLs joined in.
Other tables are exported as stored (docs/exports.md)."""


def output_format(output: Path, fmt: str | None = None) -> str:
    """The format to write ``output`` in: ``fmt``, else the one its extension names, else csv.

    Raises :class:`ReportError` for an unknown format, or one the extension contradicts
    (``pages.json`` written as CSV would fool every program that opens it).
    """
    named = EXTENSIONS.get(Path(output).suffix.lower())
    if fmt is None:
        return named or "csv"
    if fmt not in FORMATS:
        raise ReportError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if named is not None and named != fmt:
        raise ReportError(
            f"{output}: the extension says {named} but the format asked for is {fmt}; "
            f"name the file .{fmt} or leave the format out"
        )
    return fmt


def export_table(store: Store, table: str, fmt: str, output: Path) -> int:
    """Write every row of ``table`` to ``output`` as ``fmt``; return the number of rows.

    Parameters
    ----------
    store: the open audit.
    table: a table of the audit file (see :meth:`Store.tables`).
    fmt: ``csv``, ``json`` or ``parquet``; a file extension of another of them is an error.
        ``json`` writes a list of objects, or one object per line when ``output`` ends in
        ``.jsonl``. CSV of the tables in :data:`CSV_COLUMNS` carries URLs, not URL ids.
    output: the file to write, in an existing folder; an existing file is replaced.

    Raises
    ------
    ReportError: unknown table or format, a format the extension contradicts, a missing
        folder, or the file cannot be written.

    Example
    -------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with Store.open(folder / "audit.duckdb") as store:
    ...     export_table(store, "crawls", "csv", folder / "crawls.csv")
    0
    """
    output = Path(output)
    tables = store.tables()
    if table not in tables or not table_columns(store, table):
        raise ReportError(
            f"{store.path}: no table {table!r} to export; choose one of: {', '.join(tables)}"
        )
    output_format(output, fmt)
    kind = "jsonl" if fmt == "json" and output.suffix.lower() == ".jsonl" else fmt
    if not output.parent.is_dir():
        raise ReportError(
            f"{output}: the folder {output.parent} does not exist; create it first, or write "
            "the export to a folder that exists"
        )
    partial = output.with_name(f".{output.name}.partial")
    try:
        csv = kind == "csv"
        if csv and table in CSV_COLUMNS:
            rows = copy_query(store, CSV_COLUMNS[table], kind, partial, neutralise=True, bom=True)
        else:
            rows = copy_table(store, table, kind, partial, neutralise=csv, bom=csv)
        os.replace(partial, output)
    except (StoreError, OSError) as exc:
        _discard(partial)
        raise ReportError(
            f"{output}: cannot export {table} ({_first_line(exc)}); "
            "check the folder exists and is writable"
        ) from exc
    return rows


def table_counts(store: Store) -> list[tuple[str, int]]:
    """``(table, rows)`` of every table of the audit, in :meth:`Store.tables` order."""
    return [(table, store.count(table)) for table in store.tables()]


def download_tables(store: Store) -> list[str]:
    """The tables the report offers as downloads: those with rows, bookkeeping left out."""
    return [t for t in store.tables() if t not in INTERNAL_TABLES and has_rows(store, t)]


def export_all(store: Store, out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Export every table of the audit to ``out_dir/<table>.<fmt>``; return the paths written.

    ``out_dir`` is created. Empty tables are exported too (a header-only CSV), so the set of
    files is predictable. Raises :class:`ReportError` as :func:`export_table` does.
    """
    out_dir = Path(out_dir)
    make_folder(out_dir)
    paths = []
    for table in store.tables():
        path = out_dir / f"{table}.{fmt}"
        export_table(store, table, fmt, path)
        paths.append(path)
    return paths


_INTERRUPT_EVERY: Final = 0.05
"""Seconds between two interrupts of the exports' statements while they are stopped."""


@contextlib.contextmanager
def exports_beside(
    store: Store, tables: Sequence[str], folder: Path
) -> Iterator[list[Future[int]]]:
    """Export ``tables`` as CSV to ``folder/<table>.csv``, one after the other, on another
    thread while the block runs; yields one future per table, done with its rows (or the
    :func:`export_table` error that stopped the exports).

    An export is DuckDB's work, which runs while this thread runs Python (the report's page:
    the PostgreSQL docs' report took 0.26-0.28 s this way against 0.34-0.35 s). Leaving the
    block cancels the exports not begun; an error in the block (Ctrl-C) stops the one under
    way too, and the block is left once the thread has ended.
    """
    futures: list[Future[int]] = [Future() for _ in tables]
    if not futures:
        yield futures
        return
    with store.reader() as reader:
        thread = threading.Thread(
            target=_export_each, args=(reader, tables, folder, futures), name="linkflow-exports"
        )
        thread.start()
        failed = True
        try:
            yield futures
            failed = False
        finally:
            for future in futures:
                future.cancel()
            if failed:
                _stop(reader, thread)  # the export under way stops too (its file is discarded)
            thread.join()


def _stop(reader: Store, thread: threading.Thread) -> None:
    """Interrupt ``reader``'s statements until the exports' ``thread`` has ended.

    Once is not enough: DuckDB clears an interrupt when its next statement begins, so one
    that comes as an export's statement starts reaches nothing, and the export ran to its
    end (a test saw a 20-second statement finish that way)."""
    while thread.is_alive():
        reader.interrupt()
        thread.join(_INTERRUPT_EVERY)


def _export_each(
    store: Store, tables: Sequence[str], folder: Path, futures: list[Future[int]]
) -> None:
    """The exports' thread: each error goes to the future of the export it stopped."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(catalogue_snapshot(store))
        except BaseException as exc:  # the catalogue could not be read: no export can run
            for future in futures:
                if future.set_running_or_notify_cancel():
                    future.set_exception(exc)
            return
        for table, future in zip(tables, futures, strict=True):
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(export_table(store, table, "csv", folder / f"{table}.csv"))
            except BaseException as exc:  # handed to the block's thread, which raises it
                future.set_exception(exc)
                for later in futures:
                    later.cancel()
                return


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) for exports; :class:`ReportError` if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"{folder}: cannot create the export folder ({exc.strerror or exc}); "
            "choose a writable folder"
        ) from exc


def _discard(path: Path) -> None:
    """Remove a half-written file; never mask the error being reported."""
    with contextlib.suppress(OSError):
        if path.is_file():
            path.unlink()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
