"""The Parquet files the two engines exchange: the built graph in, per-node results out.

The local engine's :func:`linkflow.graph.build_graph` applies every graph rule (redirect and
canonical collapse, nofollow, position weights, duplicates); what Spark reads is its result,
so both engines compute on one definition of the graph. Another pipeline may write the
same two tables itself:

- ``edges/``: ``src``, ``dst`` (int64 node ids, no self-links, one row per pair),
  ``weight`` (float64 > 0), ``content`` (bool: includes a main-content link);
- ``nodes/``: ``node`` (int64, 0..n-1), ``out_weight`` (float64: W_i, the edge weights plus
  any evaporated nofollow weight; 0 for a dangling node).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from linkflow.graph import LinkGraph

__all__ = ["read_column", "write_graph", "write_vectors"]


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


def write_vectors(path: Path, **columns: np.ndarray) -> Path:
    """Write per-node vectors (aligned with node ids) as a ``node`` + columns table."""
    path.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(columns.values()))) if columns else 0
    table = pa.table({"node": pa.array(np.arange(n, dtype=np.int64)), **columns})
    pq.write_table(table, path / "part-0.parquet")
    return path


def read_column(path: Path, column: str, n: int, fill: float | int = 0) -> np.ndarray:
    """Read ``column`` of the per-node result table Spark wrote at ``path`` as an array of
    length ``n`` indexed by node (``fill`` where a node has no row)."""
    table = pq.read_table(path, columns=["node", column])
    values = table[column].to_numpy(zero_copy_only=False)
    out = np.full(n, fill, dtype=values.dtype if values.size else np.float64)
    out[table["node"].to_numpy()] = values
    return out
