"""SQL of the backlink profile: the quality model :mod:`linkflow.analyses.backlinks` runs.

Every function reads the imported rows (the audited site's ``backlinks`` only through the
deduplicated view ``backlink_edges``, the one definition of "a backlink" that the report and
the CLI read too; ``domain_authority``, ``domain_counts``, ``traffic``, ``imports``) and
rebuilds one of :data:`PROFILE_TABLES`, or updates ``page_metrics``; the caller groups them
in one :meth:`Store.transaction` and empties the tables first (:func:`clear_profile`).
docs/formats.md describes the authority scale and the dedup rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pyarrow as pa

from linkflow.analyses.findings_text import BACKLINK_KINDS
from linkflow.store import Store

__all__ = [
    "EDGES_SQL",
    "PROFILE_TABLES",
    "anchor_combos",
    "apply_spam_scores",
    "build_anchor_profile",
    "build_backlink_targets",
    "build_link_gap",
    "build_referring_domains",
    "build_velocity_and_spread",
    "clear_profile",
    "domain_signals",
    "has_imports",
    "profile_edges",
    "profile_totals",
    "reset_page_metrics",
    "update_page_metrics",
    "write_backlink_findings",
]

PROFILE_TABLES: Final = (
    "referring_domains", "backlink_targets", "anchor_profile", "link_velocity",
    "backlink_spread", "spam_flags", "link_gap",
)  # fmt: skip
"""Tables rebuilt by the backlink analysis."""

_AUTHORITY = "coalesce(e.domain_authority, d.score, e.source_authority, 0.0)"
_FOLLOWED = "NOT (e.nofollow OR e.sponsored OR e.ugc)"
_EDGES = f"""
    SELECT e.*, {_AUTHORITY} AS authority, {_FOLLOWED} AS followed
    FROM backlink_edges e
    LEFT JOIN (SELECT domain, max(score) AS score FROM domain_authority GROUP BY domain) d
           ON d.domain = e.source_domain
"""
EDGES_SQL: Final = _EDGES
"""The audited site's links with their ``authority`` and ``followed`` (:func:`profile_edges`),
as SQL to nest in a query that needs the same rules without fetching every edge."""


def profile_edges(store: Store) -> pa.Table:
    """The audited site's links, one per (source, target) over all providers, with
    ``authority`` (the row's domain metric, else the imported domain score, else the page
    metric, else 0) and ``followed`` (not nofollow, sponsored or ugc)."""
    return store.query(_EDGES)


def has_imports(store: Store) -> bool:
    """Whether anything was imported that the profile is built from (backlinks of any site,
    traffic): without, every table of :data:`PROFILE_TABLES` is empty once rebuilt."""
    return bool(
        store.scalar("SELECT EXISTS (SELECT 1 FROM backlinks) OR EXISTS (SELECT 1 FROM traffic)")
    )


def clear_profile(store: Store) -> None:
    """Empty every table of :data:`PROFILE_TABLES`."""
    for table in PROFILE_TABLES:
        store.delete(table)


def build_referring_domains(store: Store) -> None:
    """One ``referring_domains`` row per registrable domain linking to the site."""
    store.execute(f"""
        INSERT INTO referring_domains BY NAME
        SELECT source_domain AS domain, count(*) AS backlinks,
               count(*) FILTER (WHERE followed) AS followed,
               count(*) FILTER (WHERE nofollow) AS nofollow,
               count(*) FILTER (WHERE ugc) AS ugc, count(*) FILTER (WHERE sponsored) AS sponsored,
               max(authority) AS authority, min(first_seen) AS first_seen,
               max(last_seen) AS last_seen,
               regexp_extract(source_domain, '[^.]+$') AS tld,
               array_to_string(list_sort(list_distinct(flatten(
                   list(string_split(providers, ','))))), ',') AS providers
        FROM ({_EDGES}) e WHERE source_domain IS NOT NULL GROUP BY source_domain
    """)


def domain_signals(store: Store) -> pa.Table:
    """Per referring domain: what the spam flags look at (see analyses.backlinks_spam)."""
    return store.query(f"""
        SELECT e.source_domain AS domain, count(*) AS links,
               count(DISTINCT e.source_url) AS pages, max(e.authority) AS authority,
               bool_or(e.is_spam) OR coalesce(any_value(c.is_spam), FALSE) AS provider_spam,
               max(e.spam_score) AS spam_score, max(e.source_outlinks) AS max_outlinks,
               bool_or(coalesce(e.sitewide, FALSE)) AS sitewide,
               any_value(r.score) AS ranked_score, (SELECT count(*) > 0 FROM domain_authority
                   WHERE source = 'commoncrawl') AS have_ranks
        FROM ({_EDGES}) e
        LEFT JOIN (SELECT domain, bool_or(is_spam) AS is_spam FROM domain_counts
                   GROUP BY domain) c ON c.domain = e.source_domain
        LEFT JOIN (SELECT domain, max(score) AS score FROM domain_authority
                   WHERE source = 'commoncrawl' GROUP BY domain) r ON r.domain = e.source_domain
        WHERE e.source_domain IS NOT NULL GROUP BY e.source_domain
    """)


def apply_spam_scores(store: Store, points_per_flag: float) -> None:
    """Fill ``referring_domains.spam_score``/``spam_flags`` from the ``spam_flags`` rows."""
    store.execute(
        """
        UPDATE referring_domains r SET spam_flags = f.flags,
               spam_score = least(100.0, f.n * ?)
        FROM (SELECT domain, count(*) AS n, string_agg(flag, ',' ORDER BY flag) AS flags
              FROM spam_flags GROUP BY domain) f
        WHERE r.domain = f.domain
        """,
        [points_per_flag],
    )
    store.execute("UPDATE referring_domains SET spam_score = 0 WHERE spam_score IS NULL")


def build_backlink_targets(store: Store, crawl_id: int | None, domain_cap: int) -> None:
    """``backlink_targets``: per target page, counts and the capped authority sum.

    Only followed, live links count towards ``authority``, and of one referring domain only
    its best ``domain_cap`` links: fifty links from one weak site do not outweigh one link
    from a strong one.
    """
    store.execute(
        f"""
        INSERT INTO backlink_targets BY NAME
        WITH e AS ({_EDGES}),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY target_url, source_domain
                                         ORDER BY authority DESC, source_url) AS n
            FROM e WHERE followed AND NOT lost),
        capped AS (SELECT target_url, sum(authority) AS authority FROM ranked
                   WHERE n <= ? GROUP BY target_url),
        counts AS (
            SELECT target_url, any_value(target_url_id) AS url_id, count(*) AS backlinks,
                   count(DISTINCT source_domain) AS referring_domains,
                   count(DISTINCT source_domain) FILTER (WHERE followed AND NOT lost)
                       AS followed_domains,
                   bool_and(lost) AS lost
            FROM e WHERE target_url <> '' GROUP BY target_url)
        SELECT c.target_url AS url, c.url_id, c.backlinks, c.referring_domains,
               c.followed_domains, coalesce(k.authority, 0.0) AS authority,
               p.crawl_id, p.status, r.url AS redirect_url, c.lost
        FROM counts c
        LEFT JOIN capped k USING (target_url)
        LEFT JOIN pages p ON p.url_id = c.url_id AND p.crawl_id = ?
        LEFT JOIN urls r ON r.id = p.redirect_url_id
        """,
        [domain_cap, crawl_id],
    )


def build_velocity_and_spread(store: Store) -> None:
    """``link_velocity`` (new and lost links, new domains per month) and
    ``backlink_spread`` (referring domains and links per TLD and per language)."""
    store.execute(f"""
        INSERT INTO link_velocity BY NAME
        WITH e AS ({_EDGES}),
        firsts AS (SELECT source_domain, min(first_seen) AS first_seen FROM e
                   GROUP BY source_domain),
        months AS (
            SELECT date_trunc('month', first_seen) AS month, 1 AS new_links, 0 AS lost_links,
                   0 AS new_domains FROM e WHERE first_seen IS NOT NULL
            UNION ALL
            SELECT date_trunc('month', coalesce(lost_at, last_seen)), 0, 1, 0 FROM e
            WHERE lost AND coalesce(lost_at, last_seen) IS NOT NULL
            UNION ALL
            SELECT date_trunc('month', first_seen), 0, 0, 1 FROM firsts
            WHERE first_seen IS NOT NULL)
        SELECT CAST(month AS DATE) AS month, sum(new_links) AS new_links,
               sum(lost_links) AS lost_links, sum(new_domains) AS new_domains
        FROM months GROUP BY month ORDER BY month
    """)
    store.execute(f"""
        INSERT INTO backlink_spread BY NAME
        WITH e AS ({_EDGES})
        SELECT 'tld' AS dimension, regexp_extract(source_domain, '[^.]+$') AS value,
               count(DISTINCT source_domain) AS domains, count(*) AS backlinks
        FROM e WHERE source_domain IS NOT NULL GROUP BY 2
        UNION ALL
        SELECT 'lang', lower(trim(split_part(lang, ',', 1))), count(DISTINCT source_domain),
               count(*)
        FROM e WHERE coalesce(trim(lang), '') <> '' GROUP BY 2
    """)


def build_link_gap(store: Store) -> None:
    """``link_gap``: domains linking to competitors (imports with site != 'self') but not to
    the audited site, ranked by how many competitors they link to, then authority."""
    store.execute(f"""
        INSERT INTO link_gap BY NAME
        WITH own AS (SELECT DISTINCT source_domain FROM ({_EDGES}) e),
        rival AS (
            SELECT b.source_domain AS domain, i.site,
                   coalesce(b.domain_authority, d.score, b.source_authority) AS authority
            FROM backlinks b JOIN imports i ON i.id = b.import_id
            LEFT JOIN (SELECT domain, max(score) AS score FROM domain_authority
                       GROUP BY domain) d ON d.domain = b.source_domain
            WHERE i.site <> 'self' AND b.source_domain IS NOT NULL
              AND NOT (coalesce(b.nofollow, FALSE) OR coalesce(b.sponsored, FALSE)
                       OR coalesce(b.ugc, FALSE)))
        SELECT domain, count(DISTINCT site) AS competitors,
               string_agg(DISTINCT site, ',' ORDER BY site) AS sites,
               max(authority) AS authority,
               CAST(row_number() OVER (ORDER BY count(DISTINCT site) DESC,
                                       max(authority) DESC NULLS LAST, domain) AS INTEGER)
                   AS rank
        FROM rival WHERE domain NOT IN (SELECT source_domain FROM own WHERE source_domain
                                        IS NOT NULL)
        GROUP BY domain
    """)


def anchor_combos(store: Store, crawl_id: int | None) -> pa.Table:
    """Distinct (target_url, anchor, is_image) of the site's links, with the target's crawled
    title and h1 (for anchor keywords): what the anchor classifier has to look at. ``anchor``
    is NULL where no provider gave one (unknown), ``''`` for a link without text."""
    return store.query(
        f"""
        SELECT e.target_url, e.anchor,
               coalesce(e.is_image, FALSE) AS is_image,
               any_value(p.title) AS title, any_value(p.h1) AS h1
        FROM ({_EDGES}) e
        LEFT JOIN pages p ON p.url_id = e.target_url_id AND p.crawl_id = ?
        GROUP BY 1, 2, 3
        """,
        [crawl_id],
    )


def build_anchor_profile(store: Store, labels: pa.Table) -> pa.Table:
    """Fill ``anchor_profile`` from ``labels`` (``anchor_combos`` columns plus
    ``anchor_class``) and return per referring domain the share of its links whose class is
    ``exact`` or ``partial`` (``domain``, ``keyword_share``).

    Links whose target no provider gave (Search Console's, when no other export lists their
    page) are profiled under the url ``''``: the class counts add up to every backlink."""
    with store.transaction(), store.registered("_lf_labels", labels):
        joined = f"""
            SELECT e.target_url, e.target_url_id, e.source_domain, l.anchor_class
            FROM ({_EDGES}) e JOIN _lf_labels l
              ON l.target_url = e.target_url AND l.anchor IS NOT DISTINCT FROM e.anchor
             AND l.is_image = coalesce(e.is_image, FALSE)
        """
        store.execute(f"""
            INSERT INTO anchor_profile BY NAME
            SELECT target_url AS url, any_value(target_url_id) AS url_id, anchor_class,
                   count(*) AS backlinks,
                   count(*) / sum(count(*)) OVER (PARTITION BY target_url) AS share
            FROM ({joined}) j GROUP BY target_url, anchor_class
        """)
        return store.query(f"""
            SELECT source_domain AS domain,
                   avg(CASE WHEN anchor_class IN ('exact', 'partial') THEN 1.0 ELSE 0.0
                       END) AS keyword_share
            FROM ({joined}) j WHERE source_domain IS NOT NULL GROUP BY source_domain
        """)


def profile_totals(store: Store) -> dict[str, Any]:
    """Links, lost links and providers of the deduplicated profile, and anchor-class counts."""
    row = store.query(f"""
        SELECT count(*) AS backlinks, count(*) FILTER (WHERE lost) AS lost,
               array_to_string(list_sort(list_distinct(flatten(
                   list(string_split(providers, ','))))), ',') AS providers
        FROM ({_EDGES}) e
    """).to_pylist()[0]
    classes = store.query(
        "SELECT anchor_class, sum(backlinks) AS n FROM anchor_profile GROUP BY anchor_class"
    ).to_pylist()
    row["anchors"] = {c["anchor_class"]: int(c["n"]) for c in classes}
    return dict(row)


def write_backlink_findings(store: Store, crawl_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace this crawl's findings of the backlink kinds
    (:data:`linkflow.analyses.findings_text.BACKLINK_KINDS`) with ``rows``."""
    store.execute(
        "DELETE FROM findings WHERE crawl_id = ? AND list_contains(?, kind)",
        [crawl_id, list(BACKLINK_KINDS)],
    )
    store.append("findings", list(rows))


def reset_page_metrics(store: Store, crawl_id: int) -> None:
    """Set the backlink columns of ``page_metrics`` for ``crawl_id`` to none (0)."""
    store.execute(
        "UPDATE page_metrics SET backlinks = 0, referring_domains = 0, "
        "external_authority = 0.0 WHERE crawl_id = ?",
        [crawl_id],
    )


def update_page_metrics(store: Store, crawl_id: int) -> int:
    """Fill the backlink and traffic columns of ``page_metrics`` for ``crawl_id``.

    Traffic takes, per page and metric, the largest value over the site's traffic imports:
    the same Search Console data exported twice (Pages.csv and Looker) must not add up.
    Returns the number of page_metrics rows of the crawl.
    """
    reset_page_metrics(store, crawl_id)
    store.execute(
        """
        UPDATE page_metrics pm SET backlinks = t.backlinks,
               referring_domains = t.referring_domains, external_authority = t.authority
        FROM backlink_targets t WHERE pm.crawl_id = ? AND pm.url_id = t.url_id
        """,
        [crawl_id],
    )
    store.execute(
        """
        UPDATE page_metrics pm SET clicks = t.clicks, impressions = t.impressions,
               sessions = t.sessions
        FROM (SELECT url_id, max(clicks) AS clicks, max(impressions) AS impressions,
                     max(sessions) AS sessions
              FROM traffic tr JOIN imports i ON i.id = tr.import_id
              WHERE i.site = 'self' AND url_id IS NOT NULL GROUP BY url_id) t
        WHERE pm.crawl_id = ? AND pm.url_id = t.url_id
        """,
        [crawl_id],
    )
    return store.count("page_metrics", crawl_id=crawl_id)
