"""PageRank: hand-computed cases, agreement with networkx and igraph, the error guarantee."""

from __future__ import annotations

import igraph
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.errors import ConfigError
from linkflow.graph import LinkGraph, equity_scores, from_edges, pagerank

ALPHA = 0.85


def exact(
    graph: LinkGraph, damping: float = ALPHA, teleport: np.ndarray | None = None
) -> np.ndarray:
    """π by a direct sparse solve of (I − αPᵀ)y = v, then normalised (leaked mass → v)."""
    n = graph.n
    v = np.full(n, 1 / n) if teleport is None else teleport / teleport.sum()
    a = sp.identity(n, format="csc") - damping * graph.transition_t.tocsc()
    y = sla.spsolve(a, v)
    return np.asarray(y / y.sum())


def random_graph(seed: int, n: int, m: int, weighted: bool = True) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    weight = rng.choice([1.0, 0.5, 0.3, 0.2], m) if weighted else np.ones(m)
    return src, dst, weight


def to_networkx(graph: LinkGraph) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.n))
    rows = np.repeat(np.arange(graph.n), graph.out_degree)
    g.add_weighted_edges_from(
        zip(rows.tolist(), graph.indices.tolist(), graph.weights.tolist(), strict=True)
    )
    return g


def test_two_pages_by_hand() -> None:
    # A → B, B dangling: a = (1−α)/2 + α·b/2 and a + b = 1 ⇒ a = 0.5 / (1 + α/2)
    result = pagerank(from_edges(2, [0], [1]), tolerance=1e-9)
    a = 0.5 / (1 + ALPHA / 2)
    assert result.scores == pytest.approx([a, 1 - a], rel=1e-9)


def test_three_pages_weighted_by_hand() -> None:
    # A → B (weight 1), A → C (weight 3), B → A, C → A
    graph = from_edges(3, [0, 0, 1, 2], [1, 2, 0, 0], [1.0, 3.0, 1.0, 1.0])
    result = pagerank(graph, tolerance=1e-9)
    a = (0.05 + 0.085) / (1 - ALPHA**2)
    assert result.scores == pytest.approx([a, 0.05 + ALPHA * 0.25 * a, 0.05 + ALPHA * 0.75 * a])


def test_symmetric_pair_splits_evenly() -> None:
    result = pagerank(from_edges(2, [0, 1], [1, 0]))
    assert result.scores == pytest.approx([0.5, 0.5])


def test_evaporated_nofollow_share_leaves_to_teleport() -> None:
    # A → B followed, A → C nofollow: with evaporation A passes only half its share to B.
    dropped = from_edges(3, [0, 0], [1, 2], nofollow=[False, True])
    evaporated = from_edges(3, [0, 0], [1, 2], nofollow=[False, True], evaporate=True)
    assert dropped.out_weight[0] == 1.0
    assert evaporated.out_weight[0] == 2.0
    pe = pagerank(evaporated, tolerance=1e-9).scores
    # c = (1-α)/3 + α·(dangling mass b + c + evaporated a/2)/3; b = c + α·a/2
    a = pe[0]
    assert pe[1] == pytest.approx(pe[2] + ALPHA * a / 2)
    assert pe[1] < pagerank(dropped, tolerance=1e-9).scores[1]


@pytest.mark.parametrize(("how", "expected"), [("max", 1.0), ("sum", 1.5), ("first", 0.5)])
def test_duplicate_links_merge_as_configured(how: str, expected: float) -> None:
    graph = from_edges(2, [0, 0], [1, 1], [0.5, 1.0], duplicates=how)
    assert graph.weights.tolist() == [expected]
    assert graph.out_weight[0] == expected


def test_self_links_are_dropped() -> None:
    graph = from_edges(2, [0, 0], [0, 1])
    assert graph.indices.tolist() == [1]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("personalised", [False, True])
def test_matches_networkx_and_igraph(seed: int, personalised: bool) -> None:
    n = 300
    src, dst, weight = random_graph(seed, n, 1500)
    graph = from_edges(n, src, dst, weight, duplicates="sum")
    rng = np.random.default_rng(seed + 100)
    teleport = rng.random(n) + 0.01 if personalised else None
    result = pagerank(graph, teleport=teleport, tolerance=1e-8)
    eps = 1e-12
    pers = dict(enumerate(teleport / teleport.sum())) if teleport is not None else None
    ref = nx.pagerank(
        to_networkx(graph), alpha=ALPHA, personalization=pers, tol=eps / n, max_iter=10_000
    )
    nx_scores = np.array([ref[i] for i in range(n)])
    ig = igraph.Graph(n=n, edges=list(zip(src.tolist(), dst.tolist(), strict=True)), directed=True)
    ig.es["weight"] = weight.tolist()
    ig.simplify(loops=True, multiple=True, combine_edges="sum")
    if teleport is None:
        ig_scores = np.array(ig.pagerank(weights="weight", damping=ALPHA))
    else:
        ig_scores = np.array(
            ig.personalized_pagerank(weights="weight", damping=ALPHA, reset=teleport.tolist())
        )
    for ref_scores in (nx_scores, ig_scores):
        assert np.abs(result.scores - ref_scores).sum() <= result.l1_bound + 1e-9
        assert np.max(np.abs(result.scores / ref_scores - 1)) <= 1e-8 + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    edges=st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 39), st.sampled_from([0.2, 0.5, 1.0])),
        max_size=150,
    ),
    tolerance=st.sampled_from([0.1, 0.01, 0.001]),
    damping=st.sampled_from([0.5, 0.85, 0.95]),
)
def test_guarantee_holds_and_mass_is_one(
    n: int, edges: list[tuple[int, int, float]], tolerance: float, damping: float
) -> None:
    kept = [(s, d, w) for s, d, w in edges if s < n and d < n]
    src = np.array([e[0] for e in kept], dtype=np.int64)
    dst = np.array([e[1] for e in kept], dtype=np.int64)
    graph = from_edges(n, src, dst, np.array([e[2] for e in kept]))
    result = pagerank(graph, damping=damping, tolerance=tolerance)
    truth = exact(graph, damping)
    assert result.converged
    assert result.scores.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.abs(result.scores - truth).sum() <= result.l1_bound + 1e-12
    assert np.max(np.abs(result.scores - truth) / truth) <= result.relative_bound + 1e-12
    assert result.relative_bound <= tolerance


def test_warm_start_from_the_answer_stops_at_once() -> None:
    src, dst, weight = random_graph(7, 500, 3000)
    graph = from_edges(500, src, dst, weight)
    cold = pagerank(graph, tolerance=1e-6)
    warm = pagerank(graph, tolerance=1e-6, x0=cold.scores)
    assert warm.iterations < cold.iterations / 3
    assert np.abs(warm.scores - cold.scores).sum() <= cold.l1_bound + warm.l1_bound


def test_max_iterations_reports_not_converged() -> None:
    src, dst, weight = random_graph(3, 200, 800)
    result = pagerank(from_edges(200, src, dst, weight), tolerance=1e-9, max_iterations=2)
    assert result.iterations == 2
    assert not result.converged
    assert result.relative_bound > 1e-9


@pytest.mark.parametrize(
    "kwargs",
    [
        {"damping": 1.0},
        {"damping": -0.1},
        {"tolerance": 0.0},
        {"teleport": [1.0, -1.0]},
        {"teleport": [0.0, 0.0]},
    ],
)
def test_bad_arguments_raise_config_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        pagerank(from_edges(2, [0], [1]), **kwargs)  # type: ignore[arg-type]


def test_empty_graph() -> None:
    result = pagerank(from_edges(0, [], []))
    assert result.scores.size == 0
    assert result.converged


def test_equity_scores_log_scale() -> None:
    pi = np.array([0.01, 0.1, 1.0, 0.0])
    assert equity_scores(pi).tolist() == pytest.approx([0.0, 50.0, 100.0, 0.0])
    assert equity_scores(np.array([0.5, 0.5])).tolist() == [100.0, 100.0]
    assert equity_scores(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_teleport_with_zeros_bounds_the_pages_it_reaches() -> None:
    # 0 → 1 → 2, teleport only to page 0: page 3 (no inlinks, no teleport) gets nothing
    graph = from_edges(4, [0, 1, 3], [1, 2, 2])
    teleport = np.array([1.0, 0.0, 0.0, 0.0])
    result = pagerank(graph, teleport=teleport, tolerance=1e-6)
    truth = exact(graph, teleport=teleport)
    assert result.scores[3] == 0.0
    assert result.relative_bound <= 1e-6
    assert np.abs(result.scores - truth).sum() <= result.l1_bound + 1e-15
