"""The Markov chain of the flow model, with link edits laid over the crawled graph.

Notation (research/algorithms.md §0, docs/model.md "Recommendations"): P̃ is the graph's
row-substochastic transition matrix (``P̃_ij = w_ij / W_i``; a dangling row is zero and an
evaporated nofollow share is missing from its row), ``d = 1 − P̃·1`` is what each row loses,
and the chain's stochastic matrix is ``P = P̃ + d·vᵀ`` (losses re-enter by the teleport v).
With ``M̃ = (I − αP̃)⁻¹`` the model's quantities follow from three linear solves:

- ``z = M̃ᵀv`` (solved on P̃ᵀ): the flow is ``π = z / Σz``;
- ``y = M̃r`` and ``g = M̃d`` (solved on P̃): the value-to-go ``x = M·r`` is
  ``y + α·g·F/(1−α)`` with ``F = πᵀr``, and a column of ``M = (I − αP)⁻¹`` is
  ``M·e_s = M̃·e_s + α·g·π_s/(1−α)`` (Sherman–Morrison on the rank-one ``d·vᵀ``).

A :class:`Chain` never copies the big matrices: link edits (new links, removed links,
re-weighted links) are a small overlay on rows of P̃, so the crawled graph and any number of
edited versions of it share memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from linkflow.errors import ConfigError
from linkflow.graph import LinkGraph
from linkflow.recommend.solve import solve_linear

__all__ = ["Chain", "State", "solve_state"]

Edits = Mapping[int, Mapping[int, float]]
"""Weight changes of links: ``{source: {target: Δw}}`` (negative Δw removes weight)."""


@dataclass(frozen=True, eq=False)
class Chain:
    """The crawled graph's P̃ (``fwd`` rows = sources, ``bwd`` = its transpose), W and the
    losses d, with ``edits`` applied on top (see :data:`Edits`).

    ``weight_of(s, t)`` gives the current weight of edge s→t. Use :meth:`of` to build one
    and :meth:`with_edits` for an edited copy (the matrices are shared).
    """

    fwd: sp.csr_matrix
    bwd: sp.csr_matrix
    base_weight: np.ndarray
    base_deficit: np.ndarray
    damping: float
    teleport: np.ndarray
    edits: dict[int, dict[int, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: LinkGraph, teleport: np.ndarray, damping: float) -> Chain:
        """The chain of ``graph`` with teleport ``teleport`` (normalised here) and damping α.

        Raises :class:`ConfigError` for α outside [0, 1) or a teleport vector that is not
        ``graph.n`` non-negative numbers with a positive sum.
        """
        if not 0.0 <= damping < 1.0:
            raise ConfigError(f"graph.damping must be in [0, 1), got {damping}")
        n = graph.n
        v = np.asarray(teleport, dtype=np.float64)
        if v.shape != (n,) or not np.all(np.isfinite(v)) or np.any(v < 0) or (n and v.sum() <= 0):
            raise ConfigError(f"teleport must be {n} finite non-negative numbers, sum > 0")
        rows = np.repeat(np.arange(n), np.diff(graph.indptr))
        scale = np.divide(1.0, graph.out_weight, out=np.zeros(n), where=graph.out_weight > 0)
        data = graph.weights * scale[rows]
        # int32 positions while they fit: scipy would otherwise widen the indices to match an
        # int64 indptr, 8 bytes a link (136 MB more per matrix for 17M links)
        kind = np.int32 if graph.indices.size < np.iinfo(np.int32).max else np.int64
        fwd = sp.csr_matrix(
            (data, graph.indices.astype(kind, copy=False), graph.indptr.astype(kind)),
            shape=(n, n),
        )
        kept = np.bincount(rows, weights=data, minlength=n)
        deficit = np.where(graph.out_weight > 0, 1.0 - kept, 1.0)
        deficit[np.abs(deficit) < 1e-12] = 0.0  # rounding must not invent a loss
        bwd = fwd.T.tocsr()
        return cls(
            fwd, bwd, graph.out_weight.astype(np.float64), deficit, damping, v / v.sum() if n else v
        )

    @property
    def n(self) -> int:
        return int(self.fwd.shape[0])

    def with_edits(self, more: Edits) -> Chain:
        """A copy with ``more`` edits added to this chain's (Δw of one pair add up)."""
        merged = {s: dict(ts) for s, ts in self.edits.items()}
        for s, ts in more.items():
            row = merged.setdefault(int(s), {})
            for t, dw in ts.items():
                row[int(t)] = row.get(int(t), 0.0) + float(dw)
        return Chain(
            self.fwd,
            self.bwd,
            self.base_weight,
            self.base_deficit,
            self.damping,
            self.teleport,
            merged,
        )

    def base_edge(self, s: int, t: int) -> float:
        """Weight of the crawled edge s→t (0 if there is none)."""
        lo, hi = self.fwd.indptr[s], self.fwd.indptr[s + 1]
        hit = np.flatnonzero(self.fwd.indices[lo:hi] == t)
        return float(self.fwd.data[lo + hit[0]] * self.base_weight[s]) if hit.size else 0.0

    def weight_of(self, s: int, t: int) -> float:
        """Current weight of edge s→t, edits included."""
        return self.base_edge(s, t) + self.edits.get(s, {}).get(t, 0.0)

    def out_weight(self, s: int) -> float:
        """Current W_s (evaporated weight included)."""
        return float(self.base_weight[s]) + sum(self.edits.get(s, {}).values())

    # ------------------------------------------------------------------ the overlay
    def __post_init__(self) -> None:
        object.__setattr__(self, "_lay", _Overlay.of(self))

    @property
    def overlay(self) -> _Overlay:
        """The edits as arrays (computed once per chain)."""
        lay: _Overlay = object.__getattribute__(self, "_lay")
        return lay

    def deficit(self) -> np.ndarray:
        """d = 1 − P̃·1 of the edited chain (1 for a dangling page)."""
        d = self.base_deficit.copy()
        lay = self.overlay
        if lay.srcs.size:
            lost = self.base_deficit[lay.srcs] * self.base_weight[lay.srcs]  # evaporated
            d[lay.srcs] = np.divide(
                lost, lay.new_w, out=np.ones(lay.srcs.size), where=lay.new_w > 0
            )
        return d

    def forward(self, y: np.ndarray) -> np.ndarray:
        """``P̃·y`` of the edited chain (y a vector or an n×k block)."""
        out: np.ndarray = self.fwd @ y
        lay = self.overlay
        if lay.srcs.size:
            out[lay.srcs] = _rows_times(out[lay.srcs], lay.scale)
            np.add.at(out, lay.es, _rows_times(y[lay.et], lay.coef))
        return out

    def backward(self, z: np.ndarray) -> np.ndarray:
        """``P̃ᵀ·z`` of the edited chain (z a vector or an n×k block)."""
        lay = self.overlay
        if not lay.srcs.size:
            out: np.ndarray = self.bwd @ z
            return out
        scaled = z.copy()
        scaled[lay.srcs] = _rows_times(z[lay.srcs], lay.scale)
        out = self.bwd @ scaled
        np.add.at(out, lay.et, _rows_times(z[lay.es], lay.coef))
        return out

    def transition(self) -> sp.csr_matrix:
        """P̃ of the edited chain as a matrix (for small graphs and tests)."""
        lay = self.overlay
        mat = sp.diags(_row_scale(self.n, lay)) @ self.fwd
        extra = sp.csr_matrix((lay.coef, (lay.es, lay.et)), shape=(self.n, self.n))
        out: sp.csr_matrix = (mat + extra).tocsr()
        return out


def _rows_times(block: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Each row of ``block`` (a vector's entries, or a matrix's rows) times ``factor``."""
    out: np.ndarray = block * factor if block.ndim == 1 else block * factor[:, None]
    return out


def _row_scale(n: int, lay: _Overlay) -> np.ndarray:
    scale = np.ones(n)
    scale[lay.srcs] = lay.scale
    return scale


@dataclass(frozen=True, slots=True)
class _Overlay:
    """Edited sources with their new W' and row scale W/W' (0 when W' = 0: the page is
    left dangling), and per edit (s, t) the added entry ``coef = Δw/W'_s`` of P̃."""

    srcs: np.ndarray
    new_w: np.ndarray
    scale: np.ndarray
    es: np.ndarray
    et: np.ndarray
    coef: np.ndarray

    @classmethod
    def of(cls, chain: Chain) -> _Overlay:
        edits = chain.edits
        srcs = np.fromiter(edits, dtype=np.int64, count=len(edits))
        added = np.array([sum(edits[int(s)].values()) for s in srcs], dtype=np.float64)
        new_w = chain.base_weight[srcs] + added
        new_w[np.abs(new_w) < 1e-12 * np.maximum(1.0, chain.base_weight[srcs])] = 0.0
        if np.any(new_w < 0):
            raise ConfigError("a link edit removes more weight than the page's links carry")
        scale = np.divide(chain.base_weight[srcs], new_w, out=np.zeros(srcs.size), where=new_w > 0)
        row_w = dict(zip(srcs.tolist(), new_w.tolist(), strict=True))
        es, et, coef = [], [], []
        for s, ts in edits.items():
            for t, dw in ts.items():
                if row_w[s] > 0 and dw != 0:
                    es.append(s)
                    et.append(t)
                    coef.append(dw / row_w[s])
        return cls(
            srcs,
            new_w,
            scale,
            np.array(es, dtype=np.int64),
            np.array(et, dtype=np.int64),
            np.array(coef, dtype=np.float64),
        )


@dataclass(frozen=True, slots=True)
class State:
    """The solved chain for reward r: flow ``pi`` (sums to 1), value-to-go ``x = M·r``,
    ``g = M̃·d``, ``F = πᵀr``, and ``bound``, the largest error bound of the solves
    (absolute, on x and g in the max norm and on π in L1). ``z``/``y`` are kept as warm
    starts for the next solve of a slightly edited chain.
    """

    pi: np.ndarray
    x: np.ndarray
    g: np.ndarray
    reward: np.ndarray
    objective: float
    bound: float
    matvecs: int
    z: np.ndarray
    y: np.ndarray

    def column(self, damping: float, source: int, own: np.ndarray) -> np.ndarray:
        """``M·e_source`` from ``own = M̃·e_source`` (see the module docstring)."""
        out: np.ndarray = own + damping * self.g * self.pi[source] / (1.0 - damping)
        return out


def solve_state(
    chain: Chain, reward: np.ndarray, *, tolerance: float = 1e-11, warm: State | None = None
) -> State:
    """Solve ``chain`` for ``reward`` (r ≥ 0 per node) to absolute error ``tolerance``.

    ``warm`` (the state of a nearby chain) starts the three solves close to the answer.
    """
    n, alpha = chain.n, chain.damping
    r = np.asarray(reward, dtype=np.float64)
    if n == 0:
        empty = np.zeros(0)
        return State(empty, empty, empty, r, 0.0, 0.0, 0, empty, empty)
    d = chain.deficit()
    z, ez, kz = solve_linear(
        chain.backward, chain.teleport, alpha, "l1", tolerance, None if warm is None else warm.z
    )
    y, ey, ky = solve_linear(
        chain.forward, r, alpha, "max", tolerance, None if warm is None else warm.y
    )
    g, eg, kg = solve_linear(
        chain.forward, d, alpha, "max", tolerance, None if warm is None else warm.g
    )
    total = float(z.sum())
    pi = z / total
    objective = float(pi @ r)
    x = y + alpha * g * objective / (1.0 - alpha) if alpha > 0 else y
    bound = max(ez / total * 2, ey + eg * alpha / (1.0 - alpha) * max(float(r.max()), 1.0))
    return State(pi, x, g, r, objective, bound, kz + ky + kg, z, y)
