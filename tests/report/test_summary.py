"""The end-of-run summary: which findings make the cut, and the one definition of an error
page (linkflow.models.ERROR_PAGE_SQL) for its error count."""

from __future__ import annotations

from pathlib import Path

from linkflow.models import BLOCKED
from linkflow.report.summary import audit_summary
from linkflow.store import Store

SITE = "https://shop.example"


def _finding(crawl_id: int, kind: str, severity: str, i: int) -> dict[str, object]:
    return {"crawl_id": crawl_id, "kind": kind, "severity": severity, "url": f"{SITE}/{i}",
            "detail": "d", "why": "w"}  # fmt: skip


def test_a_rare_severe_finding_is_never_cut_from_the_summary(tmp_path: Path) -> None:
    """Nine kinds of low-severity finding, each more numerous than the one high one: the
    eight most frequent kinds would leave the broken link out."""
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = store.new_crawl(source="http", seeds=[f"{SITE}/"], settings={})
        rows = [_finding(crawl, "broken-link", "high", 0)]
        for k in range(9):
            rows += [_finding(crawl, f"low-kind-{k}", "low", i) for i in range(10 + k)]
        rows += [_finding(crawl, "deep-page", "medium", i) for i in range(2)]
        store.append("findings", rows)
        summary = audit_summary(store, crawl)
    top = summary["top_findings"]
    assert len(top) == 8
    assert top[:2] == [("broken-link", 1), ("deep-page", 2)]
    # then the low kinds, most frequent first
    assert top[2:] == [(f"low-kind-{k}", 10 + k) for k in (8, 7, 6, 5, 4, 3)]


def _crawl_with_a_blocked_page(store: Store) -> int:
    crawl = store.new_crawl(source="http", seeds=[f"{SITE}/"], settings={})
    home, gone, down, private = store.url_ids(
        [f"{SITE}/", f"{SITE}/gone", f"{SITE}/down", f"{SITE}/private"]
    )
    store.append(
        "pages",
        [
            {"crawl_id": crawl, "url_id": home, "status": 200},
            {"crawl_id": crawl, "url_id": gone, "status": 404},
            {"crawl_id": crawl, "url_id": down, "error": "timeout"},
            {"crawl_id": crawl, "url_id": private, "error": BLOCKED},
        ],
    )
    return crawl


def test_a_page_robots_txt_kept_out_is_no_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = _crawl_with_a_blocked_page(store)
        summary = audit_summary(store, crawl)
    assert summary["pages"] == 4
    assert summary["errors"] == 2  # the 404 and the timeout, not /private
