"""Which engine computes on a built graph: the contract, and the local (numpy) engine.

:func:`linkflow.graph.build_graph` is the one definition of the rules (redirect/canonical
collapse, nofollow, position weights, duplicates) and always builds the graph the later
stages hold in memory. An engine computes on the built, collapsed, weighted edge list:
PageRank, click depth and link counts per node. The local engine does so in memory;
:class:`linkflow.engines.spark.SparkEngine` builds the same graph again on Spark from the
crawl's tables (:meth:`GraphEngine.prepare`) and computes there; it must return the same
numbers (to rounding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from linkflow.graph.model import LinkGraph
from linkflow.graph.pagerank import PageRankResult, click_depth, pagerank
from linkflow.settings import GraphSettings
from linkflow.store import Store

__all__ = ["LOCAL", "GraphEngine", "GraphStats", "LocalEngine", "graph_stats"]


@dataclass(frozen=True, slots=True)
class GraphStats:
    """Edge counts per node (arrays of length graph.n): all edges in and out, and those
    that include a link in the main content. An orphan node has no inlinks (and is not a
    root); a dead end has no outlinks."""

    inlinks: np.ndarray
    outlinks: np.ndarray
    content_inlinks: np.ndarray
    content_outlinks: np.ndarray


class GraphEngine(Protocol):
    """What the internal analysis asks of an engine; every method reads the graph only."""

    name: str

    def prepare(
        self, store: Store, crawl_id: int, settings: GraphSettings, graph: LinkGraph
    ) -> None:
        """``graph`` is ``crawl_id``'s graph, built in memory with ``settings``; an engine that
        builds its own copy of it (from the crawl's tables) does so here and serves the
        calls on ``graph`` from that copy, mapping results back by url id."""
        ...

    def pagerank(
        self,
        graph: LinkGraph,
        *,
        damping: float,
        tolerance: float,
        teleport: ArrayLike | None = None,
        x0: ArrayLike | None = None,
        max_iterations: int = 1000,
    ) -> PageRankResult:
        """PageRank with the contract of :func:`linkflow.graph.pagerank`."""
        ...

    def click_depth(self, graph: LinkGraph, roots: ArrayLike) -> np.ndarray:
        """Click depth with the contract of :func:`linkflow.graph.click_depth`."""
        ...

    def stats(self, graph: LinkGraph) -> GraphStats:
        """Edge counts per node (:class:`GraphStats`)."""
        ...


def graph_stats(graph: LinkGraph) -> GraphStats:
    """:class:`GraphStats` of ``graph``, computed in memory."""
    rows = np.repeat(np.arange(graph.n), graph.out_degree)
    return GraphStats(
        inlinks=np.asarray(graph.in_degree, dtype=np.int64),
        outlinks=np.asarray(graph.out_degree, dtype=np.int64),
        content_inlinks=np.bincount(graph.indices[graph.content], minlength=graph.n),
        content_outlinks=np.bincount(rows[graph.content], minlength=graph.n),
    )


class LocalEngine:
    """The in-memory engine (numpy and scipy on this machine); the default."""

    name = "local"

    def prepare(
        self, store: Store, crawl_id: int, settings: GraphSettings, graph: LinkGraph
    ) -> None:
        """Nothing to do: the local engine computes on ``graph`` itself."""

    def pagerank(
        self,
        graph: LinkGraph,
        *,
        damping: float,
        tolerance: float,
        teleport: ArrayLike | None = None,
        x0: ArrayLike | None = None,
        max_iterations: int = 1000,
    ) -> PageRankResult:
        """:func:`linkflow.graph.pagerank`."""
        return pagerank(
            graph,
            damping=damping,
            tolerance=tolerance,
            teleport=teleport,
            x0=x0,
            max_iterations=max_iterations,
        )

    def click_depth(self, graph: LinkGraph, roots: ArrayLike) -> np.ndarray:
        """:func:`linkflow.graph.click_depth`."""
        return click_depth(graph, roots)

    def stats(self, graph: LinkGraph) -> GraphStats:
        """:func:`graph_stats`."""
        return graph_stats(graph)


LOCAL: GraphEngine = LocalEngine()
"""The default engine."""
