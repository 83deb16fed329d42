"""The backlink-seeded PageRank of the authority flow, solved on Spark.

On the golden mini-site tests/sites/trapped-blog, whose hand-written edge list and backlink
authority give the flow by networkx: the Spark engine's flow matches that reference, equals
the local engine's to 1e-9 in the same number of iterations, and the money pages' sources
and fixes built on it are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
import numpy as np
import pytest

from linkflow.analyses.flow import FlowResult, run_flow
from linkflow.analyses.internal import run_internal
from linkflow.analyses.money import prepare_money
from linkflow.engines.spark import SparkEngine
from linkflow.graph import LinkGraph, PageRankResult
from tests.analyses.test_flow_sites import EXPECTED, SITE, audit_site

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1800)]


class CountingEngine(SparkEngine):
    """The Spark engine, counting its PageRank solves."""

    solves = 0

    def pagerank(self, graph: LinkGraph, **kwargs: Any) -> PageRankResult:
        self.solves += 1
        return super().pagerank(graph, **kwargs)


@pytest.fixture(scope="module")
def flows(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlowResult, ...]]:
    audit = audit_site(SITE / "site", tmp_path_factory.mktemp("trapped") / "audit")
    settings = prepare_money(audit.settings)
    internal = run_internal(audit.store, audit.crawl_id(), settings)
    local = run_flow(audit.store, internal, settings)
    with CountingEngine(session=spark, work_dir=tmp_path_factory.mktemp("spark")) as engine:
        on_spark = run_flow(audit.store, internal, settings, engine=engine)
    assert engine.solves == 1  # the seeded solve went through Spark, not the local solver
    yield local, on_spark
    audit.close()


def test_spark_flow_is_networkx_pagerank_seeded_by_the_backlinks(
    flows: tuple[FlowResult, FlowResult],
) -> None:
    _, flow = flows
    g = nx.DiGraph()
    g.add_weighted_edges_from(EXPECTED["edges"])
    n, beta = g.number_of_nodes(), flow.settings.analyse.backlink_beta
    authority = EXPECTED["flow"]["authority"]
    total = sum(authority.values())
    v = {p: (1 - beta) / n + beta * authority.get(p, 0.0) / total for p in g}
    ref = nx.pagerank(g, alpha=0.85, personalization=v, tol=1e-14 / n, max_iter=10_000)
    base = EXPECTED["base_url"]
    got = {
        "/" + u.removeprefix(base): float(x)
        for u, x in zip(flow.graph.urls, flow.solver.scores, strict=True)
    }
    assert set(got) == set(ref)
    for page, value in ref.items():
        assert got[page] == pytest.approx(value, rel=1e-9), page


def test_spark_flow_equals_the_local_flow(flows: tuple[FlowResult, FlowResult]) -> None:
    local, spark = flows
    assert spark.solver.iterations == local.solver.iterations
    np.testing.assert_allclose(spark.solver.scores, local.solver.scores, rtol=1e-9, atol=0)
    np.testing.assert_allclose(spark.values, local.values, rtol=1e-9, atol=1e-15)
    assert [(f.source, f.target) for f in spark.fixes] == [
        (f.source, f.target) for f in local.fixes
    ]
    assert spark.fixes  # the golden site has a trapped post to fix
