"""The pages explorer's data: every page of the crawl, embedded in the report as columnar
JSON, with the links of the strongest pages for the page view.

Columnar JSON (one array per column, strings of repeated values as indexes into a list) keeps
100,000 pages to a few megabytes; the browser renders one screen of rows at a time. The JSON
goes into a ``<script type="application/json">`` block, so :func:`embed_json` escapes every
character that could end that block or be read as markup.
"""

from __future__ import annotations

import json
import math
from typing import Any

from linkflow.store import Store
from linkflow.store.export import table_columns

__all__ = ["LINKS_PER_PAGE", "LINK_PAGES", "embed_json", "explorer_data"]

LINK_PAGES = 2000
"""Pages (the strongest by equity) whose inlinks and outlinks the page view shows; the
others show their counts and point to the links export, so a huge site stays small."""

LINKS_PER_PAGE = 25
"""Inlinks and outlinks embedded per page (the first ones on the page, by ordinal)."""

_PAGE_COLUMNS = {
    # key in the JSON: SQL expression over page_metrics pm, pages p, findings count f
    "url": "pm.url",
    "title": "p.title",
    "status": "coalesce(pm.status, p.status)",
    "depth": "pm.depth",
    "score": "round(pm.equity_score, 1)",
    "flow": "round(pm.flow_score, 1)",
    "inlinks": "pm.inlinks",
    "content_in": "pm.content_inlinks",
    "outlinks": "pm.outlinks",
    "money": "coalesce(pm.is_money, FALSE)",
    "backlinks": "pm.backlinks",
    "findings": "coalesce(f.n, 0)",
    "flow_share": "pm.flow",
    "flow_in": "pm.flow_in",
    "trapped": "pm.trapped",
}
_OPTIONAL = {"flow": "flow_score", "flow_share": "flow", "flow_in": "flow_in", "trapped": "trapped"}


def embed_json(value: Any) -> str:
    """``value`` as JSON safe inside ``<script type="application/json">``: ``<``, ``>``,
    ``&`` and the line separators U+2028/U+2029 become ``\\u`` escapes, so no string from
    a crawled page can close the block (``</script>``) or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _compact(values: list[Any]) -> list[Any]:
    """Floats to 4 significant digits (what the page view shows); a value that is not
    finite is unknown (JSON has no NaN or infinity)."""
    return [
        (float(f"{v:.4g}") if math.isfinite(v) else None) if isinstance(v, float) else v
        for v in values
    ]


def explorer_data(store: Store, crawl_id: int) -> dict[str, Any]:
    """Every page of ``crawl_id`` by equity: ``pages`` (column name → list), ``kinds`` and
    ``page_kinds`` (finding kinds, and per page the indexes of its kinds), ``links``
    (src, dst, anchor, position, follow columns: page indexes; a target that is no page is
    ``-1 - k`` for ``targets[k]``), ``link_pages`` (pages whose links are embedded)."""
    present = {name for name, _ in table_columns(store, "page_metrics")}
    select = ", ".join(
        f"{'NULL' if key in _OPTIONAL and _OPTIONAL[key] not in present else sql} AS {key}"
        for key, sql in _PAGE_COLUMNS.items()
    )
    pages = store.query(
        f"WITH f AS (SELECT url_id, count(*) AS n, list(DISTINCT kind ORDER BY kind) AS kinds "
        "  FROM findings WHERE crawl_id = $1 AND url_id IS NOT NULL GROUP BY url_id) "
        f"SELECT pm.url_id, f.kinds, {select} FROM page_metrics pm "
        "LEFT JOIN pages p ON p.crawl_id = pm.crawl_id AND p.url_id = pm.url_id "
        "LEFT JOIN f ON f.url_id = pm.url_id "
        "WHERE pm.crawl_id = $1 ORDER BY pm.equity DESC NULLS LAST, pm.url",
        [crawl_id],
    ).to_pydict()
    index = {url_id: i for i, url_id in enumerate(pages.pop("url_id"))}
    kinds_per_page = pages.pop("kinds")
    kinds = sorted({k for ks in kinds_per_page if ks for k in ks})
    kind_index = {k: i for i, k in enumerate(kinds)}
    columns = {key: _compact(values) for key, values in pages.items()}
    return {
        "pages": columns,
        "kinds": kinds,
        "page_kinds": [[kind_index[k] for k in ks] if ks else [] for ks in kinds_per_page],
        **_links(store, crawl_id, index),
        "link_pages": min(LINK_PAGES, len(index)),
        "links_per_page": LINKS_PER_PAGE,
    }


def _links(store: Store, crawl_id: int, index: dict[int, int]) -> dict[str, Any]:
    """The first ``LINKS_PER_PAGE`` outlinks and inlinks of the ``LINK_PAGES`` strongest
    pages, columnar, anchors and positions as indexes into their own lists."""
    table = store.query(
        "WITH top AS (SELECT url_id FROM page_metrics WHERE crawl_id = $1 "
        "  ORDER BY equity DESC NULLS LAST, url LIMIT $2), "
        "l AS (SELECT src_id, dst_id, ordinal, anchor, alt, position, "
        "  NOT (coalesce(rel_nofollow, FALSE) OR coalesce(rel_sponsored, FALSE) "
        "  OR coalesce(rel_ugc, FALSE)) AS follow FROM links WHERE crawl_id = $1), "
        "o AS (SELECT l.* FROM l JOIN top ON l.src_id = top.url_id "
        "  QUALIFY row_number() OVER (PARTITION BY l.src_id ORDER BY ordinal) <= $3), "
        "i AS (SELECT l.* FROM l JOIN top ON l.dst_id = top.url_id "
        "  QUALIFY row_number() OVER (PARTITION BY l.dst_id ORDER BY src_id, ordinal) <= $3), "
        "u AS (SELECT * FROM o UNION SELECT * FROM i) "
        "SELECT u.src_id, u.dst_id, coalesce(u.anchor, u.alt, '') AS anchor, "
        "coalesce(nullif(u.position, ''), 'other') AS position, u.follow, "
        "coalesce(nullif(urls.url, ''), '?') AS url "
        "FROM u LEFT JOIN urls ON urls.id = u.dst_id "
        "WHERE u.src_id IN (SELECT url_id FROM page_metrics WHERE crawl_id = $1) "
        "ORDER BY u.src_id, u.ordinal",
        [crawl_id, LINK_PAGES, LINKS_PER_PAGE],
    )
    # Columns, not rows: a column is one conversion, and each list below one comprehension
    # (the PostgreSQL docs' 20,000 links: half the time of a loop over row tuples).
    targets: dict[str, int] = {}
    strings: dict[str, int] = {}
    positions: dict[str, int] = {}
    dst = [
        index[d] if d in index else -1 - targets.setdefault(url, len(targets))
        for d, url in zip(table["dst_id"].to_pylist(), table["url"].to_pylist(), strict=True)
    ]
    return {
        "links": {
            "src": [index[s] for s in table["src_id"].to_pylist()],
            "dst": dst,
            "anchor": [strings.setdefault(a, len(strings)) for a in table["anchor"].to_pylist()],
            "position": [
                positions.setdefault(p, len(positions)) for p in table["position"].to_pylist()
            ],
            "follow": [1 if f else 0 for f in table["follow"].to_pylist()],
        },
        "anchors": list(strings),
        "positions": list(positions),
        "targets": list(targets),
    }
