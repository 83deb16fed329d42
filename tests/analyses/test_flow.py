"""The flow's numerics on random graphs, against networkx and dense linear algebra.

networkx is always called with ``tol = 1e-14 / n`` (its default stops after one iteration on
large graphs; research/algorithms.md §3.2) and ``dangling`` = the teleport vector, which is
the model: what dead ends hold goes where outside surfers land.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.analyses.flow_inputs import top_sources
from linkflow.analyses.flow_solve import (
    FlowOperator,
    columns,
    edge_gains,
    ends_on,
    hitting,
    reverse_values,
    seeded_teleport,
    source_values,
)
from linkflow.errors import ConfigError
from linkflow.graph import LinkGraph, from_edges, pagerank

ALPHA = 0.85


@dataclass
class Case:
    graph: LinkGraph
    v: np.ndarray
    money: np.ndarray
    reward: np.ndarray


@st.composite
def cases(draw: st.DrawFn, evaporate: bool = False) -> Case:
    n = draw(st.integers(2, 10))
    m = draw(st.integers(0, 3 * n))
    src = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    dst = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    weight = draw(st.lists(st.sampled_from([0.2, 0.5, 1.0]), min_size=m, max_size=m))
    nofollow = draw(st.lists(st.booleans(), min_size=m, max_size=m)) if evaporate else None
    graph = from_edges(
        n,
        np.array(src, int),
        np.array(dst, int),
        np.array(weight),
        nofollow=None if nofollow is None else np.array(nofollow, bool),
        evaporate=evaporate,
    )
    authority = draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 7.5, 40.0]), min_size=n, max_size=n))
    beta = draw(st.sampled_from([0.0, 0.5, 0.85]))
    money = np.zeros(n, bool)
    money[draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))] = True
    revenue = draw(st.booleans())
    reward = np.where(money, np.arange(1, n + 1) if revenue else 1.0, 0.0).astype(float)
    return Case(graph, seeded_teleport(n, np.array(authority), beta), money, reward)


def _nx(graph: LinkGraph) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.n))
    for i in range(graph.n):
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            g.add_edge(i, int(graph.indices[k]), weight=float(graph.weights[k]))
    return g


def _ppr(
    g: nx.DiGraph, personalization: dict[int, float], dangling: dict[int, float]
) -> dict[int, float]:
    n = g.number_of_nodes()
    return dict(
        nx.pagerank(
            g,
            alpha=ALPHA,
            personalization=personalization,
            dangling=dangling,
            tol=1e-14 / n,
            max_iter=100_000,
        )
    )


def _dense(graph: LinkGraph, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P̃ with losses, M = (I − αP)⁻¹ for P = P̃ + d·vᵀ)."""
    n = graph.n
    pt = np.zeros((n, n))
    for i in range(n):
        for k in range(graph.indptr[i], graph.indptr[i + 1]):
            pt[i, graph.indices[k]] += graph.weights[k] / graph.out_weight[i]
    p = pt + np.outer(1.0 - pt.sum(axis=1), v)
    return pt, np.linalg.inv(np.eye(n) - ALPHA * p)


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases())
def test_flow_is_networkx_personalised_pagerank(case: Case) -> None:
    flow = pagerank(case.graph, teleport=case.v, tolerance=1e-10).scores
    v = dict(enumerate(case.v))
    ref = _ppr(_nx(case.graph), v, v)
    for i, value in ref.items():
        assert flow[i] == pytest.approx(value, rel=1e-8, abs=1e-13)


@FAST
@given(cases())
def test_contributions_are_networkx_ppr_per_source(case: Case) -> None:
    """contribution_s = (1−α)·v_s·x_s = v_s · PPR_s(r), PPR_s seeded at s alone."""
    op = FlowOperator.of(case.graph, case.v, ALPHA)
    x = reverse_values(op, case.reward, 1e-12).x
    ours = (1 - ALPHA) * case.v * x
    g, v = _nx(case.graph), dict(enumerate(case.v))
    for s in range(case.graph.n):
        ppr = _ppr(g, {s: 1.0}, v)
        expected = case.v[s] * sum(ppr[t] * case.reward[t] for t in ppr)
        assert ours[s] == pytest.approx(expected, rel=1e-7, abs=1e-12)


@FAST
@given(cases(evaporate=True), st.sampled_from([1e-2, 1e-4, 1e-9]))
def test_contributions_hold_the_stated_bound_and_add_up_exactly(case: Case, tol: float) -> None:
    """Each solve keeps its bound at any tolerance; the stored parts are scaled to add up to
    the flow exactly."""
    solver = pagerank(case.graph, teleport=case.v, tolerance=tol)
    op = FlowOperator.of(case.graph, case.v, ALPHA)
    _, m = _dense(case.graph, case.v)
    values = reverse_values(op, case.reward, tol)  # all money pages: a max-norm bound
    assert np.abs(values.x - m @ case.reward).max() <= values.bound[0] + 1e-12
    money = np.flatnonzero(case.money)
    unit = np.eye(case.graph.n)[:, money]
    parts = source_values(op, unit, solver.scores[money], tol)  # one page each: a mass bound
    exact = (1 - ALPHA) * case.v[:, None] * (m @ unit)
    got = (1 - ALPHA) * case.v[:, None] * parts.x
    assert np.all(got <= exact + 1e-15)  # every source's part falls short, never over
    shortfall = (exact - got).sum(axis=0) / exact.sum(axis=0)
    assert np.all(shortfall <= parts.bound + 1e-12)
    assert np.all(parts.bound <= 2 * tol + 1e-12)
    flow_in = (1 - ALPHA) * case.v
    paths = top_sources(case.graph, solver.scores, flow_in, parts.x, money, case.graph.n)
    for t in money:
        part = paths.filter(pc.equal(paths["money_id"], int(t)))
        assert abs(float(pc.sum(part["flow"]).as_py()) - solver.scores[t]) <= 1e-12
        assert float(pc.sum(part["share"]).as_py()) == pytest.approx(1.0, abs=1e-12)


@FAST
@given(cases(evaporate=True))
def test_values_columns_and_reach_match_dense_linear_algebra(case: Case) -> None:
    op = FlowOperator.of(case.graph, case.v, ALPHA)
    pt, m = _dense(case.graph, case.v)
    x = reverse_values(op, case.reward, 1e-13).x
    np.testing.assert_allclose(x, m @ case.reward, rtol=1e-8, atol=1e-10)
    cols = columns(op, np.arange(case.graph.n), 1e-12)
    np.testing.assert_allclose(cols.x, m, atol=1e-10)
    assert np.all(cols.bound <= 1e-12)
    q = pt.copy()
    q[case.money] = 0.0
    reach = np.linalg.solve(np.eye(case.graph.n) - ALPHA * q, case.money.astype(float))
    np.testing.assert_allclose(hitting(op, case.money, 1e-12).reach, reach, atol=1e-11)


@FAST
@given(cases())
def test_trapped_shares_match_networkx(case: Case) -> None:
    """Reach h_i = PPR_i(T) on the graph where money pages keep what they get (self-loops)
    and dead ends drop it into a sink: each restart then lasts 1/(1−α) steps on average, so
    the share of time on T is the probability of reaching T before the restart."""
    op = FlowOperator.of(case.graph, case.v, ALPHA)
    reach = hitting(op, case.money, 1e-12).reach
    n = case.graph.n
    g = _nx(case.graph)
    sink = n
    g.add_edge(sink, sink, weight=1.0)
    for t in np.flatnonzero(case.money):
        g.remove_edges_from(list(g.out_edges(int(t))))
        g.add_edge(int(t), int(t), weight=1.0)
    for dead in np.flatnonzero(case.graph.out_weight == 0):
        if not case.money[dead]:
            g.add_edge(int(dead), sink, weight=1.0)
    flow_in = (1 - ALPHA) * case.v
    for i in range(n):
        ppr = nx.pagerank(
            g, alpha=ALPHA, personalization={i: 1.0}, tol=1e-14 / (n + 1), max_iter=100_000
        )
        h = sum(ppr[int(t)] for t in np.flatnonzero(case.money))
        trapped = flow_in[i] * (1 - reach[i])
        assert trapped == pytest.approx(flow_in[i] * (1 - h), rel=1e-7, abs=1e-13)


@FAST
@given(cases(evaporate=True), st.data())
def test_gain_of_a_new_link_is_exact(case: Case, data: st.DataObject) -> None:
    n = case.graph.n
    s = data.draw(st.integers(0, n - 1))
    w = data.draw(st.sampled_from([0.2, 1.0]))
    _, m = _dense(case.graph, case.v)
    pi = (1 - ALPHA) * case.v @ m
    op = FlowOperator.of(case.graph, case.v, ALPHA)
    gains = edge_gains(op, pi[s], s, m[:, s], m @ case.reward, case.reward[s], w)
    for t in range(n):
        if t == s:
            continue
        a = np.zeros((n, n))
        for i in range(n):
            for k in range(case.graph.indptr[i], case.graph.indptr[i + 1]):
                a[i, case.graph.indices[k]] += case.graph.weights[k]
        out = case.graph.out_weight.copy()
        a[s, t] += w
        out[s] += w
        pt = np.divide(a, out[:, None], out=np.zeros_like(a), where=out[:, None] > 0)
        p = pt + np.outer(1 - pt.sum(axis=1), case.v)
        after = (1 - ALPHA) * case.v @ np.linalg.inv(np.eye(n) - ALPHA * p)
        assert gains[t] == pytest.approx((after - pi) @ case.reward, abs=1e-12)


def test_teleport_is_seeded_by_backlink_authority() -> None:
    v = seeded_teleport(4, np.array([0.0, 30.0, 10.0, 0.0]), 0.8)
    np.testing.assert_allclose(v, [0.05, 0.05 + 0.6, 0.05 + 0.2, 0.05])
    np.testing.assert_allclose(seeded_teleport(4, np.zeros(4), 0.8), 0.25)
    np.testing.assert_allclose(seeded_teleport(4, np.array([1.0, 0, 0, 0]), 0.0), 0.25)
    with pytest.raises(ConfigError, match=r"backlink_beta must be in \[0, 1\)"):
        seeded_teleport(4, np.ones(4), 1.0)


def test_ends_on_splits_a_page_by_hand() -> None:
    """A links to M (money) and B (low-value dead end), equal weights. From A: reach
    α/2 = 0.425; ends on B α/2·1 = 0.425 (B stops surely: 1 − α + α·d_B with d_B = 1);
    ends on A itself 1 − α = 0.15. From B: ends on B, 1. On M: 0."""
    graph = from_edges(3, np.array([0, 0]), np.array([1, 2]), np.array([1.0, 1.0]))
    op = FlowOperator.of(graph, np.full(3, 1 / 3), ALPHA)
    money = np.array([False, False, True])
    low = np.array([False, True, False])
    got = ends_on(op, money, low, 1e-13)
    np.testing.assert_allclose(got.reach, [0.425, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(hitting(op, money, 1e-13).reach, [0.425, 0.0, 1.0], atol=1e-12)
    assert ends_on(op, money, np.zeros(3, bool), 1e-13).reach.tolist() == [0.0, 0.0, 0.0]


@FAST
@given(cases(evaporate=True), st.lists(st.booleans(), min_size=10, max_size=10))
def test_ends_on_matches_dense_linear_algebra_and_splits_every_outcome(
    case: Case, flags: list[bool]
) -> None:
    """u = (I − αQ)⁻¹b, Q the links' matrix with money rows zeroed; h + u(low) + u(rest) = 1
    off the money pages: every surfer reaches a money page or stops on some page."""
    n = case.graph.n
    low = np.array(flags[:n]) & ~case.money
    op = FlowOperator.of(case.graph, case.v, ALPHA)
    pt, _ = _dense(case.graph, case.v)
    q = pt.copy()
    q[case.money] = 0.0
    kept = pt.sum(axis=1)  # what each row passes along followed links
    stop = 1.0 - ALPHA * kept
    b = np.where(low, stop, 0.0)
    want = np.linalg.solve(np.eye(n) - ALPHA * q, b)
    got = ends_on(op, case.money, low, 1e-12)
    np.testing.assert_allclose(got.reach, want, atol=1e-10)
    assert got.bound <= 1e-12 * (1 - ALPHA)
    rest = ends_on(op, case.money, ~low & ~case.money, 1e-12).reach
    h = hitting(op, case.money, 1e-12).reach
    off = ~case.money
    np.testing.assert_allclose((h + got.reach + rest)[off], 1.0, atol=1e-10)
