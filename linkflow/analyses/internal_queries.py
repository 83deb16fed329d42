"""What the internal analysis reads from the store, beyond the graph: warm start, money
pages, sitemap URLs, orphan candidates, pages not checked and the links to problem targets.

Everything comes back as Arrow tables of plain columns so the caller turns them into numpy
arrays without per-row Python work; link-level findings are built in SQL because they can
number in the millions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from linkflow.graph.load import FOLLOWED_SQL
from linkflow.models import BLOCKED, OUTSIDE
from linkflow.store import Store

__all__ = [
    "link_target_findings",
    "money_url_ids",
    "orphan_candidates",
    "previous_equity",
    "sitemap_url_ids",
    "unchecked_pages",
    "url_ids_of",
]

_OUTSIDE_SQL = "split_part(p.error, ';', 1) IN (" + ", ".join(f"'{o}'" for o in OUTSIDE) + ")"
"""A page row outside the copy audited (:data:`linkflow.models.OUTSIDE`), aliased ``p``."""
_FILE_SQL = (
    "(SELECT source FROM crawls WHERE id = $crawl) = 'folder' AND p.internal "
    "AND p.status = 200 AND coalesce(p.content_type ILIKE '%html%', FALSE) "
    f"AND NOT coalesce({_OUTSIDE_SQL}, FALSE)"
)
"""An HTML file of a build folder, as a condition on a ``pages`` row aliased ``p``: in a
folder crawl only a file answers 200 (rules in ``_redirects`` answer 3xx)."""


def previous_equity(store: Store, crawl_id: int) -> pa.Table:
    """Equity stored by an earlier analysis of ``crawl_id`` (url_id, equity): a warm start."""
    return store.query(
        "SELECT url_id, equity FROM page_metrics WHERE crawl_id = ? AND in_graph "
        "AND equity IS NOT NULL",
        [crawl_id],
    )


def money_url_ids(store: Store, url_ids: pa.Array, patterns: Sequence[str]) -> pa.Table:
    """Which of ``url_ids`` match one of the glob ``patterns`` on their path or full URL."""
    table = pa.table({"url_id": url_ids})
    with store.registered("_lf_ids", table):
        return store.query(
            "SELECT i.url_id, EXISTS (SELECT 1 FROM unnest(?::VARCHAR[]) t(p) "
            "WHERE u.path GLOB t.p OR u.url GLOB t.p) AS is_money "
            "FROM _lf_ids i JOIN urls u ON u.id = i.url_id",
            [list(patterns)],
        )


def sitemap_url_ids(store: Store, crawl_id: int) -> pa.Array:
    """Distinct url ids listed in a sitemap of ``crawl_id`` (int64)."""
    table = store.query(
        "SELECT DISTINCT url_id::BIGINT AS url_id FROM sitemap_urls WHERE crawl_id = ?",
        [crawl_id],
    )
    return table["url_id"].combine_chunks()


def url_ids_of(store: Store, urls: Sequence[str]) -> dict[str, int]:
    """Ids of the given URL strings that are in the dictionary (a few; no cache is built)."""
    rows = store.query(
        "SELECT url, id FROM urls WHERE url IN (SELECT unnest(?::VARCHAR[]))", [list(urls)]
    ).to_pylist()
    return {r["url"]: int(r["id"]) for r in rows}


def orphan_candidates(store: Store, crawl_id: int) -> pa.Table:
    """URLs known from the sitemap, backlinks or traffic, on the crawl's internal hosts, and
    in a folder crawl every HTML file of the folder.

    Columns: url_id, sitemap (bool), backlinks (count), traffic (bool), clicks (sum, may be
    NULL), file (an HTML file of the build folder), crawled (has a pages row in the crawl),
    linked (some followed link of the crawl points at it directly). URLs never crawled that
    differ from a crawled page only by a trailing slash are left out: they are that page.
    """
    return store.query(
        "WITH hosts AS (SELECT DISTINCT u.host FROM pages p JOIN urls u ON u.id = p.url_id "
        "  WHERE p.crawl_id = $crawl AND p.internal), "
        "sm AS (SELECT DISTINCT url_id FROM sitemap_urls WHERE crawl_id = $crawl), "
        "bl AS (SELECT target_url_id AS url_id, count(*) AS n FROM backlink_edges "
        "  WHERE target_url_id IS NOT NULL GROUP BY 1), "
        "tr AS (SELECT url_id, sum(clicks) AS clicks FROM traffic "
        "  WHERE url_id IS NOT NULL GROUP BY 1), "
        "fl AS (SELECT DISTINCT p.url_id FROM pages p WHERE p.crawl_id = $crawl "
        f"  AND {_FILE_SQL}), "
        "ids AS (SELECT url_id FROM sm UNION SELECT url_id FROM bl UNION SELECT url_id FROM tr "
        "  UNION SELECT url_id FROM fl), "
        "ln AS (SELECT DISTINCT l.dst_id FROM links l WHERE l.crawl_id = $crawl "
        f"  AND {FOLLOWED_SQL} AND l.dst_id IN (SELECT url_id FROM ids)) "
        "SELECT DISTINCT ids.url_id::INTEGER AS url_id, sm.url_id IS NOT NULL AS sitemap, "
        "coalesce(bl.n, 0)::BIGINT AS backlinks, tr.url_id IS NOT NULL AS traffic, tr.clicks, "
        "fl.url_id IS NOT NULL AS file, "
        "p.url_id IS NOT NULL AS crawled, ln.dst_id IS NOT NULL AS linked "
        "FROM ids JOIN urls u ON u.id = ids.url_id JOIN hosts h ON h.host = u.host "
        "LEFT JOIN sm ON sm.url_id = ids.url_id LEFT JOIN bl ON bl.url_id = ids.url_id "
        "LEFT JOIN tr ON tr.url_id = ids.url_id LEFT JOIN ln ON ln.dst_id = ids.url_id "
        "LEFT JOIN fl ON fl.url_id = ids.url_id "
        "LEFT JOIN pages p ON p.crawl_id = $crawl AND p.url_id = ids.url_id "
        # an uncrawled URL one trailing slash away from a crawled page is that page
        "LEFT JOIN urls v ON v.url = CASE WHEN u.url LIKE '%/' THEN rtrim(u.url, '/') "
        "  ELSE u.url || '/' END "
        "LEFT JOIN pages q ON q.crawl_id = $crawl AND q.url_id = v.id "
        "WHERE p.url_id IS NOT NULL OR q.url_id IS NULL",
        {"crawl": crawl_id},
    )


def unchecked_pages(store: Store, crawl_id: int) -> pa.Table:
    """Internal page rows of ``crawl_id`` the crawl did not check, or checked outside the
    copy audited: robots.txt blocked them, or they lie outside the build folder or the
    base URL's path (:data:`linkflow.models.OUTSIDE`).

    Columns: url_id, outside (outside the copy: never parsed, so nothing is known of its
    robots meta or canonical), unchecked (no status: not fetched, or no answer to the check),
    note (the page's error). The newest row of a URL counts, as in the graph.
    """
    return store.query(
        "SELECT url_id, outside, unchecked, note FROM ("
        f"  SELECT p.url_id, coalesce({_OUTSIDE_SQL}, FALSE) AS outside, "
        "  p.status IS NULL AS unchecked, p.error AS note, "
        "  coalesce(p.error = $blocked, FALSE) AS blocked "
        "  FROM pages p WHERE p.crawl_id = $crawl AND p.internal "
        "  QUALIFY row_number() OVER (PARTITION BY p.url_id "
        "    ORDER BY p.fetched_at DESC NULLS LAST) = 1) "
        "WHERE outside OR blocked",
        {"crawl": crawl_id, "blocked": BLOCKED},
    )


def link_target_findings(store: Store, crawl_id: int, targets: pa.Table) -> pa.Table:
    """One finding row per (source, target) link whose target has a problem.

    ``targets`` has columns url_id, kind, severity, why, note (a short phrase on the target,
    e.g. "404" or "redirects 2 times to {ref}") and ref_id (the URL put in place of
    ``{ref}``, may be NULL). Only links from internal pages count;
    several links between the same pair give one row naming the first anchor and the count.
    Columns of the result: kind, severity, url_id (the source page), detail, why, value
    (number of links), target_id (the link's target).
    """
    with store.registered("_lf_targets", targets):
        return store.query(
            "WITH pairs AS (SELECT l.src_id, l.dst_id, count(*) AS n, "
            "  arg_min(coalesce(l.anchor, ''), l.ordinal) AS anchor "
            "  FROM links l JOIN _lf_targets t ON t.url_id = l.dst_id "
            "  JOIN pages s ON s.crawl_id = l.crawl_id AND s.url_id = l.src_id AND s.internal "
            "  WHERE l.crawl_id = ? GROUP BY 1, 2) "
            "SELECT t.kind, t.severity, p.src_id::INTEGER AS url_id, "
            "'links to ' || u.url || ' (' || replace(t.note, '{ref}', coalesce(r.url, '')) || "
            "') with anchor \"' || "
            "left(p.anchor, 120) || '\"' || "
            "CASE WHEN p.n > 1 THEN ' and ' || (p.n - 1) || ' more link(s)' ELSE '' END "
            "AS detail, t.why, p.n::DOUBLE AS value, p.dst_id::BIGINT AS target_id "
            "FROM pairs p JOIN _lf_targets t ON t.url_id = p.dst_id "
            "JOIN urls u ON u.id = p.dst_id LEFT JOIN urls r ON r.id = t.ref_id",
            [crawl_id],
        )
