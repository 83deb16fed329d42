"""How fast an existing report opens in a real Chromium (/usr/bin/chromium).

Run: ``.venv/bin/python bench/report_open.py PATH/index.html [--runs 7]``, e.g. on the demo
report (``linkflow demo --audit DIR`` writes ``DIR/report/index.html``). Each run opens the
file in a fresh tab and prints the medians of: first contentful paint, the pages explorer's
first rows drawn (interactive), the load event, the main thread's script time until then
(Chrome's ScriptDuration: less sensitive than the others to other processes on the machine),
and the time to scroll every chart into view until all are drawn.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"

PAINT = """() => {
  const p = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return [p ? p.startTime : null, nav ? nav.loadEventEnd : null];
}"""


def one_run(browser: Any, index: Path) -> dict[str, float]:
    # bypass_csp: the probes below are evaluated scripts, which the report forbids
    page = browser.new_page(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    start = time.perf_counter()
    page.goto(index.as_uri(), wait_until="commit")
    page.wait_for_function("document.getElementById('ex-count')?.textContent.length > 0")
    ready = (time.perf_counter() - start) * 1000
    page.wait_for_load_state("load")
    fcp, load = page.evaluate(PAINT)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    figures = page.locator("figure.chart-box")
    count = figures.count()
    start = time.perf_counter()
    for i in range(count):  # as a reader scrolling down: each chart comes into view
        figures.nth(i).scroll_into_view_if_needed()
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('figure.chart-box .echart canvas').length >= n",
            arg=count,
            timeout=5000,
        )
        charts = (time.perf_counter() - start) * 1000
    except PlaywrightTimeout:  # a page without the chart library draws none
        charts = math.nan
    page.close()
    return {
        "fcp": fcp,
        "interactive": ready,
        "load": load,
        "script time to load": metrics["ScriptDuration"] * 1000,
        "scrolling through every chart": charts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        one_run(browser, args.index.resolve())  # warm-up: disk cache, first compile
        runs = [one_run(browser, args.index.resolve()) for _ in range(args.runs)]
        browser.close()
    size = args.index.stat().st_size / 2**20
    print(f"{args.index} ({size:.2f} MiB), median of {args.runs} runs:")
    for key in runs[0]:
        print(f"  {key}: {statistics.median(r[key] for r in runs):.0f} ms")


if __name__ == "__main__":
    main()
