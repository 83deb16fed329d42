"""The new charts in a real Chromium: the authority Sankey drawn at once, the charts further
down only when they come into view, no console errors, hostile URLs and domains as text.

Like tests/report/test_browser.py, these fail, never skip, without Chromium or playwright.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from linkflow.report import write_report
from linkflow.settings import ReportSettings
from linkflow.store import Store
from tests.report.test_browser import browser, demo_report, open_page
from tests.report.test_charts_flow import HOSTILE_DOMAIN, HOSTILE_PATH, small_store

__all__ = ["browser", "demo_report"]  # the fixtures, shared with test_browser.py

pytestmark = [pytest.mark.browser]

DRAWN = "figure.chart-box:has(.echart canvas)"


def test_sankey_first_other_charts_when_scrolled_to(browser: Any, demo_report: Path) -> None:
    problems: list[str] = []
    page = open_page(browser, demo_report, 1440, problems)
    sankey = page.locator("#flow figure.chart-box")
    expect(sankey.locator(".echart canvas").first).to_be_attached()
    assert sankey.get_attribute("data-drawn") is not None
    assert not sankey.locator("svg.chart").is_visible()  # the SVG is the print fallback
    figures = page.locator("figure.chart-box")
    total = figures.count()
    assert total >= 9  # Sankey, depth, equity, Lorenz, authority, 2 anchors, follow, classes
    below = page.locator("#distribution figure.chart-box")
    assert below.count() == 6
    assert page.locator(f"#distribution {DRAWN}").count() == 0  # not drawn before it is seen
    page.locator("#distribution").scroll_into_view_if_needed()
    for i in range(below.count()):
        below.nth(i).scroll_into_view_if_needed()
    expect(page.locator(f"#distribution {DRAWN}")).to_have_count(6)
    for i in range(total):
        figures.nth(i).scroll_into_view_if_needed()
    expect(page.locator(DRAWN)).to_have_count(total)
    assert "reaches a money page" in page.locator("#flow").inner_text()
    page.close()
    assert problems == []


def test_hostile_urls_and_domains_in_the_sankey_stay_text(browser: Any, tmp_path: Path) -> None:
    crawl = small_store(tmp_path / "a.duckdb", blog=HOSTILE_PATH, domain_y=HOSTILE_DOMAIN)
    with Store.open(tmp_path / "a.duckdb") as store:
        index = write_report(store, crawl, tmp_path / "r", ReportSettings(exports=False))
    problems: list[str] = []
    page = open_page(browser, index, 1280, problems)
    expect(page.locator("#flow figure.chart-box[data-drawn] .echart canvas").first).to_be_attached()
    page.click("#sankey-table summary")
    table = page.locator("#sankey-table").inner_text()
    assert HOSTILE_DOMAIN in table
    assert HOSTILE_PATH in table
    box = page.locator("#flow .echart").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a tooltip
    assert page.locator("main script:not([type='application/json']), main img").count() == 0
    page.close()
    assert problems == []
