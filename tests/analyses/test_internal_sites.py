"""Golden mini-sites (tests/sites/<name>/): crawled from their folder, then analysed.

Each ``expected.json`` holds a hand-written equity edge list (after redirect/canonical
collapse and duplicate merging), click depths and the findings by kind. Equity is checked
against networkx's PageRank on that edge list — an independent computation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from linkflow.analyses.findings_text import INTERNAL_KINDS
from linkflow.analyses.internal import analyse_internal
from linkflow.crawl import crawl_folder
from linkflow.settings import CrawlSettings, ExtractSettings, Settings
from linkflow.store import Store

SITES = Path(__file__).parents[1] / "sites"
NAMES = sorted(p.name for p in SITES.iterdir() if (p / "expected.json").is_file())


def test_there_are_golden_sites() -> None:
    assert len(NAMES) >= 3


@pytest.fixture(scope="module", params=NAMES)
def audited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], Store, int]]:
    expected = json.loads((SITES / request.param / "expected.json").read_text(encoding="utf-8"))
    store = Store.open(tmp_path_factory.mktemp(request.param) / "audit.duckdb")
    base = expected["base_url"]
    summary = crawl_folder(
        store, SITES / request.param / "site", base, CrawlSettings(), ExtractSettings()
    )
    settings = Settings().replace(**{"graph.tolerance": 1e-7, **expected["settings"]})
    analyse_internal(store, summary.crawl_id, settings)
    yield expected, store, summary.crawl_id
    store.close()


def _path(url: str, base: str) -> str:
    return "/" + url.removeprefix(base)


def _reference(expected: dict[str, Any]) -> dict[str, float]:
    g = nx.DiGraph()
    g.add_nodes_from(expected.get("nodes", []))
    g.add_weighted_edges_from(expected["edges"])
    return dict(nx.pagerank(g, alpha=0.85, tol=1e-14 / g.number_of_nodes(), max_iter=10_000))


def test_equity_matches_networkx_on_the_hand_written_graph(
    audited: tuple[dict[str, Any], Store, int],
) -> None:
    expected, store, crawl = audited
    base = expected["base_url"]
    rows = store.read("page_metrics", crawl_id=crawl).to_pylist()
    ours = {_path(r["url"], base): r["equity"] for r in rows if r["in_graph"]}
    ref = _reference(expected)
    assert set(ours) == set(ref)
    for page, value in ref.items():
        assert ours[page] == pytest.approx(value, rel=1e-6), page
    off = {_path(r["url"], base) for r in rows if not r["in_graph"]}
    assert set(expected["not_in_graph"]) <= off


def test_depths(audited: tuple[dict[str, Any], Store, int]) -> None:
    expected, store, crawl = audited
    base = expected["base_url"]
    rows = store.read("page_metrics", crawl_id=crawl).to_pylist()
    depth = {_path(r["url"], base): r["depth"] for r in rows if r["in_graph"]}
    assert depth == expected["depth"]


def test_findings_by_kind(audited: tuple[dict[str, Any], Store, int]) -> None:
    expected, store, crawl = audited
    base = expected["base_url"]
    rows = store.read("findings", ["kind", "url"], crawl_id=crawl).to_pylist()
    by_kind: dict[str, set[str]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], set()).add(_path(r["url"] or base, base))
    relative = set(expected["relative_kinds"])
    for kind in INTERNAL_KINDS:
        if kind not in relative:
            assert by_kind.get(kind, set()) == set(expected["findings"].get(kind, [])), kind
    # relative kinds only ever name the strongest pages (top 10 % by the reference equity)
    ref = _reference(expected)
    top = sorted(ref, key=lambda p: -ref[p])[: math.ceil(0.1 * len(ref))]
    for kind in relative:
        assert by_kind.get(kind, set()) <= set(top), kind
