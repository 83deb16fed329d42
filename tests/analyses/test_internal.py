"""The internal analysis on crawls written straight into a store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkflow.analyses.anchors import normalise_anchor
from linkflow.analyses.findings_text import INTERNAL_KINDS, SEVERITY, WHY
from linkflow.analyses.gate import GATE_KINDS, gate
from linkflow.analyses.internal import analyse_internal
from linkflow.errors import ConfigError
from linkflow.settings import Settings
from linkflow.store import Store
from tests.graph.sitebuilder import ORIGIN, Site, u


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "audit.duckdb")
    yield s
    s.close()


def found(store: Store, crawl: int, kind: str) -> set[str]:
    rows = store.read("findings", ["url"], crawl_id=crawl, kind=kind).column("url").to_pylist()
    return {(r or "").removeprefix(ORIGIN) for r in rows}


def problem_site() -> Site:
    site = (
        Site()
        .page("/")
        .page("/a")
        .page("/b")
        .page("/c")
        .page("/deep1")
        .page("/deep2")
        .page("/deep3")
        .page("/deep4")
        .page("/nf")
        .page("/orphan")
        .page("/island")
        .page("/old", 301, redirect="/old2")
        .page("/old2", 301, redirect="/b")
        .page("/moved", 301, redirect="/c")
        .page("/gone", 404)
        .page("/down", 503)
        .page("/noidx", indexable=False)
        .page("/dup", canonical="/a")
        .page("/l1", 301, redirect="/l2")
        .page("/l2", 301, redirect="/l1")
        .link("/", "/a", anchor="Alpha guide")
        .link("/", "/b", anchor="Click here!")
        .link("/", "/old", anchor="Beta")
        .link("/", "/moved", anchor="Gamma")
        .link("/a", "/gone", anchor="Läs mer")
        .link("/a", "/noidx", anchor="Hidden")
        .link("/a", "/deep1", anchor="Deep")
        .link("/a", "/", anchor="Home")
        .link("/b", "/dup", anchor="")
        .link("/b", "/l1", anchor="https://example.com/l1")
        .link("/b", "/down", anchor="example.com/down")
        .link("/b", "/", anchor="Home")
        .link("/b", "/c", anchor="", is_image=True, alt="")
        .link("/c", "/", anchor="Home")
        .link("/c", "/a", anchor="Alpha guide")
        .link("/c", "/b", anchor="Alpha guide")
        .link("/deep1", "/deep2", anchor="d2")
        .link("/deep2", "/deep3", anchor="d3")
        .link("/deep3", "/deep4", anchor="d4")
        .link("/deep4", "/", anchor="Home")
        .link("/c", "/nf", anchor="No follow", rel_nofollow=True)
        .link("/nf", "/", anchor="Home")
        .link("/island", "/", anchor="Home")
    )
    site.sitemap = ["/orphan", "/a"]
    return site


def test_every_internal_finding_kind(store: Store) -> None:
    crawl = problem_site().write(store)
    summary = analyse_internal(store, crawl, Settings())
    assert found(store, crawl, "broken-link") == {"/a", "/b"}  # /gone, /down, /l1 (loop)
    assert store.count("findings", crawl_id=crawl, kind="broken-link") == 3
    assert found(store, crawl, "link-to-redirect") == {"/"}
    assert found(store, crawl, "redirect-chain") == {"/old"}
    assert found(store, crawl, "redirect-loop") == {"/l1", "/l2"}
    assert found(store, crawl, "link-to-noindex") == {"/a"}
    assert found(store, crawl, "link-to-canonicalised") == {"/b"}
    assert found(store, crawl, "generic-anchor") == {"/", "/a"}
    assert found(store, crawl, "empty-anchor") == {"/b"}
    assert found(store, crawl, "naked-url-anchor") == {"/b"}
    assert store.count("findings", crawl_id=crawl, kind="naked-url-anchor") == 2
    assert found(store, crawl, "image-link-no-alt") == {"/b"}
    assert found(store, crawl, "orphan-page") == {"/orphan"}
    assert found(store, crawl, "nofollow-only") == {"/nf"}
    assert found(store, crawl, "unreachable-page") == set()
    assert found(store, crawl, "deep-page") == {"/deep3", "/deep4"}
    assert found(store, crawl, "dead-end") == {"/orphan"}
    assert found(store, crawl, "anchor-many-targets") == {""}
    assert summary.findings == {
        k: store.count("findings", crawl_id=crawl, kind=k)
        for k in INTERNAL_KINDS
        if store.count("findings", crawl_id=crawl, kind=k)
    }
    rows = store.read("findings", crawl_id=crawl).to_pylist()
    assert all(r["severity"] == SEVERITY[r["kind"]] and r["why"] == WHY[r["kind"]] for r in rows)
    detail = store.read("findings", ["detail"], crawl_id=crawl, kind="redirect-chain")
    assert detail.column(0).to_pylist() == [f"2 redirects before reaching {u('/b')}"]
    many = store.read("findings", ["detail", "value"], crawl_id=crawl, kind="anchor-many-targets")
    assert many.to_pylist() == [
        {"detail": f'"alpha guide" links to 2 different pages: {u("/a")} {u("/b")}', "value": 2.0}
    ]


def test_page_metrics_and_run_record(store: Store) -> None:
    crawl = problem_site().write(store)
    settings = Settings().replace(**{"analyse.money": ("/deep*", "*/c")})
    summary = analyse_internal(store, crawl, settings)
    metrics = {
        r["url"].removeprefix(ORIGIN): r
        for r in store.read("page_metrics", crawl_id=crawl).to_pylist()
    }
    assert len(metrics) == store.count("pages", crawl_id=crawl)
    graph_rows = [m for m in metrics.values() if m["in_graph"]]
    assert len(graph_rows) == summary.nodes == 11
    assert sum(m["equity"] for m in graph_rows) == pytest.approx(1.0, abs=1e-9)
    assert max(m["equity_score"] for m in graph_rows) == pytest.approx(100.0)
    assert metrics["/"]["depth"] == 0
    assert metrics["/b"]["depth"] == 1  # via the redirect chain from /
    assert metrics["/deep4"]["depth"] == 5
    assert metrics["/orphan"]["depth"] is None
    assert metrics["/gone"]["in_graph"] is False
    assert metrics["/gone"]["equity"] == 0.0
    assert metrics["/b"]["inlinks"] == 2  # / (through /old) and /c
    assert metrics["/orphan"]["in_sitemap"] is True
    assert {p for p, m in metrics.items() if m["is_money"]} == {
        "/c",
        "/deep1",
        "/deep2",
        "/deep3",
        "/deep4",
    }
    assert found(store, crawl, "weak-money-page") == {"/c", "/deep1", "/deep2", "/deep3", "/deep4"}
    assert summary.home == [u("/")]
    assert summary.deep_share == pytest.approx(2 / 8)
    assert summary.relative_bound <= 0.01
    run = store.read("analysis_runs", crawl_id=crawl).to_pylist()
    assert len(run) == 1
    details = json.loads(run[0]["details_json"])
    assert details["iterations"] == summary.iterations > 0
    assert details["relative_bound"] <= 0.01


def test_rerun_replaces_findings_and_warm_starts(store: Store) -> None:
    crawl = problem_site().write(store)
    first = analyse_internal(store, crawl, Settings())
    store.append(
        "findings",
        [
            {
                "crawl_id": crawl,
                "kind": "lost-backlink",
                "severity": "low",
                "detail": "kept",
                "why": "other analysis",
            }
        ],
    )
    second = analyse_internal(store, crawl, Settings())
    assert second.findings == {**first.findings, "lost-backlink": 1}
    assert second.iterations < first.iterations
    assert store.count("analysis_runs", crawl_id=crawl) == 2


def test_orphans_from_backlinks_and_traffic(store: Store) -> None:
    site = Site().page("/").page("/a").page("/linked").link("/", "/linked")
    crawl = site.write(store)
    ids = store.url_ids(
        [u("/a"), u("/never-crawled"), u("/linked"), "https://other.org/x", u("/a/"), u("/gone")]
    )
    store.execute(  # backlinks count when their import is of the audited site (not a competitor's)
        "INSERT INTO imports (id, path, kind, provider, report, site, rows, imported_at) "
        "VALUES (1, 'ahrefs.csv', 'backlinks', 'ahrefs', 'backlinks', 'self', 3, now())"
    )
    store.append(
        "backlinks",
        [
            {
                "import_id": 1,
                "provider": "ahrefs",
                "source_url": "https://x.org/",
                "target_url": u("/a"),
                "target_url_id": ids[0],
            },
            {
                "import_id": 1,
                "provider": "ahrefs",
                "source_url": "https://x.org/",
                "target_url": "https://other.org/x",
                "target_url_id": ids[3],
            },
            {  # never crawled, known from a backlink only: maybe long gone, not an orphan
                "import_id": 1,
                "provider": "ahrefs",
                "source_url": "https://x.org/",
                "target_url": u("/gone"),
                "target_url_id": ids[5],
            },
        ],
    )
    store.append(
        "traffic",
        [
            {
                "import_id": 2,
                "source": "gsc",
                "url": u("/never-crawled"),
                "url_id": ids[1],
                "clicks": 12.0,
            },
            {"import_id": 2, "source": "gsc", "url": u("/linked"), "url_id": ids[2], "clicks": 3.0},
            {"import_id": 2, "source": "gsc", "url": u("/a/"), "url_id": ids[4], "clicks": 1.0},
        ],
    )
    analyse_internal(store, crawl, Settings())
    rows = store.read("findings", ["url", "detail"], crawl_id=crawl, kind="orphan-page").to_pylist()
    assert {r["url"]: r["detail"] for r in rows} == {
        u("/a"): "known from: 1 backlink(s); but no followed internal link points here",
        u(
            "/never-crawled"
        ): "known from: 12 clicks in traffic; but no followed internal link points here",
    }


def test_overlinking_equity_sink_and_many_anchors(store: Store) -> None:
    site = Site().page("/")
    for i in range(12):
        site.page(f"/p{i}").link("/", f"/p{i}", anchor=f"Topic {i}", position="nav")
        site.link(f"/p{i}", "/t", anchor=f"Words {i}")
    site.page("/t")
    crawl = site.write(store)
    settings = Settings().replace(**{"analyse.overlinking_threshold": 10})
    analyse_internal(store, crawl, settings)
    over = store.read(
        "findings", ["url", "detail", "value"], crawl_id=crawl, kind="overlinking"
    ).to_pylist()
    share = round(0.85 / 12 * 100, 3)
    assert over == [
        {
            "url": u("/"),
            "detail": f"12 links; each followed link passes {share}–{share} % of the page's equity",
            "value": 12.0,
        }
    ]
    assert found(store, crawl, "target-many-anchors") == {"/t"}
    assert found(store, crawl, "equity-sink") >= {"/t"}
    assert found(store, crawl, "dead-end") == {"/t"}


def test_generic_anchor_settings_and_normalisation(store: Store) -> None:
    site = (
        Site()
        .page("/")
        .page("/a")
        .link("/", "/a", anchor="  READ   more…")
        .link("/", "/a", anchor="Zum Produkt")
        .link("/a", "/", anchor="mehr")
        .link("/a", "/", anchor="Learn more", rel_nofollow=True)
    )
    crawl = site.write(store)
    analyse_internal(
        store, crawl, Settings().replace(**{"analyse.generic_anchors": ("zum produkt",)})
    )
    rows = store.read(
        "findings", ["url", "value"], crawl_id=crawl, kind="generic-anchor"
    ).to_pylist()
    assert sorted((r["url"], r["value"]) for r in rows) == [(u("/"), 2.0), (u("/a"), 1.0)]
    assert normalise_anchor("  READ   more…") == "read more"


def test_gate(store: Store) -> None:
    crawl = problem_site().write(store)
    analyse_internal(store, crawl, Settings())
    broken = gate(store, crawl, ["broken"])
    assert broken.failed
    assert {r["kind"] for r in broken.rows} == {"broken-link"}
    assert len(broken.rows) == 3
    both = gate(store, crawl, ["redirect-chains", "orphans", "generic-anchor"])
    assert {r["kind"] for r in both.rows} == {
        "redirect-chain",
        "redirect-loop",
        "orphan-page",
        "generic-anchor",
    }
    assert [r["severity"] for r in both.rows] == sorted(
        (r["severity"] for r in both.rows), key=["critical", "high", "medium", "low", "info"].index
    )
    assert not gate(store, crawl, ["overlinking"]).failed
    assert not gate(store, crawl, []).failed
    with pytest.raises(ConfigError, match="known: .*broken"):
        gate(store, crawl, ["brokn"])
    assert set(GATE_KINDS) >= set(INTERNAL_KINDS)


def test_site_without_home_page_has_no_depth(store: Store) -> None:
    site = Site().page("/x").page("/y").link("/x", "/y")
    crawl = site.write(store, seeds=["/missing"])
    summary = analyse_internal(store, crawl, Settings())
    # falls back to the origin's home page, which was not crawled: nothing has a depth
    assert summary.home == []
    assert summary.reachable == 0
    assert store.count("findings", crawl_id=crawl, kind="deep-page") == 0


def test_empty_crawl(store: Store) -> None:
    crawl = store.new_crawl(source="http", seeds=[], settings={})
    summary = analyse_internal(store, crawl, Settings())
    assert summary.nodes == 0
    assert store.count("page_metrics", crawl_id=crawl) == 0


def test_a_pdf_is_no_dead_end(store: Store) -> None:
    site = (
        Site().page("/").page("/doc.pdf", content_type="application/pdf")
        .page("/page", content_type="text/html; charset=utf-8")
        .link("/", "/doc.pdf").link("/", "/page").link("/", "https://other.org/x")
    )  # fmt: skip
    crawl = site.write(store)
    analyse_internal(store, crawl, Settings())
    assert found(store, crawl, "dead-end") == {"/page"}
    home = store.read("page_metrics", crawl_id=crawl, url=u("/")).to_pylist()[0]
    assert (home["outlinks"], home["external_outlinks"]) == (2, 1)


def test_rerun_keeps_backlink_columns(store: Store) -> None:
    crawl = Site().page("/").page("/a").link("/", "/a").write(store)
    analyse_internal(store, crawl, Settings())
    store.con.execute(
        "UPDATE page_metrics SET backlinks = 7, clicks = 3.5 WHERE url = ?", [u("/a")]
    )
    analyse_internal(store, crawl, Settings())
    row = store.read("page_metrics", ["backlinks", "clicks", "in_graph"], url=u("/a")).to_pylist()
    assert row == [{"backlinks": 7, "clicks": 3.5, "in_graph": True}]


def test_a_link_to_a_download_is_not_a_link_to_a_noindex_page(store: Store) -> None:
    site = (
        Site()
        .page("/", 200)
        .page("/guide.pdf", 200, content_type="application/pdf", indexable=False)
        .page("/hidden", 200, content_type="text/html", indexable=False)
        .link("/", "/guide.pdf", anchor="The guide (PDF)")
        .link("/", "/hidden", anchor="Hidden page")
    )
    crawl = site.write(store)
    analyse_internal(store, crawl, Settings())
    assert found(store, crawl, "link-to-noindex") == {"/"}
    targets = {
        r[0] for r in store.rows("SELECT detail FROM findings WHERE kind = 'link-to-noindex'")
    }
    assert len(targets) == 1
    assert "hidden" in next(iter(targets))
    assert "guide.pdf" not in next(iter(targets))
