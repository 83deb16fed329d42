"""SQL of the Screaming Frog crawl import (``linkflow.ingest.screaming_frog`` drives it).

The export is read by DuckDB's CSV reader straight into temporary tables (fast, parallel, and
its errors name the line), URLs are mapped to ids through one ``raw → url_id`` table filled by
the caller, and ``links``, ``pages`` and ``sitemap_urls`` are written with set-based SQL. Call
everything inside one :meth:`Store.transaction` so a failed import leaves nothing behind.

Row kinds, from the ``Type`` column (lower-cased, trimmed), across all layout eras:
``link`` (``hyperlink``, ``ahref``, ``href``), ``redirect`` (``http redirect``, ``hsts redirect``,
``meta refresh``, ``javascript redirect``), ``canonical`` (``html canonical``,
``http canonical``), ``sitemap`` (``xml sitemap``); every other row (images, CSS, JavaScript,
iframes, hreflang, prev/next ...) is ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa

from linkflow.errors import ImportFormatError
from linkflow.store.db import Store

__all__ = [
    "INLINK_FIELDS",
    "INTERNAL_FIELDS",
    "CsvSource",
    "drop_temp_tables",
    "empty_internal",
    "load_inlinks",
    "load_internal",
    "page_counts",
    "raw_urls",
    "record_import",
    "rejected_rows",
    "save_url_map",
    "write_links",
    "write_pages",
    "write_sitemap_urls",
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

_KINDS = """CASE
    WHEN {t} IN ('hyperlink', 'ahref', 'href') THEN 'link'
    WHEN {t} IN ('http redirect', 'hsts redirect', 'meta refresh', 'javascript redirect')
        THEN 'redirect'
    WHEN {t} IN ('html canonical', 'http canonical') THEN 'canonical'
    WHEN {t} = 'xml sitemap' THEN 'sitemap'
    ELSE 'other' END"""
_POSITION = """CASE lower(trim(coalesce(link_position, '')))
    WHEN 'content' THEN 'content' WHEN 'navigation' THEN 'nav' WHEN 'nav' THEN 'nav'
    WHEN 'header' THEN 'header' WHEN 'footer' THEN 'footer'
    WHEN 'sidebar' THEN 'sidebar' WHEN 'aside' THEN 'sidebar' ELSE 'other' END"""
# Thousands separators (comma, space, no-break and thin spaces) in number columns.
_NUM = "nullif(regexp_replace(trim({}), '[,\\s\u00a0\u202f]', '', 'g'), '')"
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


def _load(store: Store, table: str, src: CsvSource, fields: Sequence[str], extra: str) -> int:
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(src.width))
    sql = (
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {_select(src, fields)}, ordinality AS rn"
        f"{extra} "
        f"FROM read_csv($path, columns = {{{cols}}}, skip = $skip, header = false, "
        "delim = $delim, quote = '\"', escape = '\"', strict_mode = true, auto_detect = false, "
        "max_line_size = 16777216) WITH ORDINALITY"
    )
    params = {"path": str(src.path), "skip": src.skip, "delim": src.delimiter}
    try:
        store.con.execute(sql, params)
    except duckdb.Error as exc:
        raise _csv_error(src.shown_path, exc) from exc
    return int(store.scalar(f"SELECT count(*) FROM {table}"))


def _csv_error(path: Path, exc: duckdb.Error) -> ImportFormatError:
    """One line naming the file and line, from DuckDB's multi-line CSV error."""
    text = str(exc)
    line = _LINE.search(text)
    where = f"{path}: line {line.group(1)}" if line else str(path)
    columns = _COLUMNS.search(text)
    if columns:
        why = f"expected {columns.group(1)} columns, found {columns.group(2)}"
    elif "unterminated quote" in text:
        why = "a quoted value is never closed"
    elif "unicode" in text.lower():
        why = "the text is not valid UTF-8"
    elif "maximum line size" in text.lower():
        why = "a line is longer than 16 MB"
    else:
        why = text.splitlines()[0] if text else type(exc).__name__
    return ImportFormatError(
        f"{where}: {why}; the file looks truncated or damaged, export it from Screaming Frog again"
    )


def load_inlinks(store: Store, src: CsvSource) -> int:
    """Read an inlinks/outlinks export into the temp table ``_sf_rows``; return its row count.

    Adds ``kind`` (see the module docstring). Raises :class:`ImportFormatError` naming the
    file and line when the CSV is malformed (wrong column count, unclosed quote, bad UTF-8).
    """
    kind = _KINDS.format(t=f"lower(trim(c{src.columns['type']}))")
    return _load(store, "_sf_rows", src, INLINK_FIELDS, f", {kind} AS kind")


def load_internal(store: Store, src: CsvSource) -> int:
    """Read an ``Internal: All`` export into the temp table ``_sf_internal``; return its rows."""
    return _load(store, "_sf_internal", src, INTERNAL_FIELDS, "")


def raw_urls(store: Store, *, internal: bool) -> list[str]:
    """Distinct raw URL strings the import needs ids for (of used rows only)."""
    sql = (
        "SELECT source FROM _sf_rows WHERE kind <> 'other' "
        "UNION SELECT destination FROM _sf_rows WHERE kind <> 'other'"
    )
    if internal:
        sql += (
            " UNION SELECT address FROM _sf_internal UNION SELECT canonical FROM _sf_internal"
            " UNION SELECT redirect_url FROM _sf_internal"
        )
    table = store.query(f"SELECT u FROM ({sql}) AS t(u) WHERE u IS NOT NULL AND u <> ''")
    return [str(u) for u in table.column(0).to_pylist()]


def empty_internal(store: Store) -> None:
    """Create an empty ``_sf_internal`` (when no ``Internal: All`` export is given)."""
    cols = ", ".join(f"{f} VARCHAR" for f in INTERNAL_FIELDS)
    store.con.execute(f"CREATE OR REPLACE TEMP TABLE _sf_internal ({cols}, rn BIGINT)")


def save_url_map(
    store: Store, raw: Sequence[str], ids: Sequence[int | None], fragments: Sequence[str | None]
) -> None:
    """Store the ``raw → (url_id, fragment)`` map as ``_sf_map``; ``None`` id: not http(s)."""
    batch = pa.table(
        {
            "raw": pa.array(raw, pa.string()),
            "url_id": pa.array(ids, pa.int32()),
            "fragment": pa.array(fragments, pa.string()),
        }
    )
    store.con.register("_sf_map_batch", batch)
    try:
        store.con.execute("CREATE OR REPLACE TEMP TABLE _sf_map AS SELECT * FROM _sf_map_batch")
    finally:
        store.con.unregister("_sf_map_batch")


def rejected_rows(store: Store, *, limit: int = 5) -> tuple[int, list[dict[str, Any]]]:
    """Used rows whose Source or Destination is not an http(s) URL: count and first few.

    The row number counts data rows from 1 (title and header lines not included).
    """
    where = (
        "FROM (SELECT rn AS r, kind, source, destination FROM _sf_rows WHERE kind <> 'other') "
        "AS t LEFT JOIN _sf_map s ON s.raw = t.source LEFT JOIN _sf_map d ON d.raw = t.destination "
        "WHERE (s.url_id IS NULL AND t.kind <> 'sitemap') OR d.url_id IS NULL"
    )
    count = int(store.scalar(f"SELECT count(*) {where}"))
    sample = store.query(
        f"SELECT r AS row, CASE WHEN d.url_id IS NULL THEN destination ELSE source END AS url "
        f"{where} ORDER BY r LIMIT ?",
        [limit],
    ).to_pylist()
    return count, [
        {"row": s["row"], "reason": "not an http(s) URL", "value": str(s["url"])[:200]}
        for s in sample
    ]


_REL = "nullif(trim(regexp_replace(lower(coalesce(r.rel, '')), '\\s+', ' ', 'g')), '')"


def write_links(store: Store, crawl_id: int) -> int:
    """Insert the hyperlink rows of ``_sf_rows`` into ``links``; return how many.

    ``ordinal`` numbers each source's links in file order. ``anchor`` is the anchor text, or
    the alt text of an image link; ``is_image`` is true when there is alt text. ``dom_path``
    is Screaming Frog's XPath without indices and predicates (``/html/body/nav/ul/li[2]/a``
    becomes ``html>body>nav>ul>li>a``). Self-links are kept: the graph stage drops them.
    """
    tokens = f"string_split(coalesce({_REL}, ''), ' ')"
    path = "regexp_replace(coalesce(r.link_path, ''), '\\[[^\\]]*\\]', '', 'g')"
    sql = f"""
        INSERT INTO links BY NAME
        SELECT $crawl AS crawl_id, s.url_id AS src_id, d.url_id AS dst_id,
            (row_number() OVER (PARTITION BY s.url_id ORDER BY r.rn) - 1)::INTEGER AS ordinal,
            coalesce(nullif(r.anchor, ''), nullif(r.alt, '')) AS anchor,
            nullif(r.alt, '') AS alt,
            coalesce(r.alt, '') <> '' AS is_image,
            {_REL} AS rel,
            lower(trim(coalesce(r.follow, ''))) = 'false'
                OR list_contains({tokens}, 'nofollow') AS rel_nofollow,
            list_contains({tokens}, 'sponsored') AS rel_sponsored,
            list_contains({tokens}, 'ugc') AS rel_ugc,
            nullif(trim(r.target), '') AS target,
            d.fragment AS fragment,
            {_POSITION.replace("link_position", "r.link_position")} AS position,
            nullif(replace(trim({path}, '/'), '/', '>'), '') AS dom_path
        FROM _sf_rows r JOIN _sf_map s ON s.raw = r.source JOIN _sf_map d ON d.raw = r.destination
        WHERE r.kind = 'link' AND s.url_id IS NOT NULL AND d.url_id IS NOT NULL
    """
    store.con.execute(sql, {"crawl": crawl_id})
    return store.count("links", crawl_id=crawl_id)


def write_sitemap_urls(store: Store, crawl_id: int) -> int:
    """Insert the ``XML Sitemap`` rows (sitemap → listed page) into ``sitemap_urls``."""
    store.con.execute(
        """INSERT INTO sitemap_urls BY NAME
        SELECT DISTINCT $crawl AS crawl_id, d.url_id AS url_id, s.url_id AS sitemap_url_id
        FROM _sf_rows r JOIN _sf_map d ON d.raw = r.destination
        LEFT JOIN _sf_map s ON s.raw = r.source
        WHERE r.kind = 'sitemap' AND d.url_id IS NOT NULL""",
        {"crawl": crawl_id},
    )
    return store.count("sitemap_urls", crawl_id=crawl_id)


# What the inlinks rows say about each URL, and the Internal: All rows (possibly none).
_PAGE_FACTS = """
WITH edges AS (
    SELECT r.rn AS rn, r.kind, s.url_id AS src, d.url_id AS dst,
        try_cast(nullif(regexp_replace(trim(r.status_code), '\\.0+$', ''), '') AS INTEGER)
            AS code,
        nullif(trim(r.status), '') AS status_text
    FROM _sf_rows r LEFT JOIN _sf_map s ON s.raw = r.source JOIN _sf_map d ON d.raw = r.destination
    WHERE r.kind <> 'other' AND d.url_id IS NOT NULL
),
known AS (
    SELECT dst AS url_id, max(code) FILTER (WHERE code > 0) AS k_code,
        arg_min(status_text, rn) AS k_text
    FROM edges GROUP BY dst
),
redirects AS (SELECT src AS url_id, arg_min(dst, rn) AS r_dst FROM edges
    WHERE kind = 'redirect' AND src IS NOT NULL GROUP BY src),
canonicals AS (SELECT src AS url_id, arg_min(dst, rn) AS c_dst FROM edges
    WHERE kind = 'canonical' AND src IS NOT NULL GROUP BY src),
parsed AS (SELECT DISTINCT src AS url_id, TRUE AS is_parsed FROM edges
    WHERE kind = 'link' AND src IS NOT NULL),
node AS (
    SELECT a.url_id, i.* EXCLUDE (status_code, canonical, redirect_url, status),
        try_cast(nullif(regexp_replace(trim(i.status_code), '\\.0+$', ''), '') AS INTEGER)
            AS n_code,
        nullif(trim(i.status), '') AS n_text, c.url_id AS n_canonical, rd.url_id AS n_redirect
    FROM _sf_internal i JOIN _sf_map a ON a.raw = i.address
    LEFT JOIN _sf_map c ON c.raw = i.canonical LEFT JOIN _sf_map rd ON rd.raw = i.redirect_url
    WHERE a.url_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY a.url_id ORDER BY i.rn) = 1
),
all_urls AS (
    SELECT src AS url_id FROM edges WHERE src IS NOT NULL AND kind <> 'sitemap'
    UNION SELECT dst FROM edges UNION SELECT url_id FROM node
),
hosts AS (
    SELECT DISTINCT u.host FROM urls u
    JOIN (SELECT url_id FROM parsed UNION SELECT url_id FROM node) p ON p.url_id = u.id
),
merged AS (
    SELECT a.url_id, u.host IN (SELECT host FROM hosts) AS internal,
        CASE WHEN n.url_id IS NOT NULL THEN nullif(n.n_code, 0)
            ELSE coalesce(k.k_code, CASE WHEN k.url_id IS NULL AND p.is_parsed THEN 200 END)
        END AS code,
        coalesce(n.n_redirect, rd.r_dst) AS redirect_url_id,
        coalesce(n.n_canonical, cn.c_dst) AS canonical_url_id,
        CASE WHEN n.url_id IS NOT NULL THEN n.n_text ELSE k.k_text END AS status_text,
        n.* EXCLUDE (url_id)
    FROM all_urls a JOIN urls u ON u.id = a.url_id
    LEFT JOIN known k ON k.url_id = a.url_id LEFT JOIN redirects rd ON rd.url_id = a.url_id
    LEFT JOIN canonicals cn ON cn.url_id = a.url_id LEFT JOIN parsed p ON p.url_id = a.url_id
    LEFT JOIN node n ON n.url_id = a.url_id
)
"""


def write_pages(store: Store, crawl_id: int) -> int:
    """Insert one ``pages`` row per URL met; return how many.

    An ``Internal: All`` row (``_sf_internal``) wins over what the inlinks rows imply.
    Status: the ``Internal: All`` row's, else the ``Status Code`` the inlinks rows give for
    the URL as a destination. ``0`` (no response) is stored as NULL with the ``Status`` text
    as ``error``. A Source that no row points at (typically the start page) gets 200:
    Screaming Frog lists hyperlinks only of pages it fetched and parsed. ``internal``: the
    host is one Screaming Frog parsed pages on, or an ``Internal: All`` address's host.
    ``indexable`` is the export's ``Indexability`` when given, else inferred: a 2xx page that
    neither redirects nor points its canonical elsewhere.
    """
    sql = f"""{_PAGE_FACTS}
    INSERT INTO pages BY NAME
    SELECT $crawl AS crawl_id, url_id, internal, try_cast(code AS SMALLINT) AS status,
        try_cast({_NUM.format("crawl_depth")} AS INTEGER) AS depth,
        redirect_url_id, canonical_url_id,
        nullif(trim(content_type), '') AS content_type,
        try_cast(trim(crawl_timestamp) AS TIMESTAMP) AS fetched_at,
        try_cast({_NUM.format("response_time")} AS DOUBLE) * 1000 AS response_ms,
        try_cast({_NUM.format("size")} AS BIGINT) AS bytes,
        nullif(meta_robots, '') AS meta_robots, nullif(x_robots_tag, '') AS x_robots_tag,
        coalesce(
            CASE lower(trim(indexability)) WHEN 'indexable' THEN TRUE
                WHEN 'non-indexable' THEN FALSE END,
            CASE WHEN code IS NOT NULL THEN code BETWEEN 200 AND 299
                AND redirect_url_id IS NULL AND coalesce(canonical_url_id, url_id) = url_id
            END) AS indexable,
        nullif(title, '') AS title, nullif(h1, '') AS h1,
        nullif(meta_description, '') AS meta_description,
        try_cast({_NUM.format("word_count")} AS INTEGER) AS word_count,
        nullif(trim(hash), '') AS content_hash,
        CASE WHEN code IS NULL THEN status_text END AS error
    FROM merged
    """
    store.con.execute(sql, {"crawl": crawl_id})
    return store.count("pages", crawl_id=crawl_id)


def record_import(
    store: Store,
    *,
    path: Path,
    sha256: str,
    report: str,
    rows: int,
    rejected: int = 0,
    rejects: Sequence[Mapping[str, Any]] = (),
) -> int:
    """Add an ``imports`` row (kind ``crawl``, provider ``screaming-frog``); return its id."""
    import_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM imports"))
    store.append(
        "imports",
        [
            {
                "id": import_id,
                "path": str(path),
                "sha256": sha256,
                "kind": "crawl",
                "provider": "screaming-frog",
                "report": report,
                "rows": rows,
                "rejected": rejected,
                "rejects": json.dumps(list(rejects)) if rejects else None,
                "imported_at": datetime.now(UTC).replace(tzinfo=None),
            }
        ],
    )
    return import_id


def page_counts(store: Store, crawl_id: int) -> tuple[dict[int, int], int]:
    """Pages of ``crawl_id`` by HTTP status, and how many are in error (no response or 4xx/5xx)."""
    rows = store.query(
        "SELECT status, count(*) AS n FROM pages WHERE crawl_id = ? AND status IS NOT NULL "
        "GROUP BY status ORDER BY status",
        [crawl_id],
    ).to_pylist()
    errors = store.scalar(
        "SELECT count(*) FROM pages WHERE crawl_id = ? AND (error IS NOT NULL OR status >= 400)",
        [crawl_id],
    )
    return {int(r["status"]): int(r["n"]) for r in rows}, int(errors)


def drop_temp_tables(store: Store) -> None:
    """Drop the import's temporary tables (they live until the connection closes otherwise)."""
    for table in ("_sf_rows", "_sf_internal", "_sf_map"):
        store.con.execute(f"DROP TABLE IF EXISTS {table}")
