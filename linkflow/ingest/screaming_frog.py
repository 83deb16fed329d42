"""Import a Screaming Frog SEO Spider crawl: ``All Inlinks`` (or ``All Outlinks``) bulk export,
optionally with the ``Internal: All`` export, into a new crawl of the audit store.

Every layout era is read (data-formats research §8): the current one (15 columns, UTF-8 with a
byte-order mark, every field quoted), 2019 (an ``"All Outlinks"``/``"All Inlinks"`` title
line, 9 columns, no BOM, CRLF, ``AHREF``/``IMG`` types), January 2017 (title line, 8 columns,
``HREF``), and files re-saved by other tools (no BOM, minimal quoting, ``;`` or TAB, cp1252 or
UTF-16). Columns are found by their normalised name (NFKC, stripped, inner spaces collapsed,
case-folded), never by position.

Each file is sniffed and checked (:mod:`linkflow.ingest.screaming_frog_files`: encoding,
preamble, delimiter, header); DuckDB's CSV reader then stages it in temporary tables
(:mod:`linkflow.ingest.screaming_frog_stage`), and set-based SQL writes the crawl from them
(:mod:`linkflow.ingest.screaming_frog_write`), so a 5-million-row export never passes through
a Python loop; only the distinct URLs do, for :func:`linkflow.urls.normalize`.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from linkflow.errors import ImportFormatError
from linkflow.ingest import screaming_frog_stage as stage
from linkflow.ingest import screaming_frog_write as write
from linkflow.ingest.records import MAX_REJECTS, Reject, next_import_id, record_import
from linkflow.ingest.screaming_frog_files import Layout, csv_source, sniff, verify
from linkflow.models import CrawlSummary
from linkflow.store import Store
from linkflow.urls import normalize, origin_of, split_fragment

__all__ = ["detect_screaming_frog", "import_screaming_frog"]


class _File(NamedTuple):
    """One staged export, for its ``imports`` row."""

    path: Path
    sha256: str
    report: str  # all-inlinks | internal-all
    rows: int
    header_line: int  # 1-based line of the header: data row n is on line header_line + n


def detect_screaming_frog(path: Path) -> str | None:
    """``'inlinks'`` for an All Inlinks/All Outlinks export, ``'internal'`` for an
    Internal: All (or Internal: HTML) export, ``None`` for anything else. Never raises."""
    try:
        return sniff(Path(path)).kind
    except ImportFormatError:
        return None


def _stage_urls(store: Store, strip_params: tuple[str, ...]) -> list[str]:
    """Normalise every distinct raw URL once (the only per-URL Python loop), stage the
    raw → number map, and return the distinct normalised URLs in number order."""
    raw = stage.raw_urls(store)
    numbers: dict[str, int] = {}
    keys: list[int | None] = []
    for u in raw:
        n = normalize(u, strip_params=strip_params)
        keys.append(None if n is None else numbers.setdefault(n, len(numbers)))
    fragments = [split_fragment(u)[1] or None for u in raw]
    stage.save_url_map(store, raw, keys, fragments)
    return list(numbers)


def _site_origin(urls: list[str], parsed: list[int]) -> str:
    """The origin most parsed pages are on: the crawl's ``base_url``, which reports and
    importers use as the site (a Screaming Frog crawl has files, not URLs, as seeds)."""
    origins = Counter(origin_of(urls[k]) for k in parsed)
    return origins.most_common(1)[0][0] if origins else ""


def _order(inlinks: Path, internal: Path | None) -> tuple[Path, Layout, Path | None, Layout | None]:
    """Sniff both files; accept them in either order; reject two of a kind."""
    first = sniff(inlinks)
    second = sniff(internal) if internal is not None else None
    swapped = second is not None and (first.kind, second.kind) == ("internal", "inlinks")
    if internal is not None and second is not None and swapped:
        return internal, second, inlinks, first
    if first.kind != "inlinks":
        raise ImportFormatError(
            f"{inlinks}: this is an 'Internal: All' export; linkflow needs the links: export "
            "Bulk Export > Links > All Inlinks and pass it first"
        )
    if second is not None and second.kind != "internal":
        raise ImportFormatError(
            f"{internal}: expected an 'Internal: All' export (Address, Status Code ... columns)"
        )
    return inlinks, first, internal, second


def import_screaming_frog(
    store: Store,
    inlinks: Path,
    internal: Path | None = None,
    *,
    strip_params: tuple[str, ...] = (),
) -> CrawlSummary:
    """Import a Screaming Frog crawl as a new crawl (``source='screaming-frog'``).

    Parameters:
        store: the open audit store.
        inlinks: the ``All Inlinks`` (or ``All Outlinks``) bulk export, any layout era.
        internal: the ``Internal: All`` export, for per-page facts (title, indexability,
            canonical, depth ...). Without it, pages come from the link rows alone.
        strip_params: query parameters removed from every URL (tracking parameters).

    Writes ``pages`` (one row per URL met), ``links`` (hyperlink rows only; image, CSS,
    JavaScript, iframe, hreflang and sitemap rows are not links; self-links are kept and the
    graph stage drops them), ``pages.redirect_url_id`` from ``HTTP Redirect`` rows,
    ``pages.canonical_url_id`` from ``HTML Canonical`` rows, ``sitemap_urls`` from
    ``XML Sitemap`` rows, and one ``imports`` row per file (kind ``crawl``, provider
    ``screaming-frog``, site ``self``, reports ``all-inlinks`` and ``internal-all``; rows
    whose Source or Destination is not an http(s) URL are counted there as rejected, the
    first ones kept in ``rejects`` like every import's, see :mod:`linkflow.ingest.records`).
    A URL robots.txt kept Screaming Frog from fetching gets the error
    :data:`linkflow.models.BLOCKED`. The crawl's seeds are the file paths and its
    ``base_url`` the origin most parsed pages are on. The files are staged in temporary
    tables first; every write happens in one transaction: on any error nothing is written.

    Returns:
        The crawl's summary (pages, links, error pages as :data:`linkflow.models.ERROR_PAGE_SQL`
        counts them, pages by status, seconds).

    Raises:
        ImportFormatError: a file is not a Screaming Frog export (the message says what was
            expected), or is malformed (the message names the file and line).
    """
    started = time.perf_counter()
    internal = Path(internal) if internal is not None else None
    inlinks, links_layout, internal, node_layout = _order(Path(inlinks), internal)
    seeds = [str(inlinks)] + ([str(internal)] if internal is not None else [])
    with stage.no_progress_bar(store):
        try:
            files = [_stage(store, inlinks, links_layout, "all-inlinks")]
            if internal is not None and node_layout is not None:
                files.append(_stage(store, internal, node_layout, "internal-all"))
            else:
                stage.load_internal(store, None)
            urls = _stage_urls(store, strip_params)
            stage.build_edges(store)
            origin = _site_origin(urls, stage.source_keys(store))
            with store.transaction():
                crawl_id = store.new_crawl(
                    source="screaming-frog",
                    seeds=seeds,
                    settings={"strip_params": list(strip_params)},
                    base_url=origin,
                )
                write.save_url_ids(store, store.url_ids(urls))
                links, pages = _write(store, crawl_id, files)
                by_status, errors = write.page_counts(store, crawl_id)
                store.finish_crawl(crawl_id)
        finally:
            stage.drop_temp_tables(store)
    return CrawlSummary(
        crawl_id=crawl_id,
        pages=pages,
        links=links,
        errors=errors,
        by_status=by_status,
        seconds=time.perf_counter() - started,
    )


def _stage(store: Store, path: Path, layout: Layout, report: str) -> _File:
    """Check, hash and stage one export (before the write transaction)."""
    layout, sha256 = verify(path, layout)
    with csv_source(path, layout) as src:
        if report == "all-inlinks":
            rows = stage.load_inlinks(store, src)
        else:
            rows = stage.load_internal(store, src)
    return _File(path, sha256, report, rows, layout.header_line)


def _write(store: Store, crawl_id: int, files: list[_File]) -> tuple[int, int]:
    """The writes of one import (inside its transaction); returns (links, pages) written."""
    links = write.write_links(store, crawl_id)
    write.write_sitemap_urls(store, crawl_id)
    pages = write.write_pages(store, crawl_id)
    for f in files:
        rejected, rejects = 0, list[Reject]()
        if f.report == "all-inlinks":  # rejected rows are rows of the links file
            rejected, rejects = stage.rejected_rows(
                store, header_line=f.header_line, limit=MAX_REJECTS
            )
        record_import(
            store, import_id=next_import_id(store), path=str(f.path), sha256=f.sha256,
            kind="crawl", provider="screaming-frog", report=f.report, site="self",
            rows=f.rows, rejected=rejected, rejects=rejects,
        )  # fmt: skip
    return links, pages
