"""The report's queries: bounded reads of what earlier stages stored.

Every reader returns plain lists of dicts (or one dict, or a number) and is bounded:
aggregates, or at most ``limit`` rows, so a 1M-page audit renders as fast as a 20-page one.
Values travel as bound parameters; tables whose shape may vary are checked against the
file's catalogue first (:func:`linkflow.store.export.table_columns`).
"""

from __future__ import annotations

from typing import Any

from linkflow.models import SEVERITIES
from linkflow.store import Store
from linkflow.store.export import table_columns

__all__ = [
    "anchor_class_totals",
    "backlink_overview",
    "backlinked_404s",
    "depth_distribution",
    "equity_concentration",
    "finding_examples",
    "finding_kinds",
    "headline",
    "link_velocity",
    "lost_backlinks",
    "top_anchors",
    "top_linked_pages",
    "top_pages",
    "top_referring_domains",
    "traffic_overview",
    "traffic_top_pages",
]

# Backlinks of the audited site, deduplicated: the store's view, the one definition of "a
# backlink" the backlink analysis and the CLI summary count too (docs/formats.md).
_OWN_BACKLINKS = "backlink_edges"
_FOLLOWED = "NOT (coalesce(nofollow, FALSE) OR coalesce(sponsored, FALSE) OR coalesce(ugc, FALSE))"


def _rows(store: Store, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return list(store.query(sql, params or []).to_pylist())


# ---------------------------------------------------------------------- headline
_HEADLINE_SQL = (
    "SELECT "
    "(SELECT count(*) FROM pages WHERE crawl_id = $1 AND internal) AS pages, "
    "(SELECT count(*) FROM links WHERE crawl_id = $1) AS links, "
    "(SELECT count(*) FROM findings WHERE crawl_id = $1 AND kind = 'broken-link') "
    "AS broken_links, "
    "(SELECT count(*) FROM findings WHERE crawl_id = $1 AND kind = 'orphan-page') AS orphans, "
    "(SELECT count(*) FROM page_metrics WHERE crawl_id = $1 AND is_money) AS money_pages, "
    "(SELECT count(*) FROM findings WHERE crawl_id = $1) AS findings, "
    f"(SELECT count(*) FROM {_OWN_BACKLINKS}) AS backlinks, "
    f"(SELECT count(DISTINCT source_domain) FROM {_OWN_BACKLINKS}) AS referring_domains"
)


def headline(store: Store, crawl_id: int) -> dict[str, Any]:
    """Headline numbers of ``crawl_id``.

    Keys: pages (internal pages crawled), links, broken_links (``broken-link`` findings: one
    per page and broken target, the number the findings list shows; a target the crawl did
    not check is not broken), orphans (``orphan-page`` findings), money_pages, backlinks and
    referring_domains (of the audited site), findings.
    """
    return _rows(store, _HEADLINE_SQL, [crawl_id])[0]


def equity_concentration(store: Store, crawl_id: int, share: float = 0.1) -> float | None:
    """Share of internal equity held by the top ``share`` of graph pages (0-1), or None.

    1.0 would mean the top tenth holds everything; a flat site sits near ``share`` itself.
    """
    value = store.scalar(
        "SELECT sum(equity) FILTER (WHERE rn <= greatest(1, ceil(n * $2))) / sum(equity) "
        "FROM (SELECT equity, row_number() OVER (ORDER BY equity DESC) AS rn, "
        "count(*) OVER () AS n FROM page_metrics "
        "WHERE crawl_id = $1 AND equity IS NOT NULL AND equity > 0)",
        [crawl_id, share],
    )
    return None if value is None else float(value)


# ---------------------------------------------------------------------- pages
_PAGE_COLUMNS = (
    "pm.url, pm.url_id, p.title, pm.equity_score, pm.equity, pm.depth, pm.inlinks, "
    "pm.content_inlinks, pm.outlinks, pm.status, coalesce(pm.is_money, FALSE) AS is_money, "
    "pm.backlinks, pm.referring_domains, pm.external_authority, pm.clicks"
)


def top_pages(store: Store, crawl_id: int, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` page_metrics rows with the most equity, with the page title."""
    return _rows(
        store,
        f"SELECT {_PAGE_COLUMNS} FROM page_metrics pm "
        "LEFT JOIN pages p ON p.crawl_id = pm.crawl_id AND p.url_id = pm.url_id "
        "WHERE pm.crawl_id = ? ORDER BY pm.equity DESC NULLS LAST, pm.url LIMIT ?",
        [crawl_id, limit],
    )


def depth_distribution(store: Store, crawl_id: int) -> list[dict[str, Any]]:
    """Pages per click depth (``depth`` None = unreachable from the home page), shallow first."""
    return _rows(
        store,
        "SELECT depth, count(*) AS pages FROM page_metrics WHERE crawl_id = ? "
        "GROUP BY depth ORDER BY depth NULLS LAST",
        [crawl_id],
    )


# ---------------------------------------------------------------------- findings
_SEVERITY_RANK = "coalesce(list_position($2, severity), 99)"


def finding_kinds(store: Store, crawl_id: int) -> list[dict[str, Any]]:
    """One row per finding kind: kind, severity (the most severe seen), count, why.

    Most severe first, then most frequent.
    """
    return _rows(
        store,
        f"SELECT kind, min({_SEVERITY_RANK}) AS rank, count(*) AS count, "
        "min(why) AS why FROM findings WHERE crawl_id = $1 "
        "GROUP BY kind ORDER BY rank, count DESC, kind",
        [crawl_id, list(SEVERITIES)],
    )


def finding_examples(store: Store, crawl_id: int, per_kind: int) -> list[dict[str, Any]]:
    """Up to ``per_kind`` findings of each kind (kind, severity, url, target_url, detail,
    value); target_url is None when the findings table has no such column."""
    target = (
        "target_url" if "target_url" in {c for c, _ in table_columns(store, "findings")} else "NULL"
    )
    return _rows(
        store,
        f"SELECT kind, severity, url, {target} AS target_url, detail, value FROM ("
        f"  SELECT *, row_number() OVER (PARTITION BY kind ORDER BY {_SEVERITY_RANK}, "
        "  value DESC NULLS LAST, url NULLS LAST, detail) AS rn "
        "  FROM findings WHERE crawl_id = $1) "
        "WHERE rn <= $3 ORDER BY kind, rn",
        [crawl_id, list(SEVERITIES), per_kind],
    )


# ---------------------------------------------------------------------- backlinks
def backlink_overview(store: Store) -> dict[str, Any]:
    """Counts over the audited site's backlinks: backlinks, referring_domains, followed,
    nofollow, sponsored, ugc, lost, target_pages."""
    return _rows(
        store,
        "SELECT count(*) AS backlinks, count(DISTINCT source_domain) AS referring_domains, "
        f"count(*) FILTER (WHERE {_FOLLOWED}) AS followed, "
        "count(*) FILTER (WHERE nofollow) AS nofollow, "
        "count(*) FILTER (WHERE sponsored) AS sponsored, count(*) FILTER (WHERE ugc) AS ugc, "
        "count(*) FILTER (WHERE lost) AS lost, count(DISTINCT target_url) AS target_pages "
        f"FROM {_OWN_BACKLINKS}",
    )[0]


def top_referring_domains(store: Store, limit: int) -> list[dict[str, Any]]:
    """Referring domains by authority: domain, backlinks, followed, authority."""
    return _rows(
        store,
        "SELECT source_domain AS domain, count(*) AS backlinks, "
        f"count(*) FILTER (WHERE {_FOLLOWED}) AS followed, "
        "max(domain_authority) AS authority "
        f"FROM {_OWN_BACKLINKS} GROUP BY source_domain "
        "ORDER BY authority DESC NULLS LAST, backlinks DESC, domain LIMIT ?",
        [limit],
    )


def top_linked_pages(store: Store, limit: int) -> list[dict[str, Any]]:
    """Pages with the most referring domains: url, backlinks, referring_domains, lost."""
    return _rows(
        store,
        "SELECT target_url AS url, count(*) AS backlinks, "
        "count(DISTINCT source_domain) AS referring_domains, "
        "count(*) FILTER (WHERE lost) AS lost "
        f"FROM {_OWN_BACKLINKS} GROUP BY target_url "
        "ORDER BY referring_domains DESC, backlinks DESC, url LIMIT ?",
        [limit],
    )


def top_anchors(store: Store, limit: int) -> list[dict[str, Any]]:
    """Most used backlink anchors (``anchor`` None = empty: links without text): anchor,
    backlinks, share of the links whose anchor is known. Links no provider gave an anchor
    for (Search Console's) are left out: their anchor is unknown, not empty."""
    return _rows(
        store,
        "SELECT nullif(trim(anchor), '') AS anchor, count(*) AS backlinks, "
        "count(*) / sum(count(*)) OVER () AS share "
        f"FROM {_OWN_BACKLINKS} WHERE anchor IS NOT NULL "
        "GROUP BY 1 ORDER BY backlinks DESC, anchor NULLS FIRST LIMIT ?",
        [limit],
    )


def backlinked_404s(store: Store, limit: int) -> list[dict[str, Any]]:
    """Pages that answer 404 yet have backlinks (``backlink_targets``, strongest first):
    url, backlinks, referring_domains, followed_domains, authority. Empty when the backlink
    analysis has not run. Their authority is lost until each is redirected or restored."""
    if not table_columns(store, "backlink_targets"):
        return []
    return _rows(
        store,
        "SELECT url, backlinks, referring_domains, followed_domains, authority "
        "FROM backlink_targets WHERE status = 404 "
        "ORDER BY authority DESC NULLS LAST, referring_domains DESC, url LIMIT ?",
        [limit],
    )


def lost_backlinks(store: Store, limit: int) -> list[dict[str, Any]]:
    """Lost backlinks, strongest source first: source_url, target_url, anchor, authority."""
    return _rows(
        store,
        "SELECT source_url, target_url, anchor, source_authority AS authority, last_seen "
        f"FROM {_OWN_BACKLINKS} WHERE lost "
        "ORDER BY source_authority DESC NULLS LAST, source_url LIMIT ?",
        [limit],
    )


def link_velocity(store: Store) -> list[dict[str, Any]]:
    """New and lost backlinks per month (``YYYY-MM``) that has any, oldest first.

    A link is new in the month of ``first_seen``, lost in the month of ``last_seen`` when
    flagged lost. One row per month with data, so the result stays small.
    """
    return _rows(
        store,
        "WITH b AS (SELECT * FROM " + _OWN_BACKLINKS + "), "
        "n AS (SELECT strftime(first_seen, '%Y-%m') AS month, count(*) AS new FROM b "
        "      WHERE first_seen IS NOT NULL GROUP BY 1), "
        "l AS (SELECT strftime(last_seen, '%Y-%m') AS month, count(*) AS lost FROM b "
        "      WHERE lost AND last_seen IS NOT NULL GROUP BY 1) "
        "SELECT coalesce(n.month, l.month) AS month, coalesce(new, 0) AS new, "
        "coalesce(lost, 0) AS lost FROM n FULL OUTER JOIN l ON n.month = l.month ORDER BY month",
    )


# ---------------------------------------------------------------------- traffic
def traffic_overview(store: Store) -> dict[str, Any]:
    """Totals of the traffic table: rows, urls, clicks, impressions, sessions."""
    return _rows(
        store,
        "SELECT count(*) AS rows, count(DISTINCT url) AS urls, sum(clicks) AS clicks, "
        "sum(impressions) AS impressions, sum(sessions) AS sessions FROM traffic",
    )[0]


def traffic_top_pages(store: Store, crawl_id: int, limit: int) -> list[dict[str, Any]]:
    """Pages by clicks (then sessions) with their equity score and inlinks in ``crawl_id``."""
    return _rows(
        store,
        "SELECT t.url, sum(t.clicks) AS clicks, sum(t.impressions) AS impressions, "
        "sum(t.sessions) AS sessions, any_value(pm.equity_score) AS equity_score, "
        "any_value(pm.inlinks) AS inlinks FROM traffic t "
        "LEFT JOIN page_metrics pm ON pm.url_id = t.url_id AND pm.crawl_id = ? "
        "GROUP BY t.url ORDER BY clicks DESC NULLS LAST, sessions DESC NULLS LAST, t.url "
        "LIMIT ?",
        [crawl_id, limit],
    )


def anchor_class_totals(store: Store) -> list[dict[str, Any]]:
    """Backlinks per anchor class over the whole site, from the ``anchor_profile`` table.

    ``[]`` when that table is absent or lacks ``anchor_class``/``backlinks`` columns.
    """
    present = {name for name, _ in table_columns(store, "anchor_profile")}
    if not {"anchor_class", "backlinks"} <= present:
        return []
    return _rows(
        store,
        "SELECT anchor_class, sum(backlinks) AS backlinks FROM anchor_profile "
        "GROUP BY anchor_class ORDER BY backlinks DESC, anchor_class",
    )
