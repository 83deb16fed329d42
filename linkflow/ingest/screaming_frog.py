"""Import a Screaming Frog SEO Spider crawl: ``All Inlinks`` (or ``All Outlinks``) bulk export,
optionally with the ``Internal: All`` export, into a new crawl of the audit store.

Every layout era is read (data-formats research §8): the current one (15 columns, UTF-8 with a
byte-order mark, every field quoted), 2019 (an ``"All Outlinks"``/``"All Inlinks"`` title
line, 9 columns, no BOM, CRLF, ``AHREF``/``IMG`` types), January 2017 (title line, 8 columns,
``HREF``), and files re-saved by other tools (no BOM, minimal quoting, ``;`` or TAB, cp1252 or
UTF-16). Columns are found by their normalised name (NFKC, stripped, inner spaces collapsed,
case-folded), never by position.

The file is sniffed here (encoding, preamble, delimiter, header); DuckDB's CSV reader then
loads it (see :mod:`linkflow.store.sfimport`), so a 5-million-row export never passes through a
Python loop; only the distinct URLs do, for :func:`linkflow.urls.normalize`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from linkflow.errors import ImportFormatError
from linkflow.models import CrawlSummary
from linkflow.store import Store, sfimport
from linkflow.urls import normalize, origin_of, split_fragment

__all__ = ["detect_screaming_frog", "import_screaming_frog"]

_HEAD_BYTES = 65_536
_MAX_PREAMBLE = 5
_DELIMITERS = (",", ";", "\t")
_NEWLINE = re.compile(r"\r\n|\n|\r")
_GLOB = re.compile(r"[*?\[\]{}]")

# Normalised header name -> canonical field of linkflow.store.sfimport.
_INLINK_NAMES: Final = {
    "type": "type", "source": "source", "destination": "destination", "anchor": "anchor",
    "alt text": "alt", "status code": "status_code", "status": "status", "follow": "follow",
    "target": "target", "rel": "rel", "link path": "link_path", "link position": "link_position",
}  # fmt: skip
_INTERNAL_NAMES: Final = {
    "address": "address", "content type": "content_type", "status code": "status_code",
    "status": "status", "indexability": "indexability", "canonical link element 1": "canonical",
    "meta robots 1": "meta_robots", "x-robots-tag 1": "x_robots_tag",
    "redirect url": "redirect_url", "crawl depth": "crawl_depth", "title 1": "title",
    "h1-1": "h1", "meta description 1": "meta_description", "word count": "word_count",
    "response time": "response_time", "size (bytes)": "size", "size": "size",
    "crawl timestamp": "crawl_timestamp", "hash": "hash",
}  # fmt: skip
_TITLES: Final = frozenset({"all inlinks", "all outlinks"})  # title line of old layouts
_EXPECTED = (
    "expected a Screaming Frog 'All Inlinks' export (Bulk Export > Links > All Inlinks: "
    "Type, Source, Destination ... columns) or an 'Internal: All' export (Address, "
    "Content Type, Status Code ... columns)"
)


@dataclass(frozen=True, slots=True)
class _Layout:
    """What sniffing learnt about one export file."""

    kind: str  # 'inlinks' | 'internal'
    encoding: str  # Python codec; 'utf-8' files are read in place
    header_line: int  # 1-based line number of the header
    delimiter: str
    columns: dict[str, int]  # canonical field -> 0-based position
    width: int


def _norm(name: str) -> str:
    """Header name as matched: NFKC, stripped, inner whitespace collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _encoding(head: bytes) -> tuple[str, int]:
    """Codec of a file from its first bytes, and the length of its byte-order mark."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    sample = head[:4096]
    if len(sample) >= 8 and sample.count(0) > len(sample) // 4:  # UTF-16 without a BOM
        odd = sample[1::2].count(0)
        return ("utf-16-le" if odd > sample[0::2].count(0) else "utf-16-be"), 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252", 0  # re-saved by Excel on Windows
    return "utf-8", 0


def _head_lines(path: Path) -> tuple[str, list[str]]:
    """The codec and the first complete lines of ``path`` (raises ImportFormatError)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
            complete = len(head) < _HEAD_BYTES
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    encoding, bom = _encoding(head)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head[bom:], final=complete)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not a text file; {_EXPECTED}") from exc
    lines = _NEWLINE.split(text.lstrip("\ufeff"))
    if not complete:
        lines = lines[:-1]  # the last one may be cut
    return encoding, lines[: _MAX_PREAMBLE + 1]


def _parse(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _match(tokens: list[str]) -> tuple[str, dict[str, int]] | None:
    """The kind of header ``tokens`` are and their canonical columns, if they are one."""
    names = [_norm(t) for t in tokens]
    for kind, table, required, signs in (
        ("inlinks", _INLINK_NAMES, {"type"}, {"source", "destination", "follow"}),
        ("internal", _INTERNAL_NAMES, {"address"}, {"status code", "content type"}),
    ):
        if required <= set(names) and signs & set(names):
            columns: dict[str, int] = {}
            for i, name in enumerate(names):
                if name in table:
                    columns.setdefault(table[name], i)
            return kind, columns
    return None


def _sniff(path: Path) -> _Layout:
    """Find the header of a Screaming Frog export, or raise :class:`ImportFormatError`."""
    encoding, lines = _head_lines(path)
    title_line = 0
    for number, line in enumerate(lines, start=1):
        if not title_line and _norm(line.strip().strip('"')) in _TITLES:
            title_line = number
        for delimiter in _DELIMITERS:
            tokens = _parse(line, delimiter)
            found = _match(tokens) if len(tokens) > 1 else None
            if found is None:
                continue
            kind, columns = found
            required = ("source", "destination") if kind == "inlinks" else ("address",)
            missing = [name for name in required if name not in columns]
            if missing:
                raise ImportFormatError(
                    f"{path}: line {number}: the header has no {missing[0].title()!r} column; "
                    "export Bulk Export > Links > All Inlinks from Screaming Frog again"
                )
            return _Layout(kind, encoding, number, delimiter, columns, len(tokens))
    if title_line:
        raise ImportFormatError(
            f"{path}: line {title_line + 1}: the header lacks the Type, Source and Destination "
            "columns; export Bulk Export > Links > All Inlinks from Screaming Frog again"
        )
    raise ImportFormatError(f"{path}: not a Screaming Frog export; {_EXPECTED}")


def detect_screaming_frog(path: Path) -> str | None:
    """``'inlinks'`` for an All Inlinks/All Outlinks export, ``'internal'`` for an
    Internal: All (or Internal: HTML) export, ``None`` for anything else. Never raises."""
    try:
        return _sniff(Path(path)).kind
    except ImportFormatError:
        return None


@contextmanager
def _csv_source(path: Path, layout: _Layout) -> Iterator[sfimport.CsvSource]:
    """How DuckDB reads ``path``: in place if it is UTF-8, else a temporary UTF-8 copy (line
    breaks kept, so line numbers in errors stay right).

    A UTF-8 file whose name has glob characters is linked under a plain name: DuckDB would
    expand ``*``, ``?`` and ``[...]`` in it.
    """
    encoding = layout.encoding
    if encoding == "utf-8" and not _GLOB.search(str(path)):
        yield _source(path, path, layout)
        return
    with tempfile.TemporaryDirectory(prefix="linkflow-sf-") as tmp:
        copy = Path(tmp) / "export.csv"
        if encoding == "utf-8":
            copy.symlink_to(path.resolve())
        else:
            _transcode(path, copy, encoding)
        yield _source(path, copy, layout)


def _transcode(path: Path, copy: Path, encoding: str) -> None:
    try:
        with (
            path.open(encoding=encoding, newline="") as src,
            copy.open("w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except UnicodeError as exc:
        raise ImportFormatError(
            f"{path}: not valid {encoding} text; export it from Screaming Frog again"
        ) from exc


def _source(shown: Path, readable: Path, layout: _Layout) -> sfimport.CsvSource:
    return sfimport.CsvSource(
        path=readable,
        shown_path=shown,
        skip=layout.header_line,
        width=layout.width,
        delimiter=layout.delimiter,
        columns=layout.columns,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _stage_urls(store: Store, strip_params: tuple[str, ...]) -> list[str]:
    """Normalise every distinct raw URL once (the only per-URL Python loop), stage the
    raw → number map, and return the distinct normalised URLs in number order."""
    raw = sfimport.raw_urls(store)
    numbers: dict[str, int] = {}
    keys: list[int | None] = []
    for u in raw:
        n = normalize(u, strip_params=strip_params)
        keys.append(None if n is None else numbers.setdefault(n, len(numbers)))
    fragments = [split_fragment(u)[1] or None for u in raw]
    sfimport.save_url_map(store, raw, keys, fragments)
    return list(numbers)


def _site_origin(urls: list[str], parsed: list[int]) -> str:
    """The origin most parsed pages are on: the crawl's ``base_url``, which reports and
    importers use as the site (a Screaming Frog crawl has files, not URLs, as seeds)."""
    origins = Counter(origin_of(urls[k]) for k in parsed)
    return origins.most_common(1)[0][0] if origins else ""


def _order(
    inlinks: Path, internal: Path | None
) -> tuple[Path, _Layout, Path | None, _Layout | None]:
    """Sniff both files; accept them in either order; reject two of a kind."""
    first = _sniff(inlinks)
    second = _sniff(internal) if internal is not None else None
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
    ``XML Sitemap`` rows, and one ``imports`` row per file (kind ``crawl``, reports
    ``all-inlinks`` and ``internal-all``; rows whose Source or Destination is not an http(s)
    URL are counted there as rejected). The crawl's seeds are the file paths and its
    ``base_url`` the origin most parsed pages are on. The files are staged in temporary
    tables first; every write happens in one transaction: on any error nothing is written.

    Returns:
        The crawl's summary (pages, links, pages in error, pages by status, seconds).

    Raises:
        ImportFormatError: a file is not a Screaming Frog export (the message says what was
            expected), or is malformed (the message names the file and line).
    """
    started = time.perf_counter()
    internal = Path(internal) if internal is not None else None
    inlinks, links_layout, internal, node_layout = _order(Path(inlinks), internal)
    seeds = [str(inlinks)] + ([str(internal)] if internal is not None else [])
    try:
        with ExitStack() as files:
            links_src = files.enter_context(_csv_source(inlinks, links_layout))
            node_src = None
            if internal is not None and node_layout is not None:
                node_src = files.enter_context(_csv_source(internal, node_layout))
            rows = sfimport.load_inlinks(store, links_src)
            node_rows = sfimport.load_internal(store, node_src)
        urls = _stage_urls(store, strip_params)
        sfimport.build_edges(store)
        origin = _site_origin(urls, sfimport.source_keys(store))
        with sfimport.no_progress_bar(store), store.transaction():
            crawl_id = store.new_crawl(
                source="screaming-frog",
                seeds=seeds,
                settings={"strip_params": list(strip_params)},
                base_url=origin,
            )
            sfimport.save_url_ids(store, store.url_ids(urls))
            links, pages = _write(store, crawl_id, (inlinks, rows), (internal, node_rows))
            by_status, errors = sfimport.page_counts(store, crawl_id)
            store.finish_crawl(crawl_id)
    finally:
        sfimport.drop_temp_tables(store)
    return CrawlSummary(
        crawl_id=crawl_id,
        pages=pages,
        links=links,
        errors=errors,
        by_status=by_status,
        seconds=time.perf_counter() - started,
    )


def _write(
    store: Store, crawl_id: int, inlinks: tuple[Path, int], internal: tuple[Path | None, int]
) -> tuple[int, int]:
    """The writes of one import (inside its transaction), each file with its data-row count;
    returns (links, pages) written."""
    links = sfimport.write_links(store, crawl_id)
    sfimport.write_sitemap_urls(store, crawl_id)
    pages = sfimport.write_pages(store, crawl_id)
    rejected, rejects = sfimport.rejected_rows(store)
    path, rows = inlinks
    sfimport.record_import(
        store, path=path, sha256=_sha256(path), report="all-inlinks", rows=rows,
        rejected=rejected, rejects=rejects,
    )  # fmt: skip
    node_path, node_rows = internal
    if node_path is not None:
        sfimport.record_import(
            store, path=node_path, sha256=_sha256(node_path), report="internal-all",
            rows=node_rows,
        )  # fmt: skip
    return links, pages
