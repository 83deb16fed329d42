"""What the graph stage reads from a crawl: its pages and its links, as Arrow columns.

Plain columns come back so the graph is built with numpy, without per-row Python work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pyarrow as pa

from linkflow.store import Store

__all__ = ["FOLLOWED_SQL", "NOFOLLOW_COLUMNS", "NOFOLLOW_SQL", "crawl_links", "crawl_pages"]

NOFOLLOW_COLUMNS: Final = ("rel_nofollow", "rel_sponsored", "rel_ugc")
"""The ``links`` flags of which any one (NULL: not set) makes a link pass no equity."""

NOFOLLOW_SQL: Final = "(" + " OR ".join(f"coalesce(l.{c}, FALSE)" for c in NOFOLLOW_COLUMNS) + ")"
"""The rule for a link that passes no equity (nofollow, sponsored or ugc), as a condition
on a ``links`` row aliased ``l``. Every stage that tells followed links apart uses it."""

FOLLOWED_SQL: Final = f"NOT {NOFOLLOW_SQL}"
"""A followed link, as a condition on a ``links`` row aliased ``l``."""


def crawl_pages(store: Store, crawl_id: int) -> pa.Table:
    """The pages of a crawl, ordered by URL (site sections end up contiguous).

    Columns: url_id, url, internal, status, redirect_url_id, canonical_url_id, indexable,
    html. ``indexable`` is as stored: NULL when the page did not say, which the graph rules
    read as TRUE; ``html`` is TRUE unless the content type names something else. Should a
    URL have several rows (a crawl resumed over it), the last fetched one counts.
    """
    return store.query(
        "SELECT p.url_id, u.url, p.internal, p.status, p.redirect_url_id, "
        "p.canonical_url_id, p.indexable, "
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
        f"{NOFOLLOW_SQL} AS nofollow, "
        "l.position = 'content' AS content, l.ordinal::INTEGER AS ordinal "
        "FROM links l WHERE l.crawl_id = ?"
    )
    return store.query(sql, [*params, other, float(image_multiplier), crawl_id])
