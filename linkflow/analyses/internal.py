"""The internal analysis: equity, click depth and every internal finding of one crawl.

``analyse_internal`` builds the link graph, solves PageRank to the configured relative error
bound, runs a breadth-first search from the home page, then writes ``page_metrics`` (one row
per crawled internal URL), the internal ``findings`` of the crawl (replacing earlier ones) and
an ``analysis_runs`` row with the iteration count and the error bound. docs/model.md explains
every number.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from linkflow.analyses.findings_text import INTERNAL_KINDS, generic_anchor_list
from linkflow.analyses.internal_findings import (
    GraphFacts,
    anchor_rows,
    graph_rows,
    orphan_rows,
    target_rows,
)
from linkflow.graph import LinkGraph, PageRankResult, build_graph, click_depth, equity_scores
from linkflow.graph import pagerank as solve
from linkflow.settings import Settings
from linkflow.store import Store
from linkflow.store.graph import money_url_ids, previous_equity, url_ids_of
from linkflow.store.results import (
    finding_counts,
    finish_run,
    start_run,
    write_findings,
    write_page_metrics,
)
from linkflow.urls import normalize, origin_of

__all__ = ["InternalSummary", "analyse_internal", "home_nodes"]


@dataclass(frozen=True, slots=True)
class InternalSummary:
    """What the internal analysis found, for the CLI summary and the Python API.

    ``deep_share`` is the share of graph pages reachable from the home page that are more
    than 3 clicks deep; ``relative_bound`` is the guaranteed relative error of every equity.
    """

    crawl_id: int
    run_id: int
    pages: int
    nodes: int
    edges: int
    iterations: int
    l1_bound: float
    relative_bound: float
    converged: bool
    home: list[str]
    reachable: int
    deep_share: float
    max_depth: int
    findings: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


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
) -> GraphFacts:
    rows = np.repeat(np.arange(graph.n), graph.out_degree)
    assert graph.links_by_url is not None
    links_on_page = graph.links_by_url[graph.node_url_ids]
    return GraphFacts(
        equity=result.scores,
        depth=click_depth(graph, roots),
        roots=roots,
        content_inlinks=np.bincount(graph.indices[graph.content], minlength=graph.n),
        content_outlinks=np.bincount(rows[graph.content], minlength=graph.n),
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
    internal_ids: np.ndarray,
    money: np.ndarray,
) -> pa.Table:
    """One page_metrics row per crawled internal URL (graph columns NULL off the graph)."""
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
            "in_graph": pa.array(on),
            "equity": pa.array(np.where(on, facts.equity[at] if graph.n else 0.0, 0.0)),
            "equity_score": pa.array(np.where(on, score[at] if graph.n else 0.0, 0.0)),
            "depth": col(depth, ~on | (depth < 0)),
            "inlinks": col(graph.in_degree[at] if graph.n else ext),
            "content_inlinks": col(facts.content_inlinks[at] if graph.n else ext),
            "outlinks": col(graph.out_degree[at] if graph.n else ext),
            "content_outlinks": col(content_out[at] if graph.n else ext),
            "external_outlinks": pa.array(ext),
            "is_money": pa.array(money),
        }
    )


def analyse_internal(store: Store, crawl_id: int, settings: Settings) -> InternalSummary:
    """Score equity and depth of ``crawl_id`` and write its page metrics and findings.

    Raises :class:`linkflow.errors.ConfigError` for invalid graph settings and
    :class:`linkflow.errors.StoreError` if the crawl does not exist.
    """
    clock = {"start": time.perf_counter()}
    gs, an = settings.graph, settings.analyse
    run_id = start_run(store, crawl_id, "internal", dataclasses.asdict(settings))
    graph = build_graph(store, crawl_id, gs)
    clock["graph"] = time.perf_counter()
    result = solve(
        graph,
        damping=gs.damping,
        tolerance=gs.tolerance,
        x0=_warm_start(store, crawl_id, graph),
        max_iterations=gs.max_iterations,
    )
    clock["pagerank"] = time.perf_counter()
    pages = graph.pages
    assert pages is not None
    internal = pages["internal"].fill_null(False).to_numpy(zero_copy_only=False)
    internal_ids = pages["url_id"].to_numpy().astype(np.int64)[internal]
    money = _money(store, internal_ids, an.money)
    node_money = np.zeros(graph.n, bool)
    nodes = graph.nodes_of(internal_ids)
    node_money[nodes[nodes >= 0]] = money[nodes >= 0]
    roots = home_nodes(store, crawl_id, graph)
    facts = _facts(graph, result, roots, node_money)
    write_page_metrics(store, crawl_id, _metrics(graph, facts, internal_ids, money))
    clock["metrics"] = time.perf_counter()
    parts = graph_rows(
        graph,
        facts,
        an.deep_threshold,
        an.overlinking_threshold,
        an.min_content_inlinks,
        gs.damping,
    )
    parts.append(orphan_rows(store, crawl_id, graph, roots))
    parts.extend(target_rows(store, crawl_id, graph, pages))
    parts.extend(
        anchor_rows(store, crawl_id, graph, internal_ids, generic_anchor_list(an.generic_anchors))
    )
    write_findings(store, crawl_id, parts, kinds=INTERNAL_KINDS)
    clock["findings"] = time.perf_counter()
    return _finish(store, crawl_id, run_id, graph, result, facts, int(internal.sum()), clock)


def _url(graph: LinkGraph, node: int) -> str:
    return "" if graph.url_array is None else str(graph.url_array[node].as_py())


def _finish(
    store: Store,
    crawl_id: int,
    run_id: int,
    graph: LinkGraph,
    result: PageRankResult,
    facts: GraphFacts,
    pages: int,
    clock: dict[str, float],
) -> InternalSummary:
    reached = facts.depth[facts.depth >= 0]
    marks = list(clock.items())
    seconds = {name: round(t - marks[i][1], 3) for i, (name, t) in enumerate(marks[1:])}
    summary = InternalSummary(
        crawl_id=crawl_id,
        run_id=run_id,
        pages=pages,
        nodes=graph.n,
        edges=int(graph.indices.size),
        iterations=result.iterations,
        l1_bound=result.l1_bound,
        relative_bound=result.relative_bound,
        converged=result.converged,
        home=[_url(graph, int(i)) for i in facts.roots[:5]],
        reachable=int(reached.size),
        deep_share=float((reached > 3).mean()) if reached.size else 0.0,
        max_depth=int(reached.max()) if reached.size else -1,
        findings=finding_counts(store, crawl_id),
        seconds=seconds,
    )
    details = dataclasses.asdict(summary)
    details.pop("findings")
    finish_run(store, run_id, details)
    return summary
