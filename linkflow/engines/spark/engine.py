"""The Spark engine: the :class:`linkflow.graph.engine.GraphEngine` contract on Spark.

For a crawl (:meth:`SparkEngine.prepare`) the crawl's pages and links are exported to
Parquet in the work folder and the graph is built on Spark by the local rules
(:func:`.build.spark_build_graph`, nodes keyed by url id); a plain graph (generated, or
built elsewhere) is exported as it is (:mod:`.exchange`, nodes keyed 0..n-1). Spark
computes on those tables and writes its per-node results as Parquet there, which are read
back, by node key, into the arrays the internal analysis stores like the local engine's.
On a cluster the work folder must be one every executor reads and writes (a shared mount).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np
import pyarrow.parquet as pq
from numpy.typing import ArrayLike

from linkflow.engines.spark.build import spark_build_graph
from linkflow.engines.spark.exchange import (
    read_column,
    write_crawl,
    write_graph,
    write_vectors,
)
from linkflow.engines.spark.pagerank import spark_pagerank
from linkflow.engines.spark.session import DEFAULT_MASTER, spark_session
from linkflow.engines.spark.traverse import spark_click_depth, spark_link_counts
from linkflow.errors import AnalysisError
from linkflow.graph import LinkGraph, PageRankResult
from linkflow.graph.engine import GraphStats
from linkflow.graph.pagerank import start_vector, teleport_vector
from linkflow.settings import GraphSettings
from linkflow.store import Store

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkEngine"]


@dataclass(frozen=True, slots=True)
class _Tables:
    """Where a graph's ``edges/`` and ``nodes/`` tables are, and the key of each local node
    in them (None: 0..n-1)."""

    graph: LinkGraph
    folder: Path
    keys: np.ndarray | None


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
        self._graphs: dict[int, _Tables] = {}
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

    def _tables(self, graph: LinkGraph) -> _Tables:
        known = self._graphs.get(id(graph))
        if known is not None and known.graph is graph:
            return known
        folder = write_graph(graph, self.work_dir / f"graph-{len(self._graphs)}")
        tables = self._graphs[id(graph)] = _Tables(graph, folder, None)
        return tables

    def prepare(
        self, store: Store, crawl_id: int, settings: GraphSettings, graph: LinkGraph
    ) -> None:
        """Build ``crawl_id``'s graph on Spark from its pages and links (exported to the
        work folder) and compute on it whenever ``graph``, the same graph built in memory,
        is asked about. Raises :class:`AnalysisError` if the two disagree on the nodes."""
        folder = self.work_dir / f"crawl-{len(self._graphs)}"
        pages, links = write_crawl(store, crawl_id, folder / "input")
        read = self.spark.read
        built = spark_build_graph(
            read.parquet(str(pages)), read.parquet(str(links)), settings, crawl_id
        )
        built.edges.write.mode("overwrite").parquet(str(folder / "edges"))
        built.nodes.select("node", "out_weight").write.mode("overwrite").parquet(
            str(folder / "nodes")
        )
        keys = np.asarray(graph.node_url_ids, dtype=np.int64)
        found = pq.read_table(folder / "nodes", columns=["node"])["node"].to_numpy()
        if found.size != graph.n or not np.array_equal(np.sort(found), np.sort(keys)):
            raise AnalysisError(
                f"crawl {crawl_id}: the graph built on Spark has {found.size} nodes, the "
                f"local one {graph.n}; run the analysis with --engine local and report this"
            )
        self._graphs[id(graph)] = _Tables(graph, folder, keys)

    def _run_dir(self, what: str) -> Path:
        self._runs += 1
        return self.work_dir / f"{what}-{self._runs}"

    def tables(self, graph: LinkGraph) -> tuple[DataFrame, DataFrame]:
        """The graph's edge and node tables as Spark DataFrames (exported on first use)."""
        folder = self._tables(graph).folder
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
        keys = self._tables(graph).keys
        v = teleport_vector(graph.n, teleport)
        start = write_vectors(self._run_dir("start"), keys, v=v, x0=start_vector(graph.n, x0, v))
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
        scores = read_column(out, "x", graph.n, 0.0, keys).astype(np.float64)
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
        keys = self._tables(graph).keys
        roots_at = ids if keys is None else keys[ids]
        roots_df = self.spark.createDataFrame([(int(i),) for i in roots_at], "node long")
        out = self._run_dir("depth")
        spark_click_depth(edges, roots_df).write.mode("overwrite").parquet(str(out))
        return read_column(out, "depth", graph.n, -1, keys).astype(np.int32)

    def stats(self, graph: LinkGraph) -> GraphStats:
        """Edge counts per node on Spark."""
        if graph.n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return GraphStats(empty, empty, empty, empty)
        edges, nodes = self.tables(graph)
        keys = self._tables(graph).keys
        out = self._run_dir("links")
        spark_link_counts(edges, nodes).write.mode("overwrite").parquet(str(out))

        def col(name: str) -> np.ndarray:
            return read_column(out, name, graph.n, 0, keys).astype(np.int64)

        return GraphStats(
            col("inlinks"), col("outlinks"), col("content_inlinks"), col("content_outlinks")
        )
