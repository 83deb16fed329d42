"""The authority flow on the golden mini-site whose answer is known by construction.

tests/sites/trapped-blog: a blog post holds most of the backlink authority and links to no
service page in its content. Its expected.json gives the hand-written edges, the backlink
authority each page receives (the export's Page ascore, summed per page) and the fix; flow
is checked against networkx on that edge list, and the gain formula against a re-audit of
the site with the fix made in its HTML.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from linkflow.analyses.flow import FlowResult, run_flow
from linkflow.analyses.flow_solve import reverse_values
from linkflow.analyses.internal import run_internal
from linkflow.analyses.money import prepare_money
from linkflow.audit import Audit
from linkflow.settings import Settings

SITE = Path(__file__).parents[1] / "sites" / "trapped-blog"
EXPECTED: dict[str, Any] = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
BASE = EXPECTED["base_url"]
TIGHT = {"graph.tolerance": 1e-12, "crawl.base_url": BASE, **EXPECTED["settings"]}


def _path(url: str) -> str:
    return "/" + url.removeprefix(BASE)


def audit_site(folder: Path, where: Path, *, backlinks: bool = True, **extra: Any) -> Audit:
    audit = Audit(where, overrides={**TIGHT, **extra})
    audit.crawl(str(folder))
    if backlinks:
        audit.import_exports([SITE / EXPECTED["flow"]["backlinks"]])
    return audit.check_known_urls().analyse()


@dataclass
class Audited:
    audit: Audit
    flow: FlowResult

    def metrics(self) -> dict[str, dict[str, Any]]:
        rows = self.audit.store.read("page_metrics", crawl_id=self.flow.crawl_id).to_pylist()
        return {_path(r["url"]): r for r in rows}

    def node(self, path: str) -> int:
        return self.flow.graph.urls.index(BASE + path.removeprefix("/"))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    audit = audit_site(SITE / "site", tmp_path_factory.mktemp("trapped") / "audit")
    settings = prepare_money(audit.settings)
    internal = run_internal(audit.store, audit.crawl_id(), settings)
    yield Audited(audit, run_flow(audit.store, internal, settings))
    audit.close()


def test_backlink_authority_lands_on_the_pages_it_names(audited: Audited) -> None:
    flow = audited.flow
    got = {_path(u): a for u, a in zip(flow.graph.urls, flow.authority, strict=True) if a}
    assert got == EXPECTED["flow"]["authority"]
    lost = {_path(r["url"]): r["authority"] for r in flow.lost.to_pylist()}
    assert lost == EXPECTED["flow"]["lost"]
    assert {r["reason"] for r in flow.lost.to_pylist()} == {"answers 404"}


def test_money_pages_are_the_declared_ones(audited: Audited) -> None:
    flow = audited.flow
    assert flow.money.source == "declared"
    chosen = sorted(_path(flow.graph.urls[i]) for i in np.flatnonzero(flow.money.mask))
    assert chosen == sorted(EXPECTED["flow"]["money"])


def test_flow_is_networkx_pagerank_seeded_by_the_backlinks(audited: Audited) -> None:
    g = nx.DiGraph()
    g.add_weighted_edges_from(EXPECTED["edges"])
    n, beta = g.number_of_nodes(), audited.audit.settings.analyse.backlink_beta
    authority = EXPECTED["flow"]["authority"]
    total = sum(authority.values())
    v = {p: (1 - beta) / n + beta * authority.get(p, 0.0) / total for p in g}
    ref = nx.pagerank(g, alpha=0.85, personalization=v, tol=1e-14 / n, max_iter=10_000)
    metrics = audited.metrics()
    for page, value in ref.items():
        assert metrics[page]["flow"] == pytest.approx(value, rel=1e-9), page
    assert sum(r["flow"] for r in metrics.values()) == pytest.approx(1.0, abs=1e-12)
    assert sum(r["flow_in"] for r in metrics.values()) == pytest.approx(0.15, abs=1e-12)


def test_the_backlinked_post_is_the_top_trapping_page(audited: Audited) -> None:
    metrics = audited.metrics()
    top = max(metrics, key=lambda p: metrics[p]["trapped"])
    assert top == EXPECTED["flow"]["top_trapping"]
    assert all(metrics[p]["trapped"] == 0 for p in EXPECTED["flow"]["money"])


def test_each_money_pages_sources_add_up_to_its_flow(audited: Audited) -> None:
    flow = audited.flow
    money = np.flatnonzero(flow.money.mask)
    x = reverse_values(flow.operator, np.eye(flow.graph.n)[:, money], 1e-12).x
    assert abs(flow.contributions.sum() - flow.money_flow) <= 1e-12
    paths = audited.audit.store.read("flow_paths", crawl_id=flow.crawl_id).to_pylist()
    by_money: dict[str, list[dict[str, Any]]] = {}
    for row in paths:
        by_money.setdefault(_path(row["money_url"]), []).append(row)
    assert set(by_money) == set(EXPECTED["flow"]["money"])
    for page, rows in by_money.items():
        rows.sort(key=lambda r: r["rank"])
        assert rows[0]["source_url"] == BASE + "blog/guide.html"
        assert len(rows) == flow.graph.n  # every page brings some, so all 8 are listed
        assert sum(r["share"] for r in rows) == pytest.approx(1.0, abs=1e-12)
        t = audited.node(page)
        assert abs(sum(r["flow"] for r in rows) - flow.flow[t]) <= 1e-12
        col = money.tolist().index(t)
        for r in rows:
            s = audited.node(_path(r["source_url"]))
            assert r["flow"] == pytest.approx(flow.flow_in[s] * x[s, col], rel=1e-9)


def test_the_gain_formula_predicts_the_reaudit_with_the_link_added(
    audited: Audited, tmp_path: Path
) -> None:
    fix_spec = EXPECTED["flow"]["fix"]
    flow = audited.flow
    fix = next(f for f in flow.fixes if f.source == audited.node(fix_spec["source"]))
    assert _path(flow.graph.urls[fix.target]) == fix_spec["target"]
    assert fix.weight == 1.0  # a content link
    site = tmp_path / "site"
    shutil.copytree(SITE / "site", site)
    post = site / fix_spec["source"].lstrip("/")
    html = post.read_text(encoding="utf-8")
    post.write_text(html.replace("</p></main>", f" {fix_spec['html']}.</p></main>"), "utf-8")
    with audit_site(site, tmp_path / "audit") as again:
        rows = again.store.read("page_metrics", crawl_id=again.crawl_id()).to_pylist()
    after = sum(r["flow"] for r in rows if r["in_graph"] and r["is_money"])
    assert after - flow.money_flow == pytest.approx(fix.gain, rel=1e-6)
    assert fix.gain > 0


@pytest.mark.parametrize("how", ["no backlinks", "beta 0"])
def test_without_backlink_seeding_the_flow_is_the_equity(tmp_path: Path, how: str) -> None:
    extra = {"analyse.backlink_beta": 0.0} if how == "beta 0" else {}
    with audit_site(SITE / "site", tmp_path / "a", backlinks=how == "beta 0", **extra) as a:
        rows = a.store.read("page_metrics", crawl_id=a.crawl_id()).to_pylist()
    for r in rows:
        assert r["flow"] == pytest.approx(r["equity"], rel=1e-9, abs=1e-15), r["url"]


def test_settings_without_money_file_are_left_as_they_are() -> None:
    settings = Settings().replace(**{"analyse.money": ["/a/*", "/b/ = 2"]})
    prepared = prepare_money(settings)
    assert prepared.analyse.money == ("/a/*", "/b/")
    assert prepared.analyse.money_weights == ("/b/ = 2",)
    assert prepare_money(prepared) == prepared
