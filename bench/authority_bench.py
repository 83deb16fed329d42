"""Domain ranks from a Common Crawl-format domain graph on the local engine.

A release of N domains and 10·N links (default 1M / 10M) is generated in Common Crawl's
format (gzip TAB parts, reversed names sorted, edge targets drawn from a power law, as the
web's in-degrees are) into a temporary folder, then ``build_ranks`` runs on it. Prints the
seconds of each phase (read, harmonic centrality by HyperBall with m = 2^log2m registers,
PageRank, writing the ranks file) and the peak resident memory.

    python bench/authority_bench.py [--domains N] [--log2m 7]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from linkflow.authority.domains import load_domain_graph
from linkflow.authority.hyperball import harmonic_centrality
from linkflow.authority.ranks import DAMPING, TOLERANCE, DomainRanks, write_ranks
from linkflow.graph import from_edges, pagerank


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as fh:
        fh.write("\n".join(lines) + "\n")


def generate(root: Path, n: int, degree: int = 10, seed: int = 1) -> None:
    """A domain-level release of ``n`` domains and about ``degree·n`` distinct links."""
    rng = np.random.default_rng(seed)
    names = sorted(f"com.d{i:08x}" for i in range(n))
    for p, lo in enumerate(range(0, n, 250_000)):
        rows = [f"{i}\t{names[i]}\t{1 + i % 7}" for i in range(lo, min(n, lo + 250_000))]
        _write_lines(root / "domain" / "vertices" / f"part-{p:05d}.txt.gz", rows)
    m = degree * n
    src = rng.integers(0, n, m)
    dst = (rng.pareto(1.1, m) * n / 50).astype(np.int64) % n  # a few domains get most links
    keys = np.unique(src * n + dst)
    keys = keys[keys // n != keys % n]
    for p, lo in enumerate(range(0, keys.size, 2_500_000)):
        block = keys[lo : lo + 2_500_000]
        rows = [
            f"{a}\t{b}" for a, b in zip((block // n).tolist(), (block % n).tolist(), strict=True)
        ]
        _write_lines(root / "domain" / "edges" / f"part-{p:05d}.txt.gz", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1_000_000)
    parser.add_argument("--log2m", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        generate(root, args.domains)
        print(f"generated {args.domains:,} domains in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        graph = load_domain_graph(root, "domain")
        read = time.perf_counter() - t
        print(f"read: {graph.n:,} domains, {graph.src.size:,} links in {read:.1f} s")
        t = time.perf_counter()
        hc = harmonic_centrality(graph.n, graph.src, graph.dst, mode="hll", log2m=args.log2m)
        hc_s = time.perf_counter() - t
        print(f"harmonic centrality (HyperBall, m={1 << args.log2m}): {hc_s:.1f} s, "
              f"{hc.steps} steps")  # fmt: skip
        t = time.perf_counter()
        pr = pagerank(from_edges(graph.n, graph.src, graph.dst), damping=DAMPING,
                      tolerance=TOLERANCE)  # fmt: skip
        print(f"PageRank: {time.perf_counter() - t:.1f} s, {pr.iterations} iterations")
        ranks = DomainRanks(graph, hc.values.astype(np.float32), pr.scores, "hll")
        t = time.perf_counter()
        write_ranks(ranks, root / "ranks.txt.gz")
        written = time.perf_counter() - t
        size = (root / "ranks.txt.gz").stat().st_size / 1e6
        print(f"ranks file: {written:.1f} s, {size:.1f} MB")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
