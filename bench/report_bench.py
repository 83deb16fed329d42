"""Report bench: a generated site of 100,000 pages and 500,000 links, rendered and opened.

Run: ``.venv/bin/python bench/report_bench.py [--pages N]``. Prints the time to write the
report, its size, and the time a real Chromium (/usr/bin/chromium) takes from navigation to
an interactive pages explorer (the first rows drawn from the embedded data), then the time
of a search over every page. The goal: interactive in under 3 s at 100,000 pages.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from linkflow.report import write_report
from linkflow.settings import ReportSettings
from linkflow.store import Store

CHROMIUM = "/usr/bin/chromium"


def build(path: Path, pages: int, links_per_page: int = 5) -> int:
    """A crawl of ``pages`` pages with metrics, flow, links and a finding on every 50th."""
    with Store.open(path) as store:
        crawl_id = store.new_crawl(source="http", seeds=["https://big.example/"], settings={})
        urls = [f"https://big.example/section-{i % 40}/page-{i}" for i in range(pages)]
        ids = store.url_ids(urls)
        rank = [1.0 / (i + 1) for i in range(pages)]
        total = sum(rank)
        store.append(
            "pages",
            pa.table(
                {
                    "crawl_id": pa.array([crawl_id] * pages, pa.int32()),
                    "url_id": pa.array(ids, pa.int32()),
                    "status": pa.array([200 if i % 997 else 404 for i in range(pages)], pa.int16()),
                    "title": [f"Page {i} about topic {i % 300}" for i in range(pages)],
                    "depth": pa.array([min(i % 9, 8) for i in range(pages)], pa.int32()),
                }
            ),
        )  # fmt: skip
        store.append(
            "page_metrics",
            pa.table(
                {
                    "crawl_id": pa.array([crawl_id] * pages, pa.int32()),
                    "url_id": pa.array(ids, pa.int32()),
                    "url": urls,
                    "equity": [r / total for r in rank],
                    "equity_score": [100.0 - i * 100 / pages for i in range(pages)],
                    "depth": pa.array([min(i % 9, 8) for i in range(pages)], pa.int32()),
                    "inlinks": pa.array([links_per_page] * pages, pa.int32()),
                    "outlinks": pa.array([links_per_page] * pages, pa.int32()),
                    "is_money": [i % 1000 == 3 for i in range(pages)],
                    "flow": [r / total for r in rank],
                    "flow_score": [100.0 - i * 100 / pages for i in range(pages)],
                    "flow_in": [0.15 / pages] * pages,
                    "trapped": [0.15 / pages * 0.4] * pages,
                }
            ),
        )
        n = pages * links_per_page
        store.append(
            "links",
            pa.table(
                {
                    "crawl_id": pa.array([crawl_id] * n, pa.int32()),
                    "src_id": pa.array([ids[k // links_per_page] for k in range(n)], pa.int32()),
                    "dst_id": pa.array([ids[(k * 7919) % pages] for k in range(n)], pa.int32()),
                    "ordinal": pa.array([k % links_per_page for k in range(n)], pa.int32()),
                    "anchor": [f"topic {k % 300}" for k in range(n)],
                    "position": ["content" if k % 2 else "nav" for k in range(n)],
                }
            ),
        )
        every = range(0, pages, 50)
        store.append(
            "findings",
            pa.table(
                {
                    "crawl_id": pa.array([crawl_id] * len(every), pa.int32()),
                    "kind": ["deep-page"] * len(every),
                    "severity": ["medium"] * len(every),
                    "url_id": pa.array([ids[i] for i in every], pa.int32()),
                    "url": [urls[i] for i in every],
                    "detail": ["depth 8"] * len(every),
                    "why": ["Deep pages get little equity."] * len(every),
                }
            ),
        )
        store.finish_crawl(crawl_id)
    return crawl_id


def open_in_browser(index: Path) -> tuple[float, float]:
    """Seconds from navigation to the explorer's first rows, and of one search."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        # bypass_csp: the bench's own probes are evaluated scripts, which the report forbids
        page = browser.new_page(viewport={"width": 1440, "height": 900}, bypass_csp=True)
        start = time.perf_counter()
        page.goto(index.as_uri(), wait_until="commit")
        page.wait_for_function("document.getElementById('ex-count')?.textContent.length > 0")
        ready = time.perf_counter() - start
        before = page.locator("#ex-count").text_content()
        start = time.perf_counter()
        page.fill("#ex-search", "topic 42")
        page.wait_for_function(
            "before => document.getElementById('ex-count').textContent !== before", arg=before
        )
        search = time.perf_counter() - start
        browser.close()
    return ready, search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="linkflow-report-bench-"))
    try:
        start = time.perf_counter()
        crawl_id = build(root / "audit.duckdb", args.pages)
        print(f"built {args.pages:,} pages in {time.perf_counter() - start:.1f} s")
        with Store.open(root / "audit.duckdb") as store:
            start = time.perf_counter()
            index = write_report(store, crawl_id, root / "report", ReportSettings(exports=False))
            written = time.perf_counter() - start
        size = index.stat().st_size / 2**20
        print(f"report written in {written:.2f} s, {size:.1f} MiB")
        ready, search = open_in_browser(index)
        print(f"interactive after {ready:.2f} s; a search over every page: {search:.2f} s")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
