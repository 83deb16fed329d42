"""The site graph: the strongest pages and the followed links between them, laid out once
when the report is written and drawn as SVG.

Pages are sized by their flow (their equity when the flow was not computed), money pages
highlighted, pages that trap most of the authority entering them ringed. A site larger than
:data:`GRAPH_PAGES` shows its strongest pages and the links among them; the pages explorer
has every page. The layout is a force-directed one (Fruchterman-Reingold) with a fixed seed,
so the same audit always draws the same picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linkflow.store import Store
from linkflow.store.export import table_columns

__all__ = ["GRAPH_PAGES", "SiteGraph", "layout", "site_graph"]

GRAPH_PAGES = 300
"""Pages drawn in the site graph: the strongest ones (beyond a few hundred the picture stops
telling anything a table cannot)."""

MAX_EDGES = 3000
"""Links drawn at most (all of them shape the layout); a sample beyond that, so a dense
navigation does not make the picture, and the file, a solid block."""

TRAPPING = 0.5
"""A page is ringed as trapping when at least this share of what enters it is trapped."""


@dataclass
class SiteGraph:
    """Node circles (x, y, r, explorer index, url, money, trapping, flow) and edge segments."""

    size: int
    total: int  # pages in the audit
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[tuple[float, float, float, float]] = field(default_factory=list)


def layout(n: int, edges: list[tuple[int, int]], iterations: int = 120) -> np.ndarray:
    """Positions in [0, 1]² of ``n`` nodes joined by ``edges`` (Fruchterman-Reingold, seed 7)."""
    rng = np.random.default_rng(7)
    pos = rng.random((n, 2))
    if n < 2:
        return np.full((n, 2), 0.5)
    k = math.sqrt(1.0 / n)
    src = np.array([a for a, _ in edges], dtype=int)
    dst = np.array([b for _, b in edges], dtype=int)
    degree = (
        np.bincount(np.concatenate([src, dst]), minlength=n).astype(float)
        if len(src)
        else np.ones(n)
    )
    strength = (
        1.0 / np.sqrt(np.maximum(degree[src], 1) * np.maximum(degree[dst], 1))
        if len(src)
        else np.ones(0)
    )
    strength = (
        strength * (len(src) / max(strength.sum(), 1e-9)) / max(len(src) / n, 1.0)
        if len(src)
        else strength
    )
    temperature = 0.1
    # The n² coefficients are computed in two buffers made once (the same operations, so
    # the same numbers, without allocating six n×n arrays per iteration: a third faster).
    coef, dy2 = np.empty((n, n)), np.empty((n, n))
    for _ in range(iterations):
        # repulsion Σ_j (p_i − p_j)·k²/d_ij², as p_i·Σ_j c_ij − Σ_j c_ij·p_j: two passes over
        # the n² coefficients instead of one over n²×2 vectors
        x, y = pos[:, 0], pos[:, 1]
        np.subtract(x[:, None], x[None, :], out=coef)
        np.multiply(coef, coef, out=coef)
        np.subtract(y[:, None], y[None, :], out=dy2)
        np.multiply(dy2, dy2, out=dy2)
        np.add(coef, dy2, out=coef)
        np.maximum(coef, 1e-4, out=coef)
        np.divide(k * k, coef, out=coef)
        np.fill_diagonal(coef, 0.0)
        force = pos * coef.sum(axis=1)[:, None] - coef @ pos
        if len(src):
            d = pos[src] - pos[dst]
            length = np.maximum(np.linalg.norm(d, axis=1), 0.01)
            # each link pulls less on a page with many: site-wide navigation would
            # otherwise crush every page into one point
            pull = d / length[:, None] * (length * length / k * strength)[:, None]
            # summed per page by bincount, in link order: ufunc.at is several times slower
            for axis in (0, 1):
                w = pull[:, axis]
                force[:, axis] += np.bincount(dst, w, n) - np.bincount(src, w, n)
        force += (0.5 - pos) * 0.3 * n * k  # a pull to the centre keeps islands near
        step = np.linalg.norm(force, axis=1)
        pos += force / np.maximum(step, 1e-9)[:, None] * np.minimum(step, temperature)[:, None]
        temperature *= 0.97
    # scale to the bulk of the pages; a few stray ones sit on the border
    low, high = np.percentile(pos, 2, axis=0), np.percentile(pos, 98, axis=0)
    return np.asarray(np.clip((pos - low) / np.maximum(high - low, 1e-9), 0, 1))


def site_graph(store: Store, crawl_id: int, size: int = 640) -> SiteGraph | None:
    """The graph of the :data:`GRAPH_PAGES` strongest pages, or ``None`` without metrics.

    Explorer indexes are ranks by equity, as in :func:`linkflow.report.explorer.explorer_data`.
    """
    present = {name for name, _ in table_columns(store, "page_metrics")}
    weight = "coalesce(flow, equity)" if "flow" in present else "equity"
    trapped = (
        "coalesce(trapped / nullif(flow_in, 0), 0)" if {"trapped", "flow_in"} <= present else "0"
    )
    pages = store.rows(
        "WITH r AS (SELECT url_id, url, coalesce(is_money, FALSE) AS money, "
        f"  {weight} AS w, {trapped} AS t, "
        "  row_number() OVER (ORDER BY equity DESC NULLS LAST, url) - 1 AS i "
        "  FROM page_metrics WHERE crawl_id = ?) "
        "SELECT url_id, url, money, w, t, i, count(*) OVER () FROM r "
        "ORDER BY w DESC NULLS LAST, i LIMIT ?",
        [crawl_id, GRAPH_PAGES],
    )
    if not pages:
        return None
    index = {row[0]: k for k, row in enumerate(pages)}
    links = store.rows(
        "SELECT DISTINCT src_id, dst_id FROM links WHERE crawl_id = ? AND src_id <> dst_id "
        "AND NOT (coalesce(rel_nofollow, FALSE) OR coalesce(rel_sponsored, FALSE) "
        "OR coalesce(rel_ugc, FALSE)) "
        "AND src_id IN (SELECT unnest(?)) AND dst_id IN (SELECT unnest(?)) "
        "ORDER BY src_id, dst_id",  # the layout adds forces up in this order
        [crawl_id, list(index), list(index)],
    )
    edges = [(index[s], index[d]) for s, d in links]
    pos = layout(len(pages), edges)
    pad = 18.0
    xy = pad + pos * (size - 2 * pad)
    top = max((float(p[3] or 0) for p in pages), default=0.0) or 1.0
    graph = SiteGraph(size, int(pages[0][6]))
    for k, (_, url, money, w, t, i, _) in enumerate(pages):
        graph.nodes.append(
            {
                "x": round(float(xy[k, 0]), 1),
                "y": round(float(xy[k, 1]), 1),
                "r": round(2.5 + 11 * math.sqrt(max(float(w or 0), 0) / top), 1),
                "i": int(i),
                "url": url,
                "money": bool(money),
                "trapping": float(t or 0) >= TRAPPING,
                "share": float(w or 0),
            }
        )
    graph.nodes.sort(key=lambda n: n["r"], reverse=True)  # small circles drawn on top
    drawn = edges
    if len(edges) > MAX_EDGES:
        keep = np.random.default_rng(7).choice(len(edges), MAX_EDGES, replace=False)
        drawn = [edges[j] for j in sorted(keep)]
    graph.edges = [
        (
            round(float(xy[a, 0]), 1),
            round(float(xy[a, 1]), 1),
            round(float(xy[b, 0]), 1),
            round(float(xy[b, 1]), 1),
        )
        for a, b in drawn
    ]
    return graph
