"""Click depth and link counts on Spark DataFrames (the exchange tables of
:mod:`linkflow.engines.spark.exchange`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["spark_click_depth", "spark_link_counts"]


def spark_click_depth(edges: DataFrame, roots: DataFrame) -> DataFrame:
    """``node``, ``depth``: fewest clicks from any of ``roots`` (column ``node``) along the
    edges, breadth-first, one Spark job per level; unreachable nodes have no row."""
    from pyspark.sql import functions as F

    links = edges.select("src", "dst")
    frontier = roots.select("node").distinct().localCheckpoint(eager=True)
    seen = frontier.withColumn("depth", F.lit(0)).localCheckpoint(eager=True)
    level = 0
    while True:
        reached = (
            links.join(frontier.withColumnRenamed("node", "src"), "src")
            .select(F.col("dst").alias("node"))
            .distinct()
            .join(seen, "node", "left_anti")
            .localCheckpoint(eager=True)
        )
        if reached.isEmpty():
            return seen
        level += 1
        seen = seen.unionByName(reached.withColumn("depth", F.lit(level))).localCheckpoint(
            eager=True
        )
        frontier = reached


def spark_link_counts(edges: DataFrame, nodes: DataFrame) -> DataFrame:
    """``node``, ``inlinks``, ``outlinks``, ``content_inlinks``, ``content_outlinks`` (edge
    counts; 0 where none) for every node of ``nodes``."""
    from pyspark.sql import functions as F

    content = F.col("content").cast("long")
    out = edges.groupBy(F.col("src").alias("node")).agg(
        F.count("*").alias("outlinks"), F.sum(content).alias("content_outlinks")
    )
    into = edges.groupBy(F.col("dst").alias("node")).agg(
        F.count("*").alias("inlinks"), F.sum(content).alias("content_inlinks")
    )
    cols = ["inlinks", "outlinks", "content_inlinks", "content_outlinks"]
    joined = nodes.select("node").join(out, "node", "left").join(into, "node", "left")
    return joined.select("node", *[F.coalesce(F.col(c), F.lit(0)).alias(c) for c in cols])
