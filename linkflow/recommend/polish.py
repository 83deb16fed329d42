"""The optimiser's polish: local search over the chosen links (drop, add, swap)."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator

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
        base = loc.effect(search.edits(chosen))[0]
        best: list[int] | None = None
        best_gain = search.min_gain
        unused = [f for f in extra if f not in chosen]
        for out, add in _moves(chosen, unused, search.caps.total - len(chosen)):
            rest = [c for c in chosen if c not in out]
            trial = _fitted(search, rest, add)
            if trial is not None:
                g = loc.effect(search.edits(trial))[0] - base
                if g > best_gain:
                    best, best_gain = trial, g
        if best is None:
            break
        search.chosen = best
        moves += 1
    return moves


def _fitted(search: Search, rest: list[int], add: tuple[int, ...]) -> list[int] | None:
    """``rest`` plus ``add`` if that stays within the caps, else None."""
    trial = list(rest)
    for f in add:
        if not search.fits(f, trial):
            return None
        trial.append(f)
    return trial
