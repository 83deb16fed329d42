"""The domain ranks on Apache Spark: the numbers of :func:`~linkflow.authority.ranks.local_ranks`
from DataFrames.

PageRank is :func:`linkflow.engines.spark.pagerank.spark_pagerank` on the domain graph
(weight 1 per edge, uniform teleport). HyperBall keeps each counter as rows
``(node, pos, val)``: in exact mode one row per member of the ball (``pos`` the member,
``val`` 1), in HyperLogLog mode one row per non-zero register, set at the start from the
same hash as the local engine (:func:`~linkflow.authority.hyperball.hll_start`). A step
sends only the rows that changed in the previous step along the edges (a ball that did not
grow adds nothing new), keeps the register-wise max of what arrives, and the rows that beat
the stored ones are the next step's changes. Sizes and HC follow the local formulas, so the
results equal the local engine's to float rounding.

The release files are read and folded on the driver (:mod:`~linkflow.authority.domains`);
the edge table then goes to Spark as Parquet in the engine's work folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from linkflow.authority.domains import DomainGraph
from linkflow.authority.hyperball import EXACT_MAX_NODES, Mode, default_mode, hll_start
from linkflow.authority.ranks import DAMPING, TOLERANCE, DomainRanks
from linkflow.engines.spark.exchange import read_column
from linkflow.engines.spark.pagerank import spark_pagerank
from linkflow.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["spark_harmonic", "spark_ranks"]


def _alpha(m: int) -> float:
    return {16: 0.673, 32: 0.697, 64: 0.709}.get(m, 0.7213 / (1.0 + 1.079 / m))


def _size(mode: str, m: int) -> Column:
    """The ball size of one node from its rows (the local :func:`_sizes`)."""
    from pyspark.sql import functions as F

    if mode == "exact":
        return F.count(F.lit(1)).cast("double")
    zeros = F.lit(float(m)) - F.count(F.lit(1)).cast("double")
    total = F.sum(F.pow(F.lit(2.0), -F.col("val"))) + zeros
    raw = F.lit(_alpha(m) * m * m) / total
    linear = F.lit(float(m)) * F.log(F.lit(float(m)) / zeros)
    return F.when((raw <= 2.5 * m) & (zeros > 0), linear).otherwise(raw)


def spark_harmonic(
    spark: SparkSession,
    edges: DataFrame,
    n: int,
    work: Path,
    *,
    mode: Mode = "hll",
    log2m: int = 7,
    seed: int = 0,
) -> DataFrame:
    """HC per node (``node``, ``hc``) of the graph ``edges`` (``src``, ``dst``; no
    self-loops, no duplicates) with nodes 0..n-1, as in
    :func:`~linkflow.authority.hyperball.harmonic_centrality`. The start counters are
    written under ``work``."""
    from pyspark.sql import functions as F

    nodes = np.arange(n, dtype=np.int64)
    if mode == "exact":
        if n > EXACT_MAX_NODES:
            raise ConfigError(f"exact harmonic centrality is for up to {EXACT_MAX_NODES:,} nodes")
        pos, val = nodes, np.ones(n, dtype=np.int32)
    else:
        index, value = hll_start(nodes, log2m, seed)
        pos, val = index, value.astype(np.int32)
    (work / "counters").mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table({"node": nodes, "pos": pos.astype(np.int64), "val": val}),
        work / "counters" / "part-0.parquet",
    )
    regs = spark.read.parquet(str(work / "counters")).localCheckpoint(eager=True)
    m = 1 << log2m
    sizes = (
        regs.groupBy("node").agg(_size(mode, m).alias("size"))
        .withColumn("hc", F.lit(0.0)).localCheckpoint(eager=True)
    )  # fmt: skip
    delta, step = regs, 0
    links = edges.select("src", "dst")
    while True:
        step += 1
        arrived = (
            links.join(delta.withColumnRenamed("node", "src"), "src")
            .groupBy(F.col("dst").alias("node"), "pos")
            .agg(F.max("val").alias("val"))
        )
        better = (
            arrived.join(regs.withColumnRenamed("val", "old"), ["node", "pos"], "left")
            .where(F.col("old").isNull() | (F.col("val") > F.col("old")))
            .select("node", "pos", "val")
            .localCheckpoint(eager=True)
        )
        if better.isEmpty():
            break
        regs = (
            regs.join(better, ["node", "pos"], "left_anti").unionByName(better)
            .localCheckpoint(eager=True)
        )  # fmt: skip
        grew = better.select("node").distinct()
        fresh = (
            regs.join(grew, "node", "left_semi").groupBy("node").agg(_size(mode, m).alias("new"))
        )
        sizes = (
            sizes.join(fresh, "node", "left")
            .select(
                "node",
                F.coalesce(F.col("new"), F.col("size")).alias("size"),
                (F.col("hc") + F.coalesce((F.col("new") - F.col("size")) / F.lit(float(step)),
                                          F.lit(0.0))).alias("hc"),
            )
            .localCheckpoint(eager=True)
        )  # fmt: skip
        delta = better
    return sizes.select("node", "hc")


def spark_ranks(
    spark: SparkSession,
    graph: DomainGraph,
    work: Path,
    *,
    hc_mode: Mode | None = None,
    log2m: int = 7,
    seed: int = 0,
    tolerance: float = TOLERANCE,
) -> DomainRanks:
    """:func:`~linkflow.authority.ranks.local_ranks` on Spark; ``work`` is a folder every
    executor reads and writes (the exchanged Parquet files)."""
    from pyspark.sql import functions as F

    mode = hc_mode or default_mode(graph.n)
    n = graph.n
    (work / "edges").mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table({"src": graph.src, "dst": graph.dst, "weight": np.ones(graph.src.size)}),
        work / "edges" / "part-0.parquet",
    )
    edges = spark.read.parquet(str(work / "edges"))
    out_degree = np.bincount(graph.src, minlength=n).astype(np.float64)
    (work / "nodes").mkdir(parents=True, exist_ok=True)
    v = np.full(n, 1.0 / n) if n else np.zeros(0)
    pq.write_table(
        pa.table({"node": np.arange(n, dtype=np.int64), "out_weight": out_degree, "v": v, "x0": v}),
        work / "nodes" / "part-0.parquet",
    )
    nodes = spark.read.parquet(str(work / "nodes"))
    rank = spark_pagerank(
        edges, nodes.select("node", "out_weight"), nodes.select("node", "v", "x0"),
        damping=DAMPING, tolerance=tolerance,
    )  # fmt: skip
    rank.scores.write.mode("overwrite").parquet(str(work / "pagerank"))
    hc = spark_harmonic(spark, edges, n, work, mode=mode, log2m=log2m, seed=seed)
    hc.select("node", F.col("hc")).write.mode("overwrite").parquet(str(work / "harmonic"))
    pr = read_column(work / "pagerank", "x", n, 0.0).astype(np.float64)
    values = read_column(work / "harmonic", "hc", n, 0.0).astype(np.float64)
    return DomainRanks(graph, values.astype(np.float32), pr, mode)
