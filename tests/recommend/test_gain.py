"""The exact gain formula and the chain's solves against dense recomputation with numpy."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.errors import ConfigError
from linkflow.graph import from_edges
from linkflow.recommend import columns
from linkflow.recommend.chain import Chain, solve_state
from linkflow.recommend.columns import ColumnCache, own_columns
from linkflow.recommend.fixes_links import teleport_gain
from linkflow.recommend.gain import bounds, local
from tests.recommend.dense import ALPHA, edited, random_graph, solve, weights_of


def _case(seed: int, n: int, evaporate: bool) -> tuple[Chain, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    graph = random_graph(rng, n, evaporate=evaporate)
    v = rng.random(n) + 0.01
    v /= v.sum()
    r = np.zeros(n)
    r[rng.choice(n, max(1, n // 3), replace=False)] = rng.choice([1.0, 2.5], max(1, n // 3))
    return Chain.of(graph, v, ALPHA), v, r, weights_of(graph)[0]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 14), evaporate=st.booleans())
def test_solves_match_the_dense_model(seed: int, n: int, evaporate: bool) -> None:
    chain, v, r, _ = _case(seed, n, evaporate)
    mat, out_w = weights_of_chain(chain)
    ref = solve(mat, out_w, v, r)
    state = solve_state(chain, r, tolerance=1e-14)
    assert np.abs(state.pi - ref["pi"]).max() < 1e-13
    assert np.abs(state.x - ref["x"]).max() < 1e-12
    assert state.objective == pytest.approx(ref["F"], abs=1e-13)
    # F = (1−α)·vᵀx: the value-to-go and the flow agree
    assert state.objective == pytest.approx((1 - ALPHA) * v @ state.x, abs=1e-13)


def weights_of_chain(chain: Chain) -> tuple[np.ndarray, np.ndarray]:
    p = chain.fwd.toarray()
    return p * chain.base_weight[:, None], chain.base_weight.copy()


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 13), evaporate=st.booleans())
def test_single_link_gain_equals_full_recomputation(seed: int, n: int, evaporate: bool) -> None:
    """Weighted links, dangling sources, sources inside the money set, evaporated nofollow
    shares: the closed form agrees with a dense re-solve to 1e-12."""
    chain, v, r, _ = _case(seed, n, evaporate)
    mat, out_w = weights_of_chain(chain)
    base = solve(mat, out_w, v, r)
    state = solve_state(chain, r, tolerance=1e-14)
    loc = local(ColumnCache(chain, state, eps=1e-15), range(n), range(n))
    rng = np.random.default_rng(seed)
    pairs = [(s, t) for s in range(n) for t in range(n) if s != t and mat[s, t] == 0]
    for s, t in pairs[:25]:
        w = float(rng.choice([1.0, 0.5, 0.2]))
        m2, w2 = edited(mat, out_w, [(s, t, w)])
        exact = solve(m2, w2, v, r)["F"] - base["F"]
        gain = loc.singles(np.array([s]), np.array([t]), np.array([w]))[0]
        assert gain == pytest.approx(exact, abs=1e-12)
        num, lower, upper = bounds(chain, state, np.array([s]), np.array([t]), np.array([w]))
        assert np.sign(num[0]) == np.sign(exact) or abs(exact) < 1e-14
        if num[0] > 0:
            assert lower[0] - 1e-14 <= exact <= upper[0] + 1e-14


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 12))
def test_several_edits_with_removals_equal_full_recomputation(seed: int, n: int) -> None:
    """Woodbury over several pages at once: additions, re-weightings, removals (w → −w),
    a page left without links (its row becomes v); flow changes of every page too."""
    chain, v, r, _ = _case(seed, n, False)
    mat, out_w = weights_of_chain(chain)
    rng = np.random.default_rng(seed + 1)
    edits: dict[tuple[int, int], float] = {}
    for _ in range(4):
        s, t = (int(x) for x in rng.integers(0, n, 2))
        if s != t:
            edits[(s, t)] = edits.get((s, t), 0.0) + float(rng.choice([1.0, 0.3]))
    for s, t in np.argwhere(mat > 0)[:3]:
        edits[(int(s), int(t))] = -float(mat[s, t])  # remove the edge
    flat = [(s, t, w) for (s, t), w in edits.items()]
    m2, w2 = edited(mat, out_w, flat)
    exact = solve(m2, w2, v, r)
    base = solve(mat, out_w, v, r)
    state = solve_state(chain, r, tolerance=1e-14)
    loc = local(ColumnCache(chain, state, eps=1e-15), range(n), range(n))
    gain, dpi = loc.effect(flat, list(range(n)))
    assert gain == pytest.approx(exact["F"] - base["F"], abs=1e-11)
    assert np.abs(dpi - (exact["pi"] - base["pi"])).max() < 1e-11
    # the edited chain solves to the same model
    grouped: dict[int, dict[int, float]] = {}
    for s, t, w in flat:
        grouped.setdefault(s, {})[t] = w
    after = solve_state(chain.with_edits(grouped), r, tolerance=1e-14, warm=state)
    assert np.abs(after.pi - exact["pi"]).max() < 1e-12


def test_a_link_to_a_weaker_page_lowers_the_money_flow() -> None:
    # 0 → 1 (money), 1 → 0; a new link 0 → 2 takes half of what 0 passed to the money page
    graph = from_edges(3, [0, 1, 2], [1, 0, 0])
    chain = Chain.of(graph, np.full(3, 1 / 3), ALPHA)
    state = solve_state(chain, np.array([0.0, 1.0, 0.0]))
    num, _, upper = bounds(chain, state, np.array([0, 2]), np.array([2, 1]), np.ones(2))
    assert num[0] < 0 < num[1]
    assert upper[1] > 0


@pytest.mark.parametrize("n", [1500, 3000])
def test_columns_by_push_match_a_solve_within_their_bound(n: int) -> None:
    """A small graph (dense rows) and a larger one (sparse rows, local push), with edits."""
    rng = np.random.default_rng(3)
    src, dst = rng.integers(0, n, 12 * n), rng.integers(0, n, 12 * n)
    graph = from_edges(n, src, dst, rng.choice([1.0, 0.5], src.size))
    chain = Chain.of(graph, np.full(n, 1 / n), ALPHA).with_edits({5: {7: 1.0}, 9: {5: -0.0}})
    own, bound = own_columns(chain, [5, 11], eps=1e-9)
    for b, s in enumerate([5, 11]):
        e = np.zeros(n)
        e[s] = 1.0
        ref = e.copy()
        for _ in range(400):  # the Neumann series, far past α**400
            ref = e + ALPHA * chain.forward(ref)
        got = own.getrow(b).toarray().ravel()
        assert np.abs(got - ref).max() <= bound
        assert bound <= 1e-9 / (1 - ALPHA) + 1e-12


def test_columns_solved_in_threads_are_the_columns_solved_one_by_one() -> None:
    """Columns that spread over the site are finished by solves, several at once in
    threads on a large graph: the same numbers as one after another, each within its
    bound of the Neumann series."""
    n = 6000
    rng = np.random.default_rng(8)
    src, dst = rng.integers(0, n, 8 * n), rng.integers(0, n, 8 * n)
    hubs = rng.integers(0, 20, 4 * n)  # every page links to a few hubs: their columns spread
    graph = from_edges(n, np.r_[src, rng.integers(0, n, hubs.size)], np.r_[dst, hubs])
    chain = Chain.of(graph, np.full(n, 1 / n), ALPHA)
    sources = list(range(20))
    real, where = columns.solve_linear, []  # the thread of each solve

    def solve(*args: Any, **kwargs: Any) -> Any:
        where.append(threading.get_ident())
        return real(*args, **kwargs)

    solved = mock.Mock(side_effect=solve)
    with mock.patch.object(columns, "solve_linear", solved):
        with mock.patch.object(columns, "_solve_threads", return_value=1):
            alone, alone_bound = own_columns(chain, sources, eps=1e-10)
        one_by_one = solved.call_count
        with mock.patch.object(columns, "_solve_threads", return_value=3):
            threaded, threaded_bound = own_columns(chain, sources, eps=1e-10)
    assert one_by_one >= 10  # most columns were solved, not pushed
    assert solved.call_count == 2 * one_by_one
    here = threading.get_ident()
    assert set(where[:one_by_one]) == {here}  # one thread: solved where asked
    assert here not in where[one_by_one:]  # threads: every solve in the pool
    assert threaded_bound == alone_bound
    assert (threaded != alone).nnz == 0
    for b in (0, 7, 19):
        e = np.zeros(n)
        e[sources[b]] = 1.0
        ref = e.copy()
        for _ in range(300):  # the Neumann series, far past α**300
            ref = e + ALPHA * chain.forward(ref)
        assert np.abs(threaded.getrow(b).toarray().ravel() - ref).max() <= threaded_bound


def test_solve_threads_follow_cores_memory_and_size() -> None:
    with mock.patch.object(columns.os, "sched_getaffinity", return_value={0, 1}, create=True):
        assert columns._solve_threads(4_999) == 1  # small: a solve is mostly Python
        assert columns._solve_threads(21_626) == 2
        assert columns._solve_threads(columns.SOLVE_BYTES // 80 // 3) == 2
        assert columns._solve_threads(columns.SOLVE_BYTES // 80 + 1) == 1  # one fits
    with mock.patch.object(
        columns.os, "sched_getaffinity", return_value=set(range(16)), create=True
    ):
        assert columns._solve_threads(21_626) == 4


def test_teleport_gain_is_exact() -> None:
    rng = np.random.default_rng(5)
    graph = random_graph(rng, 9)
    v = np.full(9, 1 / 9)
    r = np.zeros(9)
    r[[1, 4]] = 1.0
    chain = Chain.of(graph, v, ALPHA)
    state = solve_state(chain, r, tolerance=1e-14)
    v2 = rng.random(9)
    v2 /= v2.sum()
    mat, out_w = weights_of_chain(chain)
    exact = solve(mat, out_w, v2, r)["F"] - solve(mat, out_w, v, r)["F"]
    assert teleport_gain(chain, state, v2) == pytest.approx(exact, abs=1e-13)


def test_uniform_chain_is_networkx_pagerank() -> None:
    rng = np.random.default_rng(11)
    graph = random_graph(rng, 12)
    state = solve_state(Chain.of(graph, np.full(12, 1 / 12), ALPHA), np.ones(12))
    g = nx.DiGraph()
    g.add_nodes_from(range(12))
    rows = np.repeat(np.arange(12), np.diff(graph.indptr))
    g.add_weighted_edges_from(
        zip(rows.tolist(), graph.indices.tolist(), graph.weights.tolist(), strict=True)
    )
    ref = nx.pagerank(g, alpha=ALPHA, tol=1e-15, max_iter=10_000)
    assert np.abs(state.pi - np.array([ref[i] for i in range(12)])).max() < 1e-10
    assert state.objective == pytest.approx(1.0)


def test_bad_inputs_are_config_errors() -> None:
    graph = from_edges(2, [0], [1])
    with pytest.raises(ConfigError, match="damping"):
        Chain.of(graph, np.full(2, 0.5), 1.0)
    with pytest.raises(ConfigError, match="teleport"):
        Chain.of(graph, np.array([0.5]), ALPHA)
    with pytest.raises(ConfigError, match="removes more weight"):
        Chain.of(graph, np.full(2, 0.5), ALPHA).with_edits({0: {1: -2.0}})


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 40), evaporate=st.booleans())
def test_dense_and_sparse_push_give_the_same_columns(seed: int, n: int, evaporate: bool) -> None:
    """Small graphs push in dense rows, large ones in sparse rows: the same steps, so the
    same bound, and columns that differ by less than it twice (each is within the bound of
    the truth; an entry on the threshold may be pushed by one and not the other)."""
    chain, *_ = _case(seed, n, evaporate)
    chain = chain.with_edits({0: {n - 1: 1.0}}) if n > 1 else chain
    sources = list(range(0, n, 3))
    dense, dense_bound = own_columns(chain, sources, eps=1e-12)
    with mock.patch.object(columns, "_DENSE_ROWS", 0):
        sparse, sparse_bound = own_columns(chain, sources, eps=1e-12)
    assert dense_bound == sparse_bound == 1e-12
    assert np.abs(dense.toarray() - sparse.toarray()).max() <= 2 * dense_bound


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 60), evaporate=st.booleans())
def test_columns_solved_directly_match_the_dense_inverse(
    seed: int, n: int, evaporate: bool
) -> None:
    """A small unedited graph's columns come from one LU factorisation: each entry within
    the cache's bound of the dense inverse (numpy), entries ≤ eps left out; the push gives
    the same columns within both bounds."""
    chain, _, r, mat = _case(seed, n, evaporate)
    out_w = chain.base_weight
    p_tilde = np.divide(mat, out_w[:, None], out=np.zeros_like(mat), where=out_w[:, None] > 0)
    inverse = np.linalg.inv(np.eye(n) - ALPHA * p_tilde)  # column s: M̃·e_s
    state = solve_state(chain, r, tolerance=1e-13)
    sources = list(range(0, n, 2))
    direct = ColumnCache(chain, state, eps=1e-9)
    direct.ensure(sources)
    assert direct._factor is not None  # solved directly, not pushed
    with mock.patch.object(columns, "_DIRECT_N", 0):
        pushed = ColumnCache(chain, state, eps=1e-9)
        pushed.ensure(sources)
    assert pushed._factor is None
    assert 1e-9 <= direct.bound <= 1e-9 + 1e-12
    for s in sources:
        got = direct.rows[s].toarray().ravel()
        truth = inverse[:, s]
        assert np.abs(got - truth).max() <= direct.bound
        assert np.all((got == 0) | (got > 1e-9))  # entries ≤ eps are not kept
        assert np.abs(got - pushed.rows[s].toarray().ravel()).max() <= direct.bound + pushed.bound


def test_an_edited_chain_is_pushed_not_solved_directly() -> None:
    chain, _, r, _ = _case(5, 12, False)
    edited_chain = chain.with_edits({0: {11: 1.0}})
    cache = ColumnCache(edited_chain, solve_state(edited_chain, r), eps=1e-9)
    cache.ensure([0, 3])
    assert cache._factor is None
    assert set(cache.rows) == {0, 3}
