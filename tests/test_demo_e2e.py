"""`linkflow demo` end to end: the real server, crawler, importers, analyses and report.

The expectations come from linkflow/demo/planted.json, written by the demo's generator from
what it planted, not from linkflow's output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.demo import DEMO_PLANTED
from linkflow.store import Store


@pytest.fixture(scope="module")
def demo_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    audit = tmp_path_factory.mktemp("demo") / "audit"
    result = CliRunner().invoke(cli, ["demo", "--audit", str(audit), "--quiet"])
    assert result.exit_code == 0, result.output
    return audit, result.output


@pytest.fixture(scope="module")
def findings(demo_audit: tuple[Path, str]) -> list[dict[str, Any]]:
    with Store.open(demo_audit[0] / "audit.duckdb", read_only=True) as store:
        crawl_id = store.latest_crawl_id()
        return list(store.read("findings", crawl_id=crawl_id).to_pylist())


@pytest.fixture(scope="module")
def planted() -> dict[str, Any]:
    import json

    return dict(json.loads(DEMO_PLANTED.read_text(encoding="utf-8")))


def _urls(findings: list[dict[str, Any]], kind: str) -> set[str]:
    return {f["url"] for f in findings if f["kind"] == kind}


def test_report_is_written_and_names_every_money_page(
    demo_audit: tuple[Path, str], planted: dict[str, Any]
) -> None:
    audit, output = demo_audit
    report = audit / "report" / "index.html"
    assert f"report: {report}" in output
    html = report.read_text(encoding="utf-8")
    for url in planted["money_pages"]:
        assert url.removeprefix(planted["origin"]) in html
    assert (audit / "report" / "exports" / "pages.csv").is_file()


def test_planted_link_problems_are_found(
    findings: list[dict[str, Any]], planted: dict[str, Any]
) -> None:
    assert {b["source"] for b in planted["broken_internal_links"]} <= _urls(findings, "broken-link")
    assert {c[0] for c in planted["redirect_chains"]} <= _urls(findings, "redirect-chain")
    assert {r["source"] for r in planted["links_to_redirects"]} <= _urls(
        findings, "link-to-redirect"
    )
    assert {r["source"] for r in planted["links_to_noindex"]} <= _urls(findings, "link-to-noindex")
    assert {r["source"] for r in planted["image_links_without_alt"]} <= _urls(
        findings, "image-link-no-alt"
    )
    assert {r["source"] for r in planted["naked_url_anchors"]} <= _urls(
        findings, "naked-url-anchor"
    )
    assert set(planted["dead_end_pages"]) <= _urls(findings, "dead-end")


def test_planted_structure_problems_are_found(
    findings: list[dict[str, Any]], planted: dict[str, Any]
) -> None:
    assert set(planted["orphan_pages"]) <= _urls(findings, "orphan-page")
    assert {d["url"] for d in planted["deep_pages"]} <= _urls(findings, "deep-page")
    generic = {(f["url"], f["detail"]) for f in findings if f["kind"] == "generic-anchor"}
    for link in planted["generic_anchors"]:
        assert any(
            src == link["source"] and link["target"] in detail and link["anchor"] in detail
            for src, detail in generic
        ), link


def test_backlink_problems_are_found(
    findings: list[dict[str, Any]], planted: dict[str, Any]
) -> None:
    assert set(planted["backlink_targets_redirecting"]) <= _urls(findings, "backlink-to-redirect")
    assert set(planted["backlink_targets_broken"]) <= _urls(findings, "backlink-to-broken")


def test_depth_and_backlinks_reach_page_metrics(
    demo_audit: tuple[Path, str], planted: dict[str, Any]
) -> None:
    with Store.open(demo_audit[0] / "audit.duckdb", read_only=True) as store:
        crawl_id = store.latest_crawl_id()
        metrics = {r["url"]: r for r in store.read("page_metrics", crawl_id=crawl_id).to_pylist()}
        imports = store.read("imports", ["provider", "report", "rows", "rejected"]).to_pylist()
    for deep in planted["deep_pages"]:
        assert metrics[deep["url"]]["depth"] == deep["depth"]
    assert {"provider": "ahrefs", "report": "backlinks", "rows": planted["backlink_rows"],
            "rejected": 0} in imports  # fmt: skip
    linked = [metrics[u] for u in planted["top_backlink_targets"] if u in metrics]
    assert linked
    assert all(m["backlinks"] > 0 and m["external_authority"] > 0 for m in linked)
    assert abs(sum(m["equity"] or 0 for m in metrics.values()) - 1) < 1e-6
