"""What the recommender reads: the flow model of a crawl and the text of its pages.

The model is the authority flow's (docs/model.md "Flow"): the internal analysis' link graph,
the backlink-seeded teleport v and the money pages' weights r, both from the flow stage's
own functions, so a suggestion's gain is measured on exactly the flow the verdict reports.
Text comes from ``page_text`` (main content only), ``links.context`` (sentences that already
hold a link) and ``pages`` (title, H1, language).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from linkflow.analyses.anchors import generic_anchor_list
from linkflow.analyses.flow_inputs import backlink_authority, money_pages
from linkflow.analyses.flow_solve import seeded_teleport
from linkflow.analyses.internal_result import InternalResult
from linkflow.analyses.money import MoneyPages
from linkflow.graph import LinkGraph
from linkflow.recommend.text import Spans, phrase_key, split_code
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = [
    "Site",
    "anchor_counts",
    "exact_anchor_keys",
    "link_contexts",
    "linked_pairs",
    "load_site",
    "main_texts",
    "search_queries",
]


@dataclass(frozen=True, slots=True)
class Site:
    """One crawl as the recommender sees it; per node: ``teleport`` v, ``money`` (weights r),
    ``authority`` (backlink authority E), ``title``, ``h1``, ``lang``, ``path``."""

    crawl_id: int
    internal: InternalResult
    teleport: np.ndarray
    authority: np.ndarray
    money: MoneyPages
    title: list[str]
    h1: list[str]
    lang: list[str]
    path: list[str]
    generic: list[str]

    @property
    def graph(self) -> LinkGraph:
        return self.internal.graph

    @property
    def urls(self) -> list[str]:
        return self.internal.graph.urls

    @property
    def reward(self) -> np.ndarray:
        return self.money.weights


def _node_table(
    store: Store, graph: LinkGraph, sql: str, params: list[object], nodes: np.ndarray | None = None
) -> pa.Table:
    """Rows of ``sql`` (selecting url_id first) for the graph's nodes (or ``nodes`` only),
    in node order."""
    which = np.arange(graph.n) if nodes is None else np.unique(np.asarray(nodes, np.int64))
    ids = pa.table(
        {
            "url_id": pa.array(graph.node_url_ids[which], pa.int64()),
            "node": pa.array(which, pa.int64()),
        }
    )
    with store.registered("_lf_nodes", ids):
        return store.query(
            f"WITH q AS ({sql}) SELECT n.node, q.* EXCLUDE (url_id) FROM _lf_nodes n "
            "JOIN q ON q.url_id = n.url_id ORDER BY n.node",
            params,
        )


def load_site(store: Store, internal: InternalResult, settings: Settings) -> Site:
    """The flow model and page facts of ``internal``'s crawl (money settings prepared)."""
    graph, an = internal.graph, settings.analyse
    authority, _ = backlink_authority(store, graph)
    teleport = seeded_teleport(graph.n, authority, an.backlink_beta)
    money = money_pages(store, internal, settings)
    facts = _node_table(
        store,
        graph,
        "SELECT p.url_id, any_value(coalesce(p.title, '')) AS title, "
        "any_value(coalesce(p.h1, '')) AS h1, any_value(coalesce(p.lang, '')) AS lang, "
        "any_value(u.path) AS path FROM pages p JOIN urls u ON u.id = p.url_id "
        "WHERE p.crawl_id = ? GROUP BY p.url_id",
        [internal.crawl_id],
    )
    cols = {name: [""] * graph.n for name in ("title", "h1", "lang", "path")}
    nodes = facts["node"].to_pylist()
    for name, values in cols.items():
        for node, value in zip(nodes, facts[name].to_pylist(), strict=True):
            values[node] = value or ""
    return Site(
        internal.crawl_id,
        internal,
        teleport,
        authority,
        money,
        cols["title"],
        cols["h1"],
        cols["lang"],
        cols["path"],
        generic_anchor_list(an.generic_anchors),
    )


def main_texts(
    store: Store, site: Site, nodes: np.ndarray | None = None
) -> tuple[dict[int, str], dict[int, Spans]]:
    """Main text of every node that has one (of ``nodes`` only, if given), as the page shows
    it, and where each has code (nodes without code left out): see
    :func:`~linkflow.recommend.text.split_code`."""
    table = _node_table(
        store,
        site.graph,
        "SELECT url_id, any_value(main_text) AS main_text FROM page_text "
        "WHERE crawl_id = ? AND main_text IS NOT NULL GROUP BY url_id",
        [site.crawl_id],
        nodes,
    )
    texts: dict[int, str] = {}
    code: dict[int, Spans] = {}
    for node, marked in zip(table["node"].to_pylist(), table["main_text"].to_pylist(), strict=True):
        texts[node], spans = split_code(marked)
        if spans:
            code[node] = spans
    return texts, code


def link_contexts(store: Store, site: Site) -> dict[int, tuple[str, ...]]:
    """Per source node, the sentences that already hold a content link."""
    table = _node_table(
        store,
        site.graph,
        "SELECT src_id AS url_id, list(DISTINCT context) AS contexts FROM links "
        "WHERE crawl_id = ? AND context IS NOT NULL AND context <> '' GROUP BY src_id",
        [site.crawl_id],
    )
    return {
        n: tuple(c)
        for n, c in zip(table["node"].to_pylist(), table["contexts"].to_pylist(), strict=True)
    }


def linked_pairs(store: Store, site: Site) -> np.ndarray:
    """Sorted keys ``s·n + t`` of every (source node, target node) pair the crawl links,
    in any position, followed or not (links to redirects counted at their end)."""
    graph = site.graph
    assert graph.targets is not None
    table = store.query(
        "SELECT DISTINCT src_id::BIGINT AS s, dst_id::BIGINT AS t FROM links WHERE crawl_id = ?",
        [site.crawl_id],
    )
    s = graph.nodes_of(table["s"].to_numpy())
    t = graph.targets.node_of(table["t"].to_numpy())
    keep = (s >= 0) & (t >= 0)
    # Sorted, then each key's first: NumPy 2.3+ finds the unique values of integers by
    # hashing, 14 times slower than this sort (the Rust docs' 758,000 pairs: 0.44 s).
    keys = np.sort(s[keep] * graph.n + t[keep])
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys


def anchor_counts(store: Store, site: Site, targets: np.ndarray) -> dict[int, dict[str, int]]:
    """Per target node, how many links reach it with each anchor (folded), any source."""
    graph = site.graph
    assert graph.targets is not None
    table = store.query(
        "SELECT dst_id::BIGINT AS t, anchor, count(*) AS n FROM links "
        "WHERE crawl_id = ? AND anchor IS NOT NULL AND anchor <> '' GROUP BY 1, 2",
        [site.crawl_id],
    )
    node = graph.targets.node_of(table["t"].to_numpy())
    wanted = set(np.asarray(targets).tolist())
    out: dict[int, dict[str, int]] = {}
    for t, anchor, n in zip(
        node.tolist(), table["anchor"].to_pylist(), table["n"].to_pylist(), strict=True
    ):
        if t in wanted:
            key = phrase_key(anchor)
            row = out.setdefault(t, {})
            row[key] = row.get(key, 0) + int(n)
    return out


def search_queries(store: Store, limit: int = 5000) -> list[tuple[str, float]]:
    """Imported Search Console queries (query, impressions), most impressions first."""
    rows = store.rows(
        "SELECT query, sum(coalesce(impressions, clicks, 0)) AS n FROM queries "
        "GROUP BY query ORDER BY n DESC, query LIMIT ?",
        [limit],
    )
    return [(str(q), float(n)) for q, n in rows]


def exact_anchor_keys(
    counts: dict[str, int], phrase_keys: Sequence[str], generic: Sequence[str], share: float
) -> set[str]:
    """The target's phrases already used as exact-match anchors, when such anchors are at
    least ``share`` of its descriptive anchors (and 2 or more): phrases to avoid."""
    wanted, skip = set(phrase_keys), set(generic)
    descriptive = sum(n for a, n in counts.items() if a and a not in skip)
    exact = {a: n for a, n in counts.items() if a in wanted}
    total = sum(exact.values())
    if descriptive and total >= 2 and total / descriptive >= share:
        return set(exact)
    return set()
