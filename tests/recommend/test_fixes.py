"""Fix lists on a crawl written straight into a store: redirect chains, links to redirects,
over-linked pages, broken links and backlinked dead pages, each effect checked exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from linkflow.analyses.flow_solve import seeded_teleport
from linkflow.analyses.internal import analyse_internal, run_internal
from linkflow.recommend.chain import Chain, solve_state
from linkflow.recommend.pipeline import recommend
from linkflow.recommend.records import Recommendations
from linkflow.settings import Settings
from linkflow.store import Store
from tests.graph.sitebuilder import Site, u

SETTINGS = Settings().replace(
    **{
        "analyse.money": ["/services/*"],
        "analyse.overlinking_threshold": 5,
        "graph.weights": "uniform",
        "graph.tolerance": 1e-10,
    }
)


def _site() -> Site:
    site = Site()
    for path, title in [
        ("/", "Home"),
        ("/services/", "Services"),
        ("/services/lawn-care", "Lawn care"),
        ("/blog/", "Blog"),
        ("/blog/a", "Spring notes"),
        ("/hub", "Everything"),
    ]:
        site.page(path, title=title, h1=title)
    for i in range(8):
        site.page(f"/misc/{i}", title=f"Misc {i}")
        site.link("/hub", f"/misc/{i}").link(f"/misc/{i}", "/")
    site.page("/old", status=301, redirect="/older").page(
        "/older", status=301, redirect="/services/lawn-care"
    )
    site.page("/lawn-care-prices", status=404)
    for src, dst in [
        ("/", "/services/"),
        ("/", "/blog/"),
        ("/", "/hub"),
        ("/services/", "/services/lawn-care"),
        ("/services/lawn-care", "/"),
        ("/blog/", "/blog/a"),
        ("/blog/a", "/old"),
        ("/blog/a", "/blog/"),
        ("/blog/a", "/lawn-care-prices"),
        ("/hub", "/services/"),
        ("/hub", "/"),
    ]:
        site.link(src, dst)
    return site


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Recommendations]]:
    store = Store.open(tmp_path_factory.mktemp("fixes") / "audit.duckdb")
    crawl = _site().write(store)
    analyse_internal(store, crawl, SETTINGS)
    gone = store.lookup_url_ids([u("/lawn-care-prices")])[0]
    store.append(
        "findings",
        [
            {
                "crawl_id": crawl,
                "kind": "backlink-to-broken",
                "severity": "high",
                "url_id": gone,
                "url": u("/lawn-care-prices"),
                "detail": "3 backlinks",
                "why": "lost",
                "value": 40.0,
            }
        ],
    )
    yield store, recommend(store, run_internal(store, crawl, SETTINGS), SETTINGS)
    store.close()


def _rows(result: Recommendations, kind: str) -> list[tuple[str, str | None, str]]:
    return [(f.url, f.target_url, f.proposal) for f in result.fixes if f.kind == kind]


def test_redirect_chains_and_links_to_redirects(result: tuple[Store, Recommendations]) -> None:
    _, rec = result
    [(url, target, proposal)] = _rows(rec, "redirect-chain")
    assert (url, target) == (u("/old"), u("/services/lawn-care"))
    assert "straight to" in proposal
    assert (u("/blog/a"), u("/services/lawn-care")) in [
        r[:2] for r in _rows(rec, "link-to-redirect")
    ]


def _flow_change(
    store: Store, edits: dict[int, dict[int, float]], teleport: np.ndarray | None = None
) -> float:
    internal = run_internal(store, int(store.latest_crawl_id() or 0), SETTINGS)
    graph = internal.graph
    r = np.zeros(graph.n)
    money = [
        graph.node_of(i)
        for i in store.lookup_url_ids(
            [
                u("/services/"),  # type: ignore[misc]
                u("/services/lawn-care"),
            ]
        )
    ]
    r[money] = 1.0
    v = np.full(graph.n, 1 / graph.n)
    before = solve_state(Chain.of(graph, v, 0.85), r, tolerance=1e-13).objective
    after_chain = Chain.of(graph, v if teleport is None else teleport, 0.85).with_edits(edits)
    return solve_state(after_chain, r, tolerance=1e-13).objective - before


def test_overlinked_page_drops_the_links_that_dilute_most(
    result: tuple[Store, Recommendations],
) -> None:
    store, rec = result
    rows = [f for f in rec.fixes if f.kind == "overlinking"]
    assert rows
    assert {f.url for f in rows} == {u("/hub")}
    internal = run_internal(store, int(store.latest_crawl_id() or 0), SETTINGS)
    hub = internal.graph.node_of(store.lookup_url_ids([u("/hub")])[0] or -1)
    for fix in rows:
        assert fix.gain is not None
        assert fix.gain > 0
        target = internal.graph.node_of(store.lookup_url_ids([fix.target_url or ""])[0] or -1)
        assert fix.gain == pytest.approx(_flow_change(store, {hub: {target: -1.0}}), abs=1e-10)
    assert u("/services/") not in {f.target_url for f in rows}  # it feeds the money pages


def test_broken_link_points_at_the_page_it_meant(result: tuple[Store, Recommendations]) -> None:
    _, rec = result
    [(url, target, proposal)] = _rows(rec, "broken-link")
    assert (url, target) == (u("/blog/a"), u("/services/lawn-care"))
    assert u("/lawn-care-prices") in proposal


def test_backlinked_dead_page_is_redirected_with_its_exact_effect(
    result: tuple[Store, Recommendations],
) -> None:
    store, rec = result
    [fix] = [f for f in rec.fixes if f.kind == "backlinked-404"]
    assert (fix.url, fix.target_url) == (u("/lawn-care-prices"), u("/services/lawn-care"))
    internal = run_internal(store, int(store.latest_crawl_id() or 0), SETTINGS)
    graph = internal.graph
    authority = np.zeros(graph.n)
    authority[graph.node_of(store.lookup_url_ids([u("/services/lawn-care")])[0] or -1)] = 40.0
    v2 = seeded_teleport(graph.n, authority, SETTINGS.analyse.backlink_beta)
    assert fix.gain == pytest.approx(_flow_change(store, {}, v2), abs=1e-10)


def test_every_fix_says_why_and_what_it_changes(result: tuple[Store, Recommendations]) -> None:
    _, rec = result
    assert {f.kind for f in rec.fixes} >= {
        "redirect-chain",
        "link-to-redirect",
        "overlinking",
        "broken-link",
        "backlinked-404",
    }
    for fix in rec.fixes:
        assert fix.why.endswith(".")
        assert fix.effect
        assert fix.url.startswith("https://")


def test_no_fixes_without_a_crawl_to_fix(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.duckdb") as store:
        crawl = Site().page("/", title="Home").write(store)
        analyse_internal(store, crawl, SETTINGS)
        rec = recommend(store, run_internal(store, crawl, SETTINGS), SETTINGS)
        assert rec.suggestions == ()
        assert rec.fixes == ()


def test_generic_anchor_fixes_of_equal_sources_come_in_url_order(tmp_path: Path) -> None:
    """Equally strong sources are listed by URL, not by the order the crawl numbered the
    pages in (which changes from one crawl of a site to the next)."""
    site = Site()
    for path in ("/", "/a", "/z", "/t1", "/t2"):
        site.page(path, title=path)
    site.link("/", "/a").link("/", "/z").link("/t1", "/").link("/t2", "/")
    site.link("/z", "/t2", anchor="click here").link("/a", "/t1", anchor="click here")
    with Store.open(tmp_path / "a.duckdb") as store:
        store.url_ids([u("/z"), u("/t2")])  # numbered before /a and /t1
        crawl = site.write(store)
        analyse_internal(store, crawl, SETTINGS)
        rec = recommend(store, run_internal(store, crawl, SETTINGS), SETTINGS)
    generic = [(f.url, f.target_url) for f in rec.fixes if f.kind == "generic-anchor"]
    assert generic == [(u("/a"), u("/t1")), (u("/z"), u("/t2"))]
