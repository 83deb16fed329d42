"""A what-if is stored: one row per planned edit, the money and losing pages' flow, F.

The expected figures come from a dense numpy solve of the PageRank equations on the
adjacency matrix written here by hand for the four-page site below, not from linkflow's
solver or its closed-form gains.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from linkflow.audit import Audit
from linkflow.errors import ConfigError
from linkflow.recommend.records import WhatIf
from linkflow.store import Store, db
from linkflow.store.export import table_columns
from linkflow.store.migrations import MIGRATIONS

BASE = "https://tiny.test/"
PAGES = ("index.html", "a.html", "b.html", "money.html")
LINKS = {  # every link is in the main content
    "index.html": ("a.html", "b.html"),
    "a.html": ("index.html", "money.html"),
    "b.html": ("index.html",),
    "money.html": ("index.html",),
}
DAMPING = 0.85  # graph.damping's default
MONEY = "money.html"


def _url(name: str) -> str:
    """The page's URL: the home page is served as the folder."""
    return BASE + ("" if name == "index.html" else name)


def _page(name: str) -> str:
    links = " ".join(
        f'<a href="/{_url(t).removeprefix(BASE)}">page {t.removesuffix(".html")}</a>'
        for t in LINKS[name]
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page {name}</title>'
        f"</head><body><main><h1>Page {name}</h1><p>Some words about this page and more "
        f"words. See {links} for more.</p></main></body></html>"
    )


def _flow(links: dict[str, set[str]]) -> dict[str, float]:
    """PageRank with uniform teleport and uniform link weights: π = (1-α)/n · 1ᵀ (I - αP)⁻¹."""
    n = len(PAGES)
    index = {p: i for i, p in enumerate(PAGES)}
    p = np.zeros((n, n))
    for src, targets in links.items():
        for t in targets:
            p[index[src], index[t]] = 1 / len(targets)
    pi = np.linalg.solve((np.eye(n) - DAMPING * p).T, np.full(n, (1 - DAMPING) / n))
    return {_url(name): float(pi[index[name]]) for name in PAGES}


def _links(add: tuple[str, str] | None = None, remove: tuple[str, str] | None = None) -> dict:
    out = {s: set(t) for s, t in LINKS.items()}
    if add:
        out[add[0]].add(add[1])
    if remove:
        out[remove[0]].discard(remove[1])
    return out


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    root = tmp_path_factory.mktemp("tiny")
    site = root / "site"
    site.mkdir()
    for name in PAGES:
        (site / name).write_text(_page(name), encoding="utf-8")
    overrides = {
        "crawl.base_url": BASE,
        "graph.weights": "uniform",
        "graph.tolerance": 1e-12,
        "analyse.money": [f"/{MONEY}"],
    }
    with Audit(root / "audit", overrides=overrides) as a:
        a.crawl(str(site)).analyse()
        a.suggest()
        yield a


def _plan(path: Path, rows: list[str]) -> Path:
    path.write_text("source_url,target_url,anchor,action\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def test_the_reference_solve_is_the_crawled_flow(audit: Audit) -> None:
    flow = dict(
        audit.store.rows(
            "SELECT url, flow FROM page_metrics WHERE crawl_id = ? AND in_graph",
            [audit.crawl_id()],
        )
    )
    want = _flow(_links())
    assert flow == pytest.approx(want, abs=1e-9)


def test_the_whatif_tables_hold_each_edit_and_each_page(audit: Audit, tmp_path: Path) -> None:
    plan = _plan(
        tmp_path / "plan.csv",
        ["/,/money.html,the money page,add", f"{BASE}a.html,{BASE}money.html,,remove"],
    )
    effect = audit.what_if(plan)
    before = _flow(_links())
    alone_add = _flow(_links(add=("index.html", MONEY)))
    alone_remove = _flow(_links(remove=("a.html", MONEY)))
    after = _flow(_links(add=("index.html", MONEY), remove=("a.html", MONEY)))
    money = BASE + MONEY
    crawl = audit.crawl_id()
    rows = audit.store.rows(
        "SELECT line, action, source_url, target_url, anchor, gain, lowers FROM whatif "
        "WHERE crawl_id = ? ORDER BY line",
        [crawl],
    )
    assert [r[:5] for r in rows] == [
        (2, "add", BASE, money, "the money page"),
        (3, "remove", BASE + "a.html", money, ""),
    ]
    assert rows[0][5] == pytest.approx(alone_add[money] - before[money], abs=1e-9)
    assert rows[1][5] == pytest.approx(alone_remove[money] - before[money], abs=1e-9)
    assert [r[6] for r in rows] == [False, True]  # the removal lowers the money page's flow
    pages = audit.store.rows(
        "SELECT kind, rank, url, money, before, after, change FROM whatif_pages "
        "WHERE crawl_id = ? ORDER BY kind, rank",
        [crawl],
    )
    assert [p[:4] for p in pages if p[0] == "money"] == [("money", 1, money, True)]
    losers = [p for p in pages if p[0] == "loser"]
    # the pages whose flow falls, most first: a and b share the home page with a third link
    assert {p[2] for p in losers} == {u for u in before if after[u] < before[u] - 1e-9}
    assert {p[2] for p in losers} == {BASE + "a.html", BASE + "b.html"}
    assert [p[1] for p in losers] == [1, 2]
    assert not any(p[3] for p in losers)
    for _, _, url, _, b, a, change in pages:
        assert b == pytest.approx(before[url], abs=1e-9)
        assert a == pytest.approx(after[url], abs=1e-9)
        assert change == pytest.approx(after[url] - before[url], abs=1e-9)
    # F before and after, and the Python API reads back what the call returned
    assert effect.money_flow == pytest.approx(before[money], abs=1e-9)
    assert effect.after == pytest.approx(after[money], abs=1e-9)
    assert audit.last_what_if() == effect
    assert audit.recommendations() is not None  # a what-if leaves the suggestions current


def test_a_second_plan_replaces_the_first_and_a_bad_one_stores_nothing(
    audit: Audit, tmp_path: Path
) -> None:
    audit.what_if(_plan(tmp_path / "one.csv", ["/b.html,/money.html,,add", "/b.html,/a.html,,add"]))
    second = audit.what_if(_plan(tmp_path / "two.csv", ["/,/money.html,,add"]))
    crawl = audit.crawl_id()
    assert audit.store.rows("SELECT line, source_url FROM whatif WHERE crawl_id = ?", [crawl]) == [
        (2, BASE)
    ]
    kinds = audit.store.rows(
        "SELECT kind, count(*) FROM whatif_pages WHERE crawl_id = ? GROUP BY kind ORDER BY kind",
        [crawl],
    )
    assert ("money", 1) in kinds
    with pytest.raises(ConfigError, match="bad.csv:2"):
        audit.what_if(_plan(tmp_path / "bad.csv", ["/b.html,/money.html,,move"]))
    assert audit.last_what_if() == second
    details = audit.store.scalar(
        "SELECT details_json FROM analysis_runs WHERE kind = 'whatif' ORDER BY id DESC LIMIT 1"
    )
    assert '"plan": "two.csv"' in details


def test_a_later_analysis_makes_the_stored_what_if_stale_and_the_report_drops_it(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name in PAGES:
        (site / name).write_text(_page(name), encoding="utf-8")
    overrides = {"crawl.base_url": BASE, "analyse.money": [f"/{MONEY}"]}
    with Audit(tmp_path / "audit", overrides=overrides) as a:
        a.crawl(str(site)).analyse()
        assert a.last_what_if() is None
        assert 'id="whatif"' not in a.report().read_text(encoding="utf-8")  # no plan yet
        effect = a.what_if(_plan(tmp_path / "plan.csv", ["/b.html,/money.html,,add"]))
        assert isinstance(effect, WhatIf)
        assert a.last_what_if() == effect
        a.analyse()
        assert a.last_what_if() is None
        assert 'id="whatif"' not in a.report().read_text(encoding="utf-8")  # a stale plan
        a.what_if(_plan(tmp_path / "kept.csv", ["/b.html,/money.html,,add"]))
        kept = a.last_what_if()
    with Audit(tmp_path / "audit", read_only=True) as a:  # it answers and keeps nothing
        effect = a.what_if(_plan(tmp_path / "read.csv", ["/,/money.html,,add"]))
        assert effect.edits[0].source_url == BASE
        assert a.last_what_if() == kept


def test_a_file_of_the_previous_version_gets_the_whatif_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # opened by a linkflow whose newest step is the what-if one: later steps stay out of it
    step = next(v for v, sql in MIGRATIONS.items() if "CREATE TABLE whatif " in sql)
    monkeypatch.setattr(db, "SCHEMA_VERSION", step)
    fresh, old = tmp_path / "fresh.duckdb", tmp_path / "old.duckdb"
    tables = ("whatif", "whatif_pages")
    with Store.open(fresh) as store:
        want = {t: table_columns(store, t) for t in tables}
    with Store.open(old) as store:
        for t in tables:
            store.execute(f"DROP TABLE {t}")
        store.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(step - 1)])
    with Store.open(old) as store:
        assert {t: table_columns(store, t) for t in tables} == want
        version = store.scalar("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version == str(step)


def test_the_report_shows_the_stored_plan(audit: Audit, tmp_path: Path) -> None:
    plan = _plan(
        tmp_path / "report-plan.csv",
        ["/,/money.html,<b>money</b> page,add", "/a.html,/money.html,,remove"],
    )
    audit.what_if(plan)
    html = audit.report().read_text(encoding="utf-8")
    start = html.index('<section id="whatif">')
    section = html[start : html.index("</section>", start)]
    assert "report-plan.csv" in section
    assert "&lt;b&gt;money&lt;/b&gt; page" in section  # an anchor from a file is escaped
    assert "<b>money" not in section
    rows = section.split("<tr")[2:4]  # the header row first, then the two edits
    assert "lowers the money pages" not in rows[0]
    assert "lowers the money pages" in rows[1]
    assert section.count("lowers the money pages") == 1
    assert "Pages that lose most" in section
