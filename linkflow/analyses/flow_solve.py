"""The numerics of the authority flow, on the link graph alone (docs/model.md, "Flow").

Notation (research/algorithms.md §0): P̃ is the link graph's row-substochastic transition
matrix (P̃_ij = w_ij / W_i; a dangling row is zero, an evaporated nofollow share is missing
from its row) and ``d = 1 − P̃·1`` what each row loses. The model's chain sends that loss to
the teleport vector v, so its transition matrix is the stochastic ``P = P̃ + d·vᵀ``, the flow
is ``πᵀ = (1−α)·vᵀ·M`` with ``M = (I − αP)⁻¹``, and for a reward r (1 on money pages, or
their revenue weights) the value-to-go ``x = M·r`` solves ``x = r + αPx``.

Everything here is exact up to the solvers' stated bounds: the flow π is the graph stage's
PageRank with teleport v; x = M·r and the columns of M come from one reverse solve each
(:func:`reverse_values`, :func:`columns`) with an a-posteriori error bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from linkflow.errors import ConfigError
from linkflow.graph import LinkGraph

__all__ = [
    "FlowOperator",
    "Hitting",
    "Values",
    "columns",
    "edge_gains",
    "ends_on",
    "hitting",
    "reverse_values",
    "seeded_teleport",
    "source_values",
]


def seeded_teleport(n: int, authority: np.ndarray, beta: float) -> np.ndarray:
    """``v_i = (1−β)/n + β·E_i/ΣE``: where outside surfers land (sums to 1).

    ``authority`` is E per node (followed backlinks' capped, quality-weighted authority);
    with no authority at all, or β = 0, v is uniform and the flow is the internal equity.
    Raises :class:`ConfigError` for β outside [0, 1): β = 1 would leave pages no backlink
    reaches without any teleport share, and the flow would no longer be unique.
    """
    if not 0.0 <= beta < 1.0:
        raise ConfigError(f"analyse.backlink_beta must be in [0, 1), got {beta}")
    e = np.asarray(authority, dtype=np.float64)
    if e.shape != (n,) or np.any(~np.isfinite(e)) or np.any(e < 0):
        raise ConfigError(f"backlink authority must be {n} finite non-negative numbers")
    v = np.full(n, 1.0 / n) if n else np.zeros(0)
    total = float(e.sum())
    if total > 0 and beta > 0:
        v = (1.0 - beta) / n + beta * e / total
    return v


@dataclass(frozen=True, slots=True)
class FlowOperator:
    """``X ↦ α·P·X`` for the model's chain: ``α·P̃X + α·d·(vᵀX)`` on a vector or matrix.

    ``forward`` is P̃ in CSR with rows = sources, ``deficit`` is d, ``out_weight`` W_i.
    """

    forward: sp.csr_matrix
    deficit: np.ndarray
    teleport: np.ndarray
    damping: float
    out_weight: np.ndarray

    @classmethod
    def of(cls, graph: LinkGraph, teleport: np.ndarray, damping: float) -> FlowOperator:
        """The operator of ``graph`` with teleport vector ``teleport`` (sums to 1)."""
        n = graph.n
        rows = np.repeat(np.arange(n), graph.out_degree)
        scale = np.divide(1.0, graph.out_weight, out=np.zeros(n), where=graph.out_weight > 0)
        data = graph.weights * scale[rows]
        forward = sp.csr_matrix((data, graph.indices, graph.indptr), shape=(n, n))
        kept = np.bincount(rows, weights=data, minlength=n)
        deficit = np.where(graph.out_weight > 0, 1.0 - kept, 1.0)
        # a row whose weights add up to W_i loses nothing; rounding must not invent a loss
        deficit[np.abs(deficit) < 1e-12] = 0.0
        return cls(forward, deficit, teleport, damping, graph.out_weight)

    @property
    def n(self) -> int:
        return int(self.forward.shape[0])

    def links(self, x: np.ndarray) -> np.ndarray:
        """``α·P̃·x``: one step along links only (what is lost at dead ends stays lost)."""
        out: np.ndarray = self.forward @ x
        out *= self.damping
        return out

    def step(self, x: np.ndarray) -> np.ndarray:
        """``α·P·x`` with the losses sent to the teleport vector."""
        out = self.links(x)
        if self.deficit.any():
            back = self.damping * (self.teleport @ x)
            out += np.multiply.outer(self.deficit, back) if x.ndim == 2 else self.deficit * back
        return out


@dataclass(frozen=True, slots=True)
class Values:
    """``x ≈ M·r`` for each column of the rewards, the iterations spent and, per column, a
    bound on the max-norm error of x."""

    x: np.ndarray
    iterations: int
    bound: np.ndarray


def _neumann(
    op: FlowOperator, rewards: np.ndarray, targets: np.ndarray, max_iterations: int
) -> Values:
    """Sum ``x = Σ_k (αP)^k r`` until every column's error bound is below its target.

    After K terms x is estimated by ``S_{K−1} + t_K/(1−α)`` (t_k = (αP)^k r): the tail filled
    with copies of its first term, as the power iteration fills its own. Then
    ``x − x_K = Σ_{j≥1} α^j (P^j w − w)`` with w = t_K, and since P does not grow the max
    norm, ``‖x − x_K‖ ≤ α/(1−α)² · ‖t_{K+1}/α − t_K‖``: the bound, computed from the next term.
    """
    alpha = op.damping
    term = np.array(rewards, dtype=np.float64)
    total = np.zeros_like(term)
    factor = alpha / (1.0 - alpha) ** 2
    bound = np.full(term.shape[1:] or (1,), np.inf)
    if term.shape[0] == 0:  # no page: nothing to sum
        return Values(total, 0, np.zeros(bound.shape))
    for k in range(max_iterations + 1):
        nxt = op.step(term)
        change = np.abs(nxt / alpha - term) if alpha > 0 else np.zeros_like(term)
        bound = factor * (change.max(axis=0) if change.size else np.zeros(bound.shape))
        if np.all(bound <= targets) or k == max_iterations:
            total += term / (1.0 - alpha)
            return Values(total, k, np.atleast_1d(bound))
        total += term
        term = nxt
    raise AssertionError("unreachable")  # the loop returns at k == max_iterations


def reverse_values(
    op: FlowOperator, rewards: np.ndarray, tolerance: float, max_iterations: int = 1000
) -> Values:
    """Value-to-go ``x = M·r`` (``x = r + αPx``) for each column of ``rewards``.

    Stops when, for every column, the max-norm error bound is below ``tolerance·vᵀr``:
    then ``F = (1−α)·vᵀx`` (= πᵀr) and each source's part ``(1−α)·v_s·x_s`` of it are
    within ``tolerance`` of F (every page keeps its teleport share, F ≥ (1−α)·vᵀr).
    """
    r = np.asarray(rewards, dtype=np.float64)
    scale = op.teleport @ r
    targets = tolerance * np.where(scale > 0, scale, 1.0)
    return _neumann(op, r, np.atleast_1d(targets), max_iterations)


def source_values(
    op: FlowOperator,
    rewards: np.ndarray,
    flows: np.ndarray,
    tolerance: float,
    max_iterations: int = 1000,
) -> Values:
    """``x = M·r`` for each column, summed until its sources account for its flow.

    ``flows`` is πᵀr of each column, from the forward solve (within ``tolerance``). The
    partial sums S_K = Σ_{k≤K} (αP)^k r only grow towards x, and (1−α)·vᵀx = πᵀr exactly, so
    every source's part (1−α)·v_s·S_s falls short of its exact value, all together by
    ``πᵀr − (1−α)·vᵀS_K``: stopping once that is below ``tolerance·πᵀr`` (the forward's own
    error included, 2·tolerance) bounds the error of every source's part relative to the
    column's flow, without the worst case over pages a max-norm bound must assume. The
    returned ``bound`` is that shortfall relative to the flow.
    """
    alpha = op.damping
    term = np.array(rewards, dtype=np.float64)
    total = np.zeros_like(term)
    need = (1.0 - tolerance) * np.asarray(flows, dtype=np.float64)
    got = np.zeros_like(need)
    k = 0
    for k in range(max_iterations + 1):  # noqa: B007 (k is the iteration count returned)
        total += term
        got = (1.0 - alpha) * (op.teleport @ total)
        if np.all(got >= need) or term.shape[0] == 0:
            break
        term = op.step(term)
    short = np.divide(flows - got, flows, out=np.zeros_like(got), where=np.asarray(flows) > 0)
    return Values(total, k, np.atleast_1d(np.maximum(short, 0.0) + tolerance))


@dataclass(frozen=True, slots=True)
class Hitting:
    """Per page, the probability that authority there reaches a money page by following
    links (1 on money pages); ``bound`` bounds the absolute error of every value."""

    reach: np.ndarray
    iterations: int
    bound: float
    converged: bool


def hitting(
    op: FlowOperator, money: np.ndarray, tolerance: float, max_iterations: int = 1000
) -> Hitting:
    """Solve ``h = 1_T + (1 − 1_T)·αP̃h``: reach of the money pages T along links only.

    A surfer stops with probability 1−α at each step, and at a dead end (or with an
    evaporated nofollow share): that authority is not passed on toward money pages. The
    iteration from ``h_0 = 1_T`` is an α-contraction in the max norm, so after a step that
    moved h by δ the error is at most ``α/(1−α)·δ``; since ``1 − h_i ≥ 1 − α`` off T, stopping
    at ``tolerance·(1−α)`` bounds the relative error of every ``1 − h_i`` by ``tolerance``.
    """
    alpha = op.damping
    target = tolerance * (1.0 - alpha)
    base = money.astype(np.float64)
    off = ~money
    h = base.copy()
    bound, iterations = 1.0, 0
    while iterations < max_iterations:
        nxt = np.where(off, op.links(h), base)
        delta = float(np.abs(nxt - h).max()) if h.size else 0.0
        h = nxt
        iterations += 1
        bound = alpha / (1.0 - alpha) * delta
        if bound <= target:
            break
    return Hitting(h, iterations, bound, bound <= target)


def ends_on(
    op: FlowOperator,
    money: np.ndarray,
    where: np.ndarray,
    tolerance: float,
    max_iterations: int = 1000,
) -> Hitting:
    """Per page, the probability that authority there stops on a page of ``where`` without
    having reached a money page: ``u = b + (1 − 1_T)·αP̃u`` with ``b_j = 1_where(j)·(1 − α +
    α·d_j)`` off T (a surfer stops at j with probability 1−α, or α·d_j at a dead end or an
    evaporated nofollow share) and ``u = 0`` on T.

    With :func:`hitting`'s h this splits every page's outcome exactly: h (reaches a money
    page), u (ends on ``where``), 1 − h − u (ends on another page). Same contraction and
    stopping rule as :func:`hitting`: ``bound`` is absolute, at most ``tolerance·(1−α)``.
    """
    alpha = op.damping
    target = tolerance * (1.0 - alpha)
    off = ~money
    base = np.where(where & off, 1.0 - alpha + alpha * op.deficit, 0.0)
    u = base.copy()
    bound, iterations = 1.0 if base.any() else 0.0, 0
    while iterations < max_iterations and bound > target:
        nxt = base + np.where(off, op.links(u), 0.0)
        delta = float(np.abs(nxt - u).max()) if u.size else 0.0
        u = nxt
        iterations += 1
        bound = alpha / (1.0 - alpha) * delta
    return Hitting(u, iterations, bound, bound <= target)


def columns(
    op: FlowOperator, sources: np.ndarray, tolerance: float, max_iterations: int = 1000
) -> Values:
    """``M·e_s`` for each of ``sources`` (column j for s_j), to ``tolerance`` in the max norm
    (absolute: every entry of M is at most 1/(1−α))."""
    n, k = op.n, len(sources)
    unit = np.zeros((n, k))
    unit[np.asarray(sources, dtype=np.int64), np.arange(k)] = 1.0
    return _neumann(op, unit, np.full(k, tolerance), max_iterations)


def edge_gains(
    op: FlowOperator,
    flow_s: float,
    source: int,
    column: np.ndarray,
    values: np.ndarray,
    reward_s: float,
    weight: float,
) -> np.ndarray:
    """Exact change of ``F = πᵀr`` when a link of ``weight`` from ``source`` to each page t
    is added (one value per t; research/algorithms.md §2.3):

        ΔF(s→t, w) = π_s · (α·x_t − x_s + r_s) / (W_s/w + c_s − α·c_t)

    ``column`` is c = M·e_s, ``values`` x = M·r, ``flow_s`` π_s. W_s counts evaporated weight;
    for a dangling s (W_s = 0, its row is v) the same formula holds. Sherman–Morrison on the
    rank-one change of row s, so nothing is estimated.
    """
    alpha = op.damping
    w_s = float(op.out_weight[source])
    num = alpha * values - values[source] + reward_s
    den = w_s / weight + column[source] - alpha * column
    out: np.ndarray = flow_s * num / den
    return out
