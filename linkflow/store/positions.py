"""Site-level link positions: the template pass over the ``links`` of one crawl, in SQL.

A link's signature is (target, anchor text, DOM path). Pages are clustered into templates
by the shape of their URL path: the first path segment with digits folded (``/2024/`` and
``/2023/`` are one cluster) and the number of segments. For every link this computes

- ``template_share``: the share of its cluster's pages that carry its signature;
- ``sitewide``: whether the share of all the site's pages carrying it is at least
  ``sitewide_share``;

and a link the page classifier called ``content`` or ``other`` whose signature is on at
least ``template_share`` of its cluster's pages becomes boilerplate: ``nav`` when it comes
before the page's remaining content links, ``footer`` after them, ``other`` between them.
Clusters (and sites) smaller than ``min_pages`` pages are too small to tell a template from
a coincidence, so they change no position and mark nothing sitewide.

Everything runs as set operations in DuckDB (group by, window functions), so the cost
grows with the number of links, not with a Python loop over them.
"""

from __future__ import annotations

from linkflow.store.db import Store

__all__ = ["apply_template_positions"]

# $1 crawl id, $2 template share, $3 sitewide share, $4 minimum pages.
_MARK_SQL = """
CREATE OR REPLACE TEMP TABLE _lf_template AS
WITH site AS (
    SELECT url_id AS src_id FROM pages
    WHERE crawl_id = $1 AND internal AND status BETWEEN 200 AND 299
      AND redirect_url_id IS NULL
      AND (content_type IS NULL OR lower(content_type) LIKE '%html%')
    UNION
    SELECT src_id FROM links WHERE crawl_id = $1
),
clustered AS (
    SELECT s.src_id,
           regexp_replace(split_part(u.path, '/', 2), '[0-9]+', 'N', 'g') || '/' ||
           CAST(CASE WHEN trim(u.path, '/') = '' THEN 0
                     ELSE len(string_split(trim(u.path, '/'), '/')) END AS VARCHAR) AS cluster
    FROM site s JOIN urls u ON u.id = s.src_id
),
sizes AS (SELECT cluster, count(*) AS cluster_pages FROM clustered GROUP BY cluster),
total AS (SELECT count(*) AS site_pages FROM clustered),
keyed AS (
    SELECT l.*, c.cluster, coalesce(l.anchor, '') AS k_anchor, coalesce(l.dom_path, '') AS k_path
    FROM links l JOIN clustered c ON c.src_id = l.src_id
    WHERE l.crawl_id = $1
),
sig AS (
    SELECT dst_id, k_anchor, k_path, cluster, count(DISTINCT src_id) AS sig_pages
    FROM keyed GROUP BY dst_id, k_anchor, k_path, cluster
),
sig_site AS (
    SELECT dst_id, k_anchor, k_path, sum(sig_pages) AS site_sig_pages
    FROM sig GROUP BY dst_id, k_anchor, k_path
),
shared AS (
    SELECT k.*,
           sig.sig_pages / sizes.cluster_pages AS share,
           sizes.cluster_pages >= $4 AND sig.sig_pages / sizes.cluster_pages >= $2
               AND k.position IN ('content', 'other') AS demote,
           total.site_pages >= $4 AND sig_site.site_sig_pages / total.site_pages >= $3
               AS is_sitewide,
           count(*) OVER (PARTITION BY k.src_id) AS page_links
    FROM keyed k
    JOIN sizes USING (cluster)
    JOIN sig USING (dst_id, k_anchor, k_path, cluster)
    JOIN sig_site USING (dst_id, k_anchor, k_path)
    CROSS JOIN total
),
ranged AS (
    SELECT *,
           min(CASE WHEN position = 'content' AND NOT demote THEN ordinal END)
               OVER (PARTITION BY src_id) AS content_first,
           max(CASE WHEN position = 'content' AND NOT demote THEN ordinal END)
               OVER (PARTITION BY src_id) AS content_last
    FROM shared
)
SELECT * EXCLUDE (cluster, k_anchor, k_path, share, demote, is_sitewide, page_links,
                  content_first, content_last)
         REPLACE (
    CASE WHEN NOT demote THEN position
         WHEN content_first IS NULL THEN
             CASE WHEN 2 * ordinal < page_links THEN 'nav' ELSE 'footer' END
         WHEN ordinal < content_first THEN 'nav'
         WHEN ordinal > content_last THEN 'footer'
         ELSE 'other' END AS position,
    CAST(share AS REAL) AS template_share,
    is_sitewide AS sitewide
)
FROM ranged
"""


def apply_template_positions(
    store: Store,
    crawl_id: int,
    *,
    template_share: float,
    sitewide_share: float,
    min_pages: int,
) -> int:
    """Set ``template_share``, ``sitewide`` and template positions of a crawl's links.

    Rewrites the crawl's rows of ``links`` in one transaction (the same rows, three columns
    recomputed); running it twice gives the same result. Returns how many links changed
    position.
    """
    params = [crawl_id, template_share, sitewide_share, min_pages]
    with store.transaction():  # on failure the rollback also drops the scratch table
        store.query(_MARK_SQL, params)
        changed = int(
            store.scalar(
                "SELECT count(*) FROM _lf_template t JOIN links l "
                "ON l.crawl_id = t.crawl_id AND l.src_id = t.src_id "
                "AND l.ordinal = t.ordinal AND l.dst_id = t.dst_id "
                "WHERE l.position IS DISTINCT FROM t.position"
            )
        )
        store.query("DELETE FROM links WHERE crawl_id = $1", [crawl_id])
        store.query("INSERT INTO links BY NAME SELECT * FROM _lf_template")
        store.query("DROP TABLE _lf_template")
    return changed
