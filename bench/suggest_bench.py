"""Link suggestions at scale: a generated site with text, and the 1M-page benchmark graph.

* ``text``: a site of N pages (default 100,000) with main text, titles and H1s, written to a
  fresh audit store: sections of 1,000 articles under a navigation, 100 money pages under
  /services/ each named by a phrase that articles mention in their sentences, content links
  with their sentences. Then, in a child process: the internal analysis, and the whole
  recommendation stage with k = 100 (phrases, one Aho–Corasick pass over every page, BM25
  relevance, the optimiser, the fix lists). Target (issue 15): under 2 minutes.
* ``graph``: the graph of ``bench/graph_bench.py`` (default 1,000,000 pages, 20 links each),
  100 money pages, and 200,000 random candidate links into them; in a child process the
  flow is solved and k = 100 links chosen from the candidates. Targets: under 15 minutes,
  peak memory within the 4 GB of the internal analysis.

Prints seconds per step and peak RSS.

    python bench/suggest_bench.py [--pages N] [--graph-pages N] [--candidates N] [--k K]
                                  [--skip-text] [--skip-graph] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).parent
SECTION = 1000
MONEY = 100
ADJ = ["quick", "green", "quiet", "solid", "bright", "clean", "smart", "local", "fresh", "safe"]
NOUN = ["roof", "garden", "window", "boiler", "fence", "gutter", "patio", "drain", "lawn", "door"]
FILLER = [
    "The weather this month was mild and dry across the whole region.",
    "Our team visited several homes and wrote down what people asked us.",
    "Planning ahead saves money and avoids the busy weeks of the year.",
    "Neighbours often share tips, and some of them are worth repeating here.",
    "A simple checklist helps you see what needs doing first and what can wait.",
    "Small repairs done early rarely turn into large and costly projects later.",
    "We keep notes of every visit so the next one starts where the last ended.",
    "Good tools matter less than a clear plan and a steady pace of work.",
]


def phrase(j: int) -> str:
    """The name of money page j: "<adjective> <noun> repair"."""
    return f"{ADJ[j % 10]} {NOUN[(j // 10) % 10]} repair"


def generate_text_site(path: Path, pages: int, seed: int = 1) -> dict[str, float]:
    """Write the generated site with text to a new store at ``path``."""
    from linkflow.store import Store

    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    paths = ["/", "/services/"] + [f"/services/m{j}" for j in range(MONEY)]
    sections = max(1, pages // SECTION)
    paths += [f"/s{s}/" for s in range(sections)]
    paths += [f"/s{i // SECTION % sections}/p{i}" for i in range(pages - len(paths))]
    n = len(paths)
    urls = [f"https://text.test{p}" for p in paths]
    titles, h1s, texts = [], [], []
    for i, p in enumerate(paths):
        if p.startswith("/services/m"):
            name = phrase(int(p[11:]))
            titles.append(f"{name.title()} | Textbench")
            h1s.append(name.title())
            texts.append(
                f"{name.title()}\nWe offer {name} for every home. Our {name} team "
                "answers within a day and brings every part it needs."
            )
            continue
        titles.append(f"Article {i} | Textbench")
        h1s.append(f"Article {i}")
        body = [FILLER[k] for k in rng.integers(0, len(FILLER), 6)]
        for j in rng.integers(0, MONEY, 2):
            body.insert(
                int(rng.integers(0, len(body))),
                f"Many readers asked us about {phrase(int(j))} before the season.",
            )
        texts.append(f"Article {i}\n" + " ".join(body))
    with Store.open(path) as store:
        store.append(
            "urls",
            pa.table(
                {
                    "id": pa.array(np.arange(n), pa.int32()),
                    "url": urls,
                    "host": ["text.test"] * n,
                    "path": paths,
                }
            ),
        )
        crawl = store.new_crawl(source="http", seeds=[urls[0]], settings={})
        store.append(
            "pages",
            pa.table(
                {
                    "crawl_id": pa.array(np.full(n, crawl), pa.int32()),
                    "url_id": pa.array(np.arange(n), pa.int32()),
                    "status": pa.array(np.full(n, 200), pa.int16()),
                    "indexable": [True] * n,
                    "title": titles,
                    "h1": h1s,
                    "lang": ["en"] * n,
                    "content_type": ["text/html"] * n,
                }
            ),
        )
        store.append(
            "page_text",
            pa.table(
                {
                    "crawl_id": pa.array(np.full(n, crawl), pa.int32()),
                    "url_id": pa.array(np.arange(n), pa.int32()),
                    "main_text": texts,
                }
            ),
        )
        links = _text_links(paths, sections, rng)
        store.append(
            "links",
            pa.table(
                {"crawl_id": pa.array(np.full(len(links["src_id"]), crawl), pa.int32()), **links}
            ),
        )
        store.finish_crawl(crawl)
    return {"pages": n, "seconds": time.perf_counter() - t}


def _text_links(paths: list[str], sections: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Navigation to home, services and the section hub; 3 content links in the section."""
    index = {p: i for i, p in enumerate(paths)}
    src, dst, pos, ordinal, anchor, context = [], [], [], [], [], []
    first = 2 + MONEY + sections
    for i, p in enumerate(paths):
        sec = f"/s{(i - first) // SECTION % sections}/" if i >= first else "/services/"
        for k, target in enumerate(["/", "/services/", sec]):
            src.append(i), dst.append(index[target]), pos.append("nav"), ordinal.append(k)
            anchor.append(target), context.append(None)
        if i >= first:
            lo = first + ((i - first) // SECTION) * SECTION
            for k, j in enumerate(rng.integers(lo, min(lo + SECTION, len(paths)), 3), 3):
                src.append(i), dst.append(int(j)), pos.append("content"), ordinal.append(k)
                anchor.append(f"Article {j}")
                context.append(f"See also Article {j} for more.")
        elif p.startswith("/services/"):
            for k in range(3, 3 + 3):
                src.append(i), dst.append(2 + int(rng.integers(0, MONEY))), pos.append("content")
                ordinal.append(k), anchor.append("more services"), context.append(None)
    return {
        "src_id": pa.array(src, pa.int32()),
        "dst_id": pa.array(dst, pa.int32()),
        "ordinal": pa.array(ordinal, pa.int32()),
        "position": pa.array(pos),
        "anchor": pa.array(anchor),
        "context": pa.array(context, pa.string()),
    }


def run_text(path: Path, k: int) -> dict[str, float]:
    """The internal analysis, then the recommendation stage, timed."""
    from linkflow.analyses.internal import run_internal
    from linkflow.recommend.pipeline import recommend
    from linkflow.settings import Settings
    from linkflow.store import Store

    settings = Settings().replace(**{"analyse.money": ["/services/m*"]})
    out: dict[str, float] = {}
    with Store.open(path, read_only=True) as store:
        crawl = int(store.latest_crawl_id() or 0)
        t = time.perf_counter()
        internal = run_internal(store, crawl, settings)
        out["internal_s"] = time.perf_counter() - t
        t = time.perf_counter()
        rec = recommend(store, internal, settings, k=k)
        out["suggest_s"] = time.perf_counter() - t
    seconds = rec.details["seconds"]
    assert isinstance(seconds, dict)
    out.update({f"step_{name}_s": float(v) for name, v in seconds.items()})
    out.update(
        suggestions=len(rec.suggestions),
        candidates=rec.candidates,
        lowering=rec.lowering,
        fixes=len(rec.fixes),
        before=rec.money_flow,
        after=rec.after,
    )
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_graph(path: Path, k: int, count: int, seed: int = 7) -> dict[str, float]:
    """Flow, columns and the optimiser on the benchmark graph with random candidates."""
    from linkflow.graph import build_graph
    from linkflow.recommend.chain import Chain, solve_state
    from linkflow.recommend.columns import ColumnCache
    from linkflow.recommend.optimise import Caps, optimise
    from linkflow.recommend.pipeline import COLUMN_EPS, SOLVE_TOLERANCE
    from linkflow.settings import Settings
    from linkflow.store import Store

    rng = np.random.default_rng(seed)
    out: dict[str, float] = {}
    with Store.open(path, read_only=True) as store:
        t = time.perf_counter()
        graph = build_graph(store, int(store.latest_crawl_id() or 0), Settings().graph)
        out["build_s"] = time.perf_counter() - t
    t = time.perf_counter()
    n = graph.n
    money = rng.choice(n, MONEY, replace=False)
    reward = np.zeros(n)
    reward[money] = 1.0
    src = rng.integers(0, n, count)
    dst = money[rng.integers(0, MONEY, count)]
    key = np.unique(src * n + dst)
    src, dst = key // n, key % n
    chain = Chain.of(graph, np.full(n, 1.0 / n), 0.85)
    linked = np.asarray(chain.fwd[src, dst]).ravel() > 0  # pairs the graph links already
    keep = ~linked & (src != dst)
    src, dst = src[keep], dst[keep]
    state = solve_state(chain, reward, tolerance=SOLVE_TOLERANCE)
    cache = ColumnCache(chain, state, eps=COLUMN_EPS)
    out["flow_s"] = time.perf_counter() - t
    t = time.perf_counter()
    result = optimise(cache, src, dst, np.ones(src.size), Caps(k, 3, 10), tolerance=SOLVE_TOLERANCE)
    out["optimise_s"] = time.perf_counter() - t
    out.update({f"opt_{name}_s": v for name, v in result.seconds.items()})
    out.update(
        nodes=n,
        edges=int(graph.indices.size),
        candidates=int(src.size),
        chosen=int(result.chosen.size),
        rounds=result.rounds,
        swaps=result.swaps,
        before=result.objective,
        after=result.recomputed,
        predicted=result.predicted,
        columns=len(cache.rows),
    )
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _child(phase: str, path: Path, args: argparse.Namespace) -> dict[str, float]:
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--store",
        str(path),
        "--k",
        str(args.k),
        "--candidates",
        str(args.candidates),
    ]
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _graph_bench() -> object:
    spec = importlib.util.spec_from_file_location("graph_bench", HERE / "graph_bench.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--graph-pages", type=int, default=1_000_000)
    ap.add_argument("--candidates", type=int, default=200_000)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--skip-text", action="store_true")
    ap.add_argument("--skip-graph", action="store_true")
    ap.add_argument("--keep", type=Path, help="folder for the stores, reused by later runs")
    ap.add_argument("--phase", choices=["text", "graph"], help=argparse.SUPPRESS)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        fn = (
            run_text(args.store, args.k)
            if args.phase == "text"
            else run_graph(args.store, args.k, args.candidates)
        )
        print(json.dumps(fn))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.skip_text:
            path = folder / f"text-{args.pages}.duckdb"
            gen = {"seconds": float("nan")}
            if not path.exists():
                gen = generate_text_site(path, args.pages)
            r = _child("text", path, args)
            steps = ", ".join(f"{k[5:-2]} {v:.1f}" for k, v in r.items() if k.startswith("step_"))
            print(f"-- text site: {args.pages:,} pages (generated in {gen['seconds']:.0f} s)")
            print(
                f"   internal analysis {r['internal_s']:.1f} s | suggestions "
                f"{r['suggest_s']:.1f} s ({steps}) | target < 120 s"
            )
            print(
                f"   {int(r['candidates']):,} candidates, {int(r['lowering']):,} lowering; "
                f"{int(r['suggestions'])} links: money flow {r['before']:.4f} -> "
                f"{r['after']:.4f}; {int(r['fixes'])} fixes; peak RSS {r['peak_rss_mb']:,.0f} MB"
            )
        if not args.skip_graph:
            path = folder / f"bench-{args.graph_pages}.duckdb"
            if not path.exists():
                _graph_bench().generate(path, args.graph_pages)  # type: ignore[attr-defined]
            r = _child("graph", path, args)
            total = r["flow_s"] + r["optimise_s"]
            print(
                f"-- graph: {int(r['nodes']):,} nodes, {int(r['edges']):,} edges, "
                f"{int(r['candidates']):,} candidates into {MONEY} money pages"
            )
            print(
                f"   build {r['build_s']:.1f} s | flow {r['flow_s']:.1f} s | optimise "
                f"{r['optimise_s']:.1f} s (greedy {r['opt_greedy_s']:.1f}, polish "
                f"{r['opt_polish_s']:.1f}, rank {r['opt_rank_s']:.1f}; {int(r['rounds'])} "
                f"rounds, {int(r['swaps'])} swaps, {int(r['columns'])} columns) | flow + "
                f"optimise {total:.0f} s, target < 900 s"
            )
            print(
                f"   k = {int(r['chosen'])}: money flow {r['before']:.6f} -> {r['after']:.6f} "
                f"(predicted {r['predicted']:.6f}); peak RSS {r['peak_rss_mb']:,.0f} MB "
                "(target < 4096)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
