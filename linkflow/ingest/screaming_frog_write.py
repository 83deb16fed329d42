"""Writes of a Screaming Frog crawl import, inside its one :meth:`Store.transaction`.

They read what :mod:`linkflow.ingest.screaming_frog_stage` staged: :func:`save_url_ids`
maps each URL number ``k`` to its ``urls`` id, then ``links``, ``pages`` and
``sitemap_urls`` are written with set-based SQL over integer joins. A failure anywhere
leaves the audit as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pyarrow as pa

from linkflow.models import BLOCKED, ERROR_PAGE_SQL
from linkflow.store import Store

__all__ = [
    "page_counts",
    "save_url_ids",
    "write_links",
    "write_pages",
    "write_sitemap_urls",
]

_POSITION = """CASE lower(trim(coalesce(link_position, '')))
    WHEN 'content' THEN 'content' WHEN 'navigation' THEN 'nav' WHEN 'nav' THEN 'nav'
    WHEN 'header' THEN 'header' WHEN 'footer' THEN 'footer'
    WHEN 'sidebar' THEN 'sidebar' WHEN 'aside' THEN 'sidebar' ELSE 'other' END"""
# Integer columns: thousands separators (comma, space, no-break and thin spaces) removed.
_NUM = "nullif(regexp_replace(trim({}), '[,\\s\u00a0\u202f]', '', 'g'), '')"
# Decimal columns (seconds): a decimal comma, as Excel writes in many locales, is a point.
_DEC = "try_cast(replace(trim({}), ',', '.') AS DOUBLE)"
_SF_BLOCKED: Final = "blocked by robots.txt"
"""Screaming Frog's ``Status`` of a URL robots.txt kept it from fetching, lower-cased."""


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
    with store.registered("_sf_ids_batch", ids):
        store.execute("CREATE OR REPLACE TEMP TABLE _sf_ids AS SELECT * FROM _sf_ids_batch")
    store.execute(
        "CREATE OR REPLACE TEMP VIEW _sf_e AS SELECT e.* EXCLUDE (src, dst), "
        "s.url_id AS src, d.url_id AS dst FROM _sf_edges e "
        "LEFT JOIN _sf_ids s ON s.k = e.src LEFT JOIN _sf_ids d ON d.k = e.dst"
    )
    store.execute(
        "CREATE OR REPLACE TEMP VIEW _sf_urlmap AS SELECT m.raw, i.url_id, m.fragment "
        "FROM _sf_map m JOIN _sf_ids i ON i.k = m.k"
    )


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
    store.execute(sql, {"crawl": crawl_id})
    return store.count("links", crawl_id=crawl_id)


def write_sitemap_urls(store: Store, crawl_id: int) -> int:
    """Insert the ``XML Sitemap`` rows (sitemap → listed page) into ``sitemap_urls``."""
    store.execute(
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
embedded AS (  -- what a page embeds says what the URL is, where no Content Type does
    SELECT dst AS url_id, CASE arg_min(kind, rn) WHEN 'image' THEN 'image/*'
        WHEN 'css' THEN 'text/css' ELSE 'text/javascript' END AS e_type
    FROM edges WHERE kind IN ('image', 'css', 'script') GROUP BY dst),
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
        coalesce(nullif(trim(n.content_type), ''), e.e_type) AS content_type,
        n.* EXCLUDE (url_id, content_type)
    FROM all_urls a JOIN urls u ON u.id = a.url_id
    LEFT JOIN known k ON k.url_id = a.url_id LEFT JOIN redirects rd ON rd.url_id = a.url_id
    LEFT JOIN canonicals cn ON cn.url_id = a.url_id LEFT JOIN parsed p ON p.url_id = a.url_id
    LEFT JOIN node n ON n.url_id = a.url_id LEFT JOIN embedded e ON e.url_id = a.url_id
)
"""


def write_pages(store: Store, crawl_id: int) -> int:
    """Insert one ``pages`` row per URL met; return how many.

    An ``Internal: All`` row (``_sf_internal``) wins over what the inlinks rows imply.
    Status: the ``Internal: All`` row's, else the ``Status Code`` the inlinks rows give for
    the URL as a destination. ``0`` (no response) is stored as NULL with the ``Status`` text
    as ``error``, except that a URL robots.txt kept Screaming Frog from fetching gets
    :data:`linkflow.models.BLOCKED`, the error every stage knows is not a failure. A Source
    that no row points at (typically the start page) gets 200: Screaming Frog lists
    hyperlinks only of pages it fetched and parsed. ``internal``: the host is one Screaming
    Frog parsed pages on, or an ``Internal: All`` address's host. ``indexable`` is the
    export's ``Indexability`` when given, else inferred: a 2xx page that neither redirects
    nor points its canonical elsewhere. A URL whose content type is not HTML (images, CSS,
    scripts, PDFs ...) is never indexable, as the crawler stores it: resources are recorded,
    but only HTML pages are nodes of the equity graph. The content type is the
    ``Internal: All`` row's, else what embeds the URL says (an ``Image`` row: ``image/*``,
    ``CSS``: ``text/css``, ``JavaScript``: ``text/javascript``).
    """
    sql = f"""{_PAGE_FACTS}
    INSERT INTO pages BY NAME
    SELECT $crawl AS crawl_id, url_id, internal, try_cast(code AS SMALLINT) AS status,
        try_cast({_NUM.format("crawl_depth")} AS INTEGER) AS depth,
        redirect_url_id, canonical_url_id,
        content_type,
        try_cast(trim(crawl_timestamp) AS TIMESTAMP) AS fetched_at,
        {_DEC.format("response_time")} * 1000 AS response_ms,
        try_cast({_NUM.format("size")} AS BIGINT) AS bytes,
        nullif(meta_robots, '') AS meta_robots, nullif(x_robots_tag, '') AS x_robots_tag,
        CASE WHEN content_type NOT ILIKE '%html%' THEN FALSE ELSE coalesce(
            CASE lower(trim(indexability)) WHEN 'indexable' THEN TRUE
                WHEN 'non-indexable' THEN FALSE END,
            CASE WHEN code IS NOT NULL THEN code BETWEEN 200 AND 299
                AND redirect_url_id IS NULL AND coalesce(canonical_url_id, url_id) = url_id
            END) END AS indexable,
        nullif(title, '') AS title, nullif(h1, '') AS h1,
        nullif(meta_description, '') AS meta_description,
        try_cast({_NUM.format("word_count")} AS INTEGER) AS word_count,
        nullif(trim(hash), '') AS content_hash,
        CASE WHEN code IS NOT NULL THEN NULL
            WHEN lower(status_text) = $sf_blocked THEN $blocked
            ELSE status_text END AS error
    FROM merged
    """
    store.execute(sql, {"crawl": crawl_id, "sf_blocked": _SF_BLOCKED, "blocked": BLOCKED})
    return store.count("pages", crawl_id=crawl_id)


def page_counts(store: Store, crawl_id: int) -> tuple[dict[int, int], int]:
    """Pages of ``crawl_id`` by HTTP status, and how many are error pages
    (:data:`linkflow.models.ERROR_PAGE_SQL`: 4xx/5xx or no response; a URL blocked by
    robots.txt is not one)."""
    rows = store.rows(
        "SELECT status, count(*) FROM pages WHERE crawl_id = ? AND status IS NOT NULL "
        "GROUP BY status ORDER BY status",
        [crawl_id],
    )
    errors = store.scalar(
        f"SELECT count(*) FROM pages WHERE crawl_id = ? AND {ERROR_PAGE_SQL}", [crawl_id]
    )
    return {int(status): int(n) for status, n in rows}, int(errors)
