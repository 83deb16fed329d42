"""The answer, the authority flow and the recommendations sections of the report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from linkflow.report.answer import flow_diagram, highlight
from linkflow.store import Store
from tests.report.conftest import SCRIPT, Audit, build_audit
from tests.report.test_html import render

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]


def test_answer_comes_first_with_verdict_scores_and_actions(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids[:2] == ["answer", "flow"]
    answer = section(html, "answer")
    assert "Internal structure is the weaker side: it scores 41 out of 100" in answer
    assert "external authority 77" in answer
    assert "outside authority that reaches a money page: 60%" in answer  # a driver
    assert "money pages guessed" in answer  # what the data lacks
    # reach = 1 - trapped / entering: page 1 traps half of its 1/20 share
    assert "97.5%" in answer
    assert "add a content link" in answer
    assert ESCAPED in answer
    assert SCRIPT not in html


def test_money_share_today_and_after_the_suggested_links(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    money = sum(audit.equity[u] for u in audit.money)
    answer = section(html, "answer")
    assert f"<strong>{money * 100:.1f}%</strong> of the flow today" in answer
    assert f"<strong>{(money + 0.0123) * 100:.1f}%</strong> after the 1 suggested links" in answer


def test_not_computed_is_said_never_zero(tmp_path: Path) -> None:
    bare = build_audit(tmp_path / "a.duckdb", 8, extras=False)
    with Store.open(bare.path) as store:
        store.execute("UPDATE page_metrics SET flow = NULL, flow_in = NULL, trapped = NULL")
    html, _ = render(bare, tmp_path / "r")
    answer = section(html, "answer")
    assert "The verdict was not computed" in answer
    assert "not computed" in answer
    assert "0.0%" not in answer
    assert "No actions computed." in answer
    assert "The authority flow was not computed" in section(html, "flow")
    assert 'id="recommendations"' not in html


def test_flow_section_has_diagram_and_money_pages(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    flow = section(html, "flow")
    assert 'id="flow-diagram"' in flow
    assert flow.count('class="band trapped"') == 1  # only page 1 traps
    rows = re.findall(r'<td class="url" data-v="([^"]*)"', flow.split('id="money-table"')[1])
    ranked = sorted(audit.money, key=audit.equity.__getitem__, reverse=True)
    assert rows == [u.lower() for u in ranked]


def test_flow_diagram_conserves_the_authority() -> None:
    pages: list[dict[str, Any]] = [
        {"url": "https://a.example/", "is_money": False, "flow_in": 0.5, "trapped": 0.2},
        {"url": "https://a.example/m", "is_money": True, "flow_in": 0.3, "trapped": 0.0},
        {"url": None, "is_money": False, "flow_in": 0.2, "trapped": 0.2},
    ]
    d = flow_diagram(pages, 3)
    assert d is not None
    by_kind = {n.kind: n for n in d.nodes if n.kind in ("money", "trapped")}
    assert by_kind["money"].text == "60.0%"
    assert by_kind["trapped"].text == "40.0%"
    assert sum(n.height for n in d.nodes if n.kind == "page") == (
        next(n.height for n in d.nodes if n.kind == "source")
    )
    assert flow_diagram([{"url": "x", "is_money": False, "flow_in": 0, "trapped": 0}], 0) is None


def test_recommendations_highlight_the_anchor_as_text(audit: Audit, tmp_path: Path) -> None:
    assert highlight("Buy Blue Widgets today", "blue widgets") == [
        ("Buy ", False),
        ("Blue Widgets", True),
        (" today", False),
    ]
    assert highlight("no match", "x") == [("no match", False)]
    assert highlight(None, "x") == []
    html, _ = render(audit, tmp_path / "r")
    rec = section(html, "recommendations")
    assert 'id="suggestions"' in rec
    assert f"Our {ESCAPED} widgets are great." in rec
    assert "+1.23 pp" in rec
    assert "Orphan page" in rec
    assert f"link it {ESCAPED}" in rec


def test_backlinks_not_imported_are_said_never_zero(tmp_path: Path) -> None:
    bare = build_audit(tmp_path / "a.duckdb", 8, extras=False)
    html, _ = render(bare, tmp_path / "r")
    assert '<div class="value">not imported</div>' in html
    assert '<div class="label">referring domains</div>' not in html


def test_link_findings_show_their_target(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    broken = html.split('id="finding-broken-link"', 1)[1].split("</details>", 1)[0]
    assert '<th scope="col">Target</th>' in broken
    assert broken.count('href="https://shop.example/gone"') == 2
    deep = html.split('id="finding-deep-page"', 1)[1].split("</details>", 1)[0]
    assert "Target" not in deep


def test_velocity_chart_has_a_value_axis(audit: Audit, tmp_path: Path) -> None:
    html, _ = render(audit, tmp_path / "r")
    chart = html.split('aria-label="New and lost backlinks per month"', 1)[1].split("</svg>")[0]
    # one new link a month at most: the axis runs from 1 (new) through 0 to 1 (lost)
    assert re.findall(r'text-anchor="end">([^<]+)</text>', chart) == ["1", "0", "1"]
    assert 'class="dim val"' in chart
