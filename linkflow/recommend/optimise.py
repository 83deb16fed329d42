"""Choosing k links: batched lazy greedy on exact marginal gains, then swap polish.

LF-Greedy (research/algorithms.md §2.5). Every gain here is exact: the effect of a set of
new links is evaluated in closed form against the crawled graph (Woodbury,
:meth:`linkflow.recommend.gain.Local.effect`) from columns of M computed once per page.

Each round solves the flow of the chain with the links chosen so far again (warm start) and
updates the values x from their columns (:meth:`linkflow.recommend.search.Search.now`),
which gives every candidate an upper bound on its gain
(:func:`linkflow.recommend.gain.bounds`). Candidates
are evaluated exactly in decreasing bound until the ``2·batch`` best exact gains all beat
the next bound (lazy evaluation); then up to ``batch`` links are accepted greedily, each the
best exact marginal gain given everything accepted before it. A link is accepted only with
a positive gain, within the caps (new links per source page, per target page, overall).
The polish (:mod:`linkflow.recommend.polish`) then drops, adds and swaps links while that
raises the objective, within a time box, and the greedy fills any room it leaves. The links
are finally ranked greedily by their exact marginal gains, so each row's gain is its effect
given the rows ranked above it and the gains add up to the effect of the whole set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from linkflow.recommend.chain import solve_state
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.gain import bounds, local
from linkflow.recommend.polish import polish
from linkflow.recommend.search import Caps, Search, as_edits

__all__ = ["Caps", "Outcome", "optimise"]

_CHUNK = 32
"""Candidates evaluated exactly per step of the lazy evaluation."""
PROBE_LOOSENESS = 100.0
"""Columns M·e_t of targets, used only for their own gains (target_gain), are computed to
this many times the error of the sources' columns (1e-6 by default)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """The chosen candidates (indices into the candidate arrays) in rank order, each with
    its exact marginal ``gains`` (ΔF given the links ranked before it) and
    ``target_gains`` (Δπ of its target page, same convention; NaN when not computed).

    ``objective`` is F before, ``predicted`` F + Σ gains, ``recomputed`` F solved again on
    the graph with every chosen link; ``bound`` bounds the error of each gain's inputs.
    ``nonpositive`` counts the candidates whose gain was not positive on the crawled graph.
    """

    chosen: np.ndarray
    gains: np.ndarray
    target_gains: np.ndarray
    objective: float
    predicted: float
    recomputed: float
    nonpositive: int
    rounds: int
    swaps: int
    bound: float
    seconds: dict[str, float] = field(default_factory=dict)


def _lazy_pool(
    search: Search, order: np.ndarray, upper: np.ndarray, want: int
) -> tuple[dict[int, float], float]:
    """Exact marginal gains (given the chosen set) of candidates in bound order, until the
    ``want`` best beat every bound not evaluated; also returns the best bound left out."""
    chosen = search.chosen
    base_edits = search.edits(chosen)
    gains: dict[int, float] = {}
    i = 0
    while i < order.size:
        chunk = order[i : i + _CHUNK]
        i += chunk.size
        loc = search.local(chosen, chunk)
        marginal = loc.marginals(base_edits, search.edits(chunk.tolist()))
        gains.update(zip(chunk.tolist(), marginal.tolist(), strict=True))
        best = sorted(gains.values(), reverse=True)[:want]
        if i < order.size and len(best) >= want and best[-1] >= upper[i]:
            break
    return gains, float(upper[i]) if i < order.size else 0.0


def _round(search: Search, order: np.ndarray, upper: np.ndarray, batch: int) -> list[int]:
    """Accept up to ``batch`` links greedily by exact marginal gain (see module docstring)."""
    gains, outside = _lazy_pool(search, order, upper, 2 * batch)
    pool = [e for e, g in gains.items() if g > search.min_gain]
    if not pool:
        return []
    loc = search.local(search.chosen, pool)
    picks: list[int] = []
    for _ in range(batch):
        taken = [*search.chosen, *picks]
        fits = [e for e in pool if search.fits(e, taken)]
        if not fits:
            break
        marginal = loc.marginals(search.edits(taken), search.edits(fits))
        j = int(np.argmax(marginal))
        if marginal[j] <= search.min_gain or (picks and marginal[j] < outside):
            break
        picks.append(fits[j])
    return picks


def _rank(search: Search, target_gains: bool) -> tuple[list[int], list[float], list[float]]:
    """The chosen links in greedy order of exact marginal gain on the crawled graph."""
    chosen = search.chosen
    probes = sorted({int(search.dst[e]) for e in chosen}) if target_gains else []
    # a target's own gain describes, it is not optimised: its column need not be as exact
    loose = PROBE_LOOSENESS * search.cache.eps
    loc = local(search.cache, search.src[chosen], search.dst[chosen], probes, loose)
    order: list[int] = []
    gains: list[float] = []
    tgains: list[float] = []
    remaining = list(chosen)
    while remaining:
        marginal = loc.marginals(search.edits(order), search.edits(remaining))
        trial = dict(zip(remaining, marginal.tolist(), strict=True))
        e = max(trial, key=trial.__getitem__)
        if trial[e] <= search.min_gain:
            break
        if probes:
            t = [int(search.dst[e])]
            after = loc.effect(search.edits([*order, e]), t)[1][0]
            before = loc.effect(search.edits(order), t)[1][0] if order else 0.0
            tgains.append(float(after - before))
        else:
            tgains.append(float("nan"))
        order.append(e)
        gains.append(trial[e])
        remaining.remove(e)
    return order, gains, tgains


def _greedy(search: Search, batch: int) -> int:
    """Greedy rounds from the chosen set until the caps are reached or nothing helps;
    returns the number of rounds."""
    base_chain = search.cache.chain
    rounds, state, chain = 0, search.cache.state, base_chain
    while len(search.chosen) < search.caps.total:
        if search.chosen:
            chain = base_chain.with_edits(as_edits(search.edits(search.chosen)))
            state = search.now(chain, state)
        rounds += 1
        order, upper = search.eligible(chain, state)
        if order.size == 0:
            break
        picks = _round(search, order, upper, min(batch, search.caps.total - len(search.chosen)))
        if not picks:
            break
        search.chosen.extend(picks)
    return rounds


def optimise(
    cache: ColumnCache,
    src: np.ndarray,
    dst: np.ndarray,
    weight: np.ndarray,
    caps: Caps,
    *,
    batch: int = 10,
    polish_seconds: float = 10.0,
    target_gains: bool = True,
    tolerance: float = 1e-11,
) -> Outcome:
    """Choose up to ``caps.total`` of the candidate links src→dst (weights ``weight``) that
    raise F the most on ``cache``'s chain; see the module docstring.

    Candidates whose gain on the crawled graph is not positive are never chosen. Re-solves
    run to absolute error ``tolerance``; ``target_gains`` computes Δπ of each target.
    """
    t0 = time.perf_counter()
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    weight = np.asarray(weight, np.float64)
    base_chain, base = cache.chain, cache.state
    search = Search(cache, src, dst, weight, caps)
    num0, _, _ = bounds(base_chain, base, src, dst, weight)
    search.tolerance = tolerance
    rounds = _greedy(search, batch)
    t1 = time.perf_counter()
    swaps = 0
    while True:
        moved = polish(search, t1 + polish_seconds, batch)
        swaps += moved
        if not moved or len(search.chosen) >= caps.total:
            break
        rounds += _greedy(search, batch)  # a dropped link leaves room again
    t2 = time.perf_counter()
    order_, gains, tgains = _rank(search, target_gains)
    final_chain = base_chain.with_edits(as_edits(search.edits(order_)))
    final = solve_state(final_chain, base.reward, tolerance=tolerance, warm=base)
    t3 = time.perf_counter()
    return Outcome(
        chosen=np.asarray(order_, dtype=np.int64),
        gains=np.asarray(gains),
        target_gains=np.asarray(tgains),
        objective=base.objective,
        predicted=base.objective + float(np.sum(gains)),
        recomputed=final.objective,
        nonpositive=int((num0 <= 0).sum()),
        rounds=rounds,
        swaps=swaps,
        bound=cache.bound + base.bound + final.bound,
        seconds={
            "greedy": round(t1 - t0, 3),
            "polish": round(t2 - t1, 3),
            "rank": round(t3 - t2, 3),
        },
    )
