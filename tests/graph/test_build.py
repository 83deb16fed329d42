"""Building the link graph from a stored crawl: nodes, redirect/canonical collapse, weights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.errors import ConfigError
from linkflow.graph import build_graph, click_depth, from_edges, pagerank
from linkflow.settings import GraphSettings
from linkflow.store import Store
from tests.graph.sitebuilder import Site, u


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "audit.duckdb")
    yield s
    s.close()


def urls_of(graph) -> list[str]:  # type: ignore[no-untyped-def]
    return [x.removeprefix("https://example.com") for x in graph.urls]


def edges_of(graph) -> set[tuple[str, str, float]]:  # type: ignore[no-untyped-def]
    names = urls_of(graph)
    rows = np.repeat(np.arange(graph.n), graph.out_degree)
    return {
        (names[r], names[c], round(float(w), 9))
        for r, c, w in zip(rows, graph.indices, graph.weights, strict=True)
    }


def test_nodes_exclude_redirects_errors_noindex_and_canonicalised(store: Store) -> None:
    site = (
        Site().page("/").page("/a").page("/r", 301, redirect="/a").page("/gone", 404)
        .page("/nx", indexable=False).page("/dup", canonical="/a").page("/self", canonical="/self")
        .page("https://other.org/x", internal=False).page("/err", None, error="timeout")
    )  # fmt: skip
    crawl = site.write(store)
    graph = build_graph(store, crawl, GraphSettings())
    assert urls_of(graph) == ["/", "/a", "/self"]  # URL order


def test_links_follow_redirect_chains_and_canonicals(store: Store) -> None:
    site = (
        Site().page("/").page("/a").page("/b").page("/c")
        .page("/r1", 301, redirect="/r2").page("/r2", 302, redirect="/a")
        .page("/dup", canonical="/cr").page("/cr", 301, redirect="/b")
        .page("/l1", 301, redirect="/l2").page("/l2", 301, redirect="/l1")
        .page("/gone", 404).page("/to-gone", 301, redirect="/gone")
        .link("/", "/r1").link("/", "/dup").link("/", "/l1").link("/", "/to-gone")
        .link("/a", "/a").link("/a", "/c", rel_nofollow=True).link("/b", "/c", rel_ugc=True)
        .link("/c", "/b", position="footer")
    )  # fmt: skip
    graph = build_graph(store, site.write(store), GraphSettings())
    assert edges_of(graph) == {("/", "/a", 1.0), ("/", "/b", 1.0), ("/c", "/b", 0.2)}
    assert graph.nofollow_in[urls_of(graph).index("/c")] == 2
    t = graph.targets
    assert t is not None
    r1, l1 = store.lookup_url_ids([u("/r1"), u("/l1")])
    assert t.hops[r1] == 2
    assert not t.loop[r1]
    assert t.loop[l1]
    assert t.node[l1] == -1


def test_position_weights_image_multiplier_and_uniform(store: Store) -> None:
    site = (
        Site().page("/").page("/a").page("/b")
        .link("/", "/a", position="nav").link("/", "/b", position="content", is_image=True)
        .link("/a", "/b", position="sidebar").link("/a", "/b", position="footer")
    )  # fmt: skip
    crawl = site.write(store)
    weighted = build_graph(store, crawl, GraphSettings())
    assert edges_of(weighted) == {("/", "/a", 0.5), ("/", "/b", 0.8), ("/a", "/b", 0.3)}
    summed = build_graph(store, crawl, GraphSettings(duplicates="sum"))
    assert ("/a", "/b", 0.5) in edges_of(summed)
    uniform = build_graph(store, crawl, GraphSettings(weights="uniform"))
    assert {w for _, _, w in edges_of(uniform)} == {1.0}


def test_uniform_weights_reproduce_classic_pagerank(store: Store) -> None:
    rng = np.random.default_rng(5)
    site = Site()
    for i in range(60):
        site.page(f"/p{i}")
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, 60, (300, 2)) if a != b}
    positions = ["nav", "footer", "content", "sidebar"]
    for k, (a, b) in enumerate(sorted(pairs)):
        site.link(f"/p{a}", f"/p{b}", position=positions[k % 4], is_image=k % 5 == 0)
    graph = build_graph(store, site.write(store, ["/p0"]), GraphSettings(weights="uniform"))
    ours = pagerank(graph, tolerance=1e-8).scores
    g = nx.DiGraph()
    g.add_nodes_from(f"/p{i}" for i in range(60))
    g.add_edges_from((f"/p{a}", f"/p{b}") for a, b in pairs)
    ref = nx.pagerank(g, tol=1e-13 / 60)
    assert np.max(np.abs(ours / np.array([ref[x] for x in urls_of(graph)]) - 1)) <= 1e-8


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edges=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=40),
    redirected=st.sets(st.integers(0, 39), max_size=20),
    hops=st.integers(1, 3),
)
def test_collapsing_a_redirect_preserves_mass(
    tmp_path_factory: pytest.TempPathFactory,
    edges: list[tuple[int, int]],
    redirected: set[int],
    hops: int,
) -> None:
    """Links routed through a redirect chain give exactly the scores of direct links."""
    direct, via = Site(), Site()
    for i in range(10):
        direct.page(f"/p{i}")
        via.page(f"/p{i}")
        for h in range(hops):
            nxt = f"/p{i}" if h == hops - 1 else f"/r{i}-{h + 1}"
            via.page(f"/r{i}-{h}", 301, redirect=nxt)
    for k, (a, b) in enumerate(edges):
        direct.link(f"/p{a}", f"/p{b}")
        via.link(f"/p{a}", f"/r{b}-0" if k in redirected else f"/p{b}")
    with Store.open(tmp_path_factory.mktemp("s") / "a.duckdb") as s:
        g1 = build_graph(s, direct.write(s, ["/p0"]), GraphSettings())
        g2 = build_graph(s, via.write(s, ["/p0"]), GraphSettings())
    p1, p2 = pagerank(g1, tolerance=1e-9), pagerank(g2, tolerance=1e-9)
    assert urls_of(g1) == urls_of(g2)
    assert p2.scores.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.abs(p1.scores - p2.scores).sum() <= p1.l1_bound + p2.l1_bound


@pytest.mark.parametrize(
    "kwargs", [{"weights": "fancy"}, {"nofollow": "keep"}, {"duplicates": "min"}]
)
def test_bad_graph_settings_raise_config_error(store: Store, kwargs: dict[str, Any]) -> None:
    crawl = Site().page("/").write(store)
    with pytest.raises(ConfigError, match="graph\\."):
        build_graph(store, crawl, GraphSettings(**kwargs))


def test_empty_crawl_gives_empty_graph(store: Store) -> None:
    crawl = store.new_crawl(source="http", seeds=[], settings={})
    graph = build_graph(store, crawl, GraphSettings())
    assert graph.n == 0
    assert pagerank(graph).scores.size == 0


def test_click_depth_chain_and_unreachable() -> None:
    graph = from_edges(5, [0, 1, 2, 4], [1, 2, 3, 3])
    assert click_depth(graph, [0]).tolist() == [0, 1, 2, 3, -1]
    assert click_depth(graph, [0, 4]).tolist() == [0, 1, 2, 1, 0]
    assert click_depth(graph, []).tolist() == [-1] * 5


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 30),
    edges=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=80),
    extra=st.tuples(st.integers(0, 29), st.integers(0, 29)),
)
def test_adding_a_link_never_increases_depth(
    n: int, edges: list[tuple[int, int]], extra: tuple[int, int]
) -> None:
    kept = [(a, b) for a, b in edges if a < n and b < n]
    src = np.array([a for a, _ in kept], dtype=np.int64)
    dst = np.array([b for _, b in kept], dtype=np.int64)
    before = click_depth(from_edges(n, src, dst), [0])
    a, b = extra[0] % n, extra[1] % n
    after = click_depth(from_edges(n, np.r_[src, a], np.r_[dst, b]), [0])
    unreached = np.iinfo(np.int32).max
    assert np.all(np.where(after < 0, unreached, after) <= np.where(before < 0, unreached, before))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((x, y) for x, y in kept if x != y)
    ref = nx.single_source_shortest_path_length(g, 0)
    assert before.tolist() == [ref.get(i, -1) for i in range(n)]


def test_a_url_fetched_twice_is_one_node(store: Store) -> None:
    site = Site().page("/").page("/a").link("/", "/a")
    crawl = site.write(store)
    a = store.lookup_url_ids([u("/a")])[0]
    store.append("pages", [{"crawl_id": crawl, "url_id": a, "status": 200, "internal": True}])
    graph = build_graph(store, crawl, GraphSettings())
    assert urls_of(graph) == ["/", "/a"]
    assert graph.indices.tolist() == [1]
