"""The report in a real Chromium: renders offline, search filters, sorting, no errors; the
answer, flow and pages explorer of the demo report; hostile strings stay text; nothing
overflows a phone's width.

These tests fail, never skip, when Chromium or playwright is missing: ``make test`` installs
Chromium (scripts/system-deps.sh) and playwright comes with the dev dependencies.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from linkflow.report import write_report
from linkflow.settings import ReportSettings
from linkflow.store import Store
from tests.report.conftest import SCRIPT, Audit

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser]

# Elements wider than the viewport are allowed only inside a box that scrolls on its own.
OVERFLOW_JS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-wrap, .chart-scroll'))
  .map(e => e.tagName + (e.id ? '#' + e.id : ''))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).is_file(), f"Chromium is missing at {CHROMIUM}: run make system-deps"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, index: Path, width: int, problems: list[str]) -> Any:
    """``index`` in a new tab ``width`` px wide; console errors, page errors and dialogs
    (an injected ``alert``) are appended to ``problems``."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog {d.message}"))
    page.goto(index.as_uri())
    return page


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
    executable = "[...document.scripts].filter(s => s.type !== 'application/json').length"
    assert page.evaluate(executable) == 1
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    page.close()

    assert problems == []
    assert [r for r in requests if not r.startswith("file://")] == []
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_hostile_strings_show_literally_and_never_run(
    browser: Any, audit: Audit, tmp_path: Path
) -> None:
    with Store.open(audit.path) as store:
        index = write_report(store, audit.crawl_id, tmp_path / "report", ReportSettings())
    problems: list[str] = []
    page = open_page(browser, index, 1280, problems)
    page.fill("#ex-search", "sale")
    assert page.locator("#ex-count").text_content() == "1 of 20 pages"
    assert SCRIPT in page.locator("#ex-body").inner_text()
    page.click("#ex-body tr:first-child button.linklike")
    assert SCRIPT in page.locator("#ex-view h3").inner_text()
    assert SCRIPT in page.locator("#recommendations").inner_text()
    assert SCRIPT in page.locator("#answer").inner_text()
    injected = "main script:not([type='application/json'])"
    assert page.locator(injected).count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    assert all(h.startswith(("http://", "https://", "file://")) for h in hrefs)
    page.close()
    assert problems == []


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    audit = tmp_path_factory.mktemp("demo") / "audit"
    # A process of its own: playwright's sync API keeps an event loop running in this one.
    command = [str(Path(sys.executable).with_name("linkflow")), "demo", "--quiet"]
    result = subprocess.run(
        [*command, "--audit", str(audit)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return audit / "report" / "index.html"


def test_demo_report_answer_flow_and_explorer(
    browser: Any, demo_report: Path, tmp_path: Path
) -> None:
    problems: list[str] = []
    page = open_page(browser, demo_report, 1440, problems)
    assert "weaker side" in page.locator("#answer .verdict").inner_text()
    assert page.locator("#answer ol.actions li").count() >= 3
    assert page.locator("#flow-diagram path.band").count() >= 3
    assert page.locator("#money-table tbody tr").count() >= 3

    total = page.locator("#ex-count").inner_text()
    page.fill("#ex-search", "/services/")
    assert page.locator("#ex-count").inner_text() != total
    page.click("#ex-table th[data-key=inlinks] button")  # most inlinks first
    cells = page.eval_on_selector_all(
        "#ex-body tr td:nth-child(6)", "cs => cs.map(c => +c.textContent.replace(/,/g, ''))"
    )
    assert cells == sorted(cells, reverse=True)
    page.focus("#ex-body tr:first-child")
    page.keyboard.press("Enter")  # keyboard opens the page view
    view = page.locator("#ex-view")
    assert view.is_visible()
    assert "Inlinks" in view.inner_text()
    assert view.locator("table").first.locator("tbody tr").count() > 0
    node = page.locator("#site-graph g.gn.money[tabindex]").first
    node.focus()
    page.keyboard.press("Enter")  # a page of the graph opens in the page view
    assert "money page" in (node.locator("title").text_content() or "")
    assert view.locator("dd", has_text="yes").count() >= 1  # Money page: yes
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "report-desktop.png"))
    page.close()

    phone = open_page(browser, demo_report, 390, problems)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.evaluate(OVERFLOW_JS) == []
    phone.screenshot(path=str(tmp_path / "report-phone.png"))
    phone.close()
    assert problems == []
    for name in ("report-desktop.png", "report-phone.png"):
        assert (tmp_path / name).stat().st_size > 10_000


HOSTILE = "<img src=x onerror=alert(2)>"
HOSTILE_SITE = {
    "index.html": (
        f"<title>Home {SCRIPT}</title><nav><a href='/services/a.html'>Services {HOSTILE}</a></nav>"
        f"<p>Read <a href='/blog/post.html'>{SCRIPT} the post</a> and "
        "<a href='javascript:alert(3)'>this</a>.</p>"
    ),
    "services/a.html": f"<title>Service {HOSTILE}</title><p><a href='/'>home</a></p>",
    "blog/post.html": (
        f"<title>{SCRIPT}</title><p>Text <a href='/%22%3E%3Cscript%3Ealert(4)%3C/script%3E'>"
        "x</a> <a href='/services/a.html'>service</a></p>"
    ),
}


def hostile_backlinks(path: Path) -> None:
    """An Ahrefs backlinks export (UTF-16, tab-separated, as Ahrefs writes it) whose one
    backlink carries a script in its anchor and title."""
    demo = Path(__file__).parents[2] / "linkflow" / "demo" / "exports"
    source = next(demo.glob("*backlinks-subdomains*.csv"))
    header, first = source.read_text(encoding="utf-16").splitlines()[:2]
    names = [h.strip('"') for h in header.split("\t")]
    values = [v.strip('"') for v in first.split("\t")]
    row = dict(zip(names, values, strict=True))
    row.update(
        {
            "Referring page title": SCRIPT,
            "Target URL": "https://hostile.example/",
            "Anchor": f"{SCRIPT} {HOSTILE}",
        }
    )
    line = "\t".join(f'"{row[n]}"' for n in names)
    path.write_text(f"{header}\n{line}\n", encoding="utf-16")


def test_crawled_injections_show_as_text_and_never_run(browser: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name, html in HOSTILE_SITE.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<!doctype html><html><body>{html}</body></html>")
    hostile_backlinks(tmp_path / "backlinks.csv")
    audit = tmp_path / "audit"
    command = [str(Path(sys.executable).with_name("linkflow")), "audit", str(site)]
    options = ["--base-url", "https://hostile.example", "--audit", str(audit), "--quiet"]
    options += ["--money", "/services/*", "--backlinks", str(tmp_path / "backlinks.csv")]
    result = subprocess.run(
        [*command, *options], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    problems: list[str] = []
    page = open_page(browser, audit / "report" / "index.html", 1280, problems)
    text = page.locator("body").inner_text()
    assert SCRIPT in text  # the title, shown literally
    page.fill("#ex-search", "service")
    page.click("#ex-body tr:first-child button.linklike")
    assert HOSTILE in page.locator("#ex-view").inner_text()  # an inlink's anchor
    assert f"{SCRIPT} {HOSTILE}" in page.locator("#backlinks").inner_text()
    assert page.locator("main img, main script:not([type='application/json'])").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().lstrip().startswith("javascript")]
    page.close()
    assert problems == []


def test_charts_drawn_with_echarts_and_svg_kept_for_print_and_no_js(
    browser: Any, audit: Audit, tmp_path: Path
) -> None:
    with Store.open(audit.path) as store:
        index = write_report(store, audit.crawl_id, tmp_path / "r", ReportSettings())
    problems: list[str] = []
    page = open_page(browser, index, 390, problems)
    figures = page.locator("figure.chart-box")
    assert figures.count() >= 3  # click depth, equity, anchor classes or velocity
    for i in range(figures.count()):  # a chart is drawn when it comes into view
        figures.nth(i).scroll_into_view_if_needed()
    expect(page.locator("figure.chart-box:not([data-drawn])")).to_have_count(0)
    drawn = page.eval_on_selector_all(
        "figure.chart-box",
        """figs => figs.map(f => [f.classList.contains('js-chart'),
            !!f.querySelector('.echart canvas'),
            getComputedStyle(f.querySelector('svg.chart')).display])""",
    )
    assert all(row == [True, True, "none"] for row in drawn), drawn
    depth = page.locator('figure.chart-box .echart[aria-label="Pages per click depth"]')
    assert depth.count() == 1
    assert page.evaluate(OVERFLOW_JS) == []
    page.emulate_media(media="print")  # printing shows the SVG, not the canvas
    shown = page.eval_on_selector_all(
        "figure.chart-box",
        """figs => figs.map(f => [getComputedStyle(f.querySelector('svg.chart')).display,
            getComputedStyle(f.querySelector('.echart')).display])""",
    )
    assert all(row == ["block", "none"] for row in shown), shown
    page.close()
    assert problems == []

    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(index.as_uri())
    assert plain.locator(".echart").count() == 0
    assert plain.locator("figure.chart-box svg.chart").first.is_visible()
    context.close()
