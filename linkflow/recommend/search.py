"""The state of the optimiser's search: candidates, caps, the links chosen so far."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from linkflow.recommend.chain import Chain, State
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.gain import Edit, Local, bounds, local
from linkflow.recommend.solve import solve_linear

__all__ = ["Caps", "Search", "as_edits"]


@dataclass(frozen=True, slots=True)
class Caps:
    """At most ``total`` new links, ``per_source`` on one page, ``per_target`` to one page."""

    total: int
    per_source: int
    per_target: int


class Search:
    """The candidate arrays (candidate e is the link ``src[e] → dst[e]`` of weight
    ``weight[e]``), the caps and the chosen set (candidate indices) while the search runs.

    ``min_gain`` is the smallest gain taken for a gain (1e-12 of F: below, rounding); the
    flow is solved again each round (:meth:`now`) to ``tolerance``.
    """

    def __init__(
        self, cache: ColumnCache, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, caps: Caps
    ) -> None:
        self.cache = cache
        self.src, self.dst, self.weight = src, dst, weight
        self.caps = caps
        self.chosen: list[int] = []
        self.tolerance = 1e-11
        self.min_gain = 1e-12 * max(cache.state.objective, 1e-300)

    def edit(self, e: int) -> Edit:
        """Candidate ``e`` as an edit (source, target, added weight)."""
        return int(self.src[e]), int(self.dst[e]), float(self.weight[e])

    def edits(self, chosen: list[int]) -> list[Edit]:
        """The candidates ``chosen`` as edits."""
        return [self.edit(e) for e in chosen]

    def fits(self, e: int, chosen: list[int]) -> bool:
        """Whether adding ``e`` to ``chosen`` stays within the caps."""
        if len(chosen) >= self.caps.total or e in chosen:
            return False
        s, t = int(self.src[e]), int(self.dst[e])
        by_src = sum(1 for c in chosen if self.src[c] == s)
        by_dst = sum(1 for c in chosen if self.dst[c] == t)
        return by_src < self.caps.per_source and by_dst < self.caps.per_target

    def local(self, chosen: list[int], others: list[int] | np.ndarray) -> Local:
        """What exact gains of ``chosen`` and ``others`` together need (their columns)."""
        ids = [*chosen, *np.asarray(others, dtype=np.int64).tolist()]
        return local(self.cache, self.src[ids], self.dst[ids])

    def now(self, chain: Chain, warm: State) -> State:
        """The chain with the chosen links, solved enough for the candidates' bounds: π by
        one solve from ``warm``; x exactly from the crawled graph's x and the chosen links'
        columns (Woodbury, no solve). ``g`` and ``y`` stay the crawled graph's."""
        base = self.cache.state
        if not self.chosen:
            return base
        alpha = chain.damping
        sources, beta = self.local(self.chosen, []).value_change(self.edits(self.chosen))
        own = sp.vstack([self.cache.rows[s] for s in sources]).tocsr()
        x = base.x + own.T @ beta
        x += alpha / (1.0 - alpha) * base.g * float(base.pi[sources] @ beta)
        z, err, used = solve_linear(
            chain.backward, chain.teleport, alpha, "l1", self.tolerance, x0=warm.z
        )
        pi = z / z.sum()
        return State(
            pi,
            x,
            base.g,
            base.reward,
            float(pi @ base.reward),
            max(err / z.sum(), self.cache.bound),
            used,
            z,
            base.y,
        )

    def eligible(
        self, chain: Chain, state: State, *, strict: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidates within the caps with a positive gain now, by decreasing upper bound
        (with ``strict`` off: every candidate not chosen, whatever the caps and the sign)."""
        src, dst = self.src, self.dst
        ok = np.ones(src.size, bool)
        if strict:
            used_s = Counter(int(src[c]) for c in self.chosen)
            used_t = Counter(int(dst[c]) for c in self.chosen)
            full_s = [s for s, k in used_s.items() if k >= self.caps.per_source]
            full_t = [t for t, k in used_t.items() if k >= self.caps.per_target]
            ok = ~np.isin(src, full_s) & ~np.isin(dst, full_t)
        ok[self.chosen] = False
        idx = np.flatnonzero(ok)
        num, _, up = bounds(chain, state, src[idx], dst[idx], self.weight[idx])
        if strict:
            idx, up = idx[num > 0], up[num > 0]
        order = np.argsort(-up, kind="stable")
        return idx[order], up[order]


def as_edits(edits: list[Edit]) -> dict[int, dict[int, float]]:
    """``edits`` as a chain's edit overlay ``{source: {target: Δw}}``."""
    out: dict[int, dict[int, float]] = {}
    for s, t, w in edits:
        row = out.setdefault(s, {})
        row[t] = row.get(t, 0.0) + w
    return out
