"""The site graph: the strongest pages, their followed links, a deterministic layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from linkflow.report import graph_view
from linkflow.report.graph_view import layout, site_graph
from linkflow.store import Store
from tests.report.conftest import Audit, build_audit
from tests.report.test_html import render


def test_layout_is_deterministic_and_inside_the_box() -> None:
    edges = [(i, (i + 1) % 30) for i in range(30)] + [(0, 15)]
    first, again = layout(30, edges), layout(30, edges)
    assert np.array_equal(first, again)
    assert first.min() >= 0.0
    assert first.max() <= 1.0
    assert layout(1, []).tolist() == [[0.5, 0.5]]


def test_linked_pages_are_drawn_together() -> None:
    # Two groups of 12 pages, each page linked to every other of its group, and one link
    # between the groups: each group is drawn as a cluster, apart from the other.
    groups = [range(12), range(12, 24)]
    edges = [(a, b) for g in groups for a in g for b in g if a != b] + [(0, 12)]
    pos = layout(24, edges)
    centres = [pos[list(g)].mean(axis=0) for g in groups]
    spread = max(
        float(np.linalg.norm(pos[list(g)] - c, axis=1).mean())
        for g, c in zip(groups, centres, strict=True)
    )
    assert float(np.linalg.norm(centres[0] - centres[1])) > 2 * spread


def test_the_same_audit_draws_the_same_graph(tmp_path: Path) -> None:
    # The links come back from the store in no fixed order (a parallel DISTINCT); the
    # layout adds their forces up in floating point, so it must be given one order.
    built = build_audit(tmp_path / "a.duckdb", 200)
    drawn = []
    for _ in range(8):
        with Store.open(built.path) as store:
            store.execute("SET threads = 4")
            drawn.append(site_graph(store, built.crawl_id))
    assert drawn[0] is not None
    assert drawn[0].edges
    assert all(graph == drawn[0] for graph in drawn[1:])


def test_graph_marks_money_and_trapping_pages(audit: Audit) -> None:
    with Store.open(audit.path) as store:
        graph = site_graph(store, audit.crawl_id)
    assert graph is not None
    assert graph.total == len(audit.urls)
    by_url = {n["url"]: n for n in graph.nodes}
    assert set(by_url) == set(audit.urls)
    assert {u for u, n in by_url.items() if n["money"]} == audit.money
    assert [u for u, n in by_url.items() if n["trapping"]] == [audit.urls[1]]  # traps half
    ranked = sorted(audit.equity, key=audit.equity.__getitem__, reverse=True)
    assert all(by_url[u]["i"] == ranked.index(u) for u in audit.urls)  # explorer indexes
    assert by_url[audit.urls[0]]["r"] > by_url[audit.urls[-1]]["r"]  # sized by flow
    # every page links to the home page and to the next one; the home page's link to itself
    # is not drawn, and the last page's next one is the home page
    assert len(graph.edges) == 2 * len(audit.urls) - 2


def test_large_site_shows_its_strongest_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = build_audit(tmp_path / "a.duckdb", 30, extras=False)
    monkeypatch.setattr(graph_view, "GRAPH_PAGES", 10)
    html, _ = render(audit, tmp_path / "r")
    graph = html.split('<section id="graph">', 1)[1].split("</section>", 1)[0]
    assert "The 10 strongest of 30 pages" in graph
    assert graph.count('<g class="gn') == 10
