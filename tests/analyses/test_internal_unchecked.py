"""A link is broken only when a fetch or a file lookup proved its target missing; targets the
crawl did not check are ``unchecked-link``; every HTML file of a build folder is a known page,
so one no link reaches is an orphan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.analyses.gate import gate
from linkflow.analyses.internal import analyse_internal
from linkflow.crawl import crawl_folder
from linkflow.models import BLOCKED, ERROR_PAGE_SQL
from linkflow.report.queries import headline
from linkflow.settings import CrawlSettings, ExtractSettings, Settings
from linkflow.store import Store
from tests.graph.sitebuilder import Site, u

OUTSIDE = "outside the build folder; not checked"
CHECKED = "outside the build folder; checked over HTTP"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as s:
        yield s


def targets(store: Store, crawl: int, kind: str) -> dict[str, str]:
    """Target path → severity of the ``kind`` findings (read from their detail)."""
    found = store.rows(
        "SELECT regexp_extract(detail, '^links to (\\S+) \\(', 1), severity FROM findings "
        "WHERE crawl_id = ? AND kind = ?",
        [crawl, kind],
    )
    return {str(t).removeprefix(u("")): str(s) for t, s in found}


def test_targets_not_checked_are_not_broken(store: Store) -> None:
    site = (
        Site()
        .page("/")
        .page("/blocked", None, error=BLOCKED, indexable=False)
        .page("/outside", None, error=OUTSIDE, indexable=False)
        .page("/timeout", None, error="timed out after 5 s", indexable=False)
        .page("/gone", 404)
        .page("/checked-gone", 404, error=CHECKED, indexable=False)
        .page("/checked-ok", 200, error=CHECKED, indexable=False)
        .page("/moved", 301, redirect="/outside")
    )
    for path in ("/blocked", "/outside", "/timeout", "/gone", "/checked-gone", "/checked-ok"):
        site.link("/", path)
    site.link("/", "/moved")
    crawl = site.write(store)
    analyse_internal(store, crawl, Settings())
    assert targets(store, crawl, "broken-link") == {
        "/timeout": "high",
        "/gone": "high",
        "/checked-gone": "high",
    }
    assert targets(store, crawl, "unchecked-link") == {"/blocked": "info", "/outside": "info"}
    details = store.rows("SELECT detail FROM findings WHERE kind = 'unchecked-link'")
    assert {d for (d,) in details} == {
        f'links to {u("/blocked")} (blocked by robots.txt) with anchor "page /blocked"',
        f'links to {u("/outside")} ({OUTSIDE}) with anchor "page /outside"',
    }
    assert targets(store, crawl, "link-to-noindex") == {}  # never parsed: nothing known
    assert targets(store, crawl, "link-to-redirect") == {"/moved": "low"}
    # the overview card counts what the findings list shows
    assert headline(store, crawl)["broken_links"] == 3
    # an error page is one that failed, not one the crawl left alone
    errors = store.rows(
        f"SELECT u.url FROM pages JOIN urls u ON u.id = url_id WHERE {ERROR_PAGE_SQL}"
    )
    assert {str(r[0]).removeprefix(u("")) for r in errors} == {
        "/timeout",
        "/gone",
        "/checked-gone",
    }


def _page(title: str, *links: str) -> str:
    anchors = "".join(f'<p>Read <a href="{href}">{title} to {href}</a>.</p>' for href in links)
    return f"<!doctype html><title>{title}</title><main><h1>{title}</h1>{anchors}</main>"


def test_a_build_folder_audit(tmp_path: Path, store: Store) -> None:
    """Orphan files, one page per folder index, outside links not broken, gates."""
    site = tmp_path / "site"
    files = {
        "index.html": _page("Home", "index.html", "guide/index.html", "/3/license.html"),
        "guide/index.html": _page("Guide", "../index.html", "step.html", "gone.html"),
        "guide/step.html": _page("Step", "index.html", "/3/license.html"),
        "lost.html": _page("Lost", "index.html"),
        "lost-too/index.html": _page("Lost too", "../lost.html"),
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    base = "https://docs.example.com/3.11/"
    crawl = crawl_folder(store, site, base, CrawlSettings(), ExtractSettings()).crawl_id
    analyse_internal(store, crawl, Settings())

    orphans = store.rows(
        "SELECT url, detail FROM findings WHERE crawl_id = ? AND kind = 'orphan-page'", [crawl]
    )
    assert {url for url, _ in orphans} == {base + "lost-too/"}  # lost.html has an inlink
    assert {detail for _, detail in orphans} == {
        "known from: file in the build folder; but no followed internal link points here"
    }
    metrics = dict(store.rows("SELECT url, inlinks FROM page_metrics WHERE crawl_id = ?", [crawl]))
    assert metrics[base] == 2  # from guide/ and lost.html; index.html is the same page
    assert base + "index.html" not in metrics
    assert set(targets(store, crawl, "broken-link")) == {base + "guide/gone.html"}
    assert set(targets(store, crawl, "unchecked-link")) == {
        "https://docs.example.com/3/license.html"
    }
    assert headline(store, crawl)["broken_links"] == 1
    assert gate(store, crawl, ["orphans"]).failed
    assert gate(store, crawl, ["broken"]).failed
    (site / "guide" / "gone.html").write_text(_page("Back"), encoding="utf-8")
    crawl = crawl_folder(store, site, base, CrawlSettings(), ExtractSettings()).crawl_id
    analyse_internal(store, crawl, Settings())
    assert not gate(store, crawl, ["broken"]).failed  # a link outside the folder is no failure
    assert gate(store, crawl, ["unchecked-link"]).failed  # every kind is a gate name
