"""A crawl's storing phase on its own: the journal's load, the template pass and the fold of
the log, in a process that does nothing else, under several DuckDB memory caps in turns.

The generated site of ``bench/crawl_bench.py`` (or any served site, ``--url``) is crawled
once, with the crawl stopped where its storing would start, so its store and journal are
left as a crawl process hands them to the load. Each run copies them and stores the copy in
a fresh process under one cap (the ``crawl.store_memory`` setting), which reports its
seconds and its peak resident memory. The caps take turns, round after round, so they are
compared on the same machine state; the median seconds and the highest peak are printed.

It answers what storing costs wherever it runs: in the crawl process (as now) the crawler's
own memory comes on top; in a process of its own, the interpreter and DuckDB's library come
with it (the "imported" and "open" columns). The second line of each cap splits the memory
that grows with the site: the resident C heap (DuckDB's objects for what the file holds,
outside its cap) once the journal is loaded and once the crawl is stored, what DuckDB
counts against its cap at those points, and the row groups the links fill.

    python bench/store_bench.py --pages 2000 --caps 64MB,32MB
    python bench/store_bench.py --pages 2000 --min-links 300 --max-links 400
    python bench/store_bench.py --url http://127.0.0.1:8104/ --rounds 2   # a served site
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from crawl_bench import build_site, start_server

# Crawls until the fetching is over, then leaves the journal unloaded and ends the process.
FETCH = """
import os, sys
import linkflow.crawl as crawl
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store

def keep(store, state, *args, **kwargs):
    if state.journal is None:
        sys.exit("nothing was fetched")
    state.journal.close()
    store.close()
    os._exit(0)

crawl._store_journal = keep
settings = CrawlSettings(
    obey_robots=False, max_pages=int(sys.argv[3]), concurrency=16, per_host_concurrency=16
)
with Store.open(sys.argv[1]) as store:
    crawl.crawl_site(store, [sys.argv[2]], settings, ExtractSettings())
sys.exit("the crawl ended without reaching its storing")
"""

# The crawl stage's own storing steps (what linkflow.crawl._store_journal and _finish run
# once the fetching is over: the journal's load, then the template pass and the fold), timed.
STORE = """
import json, resource, sys, time
t0 = time.perf_counter()
import linkflow.crawl as crawl
from linkflow.heap import map_large_blocks
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store

def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS"))

def heap_mb():
    # The resident part of the C heap (small allocations: DuckDB's own objects and
    # Python's), apart from DuckDB's buffers (blocks of their own) and the libraries.
    kb, mapping = 0, ""
    with open("/proc/self/smaps") as f:
        for line in f:
            if line[0].islower() or line[0].isdigit():  # "addr-addr perms ... [name]"
                fields = line.split()
                mapping = fields[5] if len(fields) > 5 else ""
            elif mapping == "[heap]" and line.startswith("Rss:"):
                kb += int(line.split()[1])
    return kb // 1024

def duckdb_mb(store):
    # What DuckDB counts against its memory cap (buffers, hash tables, temporary data).
    used = store.scalar("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()")
    return int(used) // 2**20

map_large_blocks()
path, cap = sys.argv[1], sys.argv[2]
out = {"imported_mb": rss_mb()}
with Store.open(path) as store:
    out["open_mb"] = rss_mb()
    crawl_id = int(store.scalar("SELECT max(id) FROM crawls"))
    t1 = time.perf_counter()
    crawl.load_journal(store, crawl_id, cap, fold=False)
    t2 = time.perf_counter()
    out.update(loaded_heap_mb=heap_mb(), loaded_duckdb_mb=duckdb_mb(store))
    summary = crawl._finish(
        store, crawl_id, CrawlSettings(store_memory=cap), ExtractSettings(), None,
        time.monotonic(), interrupted=False, resumed=False,
    )
    t3 = time.perf_counter()
    # The peak before the measures below: reading the storage info of every row group
    # takes memory of its own (90 MB at 100,000 pages).
    out.update(
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        heap_mb=heap_mb(), duckdb_mb=duckdb_mb(store),
    )
    out["row_groups"] = int(store.scalar(
        "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('links')"
    ))
out.update(
    links=summary.links, start_s=t1 - t0, load_s=t2 - t1, finish_s=t3 - t2, total_s=t3 - t0
)
print(json.dumps(out))
"""


def fetch(store: Path, url: str, max_pages: int) -> None:
    """Crawl ``url`` into ``store`` and its journal, stopped before storing."""
    done = subprocess.run(
        [sys.executable, "-c", FETCH, str(store), url, str(max_pages)], capture_output=True
    )
    if done.returncode != 0 or not store.with_name(store.name + ".spool").is_dir():
        sys.exit(f"the crawl of {url} failed:\n{done.stderr.decode(errors='replace')[-2000:]}")


def store_copy(template: Path, work: Path, cap: str) -> dict[str, Any]:
    """Store a copy of ``template`` (its file, log and journal) under ``cap``."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for path in template.parent.iterdir():
        if path.name.startswith(template.name):
            copy = work / path.name
            (shutil.copytree if path.is_dir() else shutil.copy2)(path, copy)
    done = subprocess.run(
        [sys.executable, "-c", STORE, str(work / template.name), cap], capture_output=True
    )
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        # The store's error names the step and the setting; DuckDB's advice follows it.
        ours = [line for line in lines if line.startswith("linkflow.errors.")]
        message = (ours or lines or ["failed"])[-1].split(": ", 1)[-1]
        return {"error": message}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--min-links", type=int, default=30)
    parser.add_argument("--max-links", type=int, default=300)
    parser.add_argument("--url", help="crawl this served site instead of the generated one")
    parser.add_argument("--caps", default="64MB,32MB", help="comma-separated memory caps")
    parser.add_argument("--rounds", type=int, default=3)
    cache = Path(tempfile.gettempdir()) / "linkflow-bench"
    parser.add_argument("--cache", type=Path, default=cache, help="where the site is built")
    args = parser.parse_args()
    caps = [c.strip() for c in args.caps.split(",") if c.strip()]

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        template = tmp / "fetched" / "bench.duckdb"
        template.parent.mkdir()
        if args.url:
            url, max_pages = args.url, 10_000_000
            fetch(template, url, max_pages)
        else:
            site = build_site(args.cache, args.pages, args.min_links, args.max_links)
            server, url, _name = start_server(site, tmp)
            try:
                fetch(template, url, args.pages + 10)
            finally:
                server.terminate()
                server.wait()
        journal = template.with_name(template.name + ".spool")
        size = sum(f.stat().st_size for f in journal.rglob("*") if f.is_file())
        print(f"fetched {url}: journal {size / 1e6:,.0f} MB")
        runs: dict[str, list[dict[str, Any]]] = {cap: [] for cap in caps}
        for _ in range(args.rounds):
            for cap in caps:
                runs[cap].append(store_copy(template, tmp / "run", cap))
        for cap, results in runs.items():
            failed = [r for r in results if "error" in r]
            if failed:
                print(f"cap {cap:>6}: failed: {failed[0]['error']}")
                continue

            def med(key: str, results: list[dict[str, Any]] = results) -> float:
                return float(statistics.median(float(r[key]) for r in results))

            print(
                f"cap {cap:>6}: {results[0]['links']:,.0f} links; seconds (median of "
                f"{len(results)}): load {med('load_s'):.2f}, templates and fold "
                f"{med('finish_s'):.2f}, whole process {med('total_s'):.2f}; resident "
                f"imported {med('imported_mb'):.0f} MB, open {med('open_mb'):.0f} MB, "
                f"peak {max(r['peak_mb'] for r in results):.0f} MB"
            )
            print(
                f"{'':12}C heap resident: {med('loaded_heap_mb'):.0f} MB once loaded, "
                f"{med('heap_mb'):.0f} MB once stored; DuckDB's own count: "
                f"{med('loaded_duckdb_mb'):.0f} and {med('duckdb_mb'):.0f} MB; the links in "
                f"{med('row_groups'):.0f} row groups"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
