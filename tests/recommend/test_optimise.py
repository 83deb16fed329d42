"""The optimiser: brute force on small graphs, and its invariants.

``python -m tests.recommend.test_optimise N`` runs the brute-force comparison on N random
instances and prints the figures (share optimal, worst ratio to the optimum).
"""

from __future__ import annotations

import itertools
import sys
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.recommend.chain import Chain, solve_state
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.optimise import Caps, Outcome, optimise
from tests.recommend.dense import ALPHA, edited, random_graph, solve, weights_of


@dataclass
class Instance:
    mat: np.ndarray
    out_w: np.ndarray
    v: np.ndarray
    r: np.ndarray
    pairs: list[tuple[int, int]]
    weight: np.ndarray
    caps: Caps
    cache: ColumnCache


def instance(seed: int, max_pages: int = 15, max_candidates: int = 14) -> Instance:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, max_pages + 1))
    graph = random_graph(
        rng, n, density=float(rng.uniform(0.1, 0.45)), evaporate=bool(rng.random() < 0.3)
    )
    v = rng.random(n) + 0.05
    v /= v.sum()
    r = np.zeros(n)
    r[rng.choice(n, int(rng.integers(1, 4)), replace=False)] = rng.choice([1.0, 3.0], 1)[0]
    mat, out_w = weights_of(graph)
    pairs = [(s, t) for s in range(n) for t in range(n) if s != t and mat[s, t] == 0]
    rng.shuffle(pairs)
    pairs = pairs[:max_candidates]
    weight = rng.choice([1.0, 0.5], len(pairs))
    caps = Caps(int(rng.integers(1, 5)), int(rng.integers(1, 3)), int(rng.integers(1, 4)))
    chain = Chain.of(graph, v, ALPHA)
    cache = ColumnCache(chain, solve_state(chain, r, tolerance=1e-14), eps=1e-15)
    return Instance(mat, out_w, v, r, pairs, weight, caps, cache)


def run(inst: Instance, batch: int = 3) -> Outcome:
    src = np.array([p[0] for p in inst.pairs], dtype=np.int64)
    dst = np.array([p[1] for p in inst.pairs], dtype=np.int64)
    return optimise(inst.cache, src, dst, inst.weight, inst.caps, batch=batch, tolerance=1e-14)


def objective(inst: Instance, chosen: list[int] | np.ndarray) -> float:
    edits = [(*inst.pairs[i], float(inst.weight[i])) for i in chosen]
    m2, w2 = edited(inst.mat, inst.out_w, edits)
    return float(solve(m2, w2, inst.v, inst.r)["F"])


def within_caps(inst: Instance, chosen: list[int] | np.ndarray) -> bool:
    if len(chosen) > inst.caps.total:
        return False
    by_s = Counter(inst.pairs[i][0] for i in chosen)
    by_t = Counter(inst.pairs[i][1] for i in chosen)
    return all(n <= inst.caps.per_source for n in by_s.values()) and all(
        n <= inst.caps.per_target for n in by_t.values()
    )


def optimum(inst: Instance) -> float:
    best = objective(inst, [])
    for size in range(1, inst.caps.total + 1):
        for chosen in itertools.combinations(range(len(inst.pairs)), size):
            if within_caps(inst, chosen):
                best = max(best, objective(inst, chosen))
    return best


def compare(seeds: range) -> tuple[float, int, int]:
    """(worst ratio of gains to the optimum's, instances solved optimally, instances)."""
    worst, optimal = 1.0, 0
    for seed in seeds:
        inst = instance(seed)
        out = run(inst, batch=[1, 3, 10][seed % 3])
        base, best = objective(inst, []), optimum(inst)
        got = objective(inst, out.chosen)
        ratio = (got - base) / (best - base) if best > base + 1e-15 else 1.0
        worst = min(worst, ratio)
        optimal += ratio >= 1 - 1e-9
    return worst, optimal, len(seeds)


def test_brute_force_on_small_graphs() -> None:
    """Up to 15 pages and 14 candidates: ≥ 0.95 of the optimum in the worst case, the
    optimum in ≥ 95 % of instances."""
    worst, optimal, total = compare(range(120))
    assert worst >= 0.95, worst
    assert optimal >= 0.95 * total, (optimal, total)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([1, 2, 10]))
def test_invariants(seed: int, batch: int) -> None:
    inst = instance(seed, max_pages=12, max_candidates=12)
    out = run(inst, batch)
    chosen = out.chosen.tolist()
    # caps are never exceeded
    assert within_caps(inst, chosen)
    assert len(set(chosen)) == len(chosen)
    # every accepted link had a positive gain given the ones before it, so the objective
    # never decreases along the ranking; each gain is exact
    assert np.all(out.gains > 0)
    before = objective(inst, [])
    for j in range(len(chosen)):
        after = objective(inst, chosen[: j + 1])
        assert after - before == pytest.approx(out.gains[j], abs=1e-10)
        assert after >= before
        before = after
    # predicted gain of the chosen set equals the recomputed gain after applying it
    assert out.predicted == pytest.approx(out.recomputed, abs=1e-9)
    assert out.recomputed == pytest.approx(objective(inst, chosen), abs=1e-12)


def test_target_gains_are_the_targets_own_flow_changes() -> None:
    inst = instance(4)
    out = run(inst)
    assert out.chosen.size
    prefix: list[int] = []
    for j, e in enumerate(out.chosen.tolist()):
        t = inst.pairs[e][1]
        edits = [(*inst.pairs[i], float(inst.weight[i])) for i in prefix]
        m0, w0 = edited(inst.mat, inst.out_w, edits)
        m1, w1 = edited(m0, w0, [(*inst.pairs[e], float(inst.weight[e]))])
        change = solve(m1, w1, inst.v, inst.r)["pi"][t] - solve(m0, w0, inst.v, inst.r)["pi"][t]
        assert out.target_gains[j] == pytest.approx(change, abs=1e-12)
        prefix.append(e)


def test_no_money_pages_means_no_links() -> None:
    inst = instance(2)
    inst.cache = ColumnCache(inst.cache.chain, solve_state(inst.cache.chain, np.zeros(len(inst.v))))
    assert run(inst).chosen.size == 0


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    w, o, t = compare(range(count))
    print(f"{t} instances: optimal in {o} ({100 * o / t:.1f} %), worst ratio {w:.4f}")
