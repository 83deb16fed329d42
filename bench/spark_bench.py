"""Spark overhead: the same PageRank on the local engine and on Spark ``local[2]``.

The site of bench/graph_bench.py (N pages, 20·N links; default 1M pages / 20M links) is
generated into a temporary store, its graph built once by the local rules, then solved to
the 1 %-per-page bound by the local engine and by the Spark engine (same damping, teleport,
stopping rule; the scores are compared). Prints seconds, iterations, the per-edge cost of
one Spark iteration (wall time, and CPU time of the Spark JVM, which stays meaningful on a
machine shared with other work) and the overhead factor (Spark / local). Each Spark
iteration is logged as it ends, so a run cut short still gives the per-iteration cost.

With ``--spark-build`` the graph is also built on Spark from the crawl's pages and links
(their Parquet export, then :func:`linkflow.engines.spark.spark_build_graph`), timed against
the local build, and the Spark PageRank runs on that graph (nodes keyed by url id).

    python bench/spark_bench.py [--pages N] [--master local[2]] [--driver-memory 4g]
                                [--spark-build]
"""

from __future__ import annotations

import argparse
import os
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


def jvm_cpu() -> float:
    """CPU seconds used so far by the Java processes this process started (the local
    Spark driver and executors); 0 on a system without /proc."""
    total, me, tick = 0.0, os.getpid(), os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc") if os.path.isdir("/proc") else []):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
            if int(stat[1]) == me and b"java" in Path(f"/proc/{pid}/cmdline").read_bytes():
                total += (int(stat[11]) + int(stat[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--driver-memory", default="4g", help="local mode: the JVM's heap")
    parser.add_argument("--spark-build", action="store_true", help="build the graph on Spark")
    args = parser.parse_args()
    gs = Settings().graph
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "audit.duckdb", args.pages)
        t = time.perf_counter()
        with Store.open(Path(tmp) / "audit.duckdb") as store:
            crawl = int(store.scalar("SELECT max(id) FROM crawls"))
            graph = build_graph(store, crawl, gs)
        print(f"local graph build: {time.perf_counter() - t:.2f} s", flush=True)
        edges = int(graph.indices.size)
        print(f"graph: {graph.n:,} nodes, {edges:,} edges", flush=True)
        t = time.perf_counter()
        local = pagerank(graph, damping=gs.damping, tolerance=gs.tolerance)
        local_s = time.perf_counter() - t
        print(f"local PageRank: {local_s:.2f} s, {local.iterations} iterations", flush=True)
        t = time.perf_counter()
        conf = {"spark.driver.memory": args.driver_memory}
        spark = spark_session(args.master, shuffle_partitions=args.partitions, conf=conf)
        print(f"Spark session start: {time.perf_counter() - t:.1f} s", flush=True)
        with SparkEngine(session=spark, work_dir=Path(tmp) / "spark") as engine:
            t, cpu0 = time.perf_counter(), jvm_cpu()
            if args.spark_build:
                with Store.open(Path(tmp) / "audit.duckdb", read_only=True) as store:
                    engine.prepare(store, crawl, gs, graph)
                print(f"Spark graph build (pages/links export, build, edges/nodes written): "
                      f"{time.perf_counter() - t:.2f} s, JVM CPU {jvm_cpu() - cpu0:.1f} s",
                      flush=True)  # fmt: skip
            else:
                engine.tables(graph)
                print(f"Parquet export: {time.perf_counter() - t:.2f} s", flush=True)
            last = [time.perf_counter(), jvm_cpu()]

            def tick(k: int, l1: float) -> None:
                now, cpu = time.perf_counter(), jvm_cpu()
                print(f"  iteration {k}: {now - last[0]:.2f} s, JVM CPU {cpu - last[1]:.2f} s, "
                      f"bound {l1:.3g}", flush=True)  # fmt: skip
                last[:] = [now, cpu]

            t, cpu0 = time.perf_counter(), jvm_cpu()
            result = engine.pagerank(
                graph, damping=gs.damping, tolerance=gs.tolerance, on_iteration=tick
            )
            spark_s, spark_cpu = time.perf_counter() - t, jvm_cpu() - cpu0
    worst = float(np.max(np.abs(result.scores - local.scores) / local.scores))
    per_edge = spark_s / max(result.iterations, 1) / max(edges, 1)
    cpu_edge = spark_cpu / max(result.iterations, 1) / max(edges, 1)
    print(f"Spark PageRank ({args.master}): {spark_s:.2f} s, {result.iterations} iterations")
    print(f"Spark JVM CPU: {spark_cpu:.1f} s")
    print(f"largest relative difference: {worst:.2e}")
    print(f"Spark cost per edge and iteration: {per_edge * 1e9:.1f} ns wall, "
          f"{cpu_edge * 1e9:.1f} ns CPU")  # fmt: skip
    print(f"overhead factor (Spark / local): {spark_s / local_s:.1f}x")


if __name__ == "__main__":
    main()
