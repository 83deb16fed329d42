"""The report in a real Chromium: renders offline, search filters, sorting, no errors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linkflow.report import write_report
from linkflow.settings import ReportSettings
from linkflow.store import Store
from tests.report.conftest import Audit

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason=f"Chromium is not installed at {CHROMIUM}"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def visible_paths(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "#pages-table tbody tr:not([hidden]) td.url a",
            "links => links.map(a => a.textContent)",
        )
    )


def test_report_in_chromium(browser: Any, audit: Audit, tmp_path: Path) -> None:
    with Store.open(audit.path) as store:
        index = write_report(store, audit.crawl_id, tmp_path / "report", ReportSettings(top_n=12))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog {d.message}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(index.as_uri())

    assert page.title() == "linkflow report — shop.example"
    ranked = sorted(audit.equity, key=audit.equity.__getitem__, reverse=True)[:12]
    expected = ["/" + u.split("/", 3)[3] for u in ranked]
    assert visible_paths(page) == expected
    assert page.locator("#page-count").text_content() == "12 of 12 rows shown"

    page.fill("#page-search", "page-1")
    assert visible_paths(page) == [p for p in expected if "page-1" in p]
    page.fill("#page-search", "")
    page.check("#money-only")
    assert sorted(visible_paths(page)) == sorted(
        "/" + u.split("/", 3)[3] for u in audit.money if u in ranked
    )
    page.uncheck("#money-only")

    page.click("#pages-table th:nth-child(4) button")  # Depth: deepest first
    depths = page.eval_on_selector_all(
        "#pages-table tbody tr td:nth-child(4)", "cells => cells.map(c => +c.textContent)"
    )
    assert depths == sorted(depths, reverse=True)
    assert depths[0] > depths[-1]

    page.click("#finding-broken-link summary")
    assert page.locator("#finding-broken-link").get_attribute("open") is not None
    assert page.evaluate("document.scripts.length") == 1
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    page.close()

    assert problems == []
    assert [r for r in requests if not r.startswith("file://")] == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
