"""The report's distributions: how unevenly internal equity is spread (a Lorenz curve), how
strong the referring domains are (authority buckets), and how good the anchors are.

Each reader is one bounded aggregate query; the geometry of the SVG fallback is computed here
(as in :mod:`linkflow.report.charts`), so the template only places shapes and escapes text.
``None`` or an empty chart means the data is absent, never zero.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from linkflow.graph.load import FOLLOWED_SQL
from linkflow.models import ANCHOR_CLASSES
from linkflow.report.charts import BarChart, bar_chart
from linkflow.report.queries import anchor_class_totals
from linkflow.store import Store
from linkflow.store.export import has_rows, table_columns

__all__ = [
    "INTERNAL_ANCHOR_KINDS",
    "POOR_BACKLINK_ANCHORS",
    "Lorenz",
    "authority_buckets",
    "backlink_anchor_quality",
    "distribution_section",
    "equity_lorenz",
    "internal_anchor_quality",
]

POINTS = 50
"""Points of the Lorenz curve (plus its origin)."""

MARKS = (0.01, 0.1, 0.5)
"""Shares of pages whose share of the equity the curve's caption states."""

INTERNAL_ANCHOR_KINDS = (
    ("generic", "generic-anchor"),
    ("empty", "empty-anchor"),
    ("naked URL", "naked-url-anchor"),
    ("image, no alt", "image-link-no-alt"),
)
"""Poor internal anchors: the label and the finding kind whose ``value`` counts the links
(linkflow/analyses/internal_anchors.py); every other followed internal link is descriptive."""

POOR_BACKLINK_ANCHORS = frozenset({"generic", "naked_url", "image", "empty"})
"""Backlink anchor classes that say nothing about the target's topic."""


@dataclass(frozen=True, slots=True)
class Lorenz:
    """Pages sorted by equity, most first: ``points`` are (share of pages, share of the
    equity they hold), from (0, 0) to (1, 1); ``gini`` the Gini coefficient of the equity
    (0: every page equal, towards 1: one page holds it all); ``marks`` (share of pages,
    share of equity) at :data:`MARKS`; ``path`` the SVG polyline in a ``width`` × ``height``
    box (y grows downwards)."""

    pages: int
    points: tuple[tuple[float, float], ...]
    gini: float
    marks: tuple[tuple[float, float], ...]
    width: float
    height: float
    path: str


def equity_lorenz(
    store: Store, crawl_id: int, *, width: float = 640, height: float = 240
) -> Lorenz | None:
    """The Lorenz curve of the crawl's internal equity, or ``None`` without equity."""
    # one pass: the curve's points and the Gini coefficient, which over the equities in
    # descending order (rank r from 1) is Σ_r (n + 1 − 2r)·e_r / (n·Σe)
    rows = store.rows(
        "WITH s AS MATERIALIZED (SELECT equity, row_number() OVER w AS r, count(*) OVER () AS n, "
        "  sum(equity) OVER (w ROWS UNBOUNDED PRECEDING) AS c, sum(equity) OVER () AS t "
        "  FROM page_metrics WHERE crawl_id = ? AND equity IS NOT NULL "
        "  WINDOW w AS (ORDER BY equity DESC, url_id)), "
        "g AS (SELECT sum((n + 1 - 2 * r) * equity) / (any_value(n) * any_value(t)) AS gini "
        "  FROM s WHERE t > 0) "
        "SELECT max(r), any_value(n), max(c) / any_value(t), any_value((SELECT gini FROM g)) "
        "FROM s WHERE t > 0 GROUP BY ceil(r * ? / n) ORDER BY 1",
        [crawl_id, POINTS],
    )
    if not rows:
        return None
    n = int(rows[0][1])
    points = ((0.0, 0.0), *((int(r) / n, min(float(y), 1.0)) for r, _, y, _ in rows))
    gini = rows[0][3]
    marks = tuple((m, _at(points, m)) for m in MARKS)
    path = " ".join(f"{x * width:.1f},{height - y * height:.1f}" for x, y in points)
    return Lorenz(n, points, float(gini or 0.0), marks, width, height, path)


def _at(points: tuple[tuple[float, float], ...], x: float) -> float:
    """The curve's value at ``x``, linear between its points."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def authority_buckets(store: Store) -> BarChart | None:
    """Referring domains per authority bucket (0–9, 10–19 ... 90–100, then unknown), the
    buckets from 50 up highlighted; ``None`` without referring domains."""
    present = {name for name, _ in table_columns(store, "referring_domains")}
    if not {"authority", "followed"} <= present or not has_rows(store, "referring_domains"):
        return None
    rows = store.rows(
        "SELECT CASE WHEN authority IS NULL THEN -1 ELSE least(floor(authority / 10), 9) END "
        "AS b, count(*), count(*) FILTER (WHERE followed > 0) "
        "FROM referring_domains GROUP BY 1"
    )
    counts = {int(b): (int(n), int(f)) for b, n, f in rows}
    items, marked = [], []
    for b in [*range(10), -1]:
        if b == -1 and b not in counts:
            continue
        n, followed = counts.get(b, (0, 0))
        label = "unknown" if b < 0 else f"{b * 10}–{b * 10 + (10 if b == 9 else 9)}"
        items.append((label, float(n), f"{n:,} ({followed:,} followed)"))
        marked.append(b >= 5)
    return bar_chart(items, highlight=marked, label_width=110)


def internal_anchor_quality(store: Store, crawl_id: int) -> BarChart | None:
    """Followed links to internal pages by anchor quality: descriptive, then the poor kinds
    of :data:`INTERNAL_ANCHOR_KINDS` (highlighted), as counted by the internal analysis'
    findings; the links counted as the verdict's anchors component counts them (docs/model.md
    §8). ``None`` without such links."""
    if not has_rows(store, "links"):
        return None
    links = int(
        store.scalar(
            "SELECT count(*) FROM links l JOIN (SELECT DISTINCT url_id FROM pages "
            "WHERE crawl_id = $c AND internal) p ON p.url_id = l.dst_id "
            f"WHERE l.crawl_id = $c AND {FOLLOWED_SQL}",
            {"c": crawl_id},
        )
        or 0
    )
    if not links:
        return None
    poor = dict(
        store.rows(
            "SELECT kind, sum(coalesce(value, 1)) FROM findings WHERE crawl_id = ? "
            "AND kind IN (SELECT unnest(?)) GROUP BY kind",
            [crawl_id, [kind for _, kind in INTERNAL_ANCHOR_KINDS]],
        )
    )
    counts = [(label, float(poor.get(kind) or 0)) for label, kind in INTERNAL_ANCHOR_KINDS]
    good = max(links - sum(n for _, n in counts), 0.0)
    items = [("descriptive", good), *counts]
    return bar_chart(
        [(label, n, f"{n:,.0f} ({n / links * 100:.1f}%)") for label, n in items],
        highlight=[False, *(True for _ in counts)],
        label_width=110,
    )


def backlink_anchor_quality(classes: list[dict[str, Any]]) -> BarChart | None:
    """Backlinks per anchor class (rows of ``queries.anchor_class_totals``) in the order of
    :data:`linkflow.models.ANCHOR_CLASSES`, the classes of :data:`POOR_BACKLINK_ANCHORS`
    highlighted; ``None`` without anchors."""
    counts = {str(c["anchor_class"]): float(c["backlinks"]) for c in classes}
    total = sum(counts.values())
    if total <= 0:
        return None
    order = [c for c in ANCHOR_CLASSES if c in counts] + sorted(set(counts) - set(ANCHOR_CLASSES))
    return bar_chart(
        [(c.replace("_", " "), counts[c], f"{counts[c]:,.0f} ({counts[c] / total * 100:.1f}%)")
         for c in order],
        highlight=[c in POOR_BACKLINK_ANCHORS for c in order],
        label_width=110,
    )  # fmt: skip


def distribution_section(store: Store, crawl_id: int) -> dict[str, Any]:
    """The distributions of the report's Distribution section (each None when absent)."""
    return {
        "lorenz": equity_lorenz(store, crawl_id),
        "authority": authority_buckets(store),
        "anchors": internal_anchor_quality(store, crawl_id),
        "backlink_anchors": backlink_anchor_quality(anchor_class_totals(store)),
    }
