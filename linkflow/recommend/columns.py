"""Columns of ``M̃ = (I − αP̃)⁻¹``: how much each page's value depends on one source page.

``M̃·e_s`` (entry i: discounted visits to s of a surfer starting at i who follows links only)
is what the exact gain of a new link from s needs (research/algorithms.md §2.3). It is local:
only pages with a path of links to s have non-zero entries, so it is computed by reverse
push (Andersen et al., "Local computation of PageRank contributions", 2008) on the sparse
in-links of the pages holding residual mass, for many sources at once as one sparse matrix.

Invariant of the push: ``M̃·e_s = p + M̃·q`` with estimate p and residual q ≥ 0. Pushing the
entries of q above ε moves them into p and spreads ``α·P̃_ji·q_i`` to every in-neighbour j
of i; when no entry of q exceeds ε, every entry of the estimate is within ``ε/(1−α)`` of
the truth (rows of M̃ sum to at most 1/(1−α)). A column that spreads over a large part of
the site (a page every template links to) is finished by a linear solve instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from linkflow.recommend.chain import Chain, State
from linkflow.recommend.solve import solve_linear

__all__ = ["ColumnCache", "own_columns"]

DENSE_SHARE = 0.05
"""A column with residual on more than this share of the pages is finished by a solve."""
_DENSE_FLOOR = 2000  # ... and on more than this many: small graphs are pushed all the way
_DENSE_ROWS = _DENSE_FLOOR
"""Graphs of at most this many pages push in dense rows (their residual is never cut short
by a solve, and covers most of the site anyway)."""
PUSH_BATCH = 8
"""Sources pushed together (one sparse matrix): more share the scipy overhead, fewer keep
the push's intermediate products small on a large graph."""
SOLVE_BYTES = 128 * 2**20
"""Memory the solves of one batch may hold at once (see :func:`_solve_threads`)."""
_SOLVE_VECTORS = 10
"""Vectors of the graph's size that one solve holds at once (BiCGSTAB's and the checks')."""
_MAX_SOLVE_THREADS = 4
_THREADED_N = 5_000


def _edit_matrix(chain: Chain) -> sp.csr_matrix | None:
    """``Eᵀ`` where ``P̃' = diag(scale)·P̃ + E`` (E: the entries the edits add); None
    without edits."""
    lay = chain.overlay
    if not lay.srcs.size:
        return None
    return sp.csr_matrix((lay.coef, (lay.et, lay.es)), shape=(chain.n, chain.n))


def _spread(chain: Chain, q: sp.csr_matrix, extra: sp.csr_matrix | None) -> sp.csr_matrix:
    """``α·(P̃'·q_b)`` for each row b of q, as rows: ``α·q·P̃'ᵀ``."""
    out = q @ chain.bwd
    lay = chain.overlay
    if lay.srcs.size:
        scale = np.ones(chain.n)
        scale[lay.srcs] = lay.scale
        out = out @ sp.diags(scale)
        if extra is not None:
            out = out + q @ extra
    result: sp.csr_matrix = (chain.damping * out).tocsr()
    return result


def _push_dense(
    chain: Chain, sources: np.ndarray, eps: float, max_steps: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """:func:`_push` in dense rows, for a graph of at most :data:`_DENSE_ROWS` pages: the
    same steps (every entry above ``eps`` pushed at once), without building sparse matrices
    for residuals that cover most of a small site anyway."""
    n, m = chain.n, sources.size
    q = np.zeros((m, n))
    q[np.arange(m), sources] = 1.0
    p = np.zeros((m, n))
    lay = chain.overlay
    scale = np.ones(n)
    if lay.srcs.size:
        scale[lay.srcs] = lay.scale
    extra = _edit_matrix(chain)
    for _ in range(max_steps):
        big = q > eps
        if not big.any():
            break
        pushed = np.where(big, q, 0.0)
        p += pushed
        spread = np.asarray(chain.fwd @ pushed.T).T * scale  # rows·P̃ᵀ = (P̃·rowsᵀ)ᵀ
        if extra is not None:
            spread += np.asarray(extra.T @ pushed.T).T
        q = np.where(big, 0.0, q) + chain.damping * spread
    return sp.csr_matrix(p), sp.csr_matrix(q), np.zeros(m, bool)


def _push(
    chain: Chain, sources: np.ndarray, eps: float, max_steps: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """Estimate and residual rows after pushing every residual entry above ``eps``, and
    which rows stopped early because their residual spread over too many pages."""
    n, m = chain.n, sources.size
    if n <= _DENSE_ROWS:
        return _push_dense(chain, sources, eps, max_steps)
    q = sp.csr_matrix((np.ones(m), (np.arange(m), sources)), shape=(m, n))
    p = sp.csr_matrix((m, n))
    extra = _edit_matrix(chain)
    dense = np.zeros(m, bool)
    for _ in range(max_steps):
        dense |= np.diff(q.indptr) > max(DENSE_SHARE * n, _DENSE_FLOOR)
        coo = q.tocoo()
        big = (coo.data > eps) & ~dense[coo.row]
        if not big.any():
            break
        pushed = sp.csr_matrix((coo.data[big], (coo.row[big], coo.col[big])), shape=(m, n))
        kept = sp.csr_matrix((coo.data[~big], (coo.row[~big], coo.col[~big])), shape=(m, n))
        p = p + pushed
        q = (kept + _spread(chain, pushed, extra)).tocsr()
        q.eliminate_zeros()
    return p.tocsr(), q.tocsr(), dense


def own_columns(
    chain: Chain, sources: Sequence[int] | np.ndarray, *, eps: float = 1e-10
) -> tuple[sp.csr_matrix, float]:
    """Rows ``M̃·e_s`` of ``chain`` for each of ``sources`` (CSR, one row per source) and
    the absolute error bound of every entry (``eps``; where a solve ran, its bound plus
    ``eps``: entries below ``eps`` are not kept, so a dense column costs little memory).
    Sources are pushed :data:`PUSH_BATCH` at a time, which bounds the push's memory."""
    src = np.asarray(sources, dtype=np.int64)
    if src.size == 0:
        return sp.csr_matrix((0, chain.n)), 0.0
    rows: list[sp.csr_matrix] = []
    bound = eps
    for lo in range(0, src.size, PUSH_BATCH):
        bound = max(bound, _columns(chain, src[lo : lo + PUSH_BATCH], eps, rows))
    return sp.vstack(rows).tocsr(), bound


def _columns(chain: Chain, src: np.ndarray, eps: float, rows: list[sp.csr_matrix]) -> float:
    """Append the rows of ``src`` to ``rows``; return their error bound."""
    alpha = chain.damping
    p, q, dense = _push(chain, src, eps * (1.0 - alpha), max_steps=10_000)
    residual_max = np.zeros(src.size)
    if q.nnz:
        coo = q.tocoo()
        np.maximum.at(residual_max, coo.row, coo.data)
    # Spread too far for a local push: solved from the estimate so far.
    spread = [b for b in range(src.size) if dense[b] or residual_max[b] > eps * (1.0 - alpha)]
    solved = dict(zip(spread, _solve(chain, src, p, spread, eps), strict=True))
    bound = eps
    for b in range(src.size):
        if b in solved:
            row, err = solved[b]
            bound = max(bound, err + eps)
        else:
            row = p.getrow(b)
        rows.append(row)
    return bound


def _solve(
    chain: Chain, src: np.ndarray, p: sp.csr_matrix, spread: list[int], eps: float
) -> list[tuple[sp.csr_matrix, float]]:
    """``u = e_s + αP̃u`` for the sources ``src[b]`` of ``spread`` (from the estimates
    ``p[b]``): each column, without its entries ≤ ``eps``, and its error bound, in that
    order. Each column is made sparse as its solve ends, so a batch holds no more dense
    vectors than it has solves running.

    Several at once, in threads, on a large graph: the columns are independent, and
    scipy's sparse products, most of a solve, run without the GIL (on the Rust docs'
    21,626 pages, 148 solves took 3.8 s one after another)."""

    def one(b: int) -> tuple[sp.csr_matrix, float]:
        e = np.zeros(chain.n)
        e[src[b]] = 1.0
        x0 = p[b].toarray().ravel()
        u, err, _ = solve_linear(chain.forward, e, chain.damping, "max", eps, x0=x0)
        u[u <= eps] = 0.0  # entries ≤ eps are not kept: a dense column costs little memory
        return sp.csr_matrix(u), err

    threads = min(len(spread), _solve_threads(chain.n))
    if threads <= 1:
        return [one(b) for b in spread]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, spread))


def _solve_threads(n: int) -> int:
    """Solves to run at once on a graph of ``n`` pages: one a core (at most
    :data:`_MAX_SOLVE_THREADS`), as many as :data:`SOLVE_BYTES` holds (a solve keeps
    :data:`_SOLVE_VECTORS` vectors of ``n`` floats), and one below :data:`_THREADED_N`
    pages, where a solve is mostly Python and threads would only take turns."""
    if n < _THREADED_N:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, _MAX_SOLVE_THREADS, SOLVE_BYTES // (_SOLVE_VECTORS * 8 * n)))


_DIRECT_N = 1_200
"""Graphs of at most this many pages, unedited, have their columns solved directly: one
sparse LU factorisation of ``I − αP̃``, then triangular solves for each batch of columns
(the PostgreSQL docs' 1,170 pages: 12 ms to factorise and 6 ms for 64 columns, against 77
ms to push them; the Rust docs' 31,873 pages took 0.17 s to factorise). The factors' size
depends on the links: random ones make it grow with the square of the pages, and 64
columns of a graph of 20 random links a page took, solved directly against pushed, 0.10 s
against 0.08 s at 1,000 pages, 0.15 against 0.09 s at 1,200, 0.29 against 0.12 s at
1,500, 0.66 against 0.14 s at 2,000 (and 69 s, 1.9 GB, to factorise 10,000 pages); with
navigation and a tree of sections only, 0.02 against 0.17 s at 2,000. Up to this size the
worst case costs little more than a push; larger graphs push."""


def _factor(chain: Chain) -> spla.SuperLU:
    n = chain.n
    a = sp.identity(n, format="csc") - chain.damping * chain.fwd.tocsc()
    return spla.splu(a.tocsc())


def _direct_columns(
    chain: Chain, factor: spla.SuperLU, sources: Sequence[int], eps: float
) -> tuple[sp.csr_matrix, float]:
    """:func:`own_columns` from the factors of ``I − αP̃``: each column solved, its entries
    ≤ ``eps`` dropped, with the bound ``eps`` plus the solve's error, which the residual
    r = e_s − (I − αP̃)u bounds: ``|u − M̃e_s| = |M̃r| ≤ max|r| / (1 − α)`` (the rows of M̃
    sum to at most 1/(1 − α)). Solved in batches of as many columns as
    :data:`SOLVE_BYTES` holds three times (the unit vectors, the solutions, the residuals)."""
    src = np.asarray(sources, dtype=np.int64)
    n = chain.n
    if src.size == 0:
        return sp.csr_matrix((0, n)), 0.0
    step = max(1, SOLVE_BYTES // (3 * 8 * n))
    rows: list[sp.csr_matrix] = []
    err = 0.0
    for lo in range(0, src.size, step):
        batch = src[lo : lo + step]
        e = np.zeros((n, batch.size))
        e[batch, np.arange(batch.size)] = 1.0
        u = factor.solve(e)
        residual = e - u + chain.damping * (chain.fwd @ u)
        err = max(err, float(np.abs(residual).max()) / (1.0 - chain.damping))
        u[u <= eps] = 0.0
        rows.append(sp.csr_matrix(u.T))
    return sp.vstack(rows).tocsr(), eps + err


class ColumnCache:
    """Columns of one solved chain, computed once per source and kept.

    :meth:`local` gathers what exact gains need (:class:`linkflow.recommend.gain.Local`)
    for any set of sources and nodes; columns not yet known are computed then, several
    sources in one push.
    """

    def __init__(self, chain: Chain, state: State, *, eps: float = 1e-10) -> None:
        self.chain = chain
        self.state = state
        self.eps = eps
        self.rows: dict[int, sp.csr_matrix] = {}
        self._eps: dict[int, float] = {}
        self.bound = 0.0
        self._factor: spla.SuperLU | None = None

    def ensure(self, sources: Sequence[int] | np.ndarray, eps: float | None = None) -> None:
        """Compute the columns of ``sources`` not known yet to ``eps`` (the cache's own by
        default; a looser one for columns that only describe, such as a target's own gain)."""
        eps = self.eps if eps is None else eps
        wanted = {int(s) for s in np.asarray(sources).tolist()}
        missing = sorted(s for s in wanted if self._eps.get(s, np.inf) > eps)
        if not missing:
            return
        if self.chain.n <= _DIRECT_N and not self.chain.edits:
            if self._factor is None:
                self._factor = _factor(self.chain)
            own, bound = _direct_columns(self.chain, self._factor, missing, eps)
        else:
            own, bound = own_columns(self.chain, missing, eps=eps)
        if eps <= self.eps:
            self.bound = max(self.bound, bound)
        for i, s in enumerate(missing):
            row = own.getrow(i)
            row.sort_indices()
            self.rows[s] = row
            self._eps[s] = eps

    def matrix(self, sources: np.ndarray, nodes: np.ndarray) -> np.ndarray:
        """``(M·e_s)[nodes]`` for each of ``sources`` (columns computed if not known yet),
        dense."""
        self.ensure([s for s in sources.tolist() if s not in self.rows])
        alpha, st = self.chain.damping, self.state
        if sources.size == 0:
            return np.zeros((0, nodes.size))
        dense = np.zeros((sources.size, nodes.size))
        for b, s in enumerate(sources.tolist()):  # a few entries of each column, no copy
            row = self.rows[int(s)]
            if row.nnz:
                cols, vals = row.indices, row.data  # sorted: built by scipy from rows
                pos = np.minimum(np.searchsorted(cols, nodes), cols.size - 1)
                dense[b] = np.where(cols[pos] == nodes, vals[pos], 0.0)
        out: np.ndarray = dense + np.outer(st.pi[sources], st.g[nodes]) * alpha / (1 - alpha)
        return out
