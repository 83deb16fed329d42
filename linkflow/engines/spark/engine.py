"""The Spark engine: the :class:`linkflow.graph.engine.GraphEngine` contract on Spark.

Each graph is exported once to Parquet in the work folder (:mod:`.exchange`); Spark reads
it, computes, and writes its per-node results as Parquet there, which are read back into
the arrays the internal analysis stores like the local engine's. On a cluster the work
folder must be one every executor reads and writes (a shared mount).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from linkflow.engines.spark.exchange import read_column, write_graph, write_vectors
from linkflow.engines.spark.pagerank import spark_pagerank
from linkflow.engines.spark.session import DEFAULT_MASTER, spark_session
from linkflow.engines.spark.traverse import spark_click_depth, spark_link_counts
from linkflow.graph import LinkGraph, PageRankResult
from linkflow.graph.engine import GraphStats
from linkflow.graph.pagerank import start_vector, teleport_vector

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkEngine"]


class SparkEngine:
    """Compute on Spark (``master`` as for :func:`.session.spark_session`).

    ``work_dir`` holds the exchanged Parquet files (a temporary folder, removed by
    :meth:`close`, when None). ``session`` reuses a running session instead.
    """

    name = "spark"

    def __init__(
        self,
        master: str = DEFAULT_MASTER,
        *,
        work_dir: Path | None = None,
        session: SparkSession | None = None,
    ) -> None:
        self.spark = session if session is not None else spark_session(master)
        self._own_dir = work_dir is None
        self.work_dir = (
            Path(tempfile.mkdtemp(prefix="linkflow-spark-")) if work_dir is None else work_dir
        )
        self._graphs: dict[int, tuple[LinkGraph, Path]] = {}
        self._runs = 0

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary work folder (the session stays for others to reuse)."""
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def _folder(self, graph: LinkGraph) -> Path:
        known = self._graphs.get(id(graph))
        if known is not None and known[0] is graph:
            return known[1]
        folder = write_graph(graph, self.work_dir / f"graph-{len(self._graphs)}")
        self._graphs[id(graph)] = (graph, folder)
        return folder

    def _run_dir(self, what: str) -> Path:
        self._runs += 1
        return self.work_dir / f"{what}-{self._runs}"

    def tables(self, graph: LinkGraph) -> tuple[DataFrame, DataFrame]:
        """The graph's edge and node tables as Spark DataFrames (exported on first use)."""
        folder = self._folder(graph)
        return (
            self.spark.read.parquet(str(folder / "edges")),
            self.spark.read.parquet(str(folder / "nodes")),
        )

    def pagerank(
        self,
        graph: LinkGraph,
        *,
        damping: float,
        tolerance: float,
        teleport: ArrayLike | None = None,
        x0: ArrayLike | None = None,
        max_iterations: int = 1000,
        on_iteration: Callable[[int, float], None] | None = None,
    ) -> PageRankResult:
        """:func:`linkflow.graph.pagerank` on Spark (same contract, same numbers);
        ``on_iteration`` as for :func:`.pagerank.spark_pagerank`."""
        if graph.n == 0:
            return PageRankResult(np.zeros(0), 0, 0.0, 0.0, True)
        v = teleport_vector(graph.n, teleport)
        start = write_vectors(self._run_dir("start"), v=v, x0=start_vector(graph.n, x0, v))
        edges, nodes = self.tables(graph)
        rank = spark_pagerank(
            edges,
            nodes,
            self.spark.read.parquet(str(start)),
            damping=damping,
            tolerance=tolerance,
            max_iterations=max_iterations,
            on_iteration=on_iteration,
        )
        out = self._run_dir("scores")
        rank.scores.write.mode("overwrite").parquet(str(out))
        scores = read_column(out, "x", graph.n, 0.0).astype(np.float64)
        return PageRankResult(
            scores, rank.iterations, rank.l1_bound, rank.relative_bound, rank.converged
        )

    def click_depth(self, graph: LinkGraph, roots: ArrayLike) -> np.ndarray:
        """:func:`linkflow.graph.click_depth` on Spark."""
        ids = np.unique(np.asarray(roots, dtype=np.int64))
        ids = ids[(ids >= 0) & (ids < graph.n)]
        if ids.size == 0 or graph.n == 0:
            return np.full(graph.n, -1, dtype=np.int32)
        edges, _ = self.tables(graph)
        roots_df = self.spark.createDataFrame([(int(i),) for i in ids], "node long")
        out = self._run_dir("depth")
        spark_click_depth(edges, roots_df).write.mode("overwrite").parquet(str(out))
        return read_column(out, "depth", graph.n, -1).astype(np.int32)

    def stats(self, graph: LinkGraph) -> GraphStats:
        """Edge counts per node on Spark."""
        if graph.n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return GraphStats(empty, empty, empty, empty)
        edges, nodes = self.tables(graph)
        out = self._run_dir("links")
        spark_link_counts(edges, nodes).write.mode("overwrite").parquet(str(out))

        def col(name: str) -> np.ndarray:
            return read_column(out, name, graph.n, 0).astype(np.int64)

        return GraphStats(
            col("inlinks"), col("outlinks"), col("content_inlinks"), col("content_outlinks")
        )
