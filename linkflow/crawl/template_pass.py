"""The template pass: after a crawl, correct link positions with what the whole site shows.

A link that the page classifier could not place (``content``/``other``) but that sits at
the same DOM path with the same anchor and target on most pages of a template is part of
the template, not of any page's content; a link on nearly every page is sitewide.

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

Everything runs as set operations in DuckDB, so the cost grows with the number of links,
not with a Python loop over them. Memory stays within a small DuckDB ``memory_limit``
(32 MB holds a crawl of 3 million links): the counting works on a narrow projection of the
links (row id, page, target, ordinal, position and a 64-bit hash of anchor and DOM path),
only signatures carried by two or more pages are kept as a table (any other signature is on
exactly one page), every big intermediate is a DuckDB table that can spill to disk, and the
result is written back with ``UPDATE`` in slices of row ids, each joined against a slice of
the narrow result small enough to stay in memory. Only rows whose values change are written.
"""

from __future__ import annotations

from collections.abc import Callable

from linkflow.settings import ExtractSettings
from linkflow.store import Store

__all__ = ["apply_template_pass", "apply_template_positions"]

# Row ids per UPDATE: its slice of the result (about 30 bytes a row) stays in memory.
_SLICE = 1 << 18

# $1 crawl id. The site's pages (fetched HTML pages and every page that has links), each
# with its cluster and the cluster's size.
_PAGES_SQL = """
CREATE OR REPLACE TEMP TABLE _lf_tp_pages AS
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
)
SELECT src_id, dense_rank() OVER (ORDER BY cluster) AS cluster_no,
       count(*) OVER (PARTITION BY cluster) AS cluster_pages
FROM clustered
"""

# $1 crawl id. The narrow projection: one row per link, no text but a hash of the
# signature's text. NULL and '' are one anchor (and one DOM path). DuckDB hashes each
# argument and combines the two in order, so ('ab', 'c'), ('a', 'bc') and ('c', 'ab') stay
# apart. Signatures are only compared with the same target: two different ones share a
# 64-bit hash with odds below one in ten million even with millions of links to one page.
# (An MD5 digest of the text, as before, made this statement 2.4 times slower: 1.34 s
# against 0.55 s on the 1.7 million links of the Rust docs.)
_KEYS_SQL = """
CREATE OR REPLACE TEMP TABLE _lf_tp_keys AS
SELECT l.rowid AS rid, l.src_id, l.ordinal, l.dst_id,
       hash(coalesce(l.anchor, ''), coalesce(l.dom_path, '')) AS sig,
       p.cluster_no, p.cluster_pages, l.position,
       l.template_share AS old_share, l.sitewide AS old_sitewide
FROM links l JOIN _lf_tp_pages p USING (src_id)
WHERE l.crawl_id = $1
"""

# Signatures on two or more pages of the site, with their page count per cluster. Plain
# GROUP BYs (not count(DISTINCT ...)), which DuckDB can spill to disk. A signature is on
# two pages or more when its links' first and last page differ, which needs no count of
# distinct pages; the pages carrying it are then counted for those signatures only: on the
# 100,000-page benchmark site 23,000 of 14.9 million signatures (2.3 of 17.2 million links),
# where counting the pages of every signature took 5.4 s and peaked at 182 MB at a 64 MB
# cap, against 3.5 s and 157 MB (the pass alone; the crawl's templates phase: 26 s against
# 29 s, its peak, in the writing, unchanged).
_REPEATED_SQL = (
    """
CREATE OR REPLACE TEMP TABLE _lf_tp_multi AS
SELECT dst_id, sig FROM _lf_tp_keys GROUP BY ALL HAVING min(src_id) <> max(src_id)
""",
    """
CREATE OR REPLACE TEMP TABLE _lf_tp_carriers AS
SELECT dst_id, sig, cluster_no, src_id FROM _lf_tp_keys SEMI JOIN _lf_tp_multi USING (dst_id, sig)
GROUP BY ALL
""",
    """
CREATE OR REPLACE TEMP TABLE _lf_tp_site AS
SELECT dst_id, sig, count(*) AS site_sig_pages FROM _lf_tp_carriers GROUP BY ALL
""",
    """
CREATE OR REPLACE TEMP TABLE _lf_tp_repeated AS
SELECT dst_id, sig, cluster_no, count(*) AS sig_pages,
       any_value(site_sig_pages) AS site_sig_pages
FROM _lf_tp_carriers JOIN _lf_tp_site USING (dst_id, sig)
GROUP BY ALL
""",
)

# Whether a link leaves the content for the template, over _lf_tp_keys k LEFT JOIN
# _lf_tp_repeated r (a signature missing from the repeated ones is on exactly one page).
# In the statements below, $1 is the template share, $2 the sitewide share and $3 the
# minimum pages.
_DEMOTE = """k.cluster_pages >= $3 AND coalesce(r.sig_pages, 1) / k.cluster_pages >= $1
           AND k.position IN ('content', 'other')"""

# Each page's links and the first and last of its content links that stay content: a
# table of pages, so that the links' decisions below are made in one pass over the links
# and written nowhere before the result. (Written first as a table of every link, then
# read twice: on the 17.2 million links of the 100,000-page benchmark crawl, 22.9-25.2 s
# against 22.2-24.2 s right after the load, as a crawl runs it, and 29.4-33.9 s against
# 21.8-23.7 s on a file already folded; the same result.)
_SPAN_SQL = f"""
CREATE OR REPLACE TEMP TABLE _lf_tp_span AS
SELECT k.src_id, count(*) AS page_links,
       min(k.ordinal) FILTER (WHERE k.position = 'content' AND NOT ({_DEMOTE})) AS content_first,
       max(k.ordinal) FILTER (WHERE k.position = 'content' AND NOT ({_DEMOTE})) AS content_last
FROM _lf_tp_keys k
LEFT JOIN _lf_tp_repeated r USING (dst_id, sig, cluster_no)
GROUP BY k.src_id
"""

# The rows to write: new position, share and flag where any of them differs.
_RESULT_SQL = f"""
CREATE OR REPLACE TEMP TABLE _lf_tp_result AS
WITH total AS (SELECT count(*) AS site_pages FROM _lf_tp_pages),
marked AS (
    SELECT k.rid, k.src_id, k.ordinal, k.position, k.old_share, k.old_sitewide,
           coalesce(r.sig_pages, 1) / k.cluster_pages AS share,
           t.site_pages >= $3 AND coalesce(r.site_sig_pages, 1) / t.site_pages >= $2
               AS sitewide,
           {_DEMOTE} AS demote
    FROM _lf_tp_keys k
    LEFT JOIN _lf_tp_repeated r USING (dst_id, sig, cluster_no)
    CROSS JOIN total t
),
decided AS (
    SELECT m.rid, m.position AS old_position, m.old_share, m.old_sitewide,
           CASE WHEN NOT demote THEN position
                WHEN content_first IS NULL THEN
                    CASE WHEN 2 * ordinal < page_links THEN 'nav' ELSE 'footer' END
                WHEN ordinal < content_first THEN 'nav'
                WHEN ordinal > content_last THEN 'footer'
                ELSE 'other' END AS position,
           CAST(share AS REAL) AS template_share, sitewide
    FROM marked m JOIN _lf_tp_span USING (src_id)
)
SELECT rid, position, template_share, sitewide,
       position IS DISTINCT FROM old_position AS moved
FROM decided
WHERE position IS DISTINCT FROM old_position
   OR template_share IS DISTINCT FROM old_share
   OR sitewide IS DISTINCT FROM old_sitewide
"""

# $1, $2: the slice's first and last row id.
_WRITE_SQL = """
UPDATE links SET position = r.position, template_share = r.template_share,
                 sitewide = r.sitewide
FROM (SELECT * FROM _lf_tp_result WHERE rid BETWEEN $1 AND $2) r
WHERE links.rowid = r.rid AND links.rowid BETWEEN $1 AND $2
"""

_SCRATCH = ("pages", "keys", "multi", "carriers", "site", "repeated", "span", "result")


def _numbers(sql: str, *values: int | float) -> str:
    """``sql`` with ``$1``, ``$2`` ... replaced by ``values`` written as SQL numbers.

    DuckDB cannot prepare ``CREATE TABLE ... AS``, so its parameters would be bound by
    DuckDB's Python client, which imports pandas, NumPy and pyarrow to do so (see
    ``linkflow.store.db``); numbers are written into the text instead.
    """
    for n in range(len(values), 0, -1):  # $12 before $1
        value = values[n - 1]
        text = str(int(value)) if isinstance(value, int) else f"CAST('{float(value)!r}' AS DOUBLE)"
        sql = sql.replace(f"${n}", text)
    return sql


def apply_template_positions(
    store: Store,
    crawl_id: int,
    *,
    template_share: float,
    sitewide_share: float,
    min_pages: int,
    on_step: Callable[[int, int], None] | None = None,
) -> int:
    """Set ``template_share``, ``sitewide`` and template positions of a crawl's links.

    Updates the crawl's rows of ``links`` in one transaction (the same rows, three columns
    recomputed, every other column untouched); running it twice gives the same result and
    the second run writes nothing. Returns how many links changed position.
    ``on_step(done, total)`` hears of its steps (each table it builds, then the writing of
    the result): with ``done`` 0 before the first, then after each.
    """
    rules = (float(template_share), float(sitewide_share), int(min_pages))
    builds = [
        _numbers(_PAGES_SQL, int(crawl_id)),
        _numbers(_KEYS_SQL, int(crawl_id)),
        *_REPEATED_SQL,
        _numbers(_SPAN_SQL, *rules),
        _numbers(_RESULT_SQL, *rules),
    ]
    total = len(builds) + 1

    def step(done: int) -> None:
        if on_step is not None:
            on_step(done, total)

    with store.transaction():  # on failure the rollback also drops the scratch tables
        step(0)
        for done, sql in enumerate(builds, 1):
            store.execute(sql)
            step(done)
        changed = int(store.scalar("SELECT count(*) FILTER (WHERE moved) FROM _lf_tp_result"))
        slices = store.rows(
            f"SELECT DISTINCT rid // {_SLICE} AS slice FROM _lf_tp_result ORDER BY slice"
        )
        for (first,) in slices:
            store.execute(_WRITE_SQL, [first * _SLICE, (first + 1) * _SLICE - 1])
        for name in _SCRATCH:
            store.execute(f"DROP TABLE _lf_tp_{name}")
        step(total)
    return changed


def apply_template_pass(
    store: Store,
    crawl_id: int,
    settings: ExtractSettings,
    on_step: Callable[[int, int], None] | None = None,
) -> int:
    """Fill ``links.template_share`` and ``links.sitewide`` and reposition template links.

    Uses ``settings.template_share``, ``settings.sitewide_share`` and
    ``settings.template_min_pages``; idempotent, one transaction. Returns how many links
    changed position; ``on_step`` as for :func:`apply_template_positions`.
    """
    return apply_template_positions(
        store,
        crawl_id,
        template_share=settings.template_share,
        sitewide_share=settings.sitewide_share,
        min_pages=settings.template_min_pages,
        on_step=on_step,
    )
