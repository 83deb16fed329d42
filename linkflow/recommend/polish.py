"""The optimiser's polish: local search over the chosen links (drop, add, swap)."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator

from linkflow.recommend.gain import Edit, Local
from linkflow.recommend.search import Search, as_edits

__all__ = ["polish"]

_POLISH_POOL = 30
"""Candidates (best bounds first) the polish tries in place of each chosen link."""
_PAIR_MOVES = 20_000
"""Pair moves are tried while (chosen pairs) × (candidate pairs) stays below this."""


def _moves(
    chosen: list[int], extra: list[int], room: int
) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(links to drop, links to add) of the local search: drop one, add one (when there is
    room), swap one for one, and, while the sets are small, two for two, two for one and
    one for two (a pair of links may only help together)."""
    pairs = math.comb(len(chosen), 2) * math.comb(len(extra), 2) <= _PAIR_MOVES
    widths = [(1, 0), (0, 1), (1, 1)] + ([(2, 2), (2, 1), (1, 2), (0, 2)] if pairs else [])
    for n_out, n_in in widths:
        if n_in > n_out + room:
            continue
        for out in itertools.combinations(chosen, n_out):
            for add in itertools.combinations(extra, n_in):
                yield out, add


def polish(search: Search, deadline: float, batch: int) -> int:
    """Local search over :func:`_moves` until no move raises F (or time is up)."""
    if not search.chosen or time.perf_counter() >= deadline:
        return 0
    chain = search.cache.chain.with_edits(as_edits(search.edits(search.chosen)))
    state = search.now(chain, search.cache.state)
    order, _ = search.eligible(chain, state, strict=False)  # a swap may free a cap
    extra = order[: max(3 * batch, _POLISH_POOL)].tolist()
    loc = search.local(search.chosen, extra)
    moves = 0
    while time.perf_counter() < deadline:
        chosen = search.chosen
        best: list[int] | None = None
        best_gain = search.min_gain
        unused = [f for f in extra if f not in chosen]
        gains = _Gains(search, loc, unused)
        for out, add in _moves(chosen, unused, search.caps.total - len(chosen)):
            rest = [c for c in chosen if c not in out]
            trial = _fitted(search, rest, add)
            if trial is not None:
                g = gains.of(out, add, trial)
                if g > best_gain:
                    best, best_gain = trial, g
        if best is None:
            break
        search.chosen = best
        moves += 1
    return moves


class _Gains:
    """ΔF of each move less ΔF of the chosen links, a move being chosen links dropped and
    candidates added (``trial``: what is left then).

    A move of at most one drop and one addition is (drop c) + (add f after it): ΔF without
    c, once per c, and the marginal gains of every unused candidate on the chosen links
    without c, in one batched call (:meth:`Local.marginals`) per c. Solving each move's
    system whole instead took 0.08 s of the PostgreSQL docs' 0.11 s optimisation (836
    moves of 0.1 ms). Moves of two links are solved whole.
    """

    def __init__(self, search: Search, loc: Local, unused: list[int]) -> None:
        self.search, self.loc, self.unused = search, loc, unused
        self.base = loc.effect(search.edits(search.chosen))[0]
        self._without: dict[int, float] = {}  # c → ΔF(chosen − c) − base
        self._after: dict[int, dict[int, float]] = {}  # c → f → marginal gain of f then

    def of(self, out: tuple[int, ...], add: tuple[int, ...], trial: list[int]) -> float:
        if len(out) > 1 or len(add) > 1:
            return float(self.loc.effect(self.search.edits(trial))[0]) - self.base
        c = out[0] if out else -1
        lost = self._lost(c)
        return lost + self._gained(c, add[0]) if add else lost

    def _rest(self, c: int) -> list[Edit]:
        return self.search.edits([e for e in self.search.chosen if e != c])

    def _lost(self, c: int) -> float:
        if c < 0:
            return 0.0
        if c not in self._without:
            self._without[c] = float(self.loc.effect(self._rest(c))[0]) - self.base
        return self._without[c]

    def _gained(self, c: int, f: int) -> float:
        if c not in self._after:
            gains = self.loc.marginals(self._rest(c), self.search.edits(self.unused))
            self._after[c] = dict(zip(self.unused, gains.tolist(), strict=True))
        return self._after[c][f]


def _fitted(search: Search, rest: list[int], add: tuple[int, ...]) -> list[int] | None:
    """``rest`` plus ``add`` if that stays within the caps, else None."""
    trial = list(rest)
    for f in add:
        if not search.fits(f, trial):
            return None
        trial.append(f)
    return trial
