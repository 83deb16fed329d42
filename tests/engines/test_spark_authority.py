"""Domain ranks on Spark equal the local engine's: PageRank to 1e-9, harmonic centrality
exactly (exact counters) and to float rounding (HyperLogLog with the same hash seed).

Each PageRank iteration and each HyperBall step is a few Spark jobs: the graphs are tiny
and the PageRank tolerance loose (both engines stop after the same iterations anyway).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from linkflow.authority.domains import DomainGraph, simple_edges
from linkflow.authority.hyperball import harmonic_centrality
from linkflow.authority.ranks import local_ranks
from linkflow.authority.spark import spark_harmonic, spark_ranks
from tests.authority.release import DOMAINS, EDGES, HC

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1200)]


def test_spark_ranks_equal_local_on_the_golden_graph(spark: Any, tmp_path: Path) -> None:
    src, dst = simple_edges(5, np.array([a for a, _ in EDGES]), np.array([b for _, b in EDGES]))
    golden = DomainGraph(pa.array(DOMAINS), None, src, dst)
    on_spark = spark_ranks(spark, golden, tmp_path, hc_mode="exact", tolerance=0.01)
    local = local_ranks(golden, hc_mode="exact", tolerance=0.01)
    assert on_spark.harmonic.tolist() == pytest.approx([HC[d] for d in DOMAINS], abs=1e-6)
    assert np.array_equal(on_spark.harmonic, local.harmonic)
    assert np.allclose(on_spark.pagerank, local.pagerank, rtol=1e-9, atol=0)


def test_spark_hyperball_equals_local_with_the_same_seed(spark: Any, tmp_path: Path) -> None:
    g = nx.gnm_random_graph(30, 80, directed=True, seed=5)
    src, dst = (np.array(c, dtype=np.int64) for c in zip(*sorted(g.edges()), strict=True))
    local = harmonic_centrality(30, src, dst, mode="hll", log2m=4, seed=3).values
    edges = spark.createDataFrame(list(zip(src.tolist(), dst.tolist(), strict=True)),
                                  "src long, dst long")  # fmt: skip
    rows = spark_harmonic(spark, edges, 30, tmp_path, mode="hll", log2m=4, seed=3).collect()
    on_spark = np.zeros(30)
    on_spark[[r["node"] for r in rows]] = [r["hc"] for r in rows]
    assert local.any()  # the counters grew: not a comparison of zeros
    assert np.allclose(on_spark, local, rtol=1e-9, atol=1e-12)
