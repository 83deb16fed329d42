"""Domain ranks from a Common Crawl-format domain graph on the local engine.

A release of N domains and 10·N links (default 1M / 10M) is generated in Common Crawl's
format (gzip TAB parts, reversed names sorted, edge targets drawn from a power law, as the
web's in-degrees are) into a temporary folder, then ``build_ranks`` runs on it. Prints the
seconds of each phase (read, harmonic centrality by HyperBall with m = 2^log2m registers,
PageRank, writing the ranks file), wall and CPU (on a shared machine the CPU seconds are
the steadier figure), and the peak resident memory.

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


class Clock:
    """Wall and CPU seconds since the last :meth:`lap`."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> str:
        wall, cpu = time.perf_counter(), time.process_time()
        text = f"{wall - self.wall:.1f} s wall, {cpu - self.cpu:.1f} s CPU"
        self.wall, self.cpu = wall, cpu
        return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1_000_000)
    parser.add_argument("--log2m", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        clock = Clock()
        generate(root, args.domains)
        print(f"generated {args.domains:,} domains: {clock.lap()}")
        graph = load_domain_graph(root, "domain")
        print(f"read {graph.n:,} domains, {graph.src.size:,} links: {clock.lap()}")
        hc = harmonic_centrality(graph.n, graph.src, graph.dst, mode="hll", log2m=args.log2m)
        print(f"harmonic centrality (HyperBall, m={1 << args.log2m}, {hc.steps} steps): "
              f"{clock.lap()}")  # fmt: skip
        pr = pagerank(from_edges(graph.n, graph.src, graph.dst), damping=DAMPING,
                      tolerance=TOLERANCE)  # fmt: skip
        print(f"PageRank ({pr.iterations} iterations): {clock.lap()}")
        ranks = DomainRanks(graph, hc.values.astype(np.float32), pr.scores, "hll")
        write_ranks(ranks, root / "ranks.txt.gz")
        size = (root / "ranks.txt.gz").stat().st_size / 1e6
        print(f"ranks file ({size:.1f} MB): {clock.lap()}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
