"""What the internal analysis hands on: the full result in memory, and its short summary.

:class:`InternalResult` is what later stages (authority flow, link recommendations, other
engines) start from without reading the store again; :class:`InternalSummary` is what the
CLI prints and the ``analysis_runs`` row records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa

from linkflow.analyses.internal_findings import GraphFacts
from linkflow.graph import LinkGraph, PageRankResult
from linkflow.settings import Settings

__all__ = ["InternalResult", "InternalSummary", "summarise"]


@dataclass(frozen=True, slots=True)
class InternalResult:
    """The internal analysis of one crawl, in memory (nothing of it is stored yet).

    Per node (graph node ids, nodes numbered in URL order): ``graph`` (the CSR link graph,
    its ``node_url_ids`` and ``url_array`` map nodes to url ids and URLs, ``nodes_of`` the
    other way), ``solver`` (the PageRank scores and what the solver guarantees:
    iterations, L1 and relative error bounds, converged) and ``facts`` (equity, depth,
    roots, content in/out links, money and HTML flags).

    Per crawled internal URL (``pages``, one row each, URL order): exactly the
    ``page_metrics`` columns the analysis writes — url_id, url, status, indexable,
    in_sitemap, in_graph, equity, equity_score, depth, inlinks, content_inlinks, outlinks,
    content_outlinks, external_outlinks, is_money (graph columns NULL off the graph).

    ``findings``: every internal finding, :data:`linkflow.analyses.persist.FINDING_SCHEMA`
    columns; ``{ref}`` in a detail stands for the URL of ``ref_id`` and is filled in when
    stored. ``started_at`` (UTC) and ``seconds`` (per step) time the analysis.
    """

    crawl_id: int
    settings: Settings
    started_at: datetime
    graph: LinkGraph
    solver: PageRankResult
    facts: GraphFacts
    pages: pa.Table
    findings: pa.Table
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def equity(self) -> np.ndarray:
        """Equity of each node (sums to 1 over the graph)."""
        return self.facts.equity

    @property
    def depth(self) -> np.ndarray:
        """Click depth of each node from the home page (-1: unreachable)."""
        return self.facts.depth

    @property
    def node_url_ids(self) -> np.ndarray:
        """The url id of each node."""
        return self.graph.node_url_ids

    def nodes_of(self, url_ids: np.ndarray) -> np.ndarray:
        """The node of each of ``url_ids`` (-1 where that URL is not a node)."""
        return self.graph.nodes_of(url_ids)

    def page_column(self, name: str) -> np.ndarray:
        """One column of :attr:`pages` as a numpy array (NULL becomes NaN in a number column,
        None in others)."""
        return np.asarray(self.pages[name].to_numpy(zero_copy_only=False))


@dataclass(frozen=True, slots=True)
class InternalSummary:
    """What the internal analysis found, for the CLI summary and the Python API.

    ``deep_share`` is the share of graph pages reachable from the home page that are more
    than 3 clicks deep; ``relative_bound`` is the guaranteed relative error of every equity.
    ``findings`` counts every finding of the crawl by kind, other analyses' too.
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


def summarise(result: InternalResult, run_id: int, findings: dict[str, int]) -> InternalSummary:
    """The summary of ``result`` once stored as run ``run_id`` (``findings``: counts by kind)."""
    graph, facts, solver = result.graph, result.facts, result.solver
    reached = facts.depth[facts.depth >= 0]
    urls = graph.url_array
    home = ["" if urls is None else str(urls[int(i)].as_py()) for i in facts.roots[:5]]
    return InternalSummary(
        crawl_id=result.crawl_id,
        run_id=run_id,
        pages=result.pages.num_rows,
        nodes=graph.n,
        edges=int(graph.indices.size),
        iterations=solver.iterations,
        l1_bound=solver.l1_bound,
        relative_bound=solver.relative_bound,
        converged=solver.converged,
        home=home,
        reachable=int(reached.size),
        deep_share=float((reached > 3).mean()) if reached.size else 0.0,
        max_depth=int(reached.max()) if reached.size else -1,
        findings=findings,
        seconds=dict(result.seconds),
    )
