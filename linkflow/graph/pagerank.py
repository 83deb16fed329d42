"""PageRank by power iteration with a guaranteed error bound, the 0–100 score, click depth.

One step: ``y = α·Pᵀx``, then everything that did not flow along an edge (the teleport
share 1−α, dangling pages' mass, evaporated nofollow shares) re-enters by the teleport
vector: ``y += (1 − Σy)·v``. The step is an α-contraction in L1 on probability vectors,
so after a step with ``δ = ‖x_{k+1} − x_k‖₁`` the iterate is within ``α/(1−α)·δ`` of π in
L1; and since every page keeps at least its teleport share, ``π_i ≥ (1−α)·v_i``. Stopping
when ``α/(1−α)·δ ≤ tolerance·(1−α)·min v`` therefore guarantees the relative error
``|x_i − π_i| / π_i ≤ tolerance`` on every page (research/algorithms.md §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from linkflow.errors import ConfigError
from linkflow.graph.model import LinkGraph

__all__ = [
    "PageRankResult",
    "click_depth",
    "equity_scores",
    "pagerank",
    "start_vector",
    "teleport_vector",
]


@dataclass(frozen=True, slots=True)
class PageRankResult:
    """Scores (sum to 1) and what the solver guarantees about them.

    ``l1_bound`` bounds ‖scores − π‖₁; ``relative_bound`` bounds |scores_i − π_i| / π_i on
    every page with a positive teleport share (all pages when the teleport is uniform).
    ``converged`` is False when ``max_iterations`` ran out before ``tolerance`` was met.
    """

    scores: np.ndarray
    iterations: int
    l1_bound: float
    relative_bound: float
    converged: bool


def teleport_vector(n: int, teleport: ArrayLike | None) -> np.ndarray:
    """The teleport vector :func:`pagerank` uses: uniform when None, else normalised to sum 1
    (:class:`ConfigError` if malformed)."""
    if teleport is None:
        return np.full(n, 1.0 / n)
    v = np.asarray(teleport, dtype=np.float64)
    if v.shape != (n,) or not np.all(np.isfinite(v)) or np.any(v < 0) or v.sum() <= 0:
        raise ConfigError(f"teleport must be {n} finite non-negative numbers with a positive sum")
    out: np.ndarray = v / v.sum()
    return out


def start_vector(n: int, x0: ArrayLike | None, v: np.ndarray) -> np.ndarray:
    """The first iterate :func:`pagerank` uses: ``x0`` normalised, or ``v`` when ``x0`` is
    missing or unusable."""
    if x0 is None:
        return v.copy()
    x = np.asarray(x0, dtype=np.float64)
    if x.shape != (n,) or np.any(~np.isfinite(x)) or np.any(x < 0) or x.sum() <= 0:
        return v.copy()  # an unusable warm start costs iterations, never correctness
    out: np.ndarray = x / x.sum()
    return out


def pagerank(
    graph: LinkGraph,
    *,
    damping: float = 0.85,
    teleport: ArrayLike | None = None,
    tolerance: float = 0.01,
    x0: ArrayLike | None = None,
    max_iterations: int = 1000,
) -> PageRankResult:
    """PageRank of ``graph`` within ``tolerance`` relative error on every page.

    ``teleport`` is the personalisation vector (uniform when None; normalised to sum 1);
    dangling pages and evaporated nofollow shares send their mass to it. ``x0`` is a warm
    start (e.g. the scores of a previous solve). Raises :class:`ConfigError` for a damping
    outside [0, 1), a non-positive tolerance or a malformed teleport vector.
    """
    if not 0.0 <= damping < 1.0:
        raise ConfigError(f"graph.damping must be in [0, 1), got {damping}")
    if tolerance <= 0:
        raise ConfigError(f"graph.tolerance must be positive, got {tolerance}")
    n = graph.n
    if n == 0:
        return PageRankResult(np.zeros(0), 0, 0.0, 0.0, True)
    v = teleport_vector(n, teleport)
    # π_i ≥ (1−α)·v_i, so this L1 bound gives the relative bound on every page with v_i > 0.
    floor = (1.0 - damping) * float(v[v > 0].min())
    target_l1 = tolerance * floor
    factor = damping / (1.0 - damping)
    pt = graph.transition_t
    x = start_vector(n, x0, v)
    l1 = 2.0
    iterations = 0
    while iterations < max_iterations:
        y = pt @ x
        y *= damping
        y += (1.0 - y.sum()) * v
        delta = float(np.abs(y - x).sum())
        x = y
        iterations += 1
        l1 = factor * delta
        if l1 <= target_l1:
            break
    x /= x.sum()
    return PageRankResult(x, iterations, l1, l1 / floor, l1 <= target_l1)


def equity_scores(scores: ArrayLike) -> np.ndarray:
    """The 0–100 log scale: ``100 · ln(π_i/π_min) / ln(π_max/π_min)``.

    π_min and π_max are over the positive scores; a zero score maps to 0, and when every
    positive score is equal they all map to 100.
    """
    pi = np.asarray(scores, dtype=np.float64)
    out = np.zeros(pi.shape)
    pos = pi > 0
    if not pos.any():
        return out
    lo, hi = float(pi[pos].min()), float(pi[pos].max())
    if hi <= lo:
        out[pos] = 100.0
        return out
    out[pos] = 100.0 * np.log(pi[pos] / lo) / np.log(hi / lo)
    return out


def click_depth(graph: LinkGraph, roots: ArrayLike) -> np.ndarray:
    """Fewest clicks from any of ``roots`` (node ids) along graph edges; -1 if unreachable.

    Breadth-first, one vectorised frontier at a time.
    """
    depth = np.full(graph.n, -1, dtype=np.int32)
    frontier = np.unique(np.asarray(roots, dtype=np.int64))
    frontier = frontier[(frontier >= 0) & (frontier < graph.n)]
    depth[frontier] = 0
    level = 0
    indptr, indices = graph.indptr, graph.indices
    while frontier.size:
        starts, ends = indptr[frontier], indptr[frontier + 1]
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            break
        # positions of every out-edge of the frontier, without a Python loop
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        neighbours = indices[offsets + np.arange(total)]
        neighbours = np.unique(neighbours[depth[neighbours] < 0])
        level += 1
        depth[neighbours] = level
        frontier = neighbours.astype(np.int64)
    return depth
