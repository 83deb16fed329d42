"""The internal analysis: equity, click depth and every internal finding of one crawl.

:func:`run_internal` builds the link graph, solves PageRank to the configured relative error
bound, runs a breadth-first search from the home page and computes the internal findings,
all in memory: it returns an :class:`InternalResult` and writes nothing.
:func:`linkflow.analyses.persist.persist_internal` stores a result as ``page_metrics`` (one
row per crawled internal URL), the internal ``findings`` of the crawl (replacing earlier
ones) and an ``analysis_runs`` row; :func:`analyse_internal` does both. docs/model.md
explains every number.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from linkflow.analyses.anchors import generic_anchor_list
from linkflow.analyses.internal_anchors import anchor_rows
from linkflow.analyses.internal_findings import GraphFacts, graph_rows, orphan_rows, target_rows
from linkflow.analyses.internal_queries import (
    money_url_ids,
    previous_equity,
    sitemap_url_ids,
    url_ids_of,
)
from linkflow.analyses.internal_result import InternalResult, InternalSummary
from linkflow.analyses.persist import conform_findings, persist_internal
from linkflow.graph import LinkGraph, PageRankResult, build_graph, equity_scores
from linkflow.graph.engine import LOCAL, GraphEngine, GraphStats
from linkflow.progress import Step, no_step
from linkflow.settings import Settings
from linkflow.store import Store
from linkflow.urls import normalize, origin_of

__all__ = ["InternalResult", "InternalSummary", "analyse_internal", "home_nodes", "run_internal"]


def home_nodes(store: Store, crawl_id: int, graph: LinkGraph) -> np.ndarray:
    """Node ids where click depth starts: the crawl's seeds, else its base URL's home page,
    else the home page of the first graph URL's origin (through redirects and canonicals)."""
    assert graph.targets is not None
    info = store.crawl_info(crawl_id)
    tries: list[list[str]] = [[u for s in info["seeds"] if (u := normalize(str(s)))]]
    if info.get("base_url"):
        base = normalize(str(info["base_url"]))
        tries.append([base, origin_of(base) + "/"] if base else [])
    if graph.n and graph.url_array is not None:
        tries.append([origin_of(str(graph.url_array[0].as_py())) + "/"])
    for urls in tries:
        known = url_ids_of(store, urls)
        ids = np.asarray([known[u] for u in urls if u in known], dtype=np.int64)
        nodes = graph.targets.node_of(ids)
        nodes = np.unique(nodes[nodes >= 0])
        if nodes.size:
            return nodes
    return np.zeros(0, dtype=np.int64)


def _warm_start(store: Store, crawl_id: int, graph: LinkGraph) -> np.ndarray | None:
    prev = previous_equity(store, crawl_id)
    if prev.num_rows == 0 or graph.n == 0:
        return None
    nodes = graph.nodes_of(prev["url_id"].to_numpy())
    x = np.zeros(graph.n)
    x[nodes[nodes >= 0]] = prev["equity"].to_numpy()[nodes >= 0]
    return x if x.sum() > 0 else None


def _money(store: Store, url_ids: np.ndarray, patterns: tuple[str, ...]) -> np.ndarray:
    """Which of ``url_ids`` are money pages (glob on path or URL), aligned with them."""
    if not patterns or url_ids.size == 0:
        return np.zeros(url_ids.size, bool)
    flags = money_url_ids(store, pa.array(url_ids, pa.int64()), patterns)
    order = np.argsort(url_ids)
    pos = np.searchsorted(url_ids[order], flags["url_id"].to_numpy())
    out = np.zeros(url_ids.size, bool)
    out[order[pos]] = flags["is_money"].to_numpy(zero_copy_only=False)
    return out


def _facts(
    graph: LinkGraph,
    result: PageRankResult,
    roots: np.ndarray,
    node_money: np.ndarray,
    depth: np.ndarray,
    stats: GraphStats,
) -> GraphFacts:
    assert graph.links_by_url is not None
    links_on_page = graph.links_by_url[graph.node_url_ids]
    return GraphFacts(
        equity=result.scores,
        depth=depth,
        roots=roots,
        content_inlinks=stats.content_inlinks,
        content_outlinks=stats.content_outlinks,
        links_on_page=links_on_page,
        is_money=node_money,
        html=_node_html(graph),
    )


def _node_html(graph: LinkGraph) -> np.ndarray:
    """Whether each node is an HTML page (from the content type of its pages row)."""
    assert graph.pages is not None
    pages = graph.pages
    html = np.ones(graph.n, bool)
    nodes = graph.nodes_of(pages["url_id"].to_numpy())
    html[nodes[nodes >= 0]] = pages["html"].to_numpy(zero_copy_only=False)[nodes >= 0]
    return html


def _metrics(
    graph: LinkGraph,
    facts: GraphFacts,
    stats: GraphStats,
    pages: pa.Table,
    money: np.ndarray,
    sitemap: pa.Array,
) -> pa.Table:
    """One page_metrics row per crawled internal URL (``pages``: those rows of the crawl's
    pages table; graph columns NULL off the graph)."""
    internal_ids = pages["url_id"].to_numpy().astype(np.int64)
    node = graph.nodes_of(internal_ids)
    on = node >= 0
    at = np.where(on, node, 0)
    assert graph.external_by_url is not None
    ext = graph.external_by_url[internal_ids]
    score = equity_scores(facts.equity)
    content_out = facts.content_outlinks

    def col(values: np.ndarray, mask: np.ndarray = ~on) -> pa.Array:
        return pa.array(values, mask=mask)

    depth = facts.depth[at] if graph.n else np.zeros(internal_ids.size, np.int32)
    return pa.table(
        {
            "url_id": pa.array(internal_ids, pa.int64()),
            "url": pages["url"],
            "status": pages["status"],
            "indexable": pages["indexable"],
            "in_sitemap": pa.array(np.isin(internal_ids, sitemap.to_numpy())),
            "in_graph": pa.array(on),
            "equity": pa.array(np.where(on, facts.equity[at] if graph.n else 0.0, 0.0)),
            "equity_score": pa.array(np.where(on, score[at] if graph.n else 0.0, 0.0)),
            "depth": col(depth, ~on | (depth < 0)),
            "inlinks": col(stats.inlinks[at] if graph.n else ext),
            "content_inlinks": col(facts.content_inlinks[at] if graph.n else ext),
            "outlinks": col(stats.outlinks[at] if graph.n else ext),
            "content_outlinks": col(content_out[at] if graph.n else ext),
            "external_outlinks": pa.array(ext),
            "is_money": pa.array(money),
        }
    )


def _lap(seconds: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    seconds[name] = round(now - since, 3)
    return now


def run_internal(
    store: Store,
    crawl_id: int,
    settings: Settings,
    *,
    step: Step = no_step,
    engine: GraphEngine = LOCAL,
) -> InternalResult:
    """Score equity and depth of ``crawl_id`` and find its internal problems, in memory.

    Reads the crawl (and an earlier result of it, as the solver's warm start); writes
    nothing; ``step`` hears as each of its four steps starts. The graph is built here by
    the local rules; ``engine`` solves PageRank and computes click depth and link counts
    on it (the local engine, or e.g. :class:`linkflow.engines.spark.SparkEngine`, which
    builds the same graph on Spark from the crawl's tables and computes there). Raises
    :class:`linkflow.errors.ConfigError` for invalid graph settings and
    :class:`linkflow.errors.StoreError` if the crawl does not exist.
    """
    started_at = datetime.now(UTC)
    seconds: dict[str, float] = {}
    gs, an = settings.graph, settings.analyse
    store.crawl_info(crawl_id)  # a missing crawl fails here, before any work
    t = time.perf_counter()
    step("building the link graph")
    graph = build_graph(store, crawl_id, gs)
    engine.prepare(store, crawl_id, gs, graph)
    t = _lap(seconds, "graph", t)
    step("solving PageRank")
    result = engine.pagerank(
        graph,
        damping=gs.damping,
        tolerance=gs.tolerance,
        x0=_warm_start(store, crawl_id, graph),
        max_iterations=gs.max_iterations,
    )
    t = _lap(seconds, "pagerank", t)
    step("page metrics")
    assert graph.pages is not None
    internal = graph.pages["internal"].fill_null(False).to_numpy(zero_copy_only=False)
    pages = graph.pages.filter(pa.array(internal))
    internal_ids = pages["url_id"].to_numpy().astype(np.int64)
    money = _money(store, internal_ids, an.money)
    node_money = np.zeros(graph.n, bool)
    nodes = graph.nodes_of(internal_ids)
    node_money[nodes[nodes >= 0]] = money[nodes >= 0]
    roots = home_nodes(store, crawl_id, graph)
    stats = engine.stats(graph)
    facts = _facts(graph, result, roots, node_money, engine.click_depth(graph, roots), stats)
    metrics = _metrics(graph, facts, stats, pages, money, sitemap_url_ids(store, crawl_id))
    t = _lap(seconds, "metrics", t)
    step("findings")
    parts = graph_rows(
        graph,
        facts,
        an.deep_threshold,
        an.overlinking_threshold,
        an.min_content_inlinks,
        gs.damping,
    )
    parts.append(orphan_rows(store, crawl_id, graph, roots))
    parts.extend(target_rows(store, crawl_id, graph, graph.pages))
    parts.extend(
        anchor_rows(store, crawl_id, graph, internal_ids, generic_anchor_list(an.generic_anchors))
    )
    findings = conform_findings(parts)
    _lap(seconds, "findings", t)
    return InternalResult(
        crawl_id=crawl_id,
        settings=settings,
        started_at=started_at,
        graph=graph,
        solver=result,
        facts=facts,
        pages=metrics,
        findings=findings,
        seconds=seconds,
    )


def analyse_internal(store: Store, crawl_id: int, settings: Settings) -> InternalSummary:
    """Score equity and depth of ``crawl_id`` and write its page metrics and findings.

    :func:`run_internal`, then :func:`~linkflow.analyses.persist.persist_internal`. Raises
    :class:`linkflow.errors.ConfigError` for invalid graph settings and
    :class:`linkflow.errors.StoreError` if the crawl does not exist.
    """
    return persist_internal(store, run_internal(store, crawl_id, settings))
