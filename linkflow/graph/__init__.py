"""The graph stage: the link graph built from a crawl, PageRank and click depth.

::

    graph = build_graph(store, crawl_id, settings.graph)
    result = pagerank(graph, damping=0.85, tolerance=0.01)
    scores = equity_scores(result.scores)          # 0–100 log scale
    depth = click_depth(graph, [graph.node_of(home_url_id)])
"""

from linkflow.graph.model import LinkGraph, Targets, build_graph, from_edges, position_weights
from linkflow.graph.pagerank import PageRankResult, click_depth, equity_scores, pagerank

__all__ = [
    "LinkGraph",
    "PageRankResult",
    "Targets",
    "build_graph",
    "click_depth",
    "equity_scores",
    "from_edges",
    "pagerank",
    "position_weights",
]
