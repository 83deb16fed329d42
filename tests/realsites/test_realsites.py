"""Audits of real documentation sites checked against what their files say.

The truth (:mod:`tests.realsites.truth`) reads the files with the standard library only.
Every figure compared here must match exactly: no false broken link, no missed one, no
orphan missed or invented, no page whose stored links differ from the hrefs of its file,
and the HTTP audit agrees with the folder audit page by page.

Over HTTP, a file no link reaches is never found (these sites have no sitemap), so the HTTP
checks cover the files the crawl reached: every file but the orphans.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from linkflow import Audit
from linkflow.report.queries import headline
from tests.realsites.conftest import MODES, SITES, AuditRun, Audits
from tests.realsites.truth import SiteTruth

pytestmark = [pytest.mark.realsite, pytest.mark.timeout(900)]

BOTH = [(site, mode) for site in SITES for mode in MODES]
_TARGET = r"coalesce(f.target_url, regexp_extract(f.detail, '^links to (\S+) \(', 1))"


def _pages(run: AuditRun) -> dict[str, dict[str, Any]]:
    rows = run.query(
        "SELECT u.url, p.status, p.error, p.internal, p.content_type, p.depth "
        "FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.crawl_id = ?",
        [run.crawl_id],
    )
    return {r["url"]: r for r in rows}


def _link_counts(run: AuditRun) -> dict[str, int]:
    rows = run.query(
        "SELECT s.url, count(*) AS n FROM links l JOIN urls s ON s.id = l.src_id "
        "WHERE l.crawl_id = ? GROUP BY s.url",
        [run.crawl_id],
    )
    return {r["url"]: int(r["n"]) for r in rows}


def _findings(run: AuditRun, kind: str) -> list[dict[str, Any]]:
    return run.query(
        f"SELECT f.url, f.severity, f.detail, {_TARGET} AS target FROM findings f "
        "WHERE f.crawl_id = ? AND f.kind = ?",
        [run.crawl_id, kind],
    )


def _targets(run: AuditRun, kind: str) -> set[str]:
    return {f["target"] for f in _findings(run, kind)}


def _html_files(run: AuditRun, truth: SiteTruth) -> dict[str, str]:
    """Page URL → the HTML file it was served from, for every internal page answering 200."""
    out: dict[str, str] = {}
    for url, row in _pages(run).items():
        if row["internal"] and row["status"] == 200 and "html" in (row["content_type"] or ""):
            rel = truth.lands_on(url)
            assert rel is not None, f"{url}: a page answering 200 with no file behind it"
            out[url] = rel
    return out


def _reached(run: AuditRun, truth: SiteTruth) -> set[str]:
    """The HTML files the audit crawled (all of them in a folder audit)."""
    return set(_html_files(run, truth).values())


def _folder_form(url: str) -> str:
    """The URL a build folder's page has for ``url``: ``dir/index.html`` is ``dir/``."""
    head, sep, query = url.partition("?")
    return head.removesuffix("index.html") + sep + query if head.endswith("/index.html") else url


def _canon(url: str) -> str:
    """``url`` as stored: an empty path is ``/`` (the only difference the links of these
    sites show between ``urljoin`` and a browser's URL parser)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path or "/"))


def _linked(run: AuditRun, truth: SiteTruth) -> set[str]:
    """Every target a link of a file the audit reached points at, as stored."""
    return {_canon(t) for t in truth.targets(_reached(run, truth))}


def _sample(items: Iterable[object], n: int = 5) -> list[object]:
    return sorted(items, key=str)[:n]


@pytest.mark.parametrize(("name", "mode"), BOTH)
def test_broken_links_are_missing_files_and_every_missing_file_is_one(
    audits: Audits, name: str, mode: str
) -> None:
    run, truth = audits.get(name, mode), audits.truth(name)
    broken = _findings(run, "broken-link")
    targets = {f["target"] for f in broken}
    false_broken = {t for t in targets if truth.path_of(t) is None or truth.lands_on(t)}
    missed = truth.missing_targets(_reached(run, truth)) - {truth.path_of(t) for t in targets}
    assert not false_broken, f"{len(false_broken)} false broken targets: {_sample(false_broken)}"
    assert not missed, f"{len(missed)} missing files not reported: {_sample(missed)}"
    assert {f["severity"] for f in broken} <= {"high"}
    # the CI gate fails on real missing files only
    assert run.gate("broken") == bool(truth.missing_targets(_reached(run, truth)))


@pytest.mark.parametrize(("name", "mode"), BOTH)
def test_targets_outside_the_copy_are_not_checked_not_broken(
    audits: Audits, name: str, mode: str
) -> None:
    run, truth = audits.get(name, mode), audits.truth(name)
    host = run.site.base[: run.site.base.index("/", len("https://"))] + "/"
    outside = {t for t in _linked(run, truth) if t.startswith(host) and truth.path_of(t) is None}
    assert outside, "the site links to its host outside its base URL's path: the case tested"
    unchecked = _findings(run, "unchecked-link")
    assert {f["severity"] for f in unchecked} == {"info"}
    assert all("not checked" in f["detail"] for f in unchecked)
    reported = {f["target"] for f in unchecked}
    assert reported == outside
    assert not reported & _targets(run, "broken-link")


@pytest.mark.parametrize(("name", "mode"), BOTH)
def test_the_overview_card_counts_the_broken_link_findings(
    audits: Audits, name: str, mode: str
) -> None:
    run = audits.get(name, mode)
    with Audit(run.path, create=False, read_only=True) as audit:
        card = headline(audit.store, run.crawl_id)["broken_links"]
    assert card == len(_findings(run, "broken-link"))


@pytest.mark.parametrize(("name", "mode"), BOTH)
def test_orphans_are_the_files_no_other_file_links_to(audits: Audits, name: str, mode: str) -> None:
    run, truth = audits.get(name, mode), audits.truth(name)
    orphans = {truth.lands_on(f["url"]) for f in _findings(run, "orphan-page")}
    expected = truth.orphans()
    if mode == "http":
        assert orphans == set()
        assert not expected & _reached(run, truth)
        return
    missed, invented = expected - orphans, orphans - expected
    assert not missed, f"{len(missed)} orphan files not reported: {_sample(missed)}"
    assert not invented, f"{len(invented)} pages reported as orphans wrongly: {_sample(invented)}"
    details = {f["detail"] for f in _findings(run, "orphan-page")}
    assert all("file in the build folder" in d for d in details)
    assert run.gate("orphans") == bool(expected)


@pytest.mark.parametrize(("name", "mode"), BOTH)
def test_each_page_stores_the_links_of_its_file(audits: Audits, name: str, mode: str) -> None:
    run, truth = audits.get(name, mode), audits.truth(name)
    counts = _link_counts(run)
    files = _html_files(run, truth)
    mismatches = {
        url: (counts.get(url, 0), len(truth.links(rel, url)))
        for url, rel in files.items()
        if counts.get(url, 0) != len(truth.links(rel, url))
    }
    assert not mismatches, f"{len(mismatches)} pages (stored, file): {_sample(mismatches.items())}"
    if mode == "folder":
        assert sorted(files.values()) == truth.files  # every HTML file is one page


@pytest.mark.parametrize("name", list(SITES))
def test_a_folder_and_its_index_file_are_one_page(audits: Audits, name: str) -> None:
    run, truth = audits.get(name, "folder"), audits.truth(name)
    pages = _pages(run)
    assert not [u for u in pages if u.split("?")[0].endswith("/index.html")]
    assert pages[run.site.base]["depth"] == 0
    inlinks = {
        r["url"]: r["inlinks"]
        for r in run.query(
            "SELECT url, inlinks FROM page_metrics WHERE crawl_id = ? AND in_graph",
            [run.crawl_id],
        )
    }
    into = truth.inlinking_files()
    wrong = {
        url: (inlinks.get(url), len(into[rel]))
        for url, rel in _html_files(run, truth).items()
        if inlinks.get(url) != len(into[rel])
    }
    assert not wrong, f"{len(wrong)} pages (inlinks, files linking): {_sample(wrong.items())}"


@pytest.mark.parametrize("name", list(SITES))
def test_http_and_folder_audits_agree_page_by_page(audits: Audits, name: str) -> None:
    folder, http = audits.get(name, "folder"), audits.get(name, "http")
    truth = audits.truth(name)
    f_pages, h_pages = _pages(folder), _pages(http)
    mapped = {_folder_form(u): r for u, r in h_pages.items()}
    assert set(mapped) <= set(f_pages), _sample(set(mapped) - set(f_pages))
    assert {truth.lands_on(u) for u in set(f_pages) - set(mapped)} == truth.orphans()

    def outcome(row: dict[str, Any]) -> tuple[object, ...]:
        # "outside the build folder; not checked" and "outside the base URL; not checked"
        error = row["error"]
        return row["status"], row["internal"], error and error.rsplit(";", 1)[-1].strip()

    differ = {u: (outcome(f_pages[u]), outcome(r)) for u, r in mapped.items()}
    differ = {u: pair for u, pair in differ.items() if pair[0] != pair[1]}
    assert not differ, f"(status, internal, error) folder vs http: {_sample(differ.items())}"
    f_links, h_links = _link_counts(folder), _link_counts(http)
    both = set(f_pages) & set(h_pages)
    differ_links = {u: (f_links.get(u), h_links.get(u)) for u in both}
    differ_links = {u: pair for u, pair in differ_links.items() if pair[0] != pair[1]}
    assert not differ_links, f"stored links (folder, http): {_sample(differ_links.items())}"
    linked = _linked(http, truth)
    for kind in ("broken-link", "unchecked-link"):
        expected = {t for t in _targets(folder, kind) if t in linked}
        assert _targets(http, kind) == expected, kind
