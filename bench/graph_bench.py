"""Graph speed: build, PageRank, depth and every internal finding on a generated site.

A site of N pages and 20·N links (sections of 1,000 pages, template links to hubs in nav and
footer, content links inside the section, a few cross-section links, dangling pages,
redirects, 404s, noindex and canonicalised pages, nofollow, image and generic anchors) is
written to a fresh DuckDB audit store through ``Store.append`` (Arrow). Then, in a separate
process so that peak memory is the analysis' own:

* ``build_graph`` from the store;
* ``pagerank`` to the 1 %-per-page bound, and a bare scipy SpMV loop (``Pᵀ @ x``) doing the
  same number of iterations — the floor any power iteration pays;
* ``analyse_internal`` end to end (graph, PageRank, depth, every finding, all writes);
* the authority flow (``run_flow``) on that result, with backlink authority on 1 % of the
  pages (Pareto-distributed, a few on 404s) and one money page per section: the
  backlink-seeded flow, its decomposition over every page (one reverse solve), the top
  sources of each of the 20 strongest money pages (reverse solves with a matrix right-hand
  side, and one money page alone for comparison), reach and trapped authority, leaks and
  the exact best link of each of the 5 most trapping pages;
* in a third process, igraph's PageRank (PRPACK) on the same edges and weights.

Prints seconds, iterations, peak RSS and the ratios. Targets (issue 4), at 1M pages / 20M
links on 2 cores: PageRank ≤ 2× the bare SpMV loop, ≥ 2× faster than igraph, all analyses
≤ 60 s, peak memory ≤ 4 GB; (issue 14) flow with its decomposition ≤ 2× PageRank.

    python bench/graph_bench.py [--pages N [N ...]] [--skip-igraph] [--keep DIR]

With ``--keep DIR`` the generated stores stay in DIR and a later run reuses them (its
results tables are cleared first, so every analysis starts cold).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

SECTION = 1000
LINKS_PER_PAGE = 20
ANCHORS = [f"topic {i} guide" for i in range(1500)] + [
    "read more", "click here", "learn more", "", "https://bench.test/", "home", "products",
]  # fmt: skip
POSITIONS = ["content", "nav", "footer", "sidebar", "breadcrumb", "related"]


def generate(path: Path, pages: int, seed: int = 1) -> dict[str, float]:
    """Write the generated crawl to a new store at ``path``; returns its size figures."""
    from linkflow.store import Store

    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    ids = np.arange(pages, dtype=np.int64)
    section = ids // SECTION
    paths = pa.array([f"/s{s}/p{i}" for s, i in zip(section.tolist(), ids.tolist(), strict=True)])
    with Store.open(path) as store:
        store.append(
            "urls",
            pa.table(
                {
                    "id": pa.array(ids, pa.int32()),
                    "url": pa.array([f"https://bench.test{p}" for p in paths.to_pylist()]),
                    "host": pa.array(["bench.test"] * pages),
                    "path": paths,
                }
            ),
        )
        crawl = store.new_crawl(source="http", seeds=["https://bench.test/s0/p0"], settings={})
        kind = rng.random(pages)
        kind[::SECTION] = 1.0  # section hubs are healthy pages
        status = np.where(kind < 0.02, 404, np.where(kind < 0.04, 301, 200)).astype(np.int16)
        redirect = np.where(status == 301, rng.integers(0, pages, pages), -1)
        canonical = np.where((kind >= 0.04) & (kind < 0.05), rng.integers(0, pages, pages), -1)
        store.append(
            "pages",
            pa.table(
                {
                    "crawl_id": pa.array(np.full(pages, crawl), pa.int32()),
                    "url_id": pa.array(ids, pa.int32()),
                    "status": pa.array(status),
                    "redirect_url_id": pa.array(redirect, pa.int32(), mask=redirect < 0),
                    "canonical_url_id": pa.array(canonical, pa.int32(), mask=canonical < 0),
                    "indexable": pa.array(~((kind >= 0.05) & (kind < 0.06))),
                }
            ),
        )
        links = _write_links(store, crawl, pages, status, rng)
        orphans = np.flatnonzero(kind > 0.999)
        store.append(
            "sitemap_urls",
            pa.table(
                {
                    "crawl_id": pa.array(np.full(orphans.size, crawl), pa.int32()),
                    "url_id": pa.array(orphans, pa.int32()),
                }
            ),
        )
        store.finish_crawl(crawl)
    return {"pages": pages, "links": links, "seconds": time.perf_counter() - start}


def _write_links(store: object, crawl: int, pages: int, status: np.ndarray,
                 rng: np.random.Generator) -> int:  # fmt: skip
    """Links in chunks of 50,000 source pages: 5 template, 12 section, 3 cross-site each."""
    total = 0
    dangling = rng.random(pages) < 0.05
    anchors = pa.array(ANCHORS)
    positions = pa.array(POSITIONS)
    for lo in range(0, pages, 50_000):
        src_pages = np.arange(lo, min(pages, lo + 50_000))
        src_pages = src_pages[~dangling[src_pages] & (status[src_pages] == 200)]
        k = src_pages.size
        src = np.repeat(src_pages, LINKS_PER_PAGE)
        slot = np.tile(np.arange(LINKS_PER_PAGE), k)
        sec0 = (src // SECTION) * SECTION
        hubs = np.minimum(np.arange(5) * SECTION, pages - 1)
        dst = np.where(slot < 5, hubs[np.minimum(slot, 4)], 0)
        local = (slot >= 5) & (slot < 17)
        size = np.minimum(SECTION, pages - sec0)
        dst = np.where(local, sec0 + rng.integers(0, 1 << 30, src.size) % size, dst)
        far = slot >= 17
        dst = np.where(far, rng.zipf(1.3, src.size) % pages, dst)
        pos = np.where(slot < 3, 1, np.where(slot < 5, 2, np.where(far, 5, 0)))
        anchor_idx = np.where(
            slot < 5, ANCHORS.index("home"), rng.integers(0, len(ANCHORS), src.size)
        )
        m = src.size
        total += store.append(
            "links",
            pa.table(
                {  # type: ignore[attr-defined]
                    "crawl_id": pa.array(np.full(m, crawl), pa.int32()),
                    "src_id": pa.array(src, pa.int32()),
                    "dst_id": pa.array(dst, pa.int32()),
                    "ordinal": pa.array(slot, pa.int32()),
                    "anchor": pa.DictionaryArray.from_arrays(
                        pa.array(anchor_idx, pa.int32()), anchors
                    ),
                    "position": pa.DictionaryArray.from_arrays(
                        pa.array(pos, pa.int32()), positions
                    ),
                    "is_image": pa.array(rng.random(m) < 0.03),
                    "rel_nofollow": pa.array(rng.random(m) < 0.01),
                }
            ),
        )
    return total


def analyse(path: Path) -> dict[str, float]:
    """Time build, PageRank, a bare SpMV loop and the whole internal analysis."""
    from linkflow.analyses.internal import run_internal
    from linkflow.analyses.persist import persist_internal
    from linkflow.graph import build_graph, pagerank
    from linkflow.settings import Settings
    from linkflow.store import Store

    out: dict[str, float] = {}
    with Store.open(path) as store:
        for table in ("page_metrics", "findings", "analysis_runs", "flow_paths"):  # cold run
            store.delete(table)
        crawl = int(store.latest_crawl_id() or 0)
        t = time.perf_counter()
        graph = build_graph(store, crawl, Settings().graph)
        out["build_s"] = time.perf_counter() - t
        pt = graph.transition_t  # built once; both timings below exclude it
        t = time.perf_counter()
        result = pagerank(graph, tolerance=0.01)
        out["pagerank_s"] = time.perf_counter() - t
        x = np.full(graph.n, 1.0 / graph.n)
        t = time.perf_counter()
        for _ in range(result.iterations):
            x = pt @ x
        out["spmv_loop_s"] = time.perf_counter() - t
        out.update(
            nodes=graph.n,
            edges=int(graph.indices.size),
            iterations=result.iterations,
            relative_bound=result.relative_bound,
        )
        del graph, pt
        t = time.perf_counter()
        internal = run_internal(store, crawl, Settings())
        summary = persist_internal(store, internal)  # the two steps of analyse_internal
        out["analyse_s"] = time.perf_counter() - t
        out.update({f"analyse_{k}_s": v for k, v in summary.seconds.items()})
        out["findings"] = sum(summary.findings.values())
        out.update(_flow(store, internal))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


MONEY = "/s*/p*500"
"""One money page per section of 1,000 pages."""
BACKLINKED = 0.01
"""Share of the pages with backlinks."""


def _backlinks(store: Any, result: Any, seed: int = 2) -> None:
    """Synthetic ``backlink_targets``: authority on 1 % of the graph's pages and on a few
    URLs off the graph (404s, redirects), so that some of it is lost."""
    rng = np.random.default_rng(seed)
    graph = result.graph
    on = rng.choice(graph.node_url_ids, max(1, int(BACKLINKED * graph.n)), replace=False)
    off = np.setdiff1d(np.arange(int(store.count("urls"))), graph.node_url_ids)
    off = rng.choice(off, min(off.size, max(1, on.size // 20)), replace=False)
    ids = np.concatenate([on, off])
    table = pa.table({"url_id": pa.array(ids, pa.int64()),
                      "authority": pa.array(10.0 * (1.0 + rng.pareto(1.2, ids.size)))})  # fmt: skip
    store.delete("backlink_targets")
    with store.registered("_bench_bl", table):
        store.execute(
            "INSERT INTO backlink_targets BY NAME SELECT u.url, u.id AS url_id, 1 AS backlinks, "
            "1 AS referring_domains, 1 AS followed_domains, b.authority, FALSE AS lost "
            "FROM _bench_bl b JOIN urls u ON u.id = b.url_id"
        )


def _flow(store: Any, result: Any) -> dict[str, float]:
    """Time ``run_flow`` by step, and one money page's sources solved alone."""
    from linkflow.analyses.flow import run_flow
    from linkflow.analyses.flow_solve import reverse_values
    from linkflow.settings import Settings

    _backlinks(store, result)
    settings = Settings().replace(**{"analyse.money": [MONEY]})
    t = time.perf_counter()
    flow = run_flow(store, result, settings)
    out = {"flow_total_s": time.perf_counter() - t}
    out.update({f"flow_{k}_s": v for k, v in flow.seconds.items()})
    one = np.zeros(flow.graph.n)
    one[int(np.flatnonzero(flow.money.mask)[0])] = 1.0
    t = time.perf_counter()
    reverse_values(flow.operator, one, settings.graph.tolerance, settings.graph.max_iterations)
    out["flow_one_money_page_s"] = time.perf_counter() - t
    out.update(
        flow_iterations=flow.solver.iterations,
        flow_relative_bound=flow.solver.relative_bound,
        money_pages=flow.money.count,
        path_pages=min(flow.money.count, settings.analyse.flow_money_pages),
        reach_iterations=flow.reach.iterations,
        lost_share=float(flow.lost["authority"].to_numpy().sum())
        / (float(flow.lost["authority"].to_numpy().sum()) + float(flow.authority.sum())),
    )
    return out


def igraph_pagerank(path: Path) -> dict[str, float]:
    """igraph (PRPACK) PageRank on the very graph linkflow built, weights included."""
    import igraph

    from linkflow.graph import build_graph
    from linkflow.settings import Settings
    from linkflow.store import Store

    with Store.open(path, read_only=True) as store:
        graph = build_graph(store, int(store.latest_crawl_id() or 0), Settings().graph)
    rows = np.repeat(np.arange(graph.n, dtype=np.int32), graph.out_degree)
    t = time.perf_counter()
    g = igraph.Graph(n=graph.n, edges=np.column_stack([rows, graph.indices]), directed=True)
    g.es["weight"] = graph.weights
    build = time.perf_counter() - t
    t = time.perf_counter()
    g.pagerank(weights="weight", damping=0.85)
    return {"igraph_build_s": build, "igraph_pagerank_s": time.perf_counter() - t}


def _child(phase: str, path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--store", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run(pages: int, folder: Path, with_igraph: bool, reuse: bool) -> dict[str, float]:
    path = folder / f"bench-{pages}.duckdb"
    if path.exists() and reuse:
        from linkflow.store import Store

        with Store.open(path, read_only=True) as store:
            gen = {"links": store.count("links"), "seconds": float("nan")}
    else:
        path.unlink(missing_ok=True)
        gen = generate(path, pages)
    res = {"pages": pages, "links": gen["links"], "generate_s": gen["seconds"]}
    res.update(_child("analyse", path))
    if with_igraph:
        res.update(_child("igraph", path))
    return res


def report(r: dict[str, float]) -> None:
    print(
        f"-- {int(r['pages']):,} pages, {int(r['links']):,} links "
        f"({int(r['nodes']):,} nodes, {int(r['edges']):,} edges after collapse/dedupe)"
    )
    print(
        f"   generate+store {r['generate_s']:.1f} s | build_graph {r['build_s']:.2f} s | "
        f"pagerank {r['pagerank_s']:.2f} s ({int(r['iterations'])} it, rel bound "
        f"{r['relative_bound']:.2e}) | bare SpMV loop {r['spmv_loop_s']:.2f} s"
    )
    parts = ", ".join(
        f"{k[8:-2]} {v:.1f}" for k, v in r.items() if k.startswith("analyse_") and k != "analyse_s"
    )
    print(
        f"   analyse_internal {r['analyse_s']:.1f} s ({parts}); {int(r['findings']):,} "
        f"findings; peak RSS {r['peak_rss_mb']:,.0f} MB"
    )
    print(f"   ratio pagerank / SpMV loop = {r['pagerank_s'] / r['spmv_loop_s']:.2f} (target ≤ 2)")
    if "flow_total_s" in r:
        _report_flow(r)
    if "igraph_pagerank_s" in r:
        print(
            f"   igraph pagerank {r['igraph_pagerank_s']:.2f} s (graph build "
            f"{r['igraph_build_s']:.1f} s); ratio igraph / linkflow = "
            f"{r['igraph_pagerank_s'] / r['pagerank_s']:.2f} (target ≥ 2)"
        )


def _report_flow(r: dict[str, float]) -> None:
    steps = ", ".join(
        f"{k[5:-2]} {v:.2f}" for k, v in r.items()
        if k.startswith("flow_") and k.endswith("_s") and k not in ("flow_total_s",
                                                                   "flow_one_money_page_s")
    )  # fmt: skip
    core = r["flow_flow_s"] + r["flow_decomposition_s"]
    paths = r["flow_paths_s"] / max(r["path_pages"], 1)
    print(
        f"   flow {r['flow_total_s']:.1f} s ({steps}); {int(r['flow_iterations'])} it, rel bound "
        f"{r['flow_relative_bound']:.2e}; {int(r['money_pages']):,} money pages, "
        f"{r['lost_share']:.1%} of backlink authority lost"
    )
    print(
        f"   ratio (flow + decomposition) / pagerank = {core / r['pagerank_s']:.2f} (target ≤ 2); "
        f"whole flow stage / pagerank = {r['flow_total_s'] / r['pagerank_s']:.2f}"
    )
    print(
        f"   sources of one money page: {paths:.2f} s each in batches of 8 "
        f"({int(r['path_pages'])} pages), {r['flow_one_money_page_s']:.2f} s alone"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--skip-igraph", action="store_true")
    ap.add_argument(
        "--keep", type=Path, help="folder for the stores, kept and reused by later runs"
    )
    ap.add_argument("--phase", choices=["analyse", "igraph"], help=argparse.SUPPRESS)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        fn = analyse if args.phase == "analyse" else igraph_pagerank
        print(json.dumps(fn(args.store)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        for pages in args.pages:
            results.append(run(pages, folder, not args.skip_igraph, args.keep is not None))
            report(results[-1])
    if len(results) > 1:
        base = results[0]
        print("-- growth (analyse_internal seconds, peak RSS MB) relative to the smallest run:")
        for r in results:
            print(
                f"   {int(r['pages']):>9,} pages: ×{r['pages'] / base['pages']:.0f} size → "
                f"×{r['analyse_s'] / base['analyse_s']:.1f} time, "
                f"×{r['peak_rss_mb'] / base['peak_rss_mb']:.1f} memory"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
