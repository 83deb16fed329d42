"""Per-node vectors travel between the engines keyed by node: 0..n-1 for an exported graph,
the url id for a graph built on Spark (no Spark needed here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from linkflow.engines.spark.exchange import node_index, read_column, write_vectors


def test_node_index_maps_keys_to_local_nodes() -> None:
    keys = np.array([40, 7, 19, 3])  # url ids of local nodes 0..3 (URL order, not id order)
    assert node_index(keys, np.array([3, 40, 19, 7, 5, 99])).tolist() == [3, 0, 2, 1, -1, -1]
    assert node_index(None, np.array([2, 0])).tolist() == [2, 0]
    assert node_index(np.zeros(0, np.int64), np.array([1])).tolist() == [-1]


def test_vectors_round_trip_by_key(tmp_path: Path) -> None:
    keys = np.array([40, 7, 19, 3])
    path = write_vectors(tmp_path / "v", keys, x=np.array([0.1, 0.2, 0.3, 0.4]))
    table = pq.read_table(path)
    assert table["node"].to_pylist() == [40, 7, 19, 3]
    reversed_rows = table.take([3, 2, 1, 0])  # Spark writes rows in any order
    pq.write_table(reversed_rows, path / "part-0.parquet")
    assert read_column(path, "x", 4, 0.0, keys).tolist() == [0.1, 0.2, 0.3, 0.4]
    pq.write_table(table.slice(0, 2), path / "part-0.parquet")  # nodes 2, 3 have no row
    assert read_column(path, "x", 4, -1.0, keys).tolist() == [0.1, 0.2, -1.0, -1.0]
    assert write_vectors(tmp_path / "plain", x=np.array([5.0, 6.0])).exists()
    assert read_column(tmp_path / "plain", "x", 2).tolist() == [5.0, 6.0]


def test_a_row_of_no_node_is_an_error(tmp_path: Path) -> None:
    path = write_vectors(tmp_path / "v", np.array([40, 8]), x=np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="1 row"):
        read_column(path, "x", 2, 0.0, np.array([40, 7]))
