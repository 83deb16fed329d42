"""Spark overhead: the same PageRank on the local engine and on Spark ``local[2]``.

The site of bench/graph_bench.py (N pages, 20·N links; default 1M pages / 20M links) is
generated into a temporary store, its graph built once by the local rules, then solved to
the 1 %-per-page bound by the local engine and by the Spark engine (same damping, teleport,
stopping rule; the scores are compared). Prints seconds, iterations, the per-edge cost of
one Spark iteration and the overhead factor (Spark / local).

    python bench/spark_bench.py [--pages N] [--master local[2]]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from graph_bench import generate

from linkflow.engines.spark import SparkEngine, spark_session
from linkflow.graph import build_graph, pagerank
from linkflow.settings import Settings
from linkflow.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    gs = Settings().graph
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "audit.duckdb", args.pages)
        with Store.open(Path(tmp) / "audit.duckdb") as store:
            graph = build_graph(store, int(store.scalar("SELECT max(id) FROM crawls")), gs)
        edges = int(graph.indices.size)
        print(f"graph: {graph.n:,} nodes, {edges:,} edges")
        t = time.perf_counter()
        local = pagerank(graph, damping=gs.damping, tolerance=gs.tolerance)
        local_s = time.perf_counter() - t
        print(f"local PageRank: {local_s:.2f} s, {local.iterations} iterations")
        t = time.perf_counter()
        spark = spark_session(args.master, shuffle_partitions=args.partitions)
        print(f"Spark session start: {time.perf_counter() - t:.1f} s")
        with SparkEngine(session=spark, work_dir=Path(tmp) / "spark") as engine:
            t = time.perf_counter()
            engine.tables(graph)
            export_s = time.perf_counter() - t
            t = time.perf_counter()
            result = engine.pagerank(graph, damping=gs.damping, tolerance=gs.tolerance)
            spark_s = time.perf_counter() - t
    worst = float(np.max(np.abs(result.scores - local.scores) / local.scores))
    per_edge = spark_s / max(result.iterations, 1) / max(edges, 1)
    print(f"Parquet export: {export_s:.2f} s")
    print(f"Spark PageRank ({args.master}): {spark_s:.2f} s, {result.iterations} iterations")
    print(f"largest relative difference: {worst:.2e}")
    print(f"Spark cost per edge and iteration: {per_edge * 1e9:.1f} ns")
    print(f"overhead factor (Spark / local): {spark_s / local_s:.1f}x")


if __name__ == "__main__":
    main()
