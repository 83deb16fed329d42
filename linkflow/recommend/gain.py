"""The exact effect of link edits on the money pages' flow, in closed form.

For one new link s→t of weight w (research/algorithms.md §2.3, Sherman–Morrison on the
rank-one change of row s of P)::

    ΔF(s→t, w) = π_s · (α·x_t − x_s + r_s) / (W_s/w + c_s − α·c_t),     c = M·e_s

The denominator is always positive (``c_s ≥ 1``, ``c_t ≤ c_s``), so the sign of a gain is
the sign of its numerator: a link helps exactly when ``x_t`` exceeds the average value of
s's current links, ``(x_s − r_s)/α``. The same numerator gives bounds without c::

    π_s·num / (W_s/w + 1/(1−α))  ≤  ΔF  ≤  π_s·num / (W_s/w + 1 − α)

For several edits at once (new links, removed or re-weighted ones, on several pages) each
edited page s changes its row by ``δ_s = p'_s − p_s``, and Woodbury's identity gives

    ΔF = α · π_Sᵀ · (I − α·K)⁻¹ · h,     K_ab = δ_aᵀ·M·e_{s_b},   h_a = δ_aᵀ·x

which needs M·e_s only at the edited pages and the targets of their edits (:class:`Local`).
``pᵀ_s·x = (x_s − r_s)/α`` and ``pᵀ_s·M·e_b = (M_sb − 1{s=b})/α`` follow from
``x = r + αPx`` and ``M = I + αPM``, so no row of P is ever read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from linkflow.recommend.chain import Chain, State
from linkflow.recommend.columns import ColumnCache

__all__ = ["Local", "bounds", "current_weight", "local"]

Edit = tuple[int, int, float]
"""One weight change: (source node, target node, Δw)."""


def current_weight(chain: Chain) -> np.ndarray:
    """W of every page of ``chain``, edits included."""
    w = chain.base_weight.copy()
    lay = chain.overlay
    w[lay.srcs] = lay.new_w
    return w


def bounds(
    chain: Chain, state: State, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(numerator, lower bound, upper bound) of the gain of each new link src→dst.

    The gain has the numerator's sign; for a positive numerator it lies within the bounds.
    """
    alpha = chain.damping
    x, r, pi = state.x, state.reward, state.pi
    num = alpha * x[dst] - x[src] + r[src]
    ratio = current_weight(chain)[src] / weight
    upper = pi[src] * num / (ratio + 1.0 - alpha)
    lower = pi[src] * num / (ratio + 1.0 / (1.0 - alpha))
    return num, lower, upper


@dataclass(frozen=True, slots=True)
class Local:
    """What exact gains need, gathered for a set of ``sources`` and ``nodes``.

    ``cols[b, j]`` is ``(M·e_{sources[b]})[nodes[j]]``; every source is also a node.
    ``x``, ``r``, ``pi``, ``weight`` (W) are the state's values at ``nodes``.
    """

    damping: float
    objective: float
    sources: np.ndarray
    nodes: np.ndarray
    cols: np.ndarray
    x: np.ndarray
    r: np.ndarray
    pi: np.ndarray
    weight: np.ndarray
    bound: float

    node_pos: dict[int, int] = field(default_factory=dict)
    source_pos: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.node_pos.update((n, j) for j, n in enumerate(self.nodes.tolist()))
        self.source_pos.update((n, b) for b, n in enumerate(self.sources.tolist()))

    def where(self, ids: Iterable[int], of_sources: bool = False) -> np.ndarray:
        """Positions of node ids in :attr:`nodes` (or in :attr:`sources`); KeyError for a
        node outside them."""
        pos = self.source_pos if of_sources else self.node_pos
        return np.array([pos[int(i)] for i in ids], dtype=np.int64)

    def singles(self, src: np.ndarray, dst: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Exact gain of each new link src→dst alone (sources in :attr:`sources`)."""
        alpha = self.damping
        b = self.where(src, of_sources=True)
        i_s, i_t = self.where(src), self.where(dst)
        num = alpha * self.x[i_t] - self.x[i_s] + self.r[i_s]
        den = self.weight[i_s] / weight + self.cols[b, i_s] - alpha * self.cols[b, i_t]
        out: np.ndarray = self.pi[i_s] * num / den
        return out

    def effect(self, edits: Sequence[Edit], probes: Sequence[int] = ()) -> tuple[float, np.ndarray]:
        """ΔF of applying all ``edits`` at once, and the change of π at ``probes``.

        Every edited source must be in :attr:`sources`, every target and probe in
        :attr:`nodes`; a probe must also be in :attr:`sources` (its column gives M·e_t).
        """
        if not edits:
            return 0.0, np.zeros(len(probes))
        uniq, _, h, rows = self._system(edits, [int(p) for p in probes])
        m = len(uniq)
        pi = self.pi[self.where(uniq)]
        weights = self.damping * np.linalg.solve((np.eye(m) - self.damping * rows[:, :m]).T, pi)
        return float(weights @ h), weights @ rows[:, m:]

    def value_change(self, edits: Sequence[Edit]) -> tuple[list[int], np.ndarray]:
        """Edited sources s_a and β with ``x' − x = Σ_a β_a·M·e_{s_a}`` once ``edits`` are
        applied (Woodbury: ``β = α·(I − αK)⁻¹·h``)."""
        if not edits:
            return [], np.zeros(0)
        uniq, _, h, rows = self._system(edits, [])
        m = len(uniq)
        return uniq, self.damping * np.linalg.solve(np.eye(m) - self.damping * rows[:, :m], h)

    def _system(
        self, edits: Sequence[Edit], more: list[int]
    ) -> tuple[list[int], dict[int, int], np.ndarray, np.ndarray]:
        """Edited sources (first-seen order, and their positions), ``h_a = δ_aᵀx`` and
        ``δ_aᵀ·M·e_o`` for the owners o = edited sources, then ``more``."""
        alpha = self.damping
        first: dict[int, int] = {}
        group = np.array([first.setdefault(e[0], len(first)) for e in edits], dtype=np.int64)
        uniq = list(first)
        m = len(uniq)
        i_src = self.where(uniq)
        i_t = self.where([e[1] for e in edits])
        dw = np.array([e[2] for e in edits], dtype=np.float64)
        old_w = self.weight[i_src]
        new_w = old_w + np.bincount(group, weights=dw, minlength=m)
        new_w[np.abs(new_w) < 1e-12 * np.maximum(1.0, old_w)] = 0.0
        gone = new_w <= 0  # the page is left without links: its row becomes v
        safe = np.where(gone, 1.0, new_w)
        px = (self.x[i_src] - self.r[i_src]) / alpha
        h = np.bincount(group, weights=dw * (self.x[i_t] - px[group]), minlength=m) / safe
        if gone.any():
            h = np.where(gone, self.objective / (1.0 - alpha) - px, h)
        owners = [*uniq, *more]
        cols = self.cols[self.where(owners, of_sources=True)]  # (owners, nodes)
        pc = cols[:, i_src].T / alpha  # pᵀ_a·M·e_o = (M_{s_a,o} − 1{s_a = o})/α
        pc[np.arange(m), np.arange(m)] -= 1.0 / alpha
        for j, p in enumerate(more, m):
            if p in first:
                pc[first[p], j] -= 1.0 / alpha
        rows = np.zeros((m, len(owners)))
        np.add.at(rows, group, dw[:, None] * (cols[:, i_t].T - pc[group]))
        rows /= safe[:, None]
        if gone.any():
            v_c = self.pi[self.where(owners)] / (1.0 - alpha)  # vᵀ·M·e_o
            rows = np.where(gone[:, None], v_c[None, :] - pc, rows)
        return uniq, first, h, rows

    def marginals(self, base: Sequence[Edit], adds: Sequence[Edit]) -> np.ndarray:
        """``ΔF(base + e) − ΔF(base)`` for each single edit e of ``adds`` (added weight).

        For an e whose page ``base`` does not edit, the system grows by one row and column:
        with A = I − αK of ``base``, u = A⁻ᵀπ_S, y = A⁻¹h, the border k (δ_aᵀM e_e), k'
        (δ_eᵀM e_b) and the Schur complement σ = 1 − αK_ee − α²·k'ᵀA⁻¹k, the marginal gain is
        ``α·(−α uᵀk − π_e)(−α k'ᵀy − h_e)/σ`` — all such e at once; others are solved whole.
        """
        out = np.zeros(len(adds))
        alpha = self.damping
        edited = {b[0] for b in base}
        fresh = [j for j, e in enumerate(adds) if e[0] not in edited]
        if len(fresh) < len(adds):  # a page base edits already: its row is solved again
            before = self.effect(base)[0]
            for j in sorted(set(range(len(adds))) - set(fresh)):
                out[j] = self.effect([*base, adds[j]])[0] - before
        if not fresh:
            return out
        news = [adds[j] for j in fresh]
        src = self.where([e[0] for e in news])
        dst = self.where([e[1] for e in news])
        w = np.array([e[2] for e in news], dtype=np.float64)
        own = self.cols[self.where([e[0] for e in news], of_sources=True)]  # (new, nodes)
        w_new = self.weight[src] + w
        px = (self.x[src] - self.r[src]) / alpha
        h_e = w * (self.x[dst] - px) / w_new
        take = np.arange(len(news))
        k_ee = w * (own[take, dst] - (own[take, src] - 1.0) / alpha) / w_new
        if not base:
            out[fresh] = alpha * self.pi[src] * h_e / (1.0 - alpha * k_ee)
            return out
        uniq, _, h, rows = self._system(base, [e[0] for e in news])
        m = len(uniq)
        a_inv = np.linalg.inv(np.eye(m) - alpha * rows[:, :m])
        u = a_inv.T @ self.pi[self.where(uniq)]
        y = a_inv @ h
        k_col = rows[:, m:]  # (m, new): δ_aᵀ·M·e_e
        base_cols = self.cols[self.where(uniq, of_sources=True)]  # (m, nodes)
        k_row = w[:, None] * (base_cols[:, dst].T - base_cols[:, src].T / alpha) / w_new[:, None]
        sigma = 1.0 - alpha * k_ee - alpha**2 * np.einsum("jb,bj->j", k_row, a_inv @ k_col)
        a = -alpha * (u @ k_col)
        b = -alpha * (k_row @ y)
        out[fresh] = alpha * (a - self.pi[src]) * (b - h_e) / sigma
        return out


def local(
    cache: ColumnCache,
    sources: Iterable[int],
    extra_nodes: Iterable[int] = (),
    probes: Iterable[int] = (),
    probe_eps: float | None = None,
) -> Local:
    """Gather :class:`Local` for the edited ``sources``, ``extra_nodes`` (targets) and
    ``probes`` (pages whose flow change is wanted) from the columns of ``cache``, computed
    there if needed: the sources' to the cache's own error, the probes' to ``probe_eps``."""
    chain, state = cache.chain, cache.state
    edited = np.unique(np.fromiter(sources, dtype=np.int64))
    cache.ensure(edited)
    looked = np.unique(np.fromiter(probes, dtype=np.int64))
    cache.ensure(looked, eps=probe_eps)
    src = np.union1d(edited, looked)
    nodes = np.unique(np.concatenate([src, np.fromiter(extra_nodes, dtype=np.int64)]))
    return Local(
        damping=chain.damping,
        objective=state.objective,
        sources=src,
        nodes=nodes,
        cols=cache.matrix(src, nodes),
        x=state.x[nodes],
        r=state.reward[nodes],
        pi=state.pi[nodes],
        weight=current_weight(chain)[nodes],
        bound=cache.bound + state.bound,
    )
