"""URLs of the site that imports and sitemaps name but the crawl never fetched."""

from __future__ import annotations

from linkflow.store.db import Store

__all__ = ["unfetched_known_urls"]


def unfetched_known_urls(store: Store, crawl_id: int, limit: int) -> list[str]:
    """Up to ``limit`` URLs named by the site's own backlink targets, traffic rows or the
    crawl's sitemaps that have no page row in ``crawl_id``, most-linked first.

    Scope is not checked here: the crawler keeps only the URLs of the crawl's site.
    """
    if limit <= 0:
        return []
    rows = store.query(
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
    return [str(u) for u in rows.column(0).to_pylist()]
