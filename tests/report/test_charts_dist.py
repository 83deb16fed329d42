"""The Distribution section's charts on stores whose answers are computed by hand: the
equity Lorenz curve and its Gini coefficient, referring domains per authority bucket,
internal and backlink anchor quality; and their SVG fallbacks in the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkflow.report.charts_dist import (
    authority_buckets,
    backlink_anchor_quality,
    equity_lorenz,
    internal_anchor_quality,
)
from linkflow.store import Store
from tests.report.conftest import Audit
from tests.report.test_charts_flow import page_specs
from tests.report.test_html import render

SITE = "https://d.example"


def store_with(path: Path) -> int:
    """Four pages of equity 0.4, 0.3, 0.2, 0.1; 10 followed internal links and 2 nofollow;
    findings: 2 generic-anchor rows counting 3 links, 1 empty-anchor link; five referring
    domains of authority 5, 55, 99.5, 100 and unknown."""
    urls = [f"{SITE}/{k}" for k in range(4)]
    with Store.open(path) as store:
        crawl = store.new_crawl(source="http", seeds=[urls[0]], settings={})
        ids = store.url_ids(urls)
        store.append("pages", [{"crawl_id": crawl, "url_id": i, "status": 200} for i in ids])
        store.append(
            "page_metrics",
            [{"crawl_id": crawl, "url_id": ids[k], "url": urls[k], "equity": e}
             for k, e in enumerate([0.1, 0.4, 0.2, 0.3])],
        )  # fmt: skip
        store.append(
            "links",
            [{"crawl_id": crawl, "src_id": ids[k % 4], "dst_id": ids[(k + 1) % 4], "ordinal": k,
              "anchor": "x", "rel_nofollow": k >= 10}
             for k in range(12)],
        )  # fmt: skip
        finding = {"crawl_id": crawl, "severity": "low", "detail": "d", "why": "w"}
        store.append(
            "findings",
            [{**finding, "kind": "generic-anchor", "url_id": ids[0], "value": 2.0},
             {**finding, "kind": "generic-anchor", "url_id": ids[1], "value": 1.0},
             {**finding, "kind": "empty-anchor", "url_id": ids[2], "value": 1.0},
             {**finding, "kind": "orphan-page", "url_id": ids[3], "value": None}],
        )  # fmt: skip
        store.append(
            "referring_domains",
            [{"domain": f"r{k}.example", "backlinks": 1, "followed": int(k % 2 == 0),
              "nofollow": 0, "ugc": 0, "sponsored": 0, "authority": a}
             for k, a in enumerate([5.0, 55.0, 99.5, 100.0, None])],
        )  # fmt: skip
        store.finish_crawl(crawl)
    return crawl


def test_lorenz_curve_and_gini_by_hand(tmp_path: Path) -> None:
    crawl = store_with(tmp_path / "a.duckdb")
    with Store.open(tmp_path / "a.duckdb") as store:
        lorenz = equity_lorenz(store, crawl)
    assert lorenz is not None
    assert lorenz.pages == 4
    expected = [(0.0, 0.0), (0.25, 0.4), (0.5, 0.7), (0.75, 0.9), (1.0, 1.0)]
    assert [c for p in lorenz.points for c in p] == pytest.approx([c for p in expected for c in p])
    # ascending 0.1, 0.2, 0.3, 0.4: (−3·0.1 − 1·0.2 + 1·0.3 + 3·0.4) / (4 · 1) = 0.25
    assert lorenz.gini == pytest.approx(0.25)
    # 1 % and 10 % of pages lie on the first segment (0.4 per quarter), 50 % is a point
    marks = [c for m in lorenz.marks for c in m]
    assert marks == pytest.approx([0.01, 0.016, 0.1, 0.16, 0.5, 0.7])
    assert lorenz.path.startswith("0.0,240.0 160.0,144.0 ")


def test_no_equity_no_curve(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = store.new_crawl(source="http", seeds=[SITE], settings={})
        assert equity_lorenz(store, crawl) is None
        assert authority_buckets(store) is None
        assert internal_anchor_quality(store, crawl) is None
    assert backlink_anchor_quality([]) is None


def test_authority_buckets_and_anchor_quality_by_hand(tmp_path: Path) -> None:
    crawl = store_with(tmp_path / "a.duckdb")
    with Store.open(tmp_path / "a.duckdb") as store:
        buckets = authority_buckets(store)
        anchors = internal_anchor_quality(store, crawl)
    assert buckets is not None
    assert anchors is not None
    counts = {b.label: b.value for b in buckets.bars}
    assert counts["0–9"] == 1
    assert counts["50–59"] == 1
    assert counts["90–100"] == 2
    assert counts["unknown"] == 1
    assert sum(counts.values()) == 5
    assert [b.label for b in buckets.bars if b.highlight] == [
        "50–59", "60–69", "70–79", "80–89", "90–100"
    ]  # fmt: skip
    assert next(b.text for b in buckets.bars if b.label == "90–100") == "2 (1 followed)"
    quality = {b.label: (b.value, b.highlight) for b in anchors.bars}
    # 10 followed internal links: 3 generic, 1 empty, so 6 descriptive
    assert quality == {
        "descriptive": (6.0, False), "generic": (3.0, True), "empty": (1.0, True),
        "naked URL": (0.0, True), "image, no alt": (0.0, True),
    }  # fmt: skip
    classes = [{"anchor_class": "other", "backlinks": 2}, {"anchor_class": "exact", "backlinks": 1},
               {"anchor_class": "naked_url", "backlinks": 1}]  # fmt: skip
    chart = backlink_anchor_quality(classes)
    assert chart is not None
    assert [(b.label, b.value, b.highlight, b.text) for b in chart.bars] == [
        ("exact", 1.0, False, "1 (25.0%)"),
        ("naked url", 1.0, True, "1 (25.0%)"),
        ("other", 2.0, False, "2 (50.0%)"),
    ]


def test_distribution_section_draws_each_chart_with_its_svg(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    section = html.split('<section id="distribution"', 1)[1].split("</section>", 1)[0]
    [lorenz] = page_specs(section, "lorenz")
    assert lorenz["x"][0] == 0
    assert lorenz["x"][-1] == 1
    assert lorenz["y"][-1] == pytest.approx(1)
    assert lorenz["pages"] == 20
    # the fixture has backlinks but no backlink profile: those two charts say so
    assert section.count('<svg class="chart') == 4  # depth, equity, Lorenz, internal anchors
    titles = [s["title"] for s in page_specs(section, "bar")]
    assert titles == [
        "Pages per click depth", "Top pages by internal equity", "Internal links per anchor quality"
    ]  # fmt: skip
    assert section.count("No referring domains recorded") == 1
    assert section.count("No backlink anchor classes recorded") == 1
    assert "Gini coefficient" in section
