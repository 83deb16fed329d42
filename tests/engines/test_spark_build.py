"""The graph built on Spark equals the graph :func:`build_graph` builds in memory.

Same edges (by url id pairs), weights, content flags, W_i, nofollow_in and landing node of
every URL, on a hand-written crawl (expected values written out below, met by both
builds), the golden mini-sites, the demo site, and a generated crawl with every rule in it
under every settings combination. Each build is a few small Spark jobs; the crawls are tiny.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from linkflow.crawl import crawl_folder
from linkflow.demo import DEMO_ORIGIN, DEMO_SITE
from linkflow.engines.spark import SparkEngine
from linkflow.engines.spark.build import SparkGraph, spark_build_graph, spark_landing
from linkflow.engines.spark.exchange import write_crawl
from linkflow.errors import AnalysisError, ConfigError
from linkflow.graph import LinkGraph, build_graph
from linkflow.models import POSITIONS
from linkflow.settings import CrawlSettings, ExtractSettings, GraphSettings
from linkflow.store import Store
from linkflow.store.export import copy_query
from tests.graph.sitebuilder import Site, u

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1200)]

SITES = Path(__file__).parents[1] / "sites"

Edges = dict[tuple[int, int], tuple[float, bool]]
Nodes = dict[int, tuple[float, int]]
View = tuple[Edges, Nodes, dict[int, int | None]]


def _local(graph: LinkGraph) -> tuple[Edges, Nodes, dict[int, int | None]]:
    ids = graph.node_url_ids
    rows = np.repeat(np.arange(graph.n), graph.out_degree)
    edges = {
        (int(ids[r]), int(ids[c])): (float(w), bool(f))
        for r, c, w, f in zip(rows, graph.indices, graph.weights, graph.content, strict=True)
    }
    nodes = {
        int(ids[i]): (float(graph.out_weight[i]), int(graph.nofollow_in[i])) for i in range(graph.n)
    }
    assert graph.pages is not None
    assert graph.targets is not None
    page_ids = graph.pages["url_id"].to_numpy().astype(np.int64)
    lands = graph.targets.node_of(page_ids)
    targets = {
        int(p): (int(ids[t]) if t >= 0 else None) for p, t in zip(page_ids, lands, strict=True)
    }
    return edges, nodes, targets


def _spark(built: SparkGraph) -> tuple[Edges, Nodes, dict[int, int | None]]:
    edge_rows, target_rows = built.edges.collect(), built.targets.collect()
    edges = {(r["src"], r["dst"]): (r["weight"], r["content"]) for r in edge_rows}
    nodes = {r["node"]: (r["out_weight"], r["nofollow_in"]) for r in built.nodes.collect()}
    targets = {r["url_id"]: r["node"] for r in target_rows}
    assert len(edges) == len(edge_rows)  # one row per pair
    assert len(targets) == len(target_rows)  # one row per URL
    return edges, nodes, targets


def _assert_same(built: SparkGraph | View, graph: LinkGraph) -> None:
    view = _spark(built) if isinstance(built, SparkGraph) else built
    (e_spark, n_spark, t_spark), (e_local, n_local, t_local) = view, _local(graph)
    assert set(e_spark) == set(e_local)
    for pair, (weight, content) in e_local.items():
        # a summed weight may differ in its last bits: the order of the sum is Spark's
        assert e_spark[pair][0] == pytest.approx(weight, rel=1e-12, abs=0), pair
        assert e_spark[pair][1] == content, pair
    assert set(n_spark) == set(n_local)
    for node, (out_weight, nofollow_in) in n_local.items():
        assert n_spark[node][0] == pytest.approx(out_weight, rel=1e-12, abs=0), node
        assert n_spark[node][1] == nofollow_in, node
    assert t_spark == t_local


def _frames(spark: Any, store: Store, folder: Path, crawl_id: int | None = None) -> Any:
    """The crawl's tables as Spark reads them: one crawl's build columns, or (None) every
    stored column of every crawl."""
    if crawl_id is not None:
        pages, links = write_crawl(store, crawl_id, folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        pages, links = folder / "pages.parquet", folder / "links.parquet"
        for table, path in (("pages", pages), ("links", links)):
            copy_query(store, f"SELECT * FROM {table}", "parquet", path, neutralise=False)
    return spark.read.parquet(str(pages)), spark.read.parquet(str(links))


# --------------------------------------------------------------------- a hand-written crawl
def _hand_site() -> Site:
    return (
        Site().page("/").page("/a").page("/b").page("/c").page("/self", canonical="/self")
        .page("/r1", 301, redirect="/r2").page("/r2", 302, redirect="/a")
        .page("/dup", canonical="/cr").page("/cr", 301, redirect="/b")
        .page("/l1", 301, redirect="/l2").page("/l2", 301, redirect="/l1")
        .page("/gone", 404).page("/to-gone", 301, redirect="/gone").page("/nx", indexable=False)
        .link("/", "/a", position="nav")                       # ordinal 0, 0.5
        .link("/", "/r1")                                       # → /a, content 1.0
        .link("/", "/dup", position="footer", is_image=True)    # → /b, 0.2 × 0.8
        .link("/", "/l1").link("/", "/to-gone").link("/", "/nx")  # dropped
        .link("/a", "/a").link("/a", "/r1")                     # self-links: dropped
        .link("/a", "/c", rel_nofollow=True)                    # content 1.0, nofollow
        .link("/b", "/c", position="sidebar", rel_ugc=True)     # 0.3, nofollow
        .link("/c", "/b", position="weird")                     # unknown: other, 0.5
        .link("/c", "/self", position="pagination", rel_sponsored=True)  # 0.3, nofollow
        .link("/c", "/self", position="pagination")             # 0.3
        .link("/nx", "/").link("/r1", "/b")                     # from non-nodes: dropped
    )  # fmt: skip


HAND = {  # settings → edges (src, dst, weight, content), W_i of the nodes with one
    ("position", "drop", "max"): (
        {("/", "/a", 1.0, True), ("/", "/b", 0.16, False), ("/c", "/b", 0.5, False),
         ("/c", "/self", 0.3, False)},
        {"/": 1.16, "/c": 0.8},
    ),
    ("position", "evaporate", "first"): (
        {("/", "/a", 0.5, True), ("/", "/b", 0.16, False), ("/c", "/b", 0.5, False),
         ("/c", "/self", 0.3, False)},
        {"/": 0.66, "/a": 1.0, "/b": 0.3, "/c": 1.1},
    ),
    ("uniform", "evaporate", "sum"): (
        {("/", "/a", 2.0, True), ("/", "/b", 1.0, False), ("/c", "/b", 1.0, False),
         ("/c", "/self", 1.0, False)},
        {"/": 3.0, "/a": 1.0, "/b": 1.0, "/c": 3.0},
    ),
}  # fmt: skip
HAND_LANDS = {
    "/": "/", "/a": "/a", "/b": "/b", "/c": "/c", "/self": "/self", "/r1": "/a", "/r2": "/a",
    "/dup": "/b", "/cr": "/b", "/l1": None, "/l2": None, "/gone": None, "/to-gone": None,
    "/nx": None,
}  # fmt: skip


def test_hand_written_crawl(spark: Any, tmp_path: Path) -> None:
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = _hand_site().write(store)
        pages, links = _frames(spark, store, tmp_path / "x", crawl)
        landing = spark_landing(pages, crawl)
        ids = store.lookup_url_ids([u(p) for p in HAND_LANDS])
        name = dict(zip(ids, HAND_LANDS, strict=True))
        for (weights, nofollow, duplicates), (want_edges, want_w) in HAND.items():
            settings = GraphSettings(weights=weights, nofollow=nofollow, duplicates=duplicates)
            view = _spark(spark_build_graph(pages, links, settings, crawl, landing=landing))
            edges, nodes, targets = view
            got = {(name[s], name[d], round(w, 12), c) for (s, d), (w, c) in edges.items()}
            assert got == want_edges, settings
            assert {name[n] for n in nodes} == {"/", "/a", "/b", "/c", "/self"}
            for node, (out_weight, _) in nodes.items():
                want = want_w.get(name[node], 0.0)
                assert out_weight == pytest.approx(want, abs=1e-12), (settings, name[node])
            assert {name[n]: f for n, (_, f) in nodes.items() if f} == {"/c": 2, "/self": 1}
            lands = {name[p]: (name[t] if t is not None else None) for p, t in targets.items()}
            assert lands == HAND_LANDS
            # and the in-memory build meets the same expectations
            _assert_same(view, build_graph(store, crawl, settings))


def test_the_latest_row_of_a_url_counts(spark: Any, tmp_path: Path) -> None:
    # /b was fetched twice: a 404 first, a 200 later; /c a 200 first, then a 500
    with Store.open(tmp_path / "audit.duckdb") as store:
        site = Site().page("/").page("/b").page("/c").link("/", "/b").link("/", "/c")
        crawl = site.write(store)
        b, c = store.lookup_url_ids([u("/b"), u("/c")])
        store.execute("UPDATE pages SET fetched_at = ?", [datetime(2026, 1, 2, tzinfo=UTC)])
        store.append(
            "pages",
            [
                {"crawl_id": crawl, "url_id": b, "internal": True, "status": 404,
                 "fetched_at": datetime(2026, 1, 1, tzinfo=UTC)},
                {"crawl_id": crawl, "url_id": c, "internal": True, "status": 500,
                 "fetched_at": datetime(2026, 1, 3, tzinfo=UTC)},
            ],
        )  # fmt: skip
        settings = GraphSettings()
        graph = build_graph(store, crawl, settings)
        built = spark_build_graph(*_frames(spark, store, tmp_path / "x", crawl), settings, crawl)
    view = _spark(built)
    assert {d for _, d in view[0]} == {b}
    _assert_same(view, graph)


def test_missing_columns_and_bad_settings_are_clear_errors(spark: Any) -> None:
    pages = spark.createDataFrame([(1, 1)], "crawl_id int, url_id int")
    links = spark.createDataFrame([(1, 1, 2)], "crawl_id int, src_id int, dst_id int")
    with pytest.raises(ConfigError, match=r"^the pages table .* lacks the column\(s\) internal"):
        spark_build_graph(pages, links, GraphSettings())
    with pytest.raises(ConfigError, match="graph.duplicates"):
        spark_build_graph(pages, links, GraphSettings(duplicates="mean"))


def test_an_engine_refuses_a_graph_of_other_nodes(engine: SparkEngine, tmp_path: Path) -> None:
    with Store.open(tmp_path / "audit.duckdb") as store:
        first = Site().page("/").page("/a").link("/", "/a").write(store)
        second = Site().page("/").page("/a").page("/b").link("/", "/b").write(store)
        other = build_graph(store, second, GraphSettings())
        with pytest.raises(AnalysisError) as caught:
            engine.prepare(store, first, GraphSettings(), other)
    assert str(caught.value) == (
        f"crawl {first}: the graph built on Spark has 2 nodes, the local one 3; run the "
        "analysis with --engine local and report this"
    )


# --------------------------------------------------------------------- golden sites, demo
def test_golden_sites_and_the_demo(spark: Any, tmp_path: Path) -> None:
    folders = []
    for site in sorted(p for p in SITES.iterdir() if (p / "expected.json").exists()):
        expected = json.loads((site / "expected.json").read_text(encoding="utf-8"))
        folders.append((site / "site", str(expected["base_url"])))
    folders.append((DEMO_SITE, DEMO_ORIGIN))
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawls = [
            crawl_folder(store, folder, base, CrawlSettings(), ExtractSettings()).crawl_id
            for folder, base in folders
        ]
        pages, links = _frames(spark, store, tmp_path / "all")  # every crawl, every column
        settings = GraphSettings()
        for crawl in crawls:
            graph = build_graph(store, crawl, settings)
            assert graph.n > 0
            _assert_same(spark_build_graph(pages, links, settings, crawl), graph)
    assert len(crawls) == len(folders) >= 6  # the golden sites and the demo


# --------------------------------------------------------------------- a generated crawl
def _generated(store: Store, seed: int = 5, n: int = 90) -> int:
    """Redirect chains, a redirect loop, canonical chains, noindex, 404s, pages that are not
    HTML or not internal, URLs never crawled, pages fetched twice, and links in every
    position (and one unknown), images, nofollow/sponsored/ugc, many duplicates."""
    rng = np.random.default_rng(seed)
    crawl = store.new_crawl(source="http", seeds=[u("/p0")], settings={})
    ids = store.url_ids([u(f"/p{i}") for i in range(n + 10)])  # the last ten never crawled
    when = datetime(2026, 3, 1, tzinfo=UTC)
    pages = []
    for i in range(n):
        at = when + timedelta(minutes=i)
        row: dict[str, Any] = {"crawl_id": crawl, "url_id": ids[i], "internal": True,
                               "status": 200, "fetched_at": at}  # fmt: skip
        kind = rng.random()
        if i < 5:
            pass  # the home page and a few plain pages
        elif kind < 0.15:
            row |= {"status": 301, "redirect_url_id": ids[int(rng.integers(0, n + 10))]}
        elif kind < 0.27:
            row["canonical_url_id"] = ids[int(rng.integers(0, n))]
        elif kind < 0.31:
            row["canonical_url_id"] = ids[i]
        elif kind < 0.36:
            row["indexable"] = False
        elif kind < 0.39:
            row["indexable"] = None
        elif kind < 0.44:
            row["status"] = 404
        elif kind < 0.46:
            row["status"] = None
        elif kind < 0.49:
            row["internal"] = False
        pages.append(row)
    # a chain of four redirects, a loop of three, a canonical chain through a redirect
    chain = {5: 6, 6: 7, 7: 8, 8: 1, 9: 10, 10: 11, 11: 9}
    for src, dst in chain.items():
        pages[src] |= {"status": 301, "redirect_url_id": ids[dst], "canonical_url_id": None}
    pages[12] |= {"status": 200, "redirect_url_id": None, "canonical_url_id": ids[13]}
    pages[13] |= {"status": 200, "redirect_url_id": None, "canonical_url_id": ids[5]}
    for i in (2, 14, 15):  # fetched twice: an older row that says otherwise
        pages.append({**pages[i], "status": 404, "fetched_at": when - timedelta(days=1)})
    pages.append({**pages[16], "status": 500, "fetched_at": None})
    store.append("pages", [{k: r.get(k) for k in sorted({k for p in pages for k in p})}
                           for r in pages])  # fmt: skip
    pairs = [(int(rng.integers(0, n)), int(rng.integers(0, n + 10))) for _ in range(150)]
    src, dst = zip(*[pairs[int(rng.integers(0, len(pairs)))] for _ in range(700)], strict=True)
    ordinal: dict[int, int] = {}
    links = []
    for s, d in zip(src, dst, strict=True):
        ordinal[s] = ordinal.get(s, -1) + 1
        links.append({
            "crawl_id": crawl, "src_id": ids[s], "dst_id": ids[d], "ordinal": ordinal[s],
            "position": str(rng.choice([*POSITIONS, "weird"])),
            "is_image": bool(rng.random() < 0.2), "rel_nofollow": bool(rng.random() < 0.1),
            "rel_sponsored": bool(rng.random() < 0.05) or None,  # NULL: not sponsored
            "rel_ugc": bool(rng.random() < 0.05),
        })  # fmt: skip
    store.append("links", {k: [r[k] for r in links] for k in links[0]})
    store.finish_crawl(crawl)
    return crawl


def test_generated_crawl_under_every_setting(spark: Any, tmp_path: Path) -> None:
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = _generated(store)
        other = _generated(store, seed=9, n=40)  # a second crawl the build must ignore
        pages, links = _frames(spark, store, tmp_path / "all")
        pages.cache()
        links.cache()
        combos = itertools.product(("position", "uniform"), ("drop", "evaporate"),
                                   ("max", "sum", "first"))  # fmt: skip
        landing = spark_landing(pages, crawl)  # the settings play no part in it
        seen = set()
        for weights, nofollow, duplicates in combos:
            settings = GraphSettings(weights=weights, nofollow=nofollow, duplicates=duplicates)
            graph = build_graph(store, crawl, settings)
            built = spark_build_graph(pages, links, settings, crawl, landing=landing)
            _assert_same(built, graph)
            seen.add(round(float(graph.out_weight.sum()), 9))
        assert graph.targets is not None
        assert graph.targets.loop.any()  # the generated crawl has a loop
        assert (graph.targets.hops > 2).any()  # and chains of several redirects
        graph = build_graph(store, other, GraphSettings())
        _assert_same(spark_build_graph(pages, links, GraphSettings(), other), graph)
    assert len(seen) >= 6  # the settings made different graphs
