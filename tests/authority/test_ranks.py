"""Harmonic centrality (exact and HyperLogLog), PageRank and the ranks file they make."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy.stats import spearmanr

from linkflow.authority import build_ranks, harmonic_centrality, load_domain_graph
from linkflow.authority.hyperball import hll_estimate, hll_start
from linkflow.authority.ranks import java_float_text, positions
from linkflow.errors import ConfigError
from tests.authority.release import DOMAINS, EDGES, HC, golden_release


def nx_graph(n: int, edges: list[tuple[int, int]]) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    return g


def random_edges(n: int, m: int, seed: int) -> list[tuple[int, int]]:
    g = nx.gnm_random_graph(n, m, directed=True, seed=seed)
    return sorted(g.edges())


def arrays(edges: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([a for a, _ in edges], np.int64), np.array([b for _, b in edges], np.int64)


def test_exact_mode_on_the_golden_graph() -> None:
    result = harmonic_centrality(5, *arrays(EDGES), mode="exact")
    assert result.values.tolist() == pytest.approx([HC[d] for d in DOMAINS], abs=1e-12)
    assert result.steps == 3  # delta reaches gamma in three links, the longest distance


@pytest.mark.parametrize(("n", "m", "seed"), [(1, 0, 0), (7, 0, 1), (30, 60, 2), (200, 900, 3)])
def test_exact_mode_equals_networkx(n: int, m: int, seed: int) -> None:
    edges = random_edges(n, m, seed)
    expected = nx.harmonic_centrality(nx_graph(n, edges))
    got = harmonic_centrality(n, *arrays(edges), mode="exact").values
    assert np.allclose(got, [expected[i] for i in range(n)], rtol=0, atol=1e-9)


def test_hll_mode_ranks_like_exact() -> None:
    n, edges = 3000, random_edges(3000, 12000, 7)
    exact = harmonic_centrality(n, *arrays(edges), mode="exact").values
    hll = harmonic_centrality(n, *arrays(edges), mode="hll", log2m=7).values
    rho = spearmanr(exact, hll).statistic
    reached = exact > 0
    error = np.abs(hll[reached] - exact[reached]) / exact[reached]
    assert rho > 0.95  # the bound the module docstring states
    assert np.median(error) < 0.10
    assert np.all(hll[~reached] == 0)  # nobody links in: no ball grows, HC stays 0


def test_hll_counter_estimates_a_set_size() -> None:
    # one counter holding 5,000 distinct nodes: within 3 standard errors (1.04/√128)
    index, value = hll_start(np.arange(5000), 7)
    counter = np.zeros((1, 128), np.uint8)
    np.maximum.at(counter[0], index, value)
    assert abs(hll_estimate(counter)[0] / 5000 - 1) < 3 * 1.04 / math.sqrt(128)
    # and a handful exactly enough through linear counting
    small = np.zeros((1, 128), np.uint8)
    i3, v3 = hll_start(np.arange(3), 7)
    np.maximum.at(small[0], i3, v3)
    assert hll_estimate(small)[0] == pytest.approx(3, rel=0.05)


def test_exact_mode_refuses_a_big_graph() -> None:
    with pytest.raises(ConfigError, match="HyperLogLog"):
        harmonic_centrality(30_000, np.zeros(0), np.zeros(0), mode="exact")


def test_positions_break_ties_by_name_order() -> None:
    values = np.array([0.5, 2.0, 0.5, 3.0, 0.0], np.float32)
    assert positions(values).tolist() == [3, 2, 4, 1, 5]


@pytest.mark.parametrize(
    ("value", "single", "text"),
    [
        (3.4626736e7, True, "3.4626736E7"), (0.005384977821460953, False, "0.005384977821460953"),
        (1.2e-9, False, "1.2E-9"), (2.5, True, "2.5"), (2.0, True, "2.0"), (0.0, True, "0.0"),
        (1 + 1 / 2 + 1 / 3, True, "1.8333334"), (1e7, False, "1.0E7"), (9999999.0, False,
        "9999999.0"), (0.001, False, "0.001"), (0.000999, False, "9.99E-4"), (120.0, True,
        "120.0"), (12345678.9, False, "1.23456789E7"),
    ],
)  # fmt: skip
def test_numbers_written_as_java_writes_them(value: float, single: bool, text: str) -> None:
    array = np.array([value], np.float32 if single else np.float64)
    assert java_float_text(array) == [text]


def read_ranks(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh]


def test_ranks_file_of_the_golden_graph(tmp_path: Path) -> None:
    out = build_ranks(golden_release(tmp_path / "release"), tmp_path / "ranks.txt.gz")
    rows = read_ranks(tmp_path / "ranks.txt.gz")
    assert rows[0] == ["#harmonicc_pos", "#harmonicc_val", "#pr_pos", "#pr_val", "#host_rev",
                       "#n_hosts"]  # fmt: skip
    body = rows[1:]
    # sorted by HC position; delta and epsilon tie at 0 and keep their name order
    assert [(r[0], r[1], r[4], r[5]) for r in body] == [
        ("1", "2.5", "com.alpha", "3"), ("2", "2.0", "com.beta", "1"),
        ("3", "1.8333334", "org.gamma", "1"), ("4", "0.0", "net.delta", "2"),
        ("5", "0.0", "uk.co.epsilon", "1"),
    ]  # fmt: skip
    reference = nx.pagerank(nx_graph(5, EDGES), alpha=0.85, tol=1e-14, max_iter=10_000)
    pr = {r[4]: float(r[3]) for r in body}
    for i, name in enumerate(DOMAINS):
        assert pr[name] == pytest.approx(reference[i], rel=1e-5)
    by_pr = sorted(range(5), key=lambda i: (-reference[i], i))
    assert {r[4]: int(r[2]) for r in body} == {DOMAINS[i]: k + 1 for k, i in enumerate(by_pr)}
    assert out.hc_mode == "exact"


def test_host_level_release_ranks_its_domains(tmp_path: Path) -> None:
    from tests.authority.release import write_level

    hosts = ["com.alpha", "com.alpha.blog", "com.beta", "org.gamma.shop"]
    write_level(tmp_path / "host", hosts, [(0, 2), (1, 2), (2, 3), (3, 1)], parts=1)
    build_ranks(tmp_path, tmp_path / "ranks.txt", level="host")
    rows = (tmp_path / "ranks.txt").read_text(encoding="utf-8").splitlines()
    names = [line.split("\t")[4] for line in rows[1:]]
    hosts_per = {line.split("\t")[4]: line.split("\t")[5] for line in rows[1:]}
    # alpha ← gamma 1, beta 2; beta ← alpha 1, gamma 2; gamma ← beta 1, alpha 2: all 1.5
    assert names == ["com.alpha", "com.beta", "org.gamma"]
    assert [line.split("\t")[1] for line in rows[1:]] == ["1.5", "1.5", "1.5"]
    assert hosts_per == {"com.alpha": "2", "com.beta": "1", "org.gamma": "1"}
    assert load_domain_graph(tmp_path, "host").n == 3
