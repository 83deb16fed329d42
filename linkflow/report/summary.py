"""Headline numbers of an audit for the CLI's end-of-run summary, and the stored link
suggestions ``linkflow suggest`` prints.

Presentation of what earlier stages stored, like the HTML report: no analysis runs here.
"""

from __future__ import annotations

from typing import Any

from linkflow.models import ERROR_PAGE_SQL, SEVERITIES
from linkflow.store import Store

__all__ = ["audit_summary", "suggestions"]


def audit_summary(store: Store, crawl_id: int) -> dict[str, Any]:
    """Counts of pages, links, findings and backlinks of ``crawl_id``.

    Keys: site, pages, internal_pages, errors (error pages as
    :data:`~linkflow.models.ERROR_PAGE_SQL` defines them), links, findings_by_severity (most
    severe first, only non-zero), top_findings (up to 8 (kind, count) pairs, most severe kind
    first, then most frequent), backlinks, referring_domains (of the audited site, as the
    view ``backlink_edges`` counts them).
    """
    info = store.crawl_info(crawl_id)
    site = info.get("base_url") or (info["seeds"][0] if info["seeds"] else "")
    pages = store.query(
        "SELECT count(*), count(*) FILTER (WHERE internal), "
        f"count(*) FILTER (WHERE {ERROR_PAGE_SQL}) FROM pages WHERE crawl_id = ?",
        [crawl_id],
    ).to_pylist()[0]
    values = list(pages.values())
    by_severity = {
        row["severity"]: row["n"]
        for row in store.query(
            "SELECT severity, count(*) AS n FROM findings WHERE crawl_id = ? GROUP BY severity",
            [crawl_id],
        ).to_pylist()
    }
    # Ranked in SQL before the cut: five broken links must not lose their place to eight
    # kinds of low-severity finding that are merely more numerous.
    top = store.query(
        "SELECT kind, count(*) AS n, min(coalesce(list_position($2, severity), 99)) AS rank "
        "FROM findings WHERE crawl_id = $1 GROUP BY kind ORDER BY rank, n DESC, kind LIMIT 8",
        [crawl_id, list(SEVERITIES)],
    ).to_pylist()
    backlinks = store.query(  # deduplicated: one link seen by several providers counts once
        "SELECT count(*) AS n, count(DISTINCT source_domain) AS d FROM backlink_edges"
    ).to_pylist()[0]
    return {
        "site": site,
        "pages": values[0],
        "internal_pages": values[1],
        "errors": values[2],
        "links": store.count("links", crawl_id=crawl_id),
        "findings_by_severity": {s: by_severity[s] for s in SEVERITIES if by_severity.get(s)},
        "top_findings": [(r["kind"], r["n"]) for r in top],
        "backlinks": backlinks["n"],
        "referring_domains": backlinks["d"],
    }


def suggestions(store: Store, crawl_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """The stored link suggestions of ``crawl_id``, best first."""
    return list(
        store.query(
            "SELECT * FROM suggestions WHERE crawl_id = ? ORDER BY rank LIMIT ?", [crawl_id, limit]
        ).to_pylist()
    )
