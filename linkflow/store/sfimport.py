"""SQL of the Screaming Frog crawl import (``linkflow.ingest.screaming_frog`` drives it).

Two phases. *Staging*, before the write transaction, in temporary tables only: DuckDB's CSV
reader loads the export (fast, parallel, and its errors name the line) into ``_sf_rows``; the
caller normalises the distinct raw URLs and numbers the distinct results ``k``
(:func:`save_url_map`); :func:`build_edges` joins the rows to those numbers once. *Writing*,
inside one :meth:`Store.transaction`: :func:`save_url_ids` maps each ``k`` to its ``urls`` id,
then ``links``, ``pages`` and ``sitemap_urls`` are written with set-based SQL over integer
joins. A failure anywhere leaves the audit as it was.

Row kinds, from the ``Type`` column (lower-cased, trimmed), across all layout eras:
``link`` (``hyperlink``, ``ahref``, ``href``), ``redirect`` (``http redirect``, ``hsts redirect``,
``meta refresh``, ``javascript redirect``), ``canonical`` (``html canonical``,
``http canonical``), ``sitemap`` (``xml sitemap``); every other row (images, CSS, JavaScript,
iframes, hreflang, prev/next ...) is ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    "build_edges",
    "drop_temp_tables",
    "load_inlinks",
    "load_internal",
    "no_progress_bar",
    "page_counts",
    "raw_urls",
    "record_import",
    "rejected_rows",
    "save_url_ids",
    "save_url_map",
    "source_keys",
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
# Integer columns: thousands separators (comma, space, no-break and thin spaces) removed.
_NUM = "nullif(regexp_replace(trim({}), '[,\\s\u00a0\u202f]', '', 'g'), '')"
# Decimal columns (seconds): a decimal comma, as Excel writes in many locales, is a point.
_DEC = "try_cast(replace(trim({}), ',', '.') AS DOUBLE)"
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


def _exec(store: Store, sql: str, params: Mapping[str, Any] | None = None) -> None:
    with store._lock:
        store.con.execute(sql, params or {})


def _run(store: Store, src: CsvSource, sql: str) -> None:
    """Run a statement that reads ``src``; CSV errors become one-line ImportFormatErrors."""
    params = {"path": str(src.path), "skip": src.skip, "delim": src.delimiter}
    try:
        _exec(store, sql, params)
    except duckdb.Error as exc:
        raise _csv_error(src.shown_path, exc) from exc


def _csv_error(path: Path, exc: duckdb.Error) -> ImportFormatError:
    """One line naming the file and line, from DuckDB's multi-line CSV error."""
    text = str(exc)
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
        why = f"{text.splitlines()[0] if text else type(exc).__name__}; {damaged}"
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

    With ``src`` None the table is created empty.
    """
    if src is None:
        cols = ", ".join(f"{f} VARCHAR" for f in INTERNAL_FIELDS)
        with store._lock:
            store.con.execute(f"CREATE OR REPLACE TEMP TABLE _sf_internal ({cols}, rn BIGINT)")
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
    table = store.query(
        "SELECT raw FROM (SELECT source FROM _sf_rows WHERE kind <> 'other' "
        "UNION SELECT destination FROM _sf_rows WHERE kind <> 'other' "
        "UNION SELECT address FROM _sf_internal UNION SELECT canonical FROM _sf_internal "
        "UNION SELECT redirect_url FROM _sf_internal) AS t(raw) "
        "WHERE raw IS NOT NULL AND raw <> ''"
    )
    return [str(u) for u in table.column(0).to_pylist()]


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
    with store._lock:
        store.con.register("_sf_map_batch", batch)
        try:
            store.con.execute("CREATE OR REPLACE TEMP TABLE _sf_map AS SELECT * FROM _sf_map_batch")
        finally:
            store.con.unregister("_sf_map_batch")


def build_edges(store: Store) -> None:
    """Join the staged rows to ``_sf_map`` once, as ``_sf_edges`` (``src``/``dst`` are ``k``
    numbers), and drop ``_sf_rows``.

    Rows of ignored kinds keep only ``rn`` and ``kind`` meaningful. ``bad`` holds the raw
    Source or Destination of a used row that is not an http(s) URL; ``code`` is the
    destination's status code as an integer.
    """
    with store._lock:
        store.con.execute(
            """CREATE OR REPLACE TEMP TABLE _sf_edges AS
            SELECT r.rn, r.kind, s.k AS src, d.k AS dst, d.fragment,
                CASE WHEN r.kind = 'other' THEN NULL
                    WHEN d.k IS NULL THEN coalesce(r.destination, '')
                    WHEN s.k IS NULL AND r.kind <> 'sitemap' THEN coalesce(r.source, '')
                END AS bad,
                try_cast(nullif(regexp_replace(trim(r.status_code), '\\.0+$', ''), '') AS INTEGER)
                    AS code,
                nullif(trim(r.status), '') AS status_text,
                r.anchor, r.alt, r.follow, r.target, r.rel, r.link_path, r.link_position
            FROM _sf_rows r LEFT JOIN _sf_map s ON s.raw = r.source
            LEFT JOIN _sf_map d ON d.raw = r.destination"""
        )
        store.con.execute("DROP TABLE _sf_rows")  # frees the memory of the raw rows


def source_keys(store: Store) -> list[int]:
    """The distinct ``k`` of the Sources of hyperlink rows: the pages Screaming Frog parsed."""
    table = store.query(
        "SELECT DISTINCT src FROM _sf_edges WHERE kind = 'link' AND src IS NOT NULL ORDER BY src"
    )
    return [int(k) for k in table.column(0).to_pylist()]


def save_url_ids(store: Store, url_ids: Sequence[int]) -> None:
    """Inside the write transaction: ``url_ids[k]`` is the ``urls`` id of ``k``. Creates the
    views the writers read: ``_sf_e`` (``_sf_edges`` with URL ids) and ``_sf_urlmap``
    (raw → url_id, fragment)."""
    ids = pa.table(
        {
            "k": pa.array(range(len(url_ids)), pa.int32()),
            "url_id": pa.array(url_ids, pa.int32()),
        }
    )
    with store._lock:
        store.con.register("_sf_ids_batch", ids)
        try:
            store.con.execute("CREATE OR REPLACE TEMP TABLE _sf_ids AS SELECT * FROM _sf_ids_batch")
        finally:
            store.con.unregister("_sf_ids_batch")
        store.con.execute(
            "CREATE OR REPLACE TEMP VIEW _sf_e AS SELECT e.* EXCLUDE (src, dst), "
            "s.url_id AS src, d.url_id AS dst FROM _sf_edges e "
            "LEFT JOIN _sf_ids s ON s.k = e.src LEFT JOIN _sf_ids d ON d.k = e.dst"
        )
        store.con.execute(
            "CREATE OR REPLACE TEMP VIEW _sf_urlmap AS SELECT m.raw, i.url_id, m.fragment "
            "FROM _sf_map m JOIN _sf_ids i ON i.k = m.k"
        )


def rejected_rows(store: Store, *, limit: int = 5) -> tuple[int, list[dict[str, Any]]]:
    """Used rows whose Source or Destination is not an http(s) URL: count and first few.

    The row number counts data rows from 1 (title and header lines not included).
    """
    count = int(store.scalar("SELECT count(*) FROM _sf_edges WHERE bad IS NOT NULL"))
    sample = store.query(
        "SELECT rn, bad FROM _sf_edges WHERE bad IS NOT NULL ORDER BY rn LIMIT ?", [limit]
    ).to_pylist()
    return count, [
        {"row": s["rn"], "reason": "not an http(s) URL", "value": str(s["bad"])[:200]}
        for s in sample
    ]


def write_links(store: Store, crawl_id: int) -> int:
    """Insert the hyperlink rows of ``_sf_edges`` into ``links``; return how many.

    ``ordinal`` numbers each source's links in file order. ``anchor`` is the anchor text, or
    the alt text of an image link; ``is_image`` is true when there is alt text. ``rel`` is
    lower-cased; ``Follow`` false or a ``nofollow`` token make ``rel_nofollow``. ``dom_path``
    is Screaming Frog's XPath without indices and predicates (``/html/body/nav/ul/li[2]/a``
    becomes ``html>body>nav>ul>li>a``). Self-links are kept: the graph stage drops them.
    """
    path = "regexp_replace(coalesce(link_path, ''), '\\[[^\\]]*\\]', '', 'g')"
    sql = f"""
        INSERT INTO links BY NAME
        SELECT $crawl AS crawl_id, src AS src_id, dst AS dst_id,
            (row_number() OVER (PARTITION BY src ORDER BY rn) - 1)::INTEGER AS ordinal,
            coalesce(nullif(anchor, ''), nullif(alt, '')) AS anchor,
            nullif(alt, '') AS alt,
            coalesce(alt, '') <> '' AS is_image,
            nullif(array_to_string(tokens, ' '), '') AS rel,
            lower(trim(coalesce(follow, ''))) = 'false' OR list_contains(tokens, 'nofollow')
                AS rel_nofollow,
            list_contains(tokens, 'sponsored') AS rel_sponsored,
            list_contains(tokens, 'ugc') AS rel_ugc,
            nullif(trim(target), '') AS target,
            fragment,
            {_POSITION} AS position,
            nullif(replace(trim({path}, '/'), '/', '>'), '') AS dom_path
        FROM (
            SELECT *, CASE WHEN coalesce(rel, '') = '' THEN []::VARCHAR[]
                ELSE list_filter(string_split_regex(lower(rel), '\\s+'), t -> t <> '') END
                AS tokens
            FROM _sf_e WHERE kind = 'link' AND src IS NOT NULL AND dst IS NOT NULL
        )
    """
    _exec(store, sql, {"crawl": crawl_id})
    return store.count("links", crawl_id=crawl_id)


def write_sitemap_urls(store: Store, crawl_id: int) -> int:
    """Insert the ``XML Sitemap`` rows (sitemap → listed page) into ``sitemap_urls``."""
    _exec(
        store,
        """INSERT INTO sitemap_urls BY NAME
        SELECT DISTINCT $crawl AS crawl_id, dst AS url_id, src AS sitemap_url_id
        FROM _sf_e WHERE kind = 'sitemap' AND dst IS NOT NULL""",
        {"crawl": crawl_id},
    )
    return store.count("sitemap_urls", crawl_id=crawl_id)


# What the inlinks rows say about each URL, and the Internal: All rows (possibly none).
_PAGE_FACTS = """
WITH edges AS (SELECT rn, kind, src, dst, code, status_text FROM _sf_e
    WHERE dst IS NOT NULL),
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
    FROM _sf_internal i JOIN _sf_urlmap a ON a.raw = i.address
    LEFT JOIN _sf_urlmap c ON c.raw = i.canonical
    LEFT JOIN _sf_urlmap rd ON rd.raw = i.redirect_url
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
        {_DEC.format("response_time")} * 1000 AS response_ms,
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
    _exec(store, sql, {"crawl": crawl_id})
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


@contextmanager
def no_progress_bar(store: Store) -> Iterator[None]:
    """Silence DuckDB's own progress bar (drawn on stdout for long statements) meanwhile.

    Enter it outside :meth:`Store.transaction`: a failed transaction refuses statements
    until it is rolled back, and the setting is restored after that.
    """
    before = bool(store.scalar("SELECT current_setting('enable_progress_bar')"))
    _exec(store, "SET enable_progress_bar = false")
    try:
        yield
    finally:
        _exec(store, f"SET enable_progress_bar = {str(before).lower()}")


def drop_temp_tables(store: Store) -> None:
    """Drop the import's temporary tables (they live until the connection closes otherwise)."""
    with store._lock:
        store.con.execute("DROP VIEW IF EXISTS _sf_e; DROP VIEW IF EXISTS _sf_urlmap")
        for table in ("_sf_rows", "_sf_edges", "_sf_internal", "_sf_map", "_sf_ids"):
            store.con.execute(f"DROP TABLE IF EXISTS {table}")
