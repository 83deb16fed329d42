"""PageRank on Spark DataFrames: the step, stopping rule and error bound of
:func:`linkflow.graph.pagerank`, one Spark job of two stages per iteration.

One step, as locally: ``y = α·Pᵀx``, then ``y += (1 − Σy)·v``. Σy needs no extra pass:
``Σ_j (Pᵀx)_j = Σ_i x_i·f_i`` with ``f_i`` the share of node i's out-weight that follows
an edge (0 for a dangling node, below 1 when nofollow evaporates), so the aggregate that
measures ``δ = ‖y − x‖₁`` of one step also yields Σy of the next. The driver holds three
numbers per iteration; every vector stays on the executors.

Why the plan is shaped so: the per-edge work dominates at scale, so the links (src, dst, p)
are hash-partitioned by src once and cached, and never shuffled again; each iteration hashes
only the state (one row per node) into the same partitions to join it with them, shuffles
only the map-side partial sums per dst (at most one row per node and partition, not one per
edge), and truncates the lineage with a local checkpoint, so the plan does not grow with
the iteration count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkflow.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["SparkRank", "spark_pagerank"]


@dataclass(frozen=True, slots=True)
class SparkRank:
    """The scores (``node``, ``x``; they sum to 1) and what the solver guarantees, as in
    :class:`linkflow.graph.PageRankResult`."""

    scores: DataFrame
    iterations: int
    l1_bound: float
    relative_bound: float
    converged: bool


def _check(damping: float, tolerance: float) -> None:
    if not 0.0 <= damping < 1.0:
        raise ConfigError(f"graph.damping must be in [0, 1), got {damping}")
    if tolerance <= 0:
        raise ConfigError(f"graph.tolerance must be positive, got {tolerance}")


def _partitions(frame: DataFrame) -> int:
    """The session's shuffle partition count: the links, the state and the per-iteration
    shuffle all use it, so that each join pairs partitions without moving the links."""
    value = frame.sparkSession.conf.get("spark.sql.shuffle.partitions")
    return max(1, int(value or 1))


def spark_pagerank(
    edges: DataFrame,
    nodes: DataFrame,
    start: DataFrame,
    *,
    damping: float = 0.85,
    tolerance: float = 0.01,
    max_iterations: int = 1000,
    on_iteration: Callable[[int, float], None] | None = None,
) -> SparkRank:
    """PageRank within ``tolerance`` relative error on every page with a teleport share.

    ``edges``: src, dst, weight; ``nodes``: node, out_weight (the exchange tables of
    :mod:`linkflow.engines.spark.exchange`); ``start``: node, v (teleport, summing to 1),
    x0 (first iterate, summing to 1) for every node. Raises :class:`ConfigError` for a
    damping outside [0, 1) or a non-positive tolerance. ``on_iteration`` is called after
    each iteration with its number and the L1 error bound (for progress and timing). The
    cached links are released before returning; the scores read a local checkpoint.
    """
    from pyspark.sql import functions as F

    _check(damping, tolerance)
    parts = _partitions(edges)
    scale = nodes.select(
        F.col("node").alias("src"),
        F.when(F.col("out_weight") > 0, F.lit(1.0) / F.col("out_weight"))
        .otherwise(F.lit(0.0))
        .alias("scale"),
    )
    # p_ij = w_ij · (1 / W_i), multiplied in the order the local engine's Pᵀ is built
    links = (
        edges.join(scale, "src")
        .select("src", "dst", (F.col("weight") * F.col("scale")).alias("p"))
        .repartition(parts, "src")
        .cache()
    )
    try:
        share = links.groupBy("src").agg(F.sum("p").alias("f")).withColumnRenamed("src", "node")
        state = (
            start.join(share, "node", "left")
            .select(
                "node", "v", F.coalesce(F.col("f"), F.lit(0.0)).alias("f"), F.col("x0").alias("x")
            )
            .repartition(parts, "node")
            .localCheckpoint(eager=True)
        )
        head = state.agg(F.min(F.when(F.col("v") > 0, F.col("v"))).alias("vmin"),
                         F.sum(F.col("x") * F.col("f")).alias("flow")).first()  # fmt: skip
        if head is None or head["vmin"] is None:
            return SparkRank(state.select("node", "x"), 0, 0.0, 0.0, True)
        floor = (1.0 - damping) * float(head["vmin"])
        target_l1 = tolerance * floor
        factor = damping / (1.0 - damping)
        moved = damping * float(head["flow"])  # Σ of α·Pᵀx for the current x
        l1, total, iterations = 2.0, 1.0, 0
        while iterations < max_iterations:
            # the state side is the smaller one: hash it, stream the links past it
            current = state.select(F.col("node").alias("src"), "x").hint("shuffle_hash")
            pulled = (
                links.join(current, "src")
                .groupBy("dst")
                .agg(F.sum(F.col("p") * F.col("x")).alias("s"))
                .withColumnRenamed("dst", "node")
            )
            pull = F.coalesce(F.col("s"), F.lit(0.0))
            y = F.lit(damping) * pull + F.lit(1.0 - moved) * F.col("v")
            nxt = (
                state.join(pulled.hint("shuffle_hash"), "node", "left")
                .select("node", "v", "f", y.alias("x"), F.col("x").alias("x_old"))
                .localCheckpoint(eager=False)
            )
            row = nxt.agg(
                F.sum(F.abs(F.col("x") - F.col("x_old"))).alias("delta"),
                F.sum(F.col("x") * F.col("f")).alias("flow"),
                F.sum("x").alias("total"),
            ).first()
            assert row is not None
            state = nxt.drop("x_old")
            iterations += 1
            moved = damping * float(row["flow"])
            total = float(row["total"])
            l1 = factor * float(row["delta"])
            if on_iteration is not None:
                on_iteration(iterations, l1)
            if l1 <= target_l1:
                break
    finally:
        links.unpersist()  # the cached links are needed no more, whatever happened
    scores = state.select("node", (F.col("x") / F.lit(total)).alias("x"))
    return SparkRank(scores, iterations, l1, l1 / floor, l1 <= target_l1)
