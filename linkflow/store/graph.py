"""Readers for the graph and internal-analysis stages.

Everything comes back as Arrow tables of plain columns so the caller can turn them into
numpy arrays without per-row Python work; link-level findings are built here in SQL because
they can number in the millions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import pyarrow as pa

from linkflow.store.db import Store

__all__ = [
    "anchor_findings",
    "anchor_spread",
    "crawl_links",
    "crawl_pages",
    "link_target_findings",
    "money_url_ids",
    "orphan_candidates",
    "previous_equity",
    "url_ids_of",
]

_NOFOLLOW = (
    "(coalesce(l.rel_nofollow, FALSE) OR coalesce(l.rel_sponsored, FALSE) "
    "OR coalesce(l.rel_ugc, FALSE))"
)
_FOLLOWED = f"NOT {_NOFOLLOW}"


@contextmanager
def _registered(store: Store, name: str, table: pa.Table) -> Iterator[None]:
    """Make ``table`` visible to SQL as ``name`` for the duration of the block."""
    with store._lock:
        store.con.register(name, table)
        try:
            yield
        finally:
            store.con.unregister(name)


def crawl_pages(store: Store, crawl_id: int) -> pa.Table:
    """The pages of a crawl, ordered by URL (site sections end up contiguous).

    Columns: url_id, url, internal, status, redirect_url_id, canonical_url_id, indexable,
    html. ``indexable`` NULL is read as TRUE for a 200 page (nothing said it is not); ``html``
    is TRUE unless the content type names something else. Should a URL have several rows
    (a crawl resumed over it), the last fetched one counts.
    """
    return store.query(
        "SELECT p.url_id, u.url, p.internal, p.status, p.redirect_url_id, "
        "p.canonical_url_id, coalesce(p.indexable, TRUE) AS indexable, "
        "coalesce(p.content_type ILIKE '%html%', TRUE) AS html "
        "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.crawl_id = ? "
        "QUALIFY row_number() OVER (PARTITION BY p.url_id "
        "  ORDER BY p.fetched_at DESC NULLS LAST) = 1 "
        "ORDER BY u.url",
        [crawl_id],
    )


def crawl_links(
    store: Store, crawl_id: int, position_weights: Mapping[str, float], image_multiplier: float
) -> pa.Table:
    """Every link of a crawl with its weight (position weight × image multiplier).

    Columns: src_id, dst_id (int32), weight (float64), nofollow (bool: nofollow, sponsored or
    ugc), content (bool: position 'content'), ordinal (int32). Unknown positions take the
    weight of 'other'.
    """
    cases = " ".join("WHEN ? THEN ?" for _ in position_weights)
    params: list[object] = []
    for pos, weight in position_weights.items():
        params += [pos, float(weight)]
    other = float(position_weights.get("other", 1.0))
    sql = (
        "SELECT l.src_id::INTEGER AS src_id, l.dst_id::INTEGER AS dst_id, "
        f"(CASE l.position {cases} ELSE ? END) * "
        "(CASE WHEN coalesce(l.is_image, FALSE) THEN ? ELSE 1.0 END) AS weight, "
        f"{_NOFOLLOW} AS nofollow, "
        "l.position = 'content' AS content, l.ordinal::INTEGER AS ordinal "
        "FROM links l WHERE l.crawl_id = ?"
    )
    return store.query(sql, [*params, other, float(image_multiplier), crawl_id])


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
    with _registered(store, "_lf_ids", table):
        return store.query(
            "SELECT i.url_id, EXISTS (SELECT 1 FROM unnest(?::VARCHAR[]) t(p) "
            "WHERE u.path GLOB t.p OR u.url GLOB t.p) AS is_money "
            "FROM _lf_ids i JOIN urls u ON u.id = i.url_id",
            [list(patterns)],
        )


def orphan_candidates(store: Store, crawl_id: int) -> pa.Table:
    """URLs known from the sitemap, backlinks or traffic, on the crawl's internal hosts.

    Columns: url_id, sitemap (bool), backlinks (count), traffic (bool), clicks (sum, may be
    NULL), crawled (has a pages row in the crawl), linked (some followed link of the crawl
    points at it directly). URLs never crawled that differ from a crawled page only by a
    trailing slash are left out: they are that page.
    """
    return store.query(
        "WITH hosts AS (SELECT DISTINCT u.host FROM pages p JOIN urls u ON u.id = p.url_id "
        "  WHERE p.crawl_id = ? AND p.internal), "
        "sm AS (SELECT DISTINCT url_id FROM sitemap_urls WHERE crawl_id = ?), "
        "bl AS (SELECT target_url_id AS url_id, count(*) AS n FROM backlinks "
        "  WHERE target_url_id IS NOT NULL GROUP BY 1), "
        "tr AS (SELECT url_id, sum(clicks) AS clicks FROM traffic "
        "  WHERE url_id IS NOT NULL GROUP BY 1), "
        "ids AS (SELECT url_id FROM sm UNION SELECT url_id FROM bl UNION SELECT url_id FROM tr), "
        "ln AS (SELECT DISTINCT l.dst_id FROM links l WHERE l.crawl_id = ? "
        f"  AND {_FOLLOWED} AND l.dst_id IN (SELECT url_id FROM ids)) "
        "SELECT DISTINCT ids.url_id::INTEGER AS url_id, sm.url_id IS NOT NULL AS sitemap, "
        "coalesce(bl.n, 0)::BIGINT AS backlinks, tr.url_id IS NOT NULL AS traffic, tr.clicks, "
        "p.url_id IS NOT NULL AS crawled, ln.dst_id IS NOT NULL AS linked "
        "FROM ids JOIN urls u ON u.id = ids.url_id JOIN hosts h ON h.host = u.host "
        "LEFT JOIN sm ON sm.url_id = ids.url_id LEFT JOIN bl ON bl.url_id = ids.url_id "
        "LEFT JOIN tr ON tr.url_id = ids.url_id LEFT JOIN ln ON ln.dst_id = ids.url_id "
        "LEFT JOIN pages p ON p.crawl_id = ? AND p.url_id = ids.url_id "
        # an uncrawled URL one trailing slash away from a crawled page is that page
        "LEFT JOIN urls v ON v.url = CASE WHEN u.url LIKE '%/' THEN rtrim(u.url, '/') "
        "  ELSE u.url || '/' END "
        "LEFT JOIN pages q ON q.crawl_id = ? AND q.url_id = v.id "
        "WHERE p.url_id IS NOT NULL OR q.url_id IS NULL",
        [crawl_id, crawl_id, crawl_id, crawl_id, crawl_id],
    )


def url_ids_of(store: Store, urls: Sequence[str]) -> dict[str, int]:
    """Ids of the given URL strings that are in the dictionary (a few; no cache is built)."""
    rows = store.query(
        "SELECT url, id FROM urls WHERE url IN (SELECT unnest(?::VARCHAR[]))", [list(urls)]
    ).to_pylist()
    return {r["url"]: int(r["id"]) for r in rows}


def link_target_findings(store: Store, crawl_id: int, targets: pa.Table) -> pa.Table:
    """One finding row per (source, target) link whose target has a problem.

    ``targets`` has columns url_id, kind, severity, why, note (a short phrase on the target,
    e.g. "404" or "redirects 2 times to {ref}") and ref_id (the URL put in place of
    ``{ref}``, may be NULL). Only links from internal pages count;
    several links between the same pair give one row naming the first anchor and the count.
    Columns of the result: kind, severity, url_id (the source page), detail, why, value
    (number of links).
    """
    with _registered(store, "_lf_targets", targets):
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
            "AS detail, t.why, p.n::DOUBLE AS value "
            "FROM pairs p JOIN _lf_targets t ON t.url_id = p.dst_id "
            "JOIN urls u ON u.id = p.dst_id LEFT JOIN urls r ON r.id = t.ref_id",
            [crawl_id],
        )


def _anchor_norm(col: str) -> str:
    """SQL that normalises anchor text: lower case, punctuation removed, spaces collapsed."""
    return (
        f"trim(regexp_replace(regexp_replace(lower(coalesce({col}, '')), "
        "'[^\\p{L}\\p{N}\\p{M}\\s]+', ' ', 'g'), '\\s+', ' ', 'g'))"
    )


_NAKED_URL = r"^(https?://\S+|(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?)$"


def _anchor_classes(generic_param: str, naked_param: str, crawl_param: str = "$3") -> str:
    """SQL CTEs ``na`` (every distinct anchor of the crawl → normalised text ``a`` and class
    ``cls``: empty | naked | generic | NULL for descriptive). Regexes run once per distinct
    anchor, not once per link."""
    norm = _anchor_norm("anchor")
    return (
        "na0 AS (SELECT DISTINCT coalesce(anchor, '') AS anchor FROM links "
        f"  WHERE crawl_id = {crawl_param}), "
        f"na1 AS (SELECT anchor, {norm} AS a FROM na0), "
        "na AS (SELECT anchor, a, CASE WHEN a = '' THEN 'empty' "
        f"  WHEN regexp_matches(trim(anchor), {naked_param}) THEN 'naked' "
        f"  WHEN a IN (SELECT unnest({generic_param}::VARCHAR[])) THEN 'generic' END AS cls "
        "  FROM na1) "
    )


def anchor_findings(
    store: Store,
    crawl_id: int,
    internal_ids: pa.Table,
    generic: Sequence[str],
    why: Mapping[str, str],
) -> pa.Table:
    """Generic, empty and naked-URL anchors, and image links without alt text.

    Only followed links to ``internal_ids`` (column url_id) count, as in Lighthouse's
    link-text audit (links are stored only for crawled pages, so their sources are
    internal). One row per (source, target, kind); ``why`` maps kind to its sentence.
    Result columns as :func:`link_target_findings`.
    """
    alt = "trim(coalesce(l.alt, ''))"
    image = "coalesce(l.is_image, FALSE)"
    # Classify the distinct anchors first: the scan of links then only keeps rows whose
    # anchor is in that (small) set, or image links.
    bad = store.query(
        "WITH " + _anchor_classes("$2", "$1") + "SELECT anchor, cls FROM na WHERE cls IS NOT NULL",
        [_NAKED_URL, list(generic), crawl_id],
    )
    with _registered(store, "_lf_internal", internal_ids), _registered(store, "_lf_bad", bad):
        return store.query(
            "WITH c AS (SELECT l.src_id, l.dst_id, l.ordinal, left(trim(l.anchor), 120) AS a, "
            f"  CASE WHEN {image} AND {alt} = '' THEN 'image-link-no-alt' "
            f"  WHEN NOT {image} AND b.cls = 'empty' THEN 'empty-anchor' "
            "  WHEN b.cls = 'naked' THEN 'naked-url-anchor' "
            "  WHEN b.cls = 'generic' THEN 'generic-anchor' END AS kind "
            "  FROM links l LEFT JOIN _lf_bad b ON b.anchor = coalesce(l.anchor, '') "
            "  WHERE l.crawl_id = $1 "
            "  AND (l.anchor IN (SELECT anchor FROM _lf_bad) OR l.anchor IS NULL OR l.is_image) "
            f"  AND {_FOLLOWED} AND l.dst_id IN (SELECT url_id FROM _lf_internal)), "
            "g AS (SELECT kind, src_id, dst_id, count(*) AS n, arg_min(a, ordinal) AS a "
            "  FROM c WHERE kind IS NOT NULL GROUP BY ALL) "
            "SELECT g.kind, CASE g.kind WHEN 'empty-anchor' THEN 'medium' ELSE 'low' END "
            "AS severity, g.src_id::INTEGER AS url_id, "
            "CASE g.kind WHEN 'empty-anchor' THEN 'link to ' || u.url || ' has no text' "
            "WHEN 'image-link-no-alt' THEN 'image link to ' || u.url || ' has no alt text' "
            "ELSE 'link to ' || u.url || ' has anchor \"' || g.a || '\"' END || "
            "CASE WHEN g.n > 1 THEN ' (' || g.n || ' links)' ELSE '' END AS detail, "
            "w.why, g.n::DOUBLE AS value "
            "FROM g JOIN urls u ON u.id = g.dst_id "
            "JOIN (SELECT unnest($2::VARCHAR[]) AS kind, unnest($3::VARCHAR[]) AS why) w "
            "ON w.kind = g.kind",
            [crawl_id, list(why), list(why.values())],
        )


def anchor_spread(
    store: Store,
    crawl_id: int,
    resolved: pa.Table,
    generic: Sequence[str],
    *,
    min_targets: int,
    min_anchors: int,
) -> tuple[pa.Table, pa.Table]:
    """Descriptive anchors by distinct final target, and targets by distinct anchors.

    ``resolved`` maps url_id → final_id (the graph node a link to url_id ends at). Only
    followed links with a descriptive anchor (not empty, generic or a
    URL) and not in pagination or breadcrumbs count. Returns (anchors with at least
    ``min_targets`` targets: anchor, targets, sample — the first 5 target URLs; targets with
    at least ``min_anchors`` anchors: url_id, anchors, sample — the first 5 anchors).
    """
    with store._lock, _registered(store, "_lf_resolved", resolved):
        store.con.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_names AS WITH "
            + _anchor_classes("$2", "$1")
            + "SELECT anchor, hash(anchor) AS h, a, dense_rank() OVER (ORDER BY a) AS aid "
            "FROM na "
            "WHERE cls IS NULL",
            [_NAKED_URL, list(generic), crawl_id],
        )
        try:
            # distinct (anchor, target) pairs on a 64-bit hash of the anchor: grouping
            # millions of links by two integers is several times faster than by text
            store.con.execute(
                "CREATE OR REPLACE TEMP TABLE _lf_pairs AS "
                "WITH raw AS (SELECT DISTINCT hash(coalesce(l.anchor, '')) AS h, l.dst_id "
                f"  FROM links l WHERE l.crawl_id = ? AND {_FOLLOWED} "
                "  AND l.position NOT IN ('pagination', 'breadcrumb') "
                "  AND NOT coalesce(l.is_image, FALSE)) "
                "SELECT DISTINCT n.aid, r.final_id FROM raw "
                "JOIN (SELECT DISTINCT h, aid FROM _lf_names) n ON n.h = raw.h "
                "JOIN _lf_resolved r ON r.url_id = raw.dst_id",
                [crawl_id],
            )
            names = "(SELECT DISTINCT aid, a FROM _lf_names)"
            # samples: min(x, 5) keeps the 5 lowest ids per group in one hash aggregate
            anchors = store.query(
                "WITH k AS (SELECT aid, count(*) AS targets, min(final_id, 5) AS ids "
                "  FROM _lf_pairs GROUP BY aid HAVING count(*) >= ?) "
                "SELECT any_value(n.a) AS anchor, any_value(k.targets) AS targets, "
                "string_agg(u.url, ' ' ORDER BY u.url) AS sample "
                "FROM (SELECT aid, targets, unnest(ids) AS final_id FROM k) k "
                f"JOIN urls u ON u.id = k.final_id JOIN {names} n ON n.aid = k.aid "
                "GROUP BY k.aid",
                [min_targets],
            )
            targets = store.query(
                "WITH k AS (SELECT final_id, count(*) AS anchors, min(aid, 5) AS ids "
                "  FROM _lf_pairs GROUP BY final_id HAVING count(*) >= ?) "
                "SELECT k.final_id::INTEGER AS url_id, any_value(k.anchors) AS anchors, "
                "string_agg('\"' || left(n.a, 60) || '\"', ', ' ORDER BY n.a) AS sample "
                "FROM (SELECT final_id, anchors, unnest(ids) AS aid FROM k) k "
                f"JOIN {names} n ON n.aid = k.aid GROUP BY k.final_id",
                [min_anchors],
            )
        finally:
            store.con.execute("DROP TABLE IF EXISTS _lf_pairs; DROP TABLE IF EXISTS _lf_names")
    return anchors, targets
