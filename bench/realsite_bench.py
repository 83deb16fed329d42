"""Crawl speed on real sites nobody here wrote: linkflow against Scrapy and wget, same run.

The sites are Debian's HTML documentation packages (Python 3.11, PostgreSQL 15, the Rust
standard library docs), each served by nginx on 127.0.0.1 from its install folder. Missing
packages are installed with apt-get (as root; otherwise the script says what to run).

For each site, in the same run and against the same server:

- **linkflow**: ``python -m linkflow.crawl`` (fetch, parse, store pages, links and text in
  DuckDB; robots.txt obeyed), and with ``--folder`` the same docs read as a build folder;
- **Scrapy** 2.x: a minimal CrawlSpider with its LinkExtractor, robots.txt obeyed, the same
  concurrency, following links on the server's origin only; it stores nothing;
- **wget** ``-r`` (one connection, fetch-only; its pages/s is the fixed-cost reference for
  small pages);
- **selectolax**: parse-only CPU of the very pages linkflow stored (the floor).

Printed per site: pages, wall seconds, pages/s, CPU seconds of the whole process tree, CPU
per page, peak tree RSS, and the ratios the targets use (docs/crawling.md, "Speed"), with
wget's own CPU per page against the same floor for reference. linkflow's CPU is also split:
what its phases after fetching (storing the journal in DuckDB, the template pass) cost,
read from /proc at each phase's progress event, against the same floor.

The machine's speed drifts between runs by more than the gaps the targets measure, so with
``--rounds N`` every tool runs N times in turns and each ratio is the median of the N
ratios taken within a round (their range in brackets).

    python bench/realsite_bench.py                      # all three sites
    python bench/realsite_bench.py --sites python,postgresql --rounds 5
    python bench/realsite_bench.py --sites python,postgresql --skip-scrapy
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).parent))

from crawl_bench import Measured, run_measured, scrapy_spider, start_server

SITES = {
    "python": ("python3.11-doc", Path("/usr/share/doc/python3.11/html")),
    "postgresql": ("postgresql-doc-15", Path("/usr/share/doc/postgresql-doc-15/html")),
    "rust": ("rust-doc", Path("/usr/share/doc/rust-doc/html")),
}
TARGET_SCRAPY = {"python": 8.0, "postgresql": 5.0, "rust": 8.0}
STORING = ("store", "templates")
"""The phases of a linkflow crawl after its fetching, as its JSON progress names them."""


@dataclass
class Run:
    """One tool's figures on one site."""

    pages: int
    seconds: float
    cpu: float
    tree_rss: float
    store_cpu: float = 0.0
    """CPU seconds of a linkflow crawl's phases after fetching (storing, templates)."""

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_page(self) -> float:
        return self.cpu / self.pages if self.pages else 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(cmd: list[str], **kwargs: bool) -> tuple[Measured, float]:
    """``run_measured`` plus the CPU seconds of the process tree (children waited for)."""
    before = _children_cpu()
    m = run_measured(cmd, **kwargs)
    return m, _children_cpu() - before


def ensure_packages(names: list[str]) -> None:
    """apt-get install the doc packages whose folders are missing (as root)."""
    missing = [SITES[n][0] for n in names if not SITES[n][1].is_dir()]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(f"missing doc packages; run: sudo apt-get install -y {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, env=env)


def run_linkflow(tmp: Path, seed: str, concurrency: int, folder: Path | None = None) -> Run:
    db = tmp / ("folder.duckdb" if folder else "http.duckdb")
    cmd = [sys.executable, "-m", "linkflow.crawl", str(db), seed, "--max-pages", "10000000",
           "--concurrency", str(concurrency), "--per-host", str(concurrency),
           "--log-json"]  # fmt: skip
    if folder is not None:
        cmd += ["--folder", str(folder)]
    m, cpu = measured(cmd, events=True)
    store = sum(p.cpu for name, p in m.phases.items() if name in STORING)
    return Run(int(m.result["pages"]), float(m.result["seconds"]), cpu, m.tree_rss, store)


def run_scrapy(tmp: Path, seed: str, concurrency: int) -> Run:
    spider = tmp / "spider.py"
    spider.write_text(scrapy_spider(obey_robots=True, same_origin=True))
    m, cpu = measured([sys.executable, str(spider), seed, str(concurrency)])
    return Run(int(m.result["pages"]), float(m.result["seconds"]), cpu, m.tree_rss)


def run_wget(tmp: Path, seed: str) -> Run | None:
    wget = shutil.which("wget")
    if wget is None:
        print("wget is not installed (Debian: apt-get install wget): no fetch-only reference")
        return None
    out = tmp / "wget"
    before, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [wget, "-r", "-l", "inf", "-np", "-nv", "--delete-after", "-P", str(out), seed],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    pages = sum(1 for line in proc.stderr.splitlines() if " URL:" in line)
    return Run(pages, seconds, _children_cpu() - before, 0.0)


def stored_files(db: Path, seed: str, root: Path) -> list[Path]:
    """The files behind the HTML pages linkflow stored (status 200)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        urls = [u for (u,) in con.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.status = 200 AND p.content_type LIKE 'text/html%'"
        ).fetchall()]  # fmt: skip
    base = urlsplit(seed).path
    files = []
    for url in urls:
        path = unquote(urlsplit(url).path)[len(base) :]
        file = root / path
        if file.is_dir() or path.endswith("/") or not path:
            file = file / "index.html"
        if file.is_file():
            files.append(file)
    return files


def floor_cpu(files: list[Path]) -> float:
    """selectolax's parse-only CPU seconds for ``files`` (bytes read first, best of two)."""
    from selectolax.lexbor import LexborHTMLParser

    bodies = [f.read_bytes() for f in files]
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        for body in bodies:
            LexborHTMLParser(body)
        best = min(best, time.process_time() - start)
    return best


def _line(name: str, run: Run) -> str:
    rss = f"{run.tree_rss:6,.0f} MB" if run.tree_rss else "       -"
    storing = f"  (storing CPU {run.store_cpu:.1f} s)" if run.store_cpu else ""
    return (f"  {name:<18}{run.pages:>8,} pages {run.seconds:8.1f} s {run.rate:8,.0f} p/s "
            f"CPU {run.cpu:7.1f} s {run.cpu_per_page * 1000:7.2f} ms/page  "
            f"tree RSS {rss}{storing}")  # fmt: skip


@dataclass
class Round:
    """One round on one site: each tool once, in turns, and the floor of the pages stored."""

    linkflow: Run
    floor: float  # selectolax's parse-only CPU seconds a page
    folder: Run | None = None
    scrapy: Run | None = None
    wget: Run | None = None


def one_round(name: str, tmp: Path, seed: str, args: argparse.Namespace) -> Round:
    """Crawl the site with each tool once (linkflow into fresh stores) and print each line."""
    root = SITES[name][1]
    for stale in tmp.glob("*.duckdb*"):  # the stores of the round before, with their journals
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    lf = run_linkflow(tmp, seed, args.concurrency)
    print(_line("linkflow (HTTP)", lf))
    files = stored_files(tmp / "http.duckdb", seed, root)
    floor = floor_cpu(files) / max(len(files), 1)
    print(f"  {'selectolax floor':<18}{len(files):>8,} pages parse-only "
          f"{floor * 1000:.2f} ms/page")  # fmt: skip
    result = Round(lf, floor)
    if args.folder:
        result.folder = run_linkflow(tmp, seed, args.concurrency, folder=root)
        print(_line("linkflow (folder)", result.folder))
    if not args.skip_scrapy:
        result.scrapy = run_scrapy(tmp, seed, args.concurrency)
        print(_line("scrapy", result.scrapy))
    if not args.skip_wget:
        result.wget = run_wget(tmp, seed)
        if result.wget is not None:
            print(_line("wget (fetch only)", result.wget))
    return result


def _spread(values: list[float], digits: int) -> str:
    """The median of ``values``, with their range when there are several."""
    middle = f"{median(values):.{digits}f}"
    if len(values) < 2:
        return middle
    return f"{middle} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def ratios(name: str, rounds: list[Round]) -> list[str]:
    """The ratios the targets use, each the median over ``rounds`` (range in brackets):
    every ratio is taken within one round, between runs a few seconds apart."""
    lines = [f"CPU/page {_spread([r.linkflow.cpu_per_page / r.floor for r in rounds], 1)}x "
             "the parse floor (target <= 3x)"]  # fmt: skip
    stored = [r for r in rounds if r.linkflow.store_cpu]  # rounds that measured it
    if stored:
        shares = [r.linkflow.store_cpu / max(r.linkflow.pages, 1) / r.floor for r in stored]
        lines.append(f"of which storing {_spread(shares, 1)}x")
    wget = [(r, r.wget) for r in rounds if r.wget is not None and r.wget.rate]
    scrapy = [(r, r.scrapy) for r in rounds if r.scrapy is not None and r.scrapy.rate]
    if wget:
        cpu = _spread([w.cpu_per_page / r.floor for r, w in wget], 1)
        lines.append(f"wget's own CPU/page {cpu}x the parse floor (fetching only)")
    if scrapy:
        rate = _spread([r.linkflow.rate / sc.rate for r, sc in scrapy], 1)
        rss = _spread([r.linkflow.tree_rss / sc.tree_rss for r, sc in scrapy], 2)
        lines.append(f"pages/s {rate}x Scrapy's (target >= {TARGET_SCRAPY[name]:g}x)")
        lines.append(f"tree RSS {rss}x Scrapy's")
    if wget:
        rate = _spread([r.linkflow.rate / w.rate for r, w in wget], 2)
        lines.append(f"pages/s {rate}x wget's (target >= 0.5x)")
    return lines


def bench_site(name: str, args: argparse.Namespace) -> None:
    root = SITES[name][1]
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server, seed, server_name = start_server(root, tmp)
        try:
            print(f"\n{name}: {root} served by {server_name} at {seed}")
            for number in range(1, args.rounds + 1):
                if args.rounds > 1:
                    print(f" round {number} of {args.rounds}")
                rounds.append(one_round(name, tmp, seed, args))
        finally:
            server.terminate()
            server.wait(10)
    label = "linkflow" if len(rounds) == 1 else f"linkflow, medians of {len(rounds)} rounds"
    print(f"  {label}: " + "; ".join(ratios(name, rounds)))
    if name == "rust":
        seconds = _spread([r.linkflow.seconds for r in rounds], 1)
        peak = max(r.linkflow.tree_rss for r in rounds)
        print(f"  Rust docs: crawled and stored in {seconds} s (target <= 45 s), "
              f"peak tree RSS {peak:.0f} MB (target <= 300 MB)")  # fmt: skip
        folders = [r.folder for r in rounds if r.folder is not None]
        if folders:
            seconds = _spread([f.seconds for f in folders], 1)
            peak = max(f.tree_rss for f in folders)
            print(f"  Rust docs as a build folder: {seconds} s, peak tree RSS {peak:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="python,postgresql,rust")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of the tools in turns (median ratios)"
    )
    parser.add_argument("--skip-scrapy", action="store_true")
    parser.add_argument("--skip-wget", action="store_true")
    parser.add_argument("--no-folder", dest="folder", action="store_false",
                        help="do not also crawl the docs as a build folder")  # fmt: skip
    args = parser.parse_args()
    names = [n.strip() for n in args.sites.split(",") if n.strip()]
    unknown = sorted(set(names) - set(SITES))
    if unknown:
        parser.error(f"unknown site(s) {', '.join(unknown)}; choose from {', '.join(SITES)}")
    ensure_packages(names)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name in names:
        bench_site(name, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
