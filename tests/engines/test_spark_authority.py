"""Domain ranks on Spark equal the local engine's: PageRank to 1e-9, harmonic centrality
exactly (exact counters) and to float rounding (HyperLogLog with the same hash seed).

Each HyperBall step is a few Spark jobs: the graphs are tiny.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from linkflow.authority.domains import DomainGraph, simple_edges
from linkflow.authority.ranks import local_ranks
from linkflow.authority.spark import spark_ranks
from tests.authority.release import DOMAINS, EDGES, HC

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1200)]


def _graph(n: int, src: np.ndarray, dst: np.ndarray) -> DomainGraph:
    import pyarrow as pa

    s, d = simple_edges(n, src, dst)
    return DomainGraph(pa.array([f"com.d{i:04d}" for i in range(n)]), None, s, d)


def test_spark_ranks_equal_local_on_golden_and_random_graphs(spark: Any, tmp_path: Path) -> None:
    golden = _graph(5, np.array([a for a, _ in EDGES]), np.array([b for _, b in EDGES]))
    on_spark = spark_ranks(spark, golden, tmp_path / "golden", hc_mode="exact")
    assert on_spark.harmonic.tolist() == pytest.approx([HC[d] for d in DOMAINS], abs=1e-6)
    local = local_ranks(golden, hc_mode="exact")
    assert np.allclose(on_spark.pagerank, local.pagerank, rtol=1e-9, atol=0)

    g = nx.gnm_random_graph(30, 80, directed=True, seed=5)
    edges = np.array(sorted(g.edges()))
    graph = _graph(30, edges[:, 0], edges[:, 1])
    here = local_ranks(graph, hc_mode="hll", log2m=4, seed=3)
    there = spark_ranks(spark, graph, tmp_path / "hll", hc_mode="hll", log2m=4, seed=3)
    assert np.allclose(there.harmonic, here.harmonic, rtol=1e-6, atol=0)
    assert np.allclose(there.pagerank, here.pagerank, rtol=1e-9, atol=0)
    assert here.harmonic.any()  # the counters did grow: the comparison is not of zeros
