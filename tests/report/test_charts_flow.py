"""The authority Sankey: hand-computed bands on a four-page store, every node balanced on
the demo audit (checked on the data the page hands to ECharts), and hostile URLs and domains
kept as text in its data and its table."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.report import write_report
from linkflow.report.charts_flow import authority_sankey
from linkflow.report.queries_flow import flow_totals
from linkflow.settings import ReportSettings
from linkflow.store import Store
from tests.report.conftest import SCRIPT

SITE = "https://shop.example"
HOSTILE_PATH = f"/{SCRIPT}\"'"
HOSTILE_DOMAIN = f"{SCRIPT}\"'.example"


def small_store(path: Path, *, blog: str = "/blog", domain_y: str = "y.example") -> int:
    """Four graph pages: home (A), blog (B), money pages M1 and M2.

    α = 0.85, β = 0.5, n = 4: every page gets u = 0.15·0.5/4 = 0.01875 from direct entry.
    Backlink authority: x.example 60 → A, domain_y 20 → A and 20 → B (ΣE = 100), so
    flow_in = 0.15·(0.125 + 0.5·E/100): A 0.07875, B 0.03375, M1 = M2 = 0.01875 (Σ 0.15).
    Trapped: A 0.02, B 0.03 (0.012 of it ending on low-value URLs). flow_paths lists B's
    contributions (M1 0.03, M2 0.01), not A's.
    """
    urls = [f"{SITE}/", f"{SITE}{blog}", f"{SITE}/m1", f"{SITE}/m2"]
    flow_in = [0.07875, 0.03375, 0.01875, 0.01875]
    trapped = [0.02, 0.03, 0.0, 0.0]
    trapped_low = [0.0, 0.012, 0.0, 0.0]
    flow = [0.3, 0.2, 0.3, 0.2]
    with Store.open(path) as store:
        crawl = store.new_crawl(source="http", seeds=[urls[0]], settings={})
        ids = store.url_ids(urls)
        store.append("pages", [{"crawl_id": crawl, "url_id": i, "status": 200} for i in ids])
        store.append(
            "page_metrics",
            [
                {"crawl_id": crawl, "url_id": ids[k], "url": urls[k], "in_graph": True,
                 "equity": flow[k], "is_money": k >= 2, "flow": flow[k], "flow_in": flow_in[k],
                 "trapped": trapped[k], "trapped_low_value": trapped_low[k]}
                for k in range(4)
            ],
        )  # fmt: skip
        store.append(
            "flow_paths",
            [
                {"crawl_id": crawl, "money_url": urls[2], "source_url": urls[1], "rank": 1,
                 "share": 0.1, "flow": 0.03},
                {"crawl_id": crawl, "money_url": urls[3], "source_url": urls[1], "rank": 1,
                 "share": 0.05, "flow": 0.01},
            ],
        )  # fmt: skip
        now = datetime(2026, 11, 1)
        store.append(
            "imports",
            [{"id": 1, "path": "b.csv", "kind": "backlinks", "provider": "ahrefs",
              "report": "backlinks", "site": "self", "rows": 3, "imported_at": now}],
        )  # fmt: skip
        links = [("x.example", urls[0], 60.0), (domain_y, urls[0], 20.0), (domain_y, urls[1], 20.0)]
        store.append(
            "backlinks",
            [
                {"import_id": 1, "provider": "ahrefs", "source_url": f"https://{d}/{k}",
                 "source_domain": d, "target_url": t, "target_url_id": ids[urls.index(t)],
                 "anchor": "a", "domain_authority": a}
                for k, (d, t, a) in enumerate(links)
            ],
        )  # fmt: skip
        store.append(
            "backlink_targets",
            [
                {"url": urls[0], "url_id": ids[0], "backlinks": 2, "referring_domains": 2,
                 "followed_domains": 2, "authority": 80.0, "lost": False},
                {"url": urls[1], "url_id": ids[1], "backlinks": 1, "referring_domains": 1,
                 "followed_domains": 1, "authority": 20.0, "lost": False},
            ],
        )  # fmt: skip
        settings = {"graph": {"damping": 0.85}, "analyse": {"backlink_beta": 0.5},
                    "ingest": {"domain_cap": 3}}  # fmt: skip
        details = {"backlink_authority": 100.0, "leaks": {"legal": 0.01}, "external_leak": 0.02}
        store.append(
            "analysis_runs",
            [{"id": 1, "crawl_id": crawl, "kind": "flow", "settings_json": json.dumps(settings),
              "started_at": now, "details_json": json.dumps(details)}],
        )  # fmt: skip
        store.finish_crawl(crawl)
    return crawl


def bands(links: Any) -> dict[tuple[str, str], float]:
    return {(k.source, k.target): k.value for k in links}


def test_bands_computed_by_hand(tmp_path: Path) -> None:
    crawl = small_store(tmp_path / "a.duckdb")
    with Store.open(tmp_path / "a.duckdb") as store:
        sankey = authority_sankey(store, crawl)
    assert sankey is not None
    a, b, m1, m2 = (f"{SITE}/", f"{SITE}/blog", f"{SITE}/m1", f"{SITE}/m2")
    expected = {
        # direct entry: u = 0.01875 on each page, of 0.15 entering
        ("direct", f"l:{a}"): 0.125, ("direct", f"l:{b}"): 0.125,
        ("direct", f"l:{m1}"): 0.125, ("direct", f"l:{m2}"): 0.125,
        # A's backlink part 0.06: x.example 60/80, y.example 20/80; B's 0.015 all y.example
        ("s:x.example", f"l:{a}"): 0.3, ("s:y.example", f"l:{a}"): 0.1,
        ("s:y.example", f"l:{b}"): 0.1,
        # A: trapped 0.02; reach 0.05875, not in flow_paths: by the money pages' flow, 3:2
        (f"l:{a}", "trapped"): 0.02 / 0.15,
        (f"l:{a}", f"m:{m1}"): 0.05875 * 0.6 / 0.15, (f"l:{a}", f"m:{m2}"): 0.05875 * 0.4 / 0.15,
        # B: trapped 0.03, 0.012 of it on low-value URLs; reach 0.00375, by its flow_paths
        # contributions 0.03 : 0.01
        (f"l:{b}", "trapped"): 0.018 / 0.15, (f"l:{b}", "trapped-low"): 0.08,
        (f"l:{b}", f"m:{m1}"): 0.00375 * 0.75 / 0.15, (f"l:{b}", f"m:{m2}"): 0.00375 * 0.25 / 0.15,
        # a money page reaches itself
        (f"l:{m1}", f"m:{m1}"): 0.125, (f"l:{m2}", f"m:{m2}"): 0.125,
    }  # fmt: skip
    got = bands(sankey.links)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-12), key
    assert sankey.reach == pytest.approx(0.1 / 0.15, abs=1e-12)  # (0.15 − 0.05) / 0.15
    assert sankey.leaks == {"legal": 0.01}
    assert sankey.external == pytest.approx(0.02)
    labels = {n.id: n.label for n in sankey.nodes}
    assert labels[f"l:{b}"] == "/blog"
    assert labels["s:x.example"] == "x.example"
    assert [n.column for n in sankey.nodes] == sorted(n.column for n in sankey.nodes)


def test_the_rest_of_each_column_is_one_other_node(tmp_path: Path) -> None:
    crawl = small_store(tmp_path / "a.duckdb")
    with Store.open(tmp_path / "a.duckdb") as store:
        sankey = authority_sankey(store, crawl, top=1)
    assert sankey is not None
    labels = {n.id: n.label for n in sankey.nodes}
    assert labels["s:"] == "other 1 domain"
    assert labels["l:"] == "other 3 pages"
    assert labels["m:"] == "other 1 money page"
    got = bands(sankey.links)
    # y.example's 0.015 into A and its 0.015 into B (other pages) come from "other 1 domain"
    assert got[("s:", f"l:{SITE}/")] == pytest.approx(0.1)
    assert got[("s:", "l:")] == pytest.approx(0.1)
    assert got[("direct", "l:")] == pytest.approx(0.375)
    assert_balanced([(k.source, k.target, k.value) for k in sankey.links])


def assert_balanced(links: list[tuple[str, str, float]]) -> tuple[dict[str, float], float]:
    """Every node with both inflow and outflow passes on what it receives (1e-9); the
    sources add up to 1. Returns the inflow of each node and the sources' total."""
    into: dict[str, float] = defaultdict(float)
    out: dict[str, float] = defaultdict(float)
    for source, target, value in links:
        assert value > 0
        into[target] += value
        out[source] += value
    middle = set(into) & set(out)
    assert middle  # the landing pages
    for node in middle:
        assert abs(into[node] - out[node]) < 1e-9, node
    sources = sum(v for k, v in out.items() if k not in into)
    assert abs(sources - 1.0) < 1e-9
    sinks = sum(v for k, v in into.items() if k not in out)
    assert abs(sinks - 1.0) < 1e-9
    return into, sources


class Figures(HTMLParser):
    """The ``data-echart`` specs of the page's figures, as the browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.specs: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        spec = dict(attrs).get("data-echart")
        if tag == "figure" and spec:
            self.specs.append(json.loads(spec))


def page_specs(html: str, kind: str) -> list[dict[str, Any]]:
    parser = Figures()
    parser.feed(html)
    return [s for s in parser.specs if s["kind"] == kind]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    audit = tmp_path_factory.mktemp("demo") / "audit"
    result = CliRunner().invoke(cli, ["demo", "--audit", str(audit), "--quiet"])
    assert result.exit_code == 0, result.output
    return audit


def test_the_demo_sankey_balances_and_its_money_pages_get_the_stated_reach(demo: Path) -> None:
    html = (demo / "report" / "index.html").read_text("utf-8")
    [spec] = page_specs(html, "sankey")
    links = [(k["source"], k["target"], k["value"]) for k in spec["links"]]
    into, _ = assert_balanced(links)
    kinds = {n["name"]: n["kind"] for n in spec["nodes"]}
    money = sum(v for k, v in into.items() if kinds[k] == "money")
    with Store.open(demo / "audit.duckdb", read_only=True) as store:
        totals = flow_totals(store, 1)
        # independent of the report: the page table's own sums
        entering, trapped, low = store.rows(
            "SELECT sum(flow_in), sum(trapped), sum(trapped_low_value) FROM page_metrics "
            "WHERE crawl_id = 1"
        )[0]
        domains = {d for (d,) in store.rows("SELECT domain FROM referring_domains")}
    assert totals is not None
    assert abs(money - totals["reach"]) < 1e-9
    assert abs(money - (entering - trapped) / entering) < 1e-9
    assert abs(into["trapped"] + into.get("trapped-low", 0.0) - trapped / entering) < 1e-9
    assert abs(into.get("trapped-low", 0.0) - low / entering) < 1e-9
    card = html.split('class="score-card flow-card"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert f">{money * 100:.1f}%</div>" in card  # the answer's "Authority reaching the money pages"
    sources = [n for n in spec["nodes"] if n["kind"] == "source" and n["name"] != "s:"]
    assert sources
    assert {n["label"] for n in sources} <= domains
    assert sum(1 for n in spec["nodes"] if n["kind"] == "money") >= 8  # the /services/* pages
    # the table of the diagram's numbers has every band
    table = html.split('id="sankey-table"', 1)[1].split("</details>", 1)[0]
    assert table.count("<tr><td") == len(links)


def test_hostile_urls_and_domains_stay_text(tmp_path: Path) -> None:
    crawl = small_store(tmp_path / "a.duckdb", blog=HOSTILE_PATH, domain_y=HOSTILE_DOMAIN)
    with Store.open(tmp_path / "a.duckdb") as store:
        index = write_report(store, crawl, tmp_path / "r", ReportSettings(exports=False))
    html = index.read_text("utf-8")
    assert SCRIPT not in html
    [spec] = page_specs(html, "sankey")  # the attribute survives the quotes: it parses
    titles = {n["title"] for n in spec["nodes"]}
    assert f"{SITE}{HOSTILE_PATH}" in titles
    assert HOSTILE_DOMAIN in {n["label"] for n in spec["nodes"]}
    attribute = re.search(r"data-echart='(\{\"kind\": \"sankey\"[^']*)'", html)
    assert attribute is not None
    assert "<" not in attribute.group(1)
    assert ">" not in attribute.group(1)
    table = html.split('id="sankey-table"', 1)[1].split("</details>", 1)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;.example" in table
