"""Independent dense references: the flow model solved with numpy on small graphs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from linkflow.graph import LinkGraph, from_edges

ALPHA = 0.85


def random_graph(
    rng: np.random.Generator, n: int, *, density: float = 0.3, evaporate: bool = False
) -> LinkGraph:
    """A random weighted graph with some dangling pages (and nofollow links to evaporate)."""
    src, dst = np.nonzero(rng.random((n, n)) < density)
    weight = rng.choice([1.0, 0.5, 0.3, 0.2], src.size)
    dangling = rng.random(n) < 0.2
    keep = ~dangling[src]
    nofollow = rng.random(src.size) < (0.2 if evaporate else 0.0)
    return from_edges(
        n, src[keep], dst[keep], weight[keep], nofollow=nofollow[keep], evaporate=evaporate
    )


def weights_of(graph: LinkGraph) -> tuple[np.ndarray, np.ndarray]:
    """(dense weight matrix, W) of ``graph``."""
    n = graph.n
    mat = np.zeros((n, n))
    rows = np.repeat(np.arange(n), np.diff(graph.indptr))
    mat[rows, graph.indices] = graph.weights
    return mat, graph.out_weight.astype(np.float64).copy()


def edited(
    mat: np.ndarray, out_w: np.ndarray, edits: Iterable[tuple[int, int, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and W after ``edits`` (s, t, Δw)."""
    mat, out_w = mat.copy(), out_w.copy()
    for s, t, dw in edits:
        mat[s, t] += dw
        out_w[s] += dw
    return mat, out_w


def solve(
    mat: np.ndarray, out_w: np.ndarray, v: np.ndarray, r: np.ndarray, alpha: float = ALPHA
) -> Mapping[str, np.ndarray | float]:
    """π, x = M·r, M and F of the model with weights ``mat`` and W ``out_w`` (dense)."""
    n = mat.shape[0]
    out_w = np.where(np.abs(out_w) < 1e-12, 0.0, out_w)
    p = np.divide(mat, out_w[:, None], out=np.zeros_like(mat), where=out_w[:, None] > 0)
    d = 1.0 - p.sum(axis=1)
    stochastic = p + np.outer(d, v)
    m = np.linalg.inv(np.eye(n) - alpha * stochastic)
    pi = (1 - alpha) * v @ m
    x = m @ r
    return {"pi": pi, "x": x, "M": m, "F": float(pi @ r)}
