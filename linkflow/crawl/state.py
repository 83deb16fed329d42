"""What the store holds of a crawl: what a run resumes from, what it stored, what it missed.

The frontier is append-only: a URL gets a ``queued`` row when discovered and a ``done`` row
when its page is stored; the pending URLs are the queued ones without a done row. Rows
reach these tables through the crawl journal (:mod:`linkflow.crawl.journal`).

These readers return plain Python values without Arrow, so a crawl never imports it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from linkflow.models import BLOCKED, ERROR_PAGE_SQL
from linkflow.store import Store

__all__ = [
    "FrontierState",
    "crawl_totals",
    "has_sitemap_rows",
    "load_frontier",
    "resumable_crawl",
    "sitemap_url_list",
    "unfetched_known_urls",
]


@dataclass(slots=True)
class FrontierState:
    """What a resumed crawl starts from."""

    pending: list[tuple[str, int, int]]
    seen: set[str]
    fetched: int


def resumable_crawl(store: Store, source: str, seeds: Sequence[str]) -> int | None:
    """The newest crawl of exactly these seeds, if it did not finish; else ``None``."""
    rows = store.rows(
        "SELECT id, status FROM crawls WHERE source = ? AND seeds = ? ORDER BY id DESC LIMIT 1",
        [source, json.dumps(list(seeds))],
    )
    if rows and rows[0][1] in ("running", "interrupted"):
        return int(rows[0][0])
    return None


def load_frontier(store: Store, crawl_id: int) -> FrontierState:
    """The pending URLs (breadth-first order), every URL ever queued, and pages fetched."""
    pending = store.rows(
        """
        WITH done AS (SELECT DISTINCT url_id FROM frontier WHERE crawl_id = ? AND state = 'done')
        SELECT u.url, f.depth, f.hops
        FROM frontier f JOIN urls u ON u.id = f.url_id
        WHERE f.crawl_id = ? AND f.state = 'queued' AND f.url_id NOT IN (SELECT url_id FROM done)
        ORDER BY f.depth < 0, f.depth, f.rowid
        """,
        [crawl_id, crawl_id],
    )
    seen = store.rows(
        "SELECT DISTINCT u.url FROM frontier f JOIN urls u ON u.id = f.url_id WHERE f.crawl_id = ?",
        [crawl_id],
    )
    fetched = store.scalar(
        "SELECT count(*) FROM pages WHERE crawl_id = ? AND internal "
        "AND (error IS NULL OR error <> ?)",
        [crawl_id, BLOCKED],
    )
    return FrontierState(
        pending=[(str(u), int(d), int(h)) for u, d, h in pending],
        seen={str(r[0]) for r in seen},
        fetched=int(fetched or 0),
    )


def crawl_totals(store: Store, crawl_id: int) -> tuple[int, int, int, dict[int, int]]:
    """``(pages, links, errors, pages by status)`` of a crawl; status 0 means no response.

    Errors are the error pages of :data:`linkflow.models.ERROR_PAGE_SQL`: 4xx/5xx answers
    and requests that got no answer, not the pages robots.txt kept the crawl from fetching.
    """
    by_status = {
        int(s): int(n)
        for s, n in store.rows(
            "SELECT coalesce(status, 0) AS s, count(*) AS n FROM pages WHERE crawl_id = ? "
            "GROUP BY ALL",
            [crawl_id],
        )
    }
    links = int(store.count("links", crawl_id=crawl_id))
    errors = int(
        store.scalar(
            f"SELECT count(*) FROM pages WHERE crawl_id = ? AND {ERROR_PAGE_SQL}", [crawl_id]
        )
    )
    return sum(by_status.values()), links, errors, by_status


def has_sitemap_rows(store: Store, crawl_id: int) -> bool:
    """True once the sitemaps of a crawl were read (a resumed crawl does not reread them)."""
    return store.count("sitemap_urls", crawl_id=crawl_id) > 0


def sitemap_url_list(store: Store, crawl_id: int) -> list[str]:
    """The distinct URLs listed in a crawl's sitemaps, in the order first stored."""
    rows = store.rows(
        "SELECT u.url FROM (SELECT url_id, min(rowid) AS r FROM sitemap_urls WHERE crawl_id = ? "
        "GROUP BY url_id) s JOIN urls u ON u.id = s.url_id ORDER BY s.r",
        [crawl_id],
    )
    return [str(r[0]) for r in rows]


def unfetched_known_urls(store: Store, crawl_id: int, limit: int) -> list[str]:
    """Up to ``limit`` URLs named by the site's own backlink targets, traffic rows or the
    crawl's sitemaps that have no page row in ``crawl_id``, most-linked first.

    Scope is not checked here: the crawler keeps only the URLs of the crawl's site.
    """
    if limit <= 0:
        return []
    rows = store.rows(
        """
        WITH known AS (
            SELECT b.target_url AS url, count(*) AS weight
            FROM backlinks b JOIN imports i ON i.id = b.import_id
            WHERE i.site = 'self' GROUP BY 1
            UNION ALL
            SELECT url, 0 FROM traffic
            UNION ALL
            SELECT u.url, 0 FROM sitemap_urls s JOIN urls u ON u.id = s.url_id
            WHERE s.crawl_id = ?
        ),
        fetched AS (
            SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.crawl_id = ?
        )
        SELECT url FROM known
        WHERE url NOT IN (SELECT url FROM fetched)
        GROUP BY url ORDER BY sum(weight) DESC, url LIMIT ?
        """,
        [crawl_id, crawl_id, limit],
    )
    return [str(r[0]) for r in rows]
