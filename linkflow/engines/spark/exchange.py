"""The Parquet files the engines exchange: the crawl's tables or the built graph in, per-node
results out.

The graph follows one definition of its rules (redirect and canonical collapse, nofollow,
position weights, duplicates): :func:`linkflow.graph.build_graph` on the driver, or
:func:`linkflow.engines.spark.build.spark_build_graph` on Spark from the crawl's ``pages``
and ``links`` (:func:`write_crawl` exports them). Spark computes on two tables, which
another pipeline may also write itself:

- ``edges/``: ``src``, ``dst`` (int64 node keys, no self-links, one row per pair),
  ``weight`` (float64 > 0), ``content`` (bool: includes a main-content link);
- ``nodes/``: ``node`` (int64 key), ``out_weight`` (float64: W_i, the edge weights plus
  any evaporated nofollow weight; 0 for a dangling node).

A node key is 0..n-1 for an exported :class:`~linkflow.graph.LinkGraph`, the url id for a
graph built on Spark; per-node vectors travel with the keys (``keys``: the key of each
local node, None for 0..n-1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from linkflow.engines.spark.build import LINK_COLUMNS, PAGE_COLUMNS
from linkflow.graph import LinkGraph
from linkflow.store import Store
from linkflow.store.export import copy_query

__all__ = ["node_index", "read_column", "write_crawl", "write_graph", "write_vectors"]


def write_crawl(store: Store, crawl_id: int, folder: Path) -> tuple[Path, Path]:
    """Export the columns of ``crawl_id``'s pages and links that the Spark build reads to
    ``folder/pages.parquet`` and ``folder/links.parquet`` (streamed by DuckDB, never through
    Python); returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "pages.parquet", folder / "links.parquet"
    for table, columns, path in zip(
        ("pages", "links"), (PAGE_COLUMNS, LINK_COLUMNS), paths, strict=True
    ):
        select = f"SELECT {', '.join(columns)} FROM {table} WHERE crawl_id = {int(crawl_id)}"
        copy_query(store, select, "parquet", path, neutralise=False)
    return paths


def write_graph(graph: LinkGraph, folder: Path) -> Path:
    """Write ``graph``'s edge and node tables under ``folder``; returns ``folder``."""
    (folder / "edges").mkdir(parents=True, exist_ok=True)
    (folder / "nodes").mkdir(parents=True, exist_ok=True)
    src = np.repeat(np.arange(graph.n, dtype=np.int64), graph.out_degree)
    edges = pa.table(
        {
            "src": pa.array(src),
            "dst": pa.array(graph.indices.astype(np.int64)),
            "weight": pa.array(graph.weights.astype(np.float64)),
            "content": pa.array(np.asarray(graph.content, dtype=bool)),
        }
    )
    nodes = pa.table(
        {
            "node": pa.array(np.arange(graph.n, dtype=np.int64)),
            "out_weight": pa.array(graph.out_weight.astype(np.float64)),
        }
    )
    pq.write_table(edges, folder / "edges" / "part-0.parquet")
    pq.write_table(nodes, folder / "nodes" / "part-0.parquet")
    return folder


def write_vectors(path: Path, keys: np.ndarray | None = None, **columns: np.ndarray) -> Path:
    """Write per-node vectors (aligned with local node ids) as a ``node`` + columns table,
    ``node`` being each node's key (``keys``; None: 0..n-1)."""
    path.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(columns.values()))) if columns else 0
    node = np.arange(n, dtype=np.int64) if keys is None else np.asarray(keys, dtype=np.int64)
    table = pa.table({"node": pa.array(node), **columns})
    pq.write_table(table, path / "part-0.parquet")
    return path


def node_index(keys: np.ndarray | None, found: np.ndarray) -> np.ndarray:
    """The local node id of each key in ``found`` (``keys`` as for :func:`write_vectors`);
    -1 where ``found`` names no local node."""
    found = np.asarray(found, dtype=np.int64)
    if keys is None:
        return found
    keys = np.asarray(keys, dtype=np.int64)
    if keys.size == 0:
        return np.full(found.size, -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    at = np.minimum(np.searchsorted(ranked, found), keys.size - 1)
    return np.where(ranked[at] == found, order[at], -1)


def read_column(
    path: Path, column: str, n: int, fill: float | int = 0, keys: np.ndarray | None = None
) -> np.ndarray:
    """Read ``column`` of the per-node result table Spark wrote at ``path`` as an array of
    length ``n`` indexed by local node id (``keys`` as for :func:`write_vectors`; ``fill``
    where a node has no row). Raises ``ValueError`` for a row of no local node."""
    table = pq.read_table(path, columns=["node", column])
    values = table[column].to_numpy(zero_copy_only=False)
    out = np.full(n, fill, dtype=values.dtype if values.size else np.float64)
    at = node_index(keys, table["node"].to_numpy())
    if (at < 0).any():
        raise ValueError(f"{path}: {int((at < 0).sum())} row(s) of no node of the graph")
    out[at] = values
    return out
