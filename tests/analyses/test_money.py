"""Money pages: patterns with revenue weights, the money file, and the guesser.

The guesser is checked on the demo site (its money pages are the service pages,
planted.json), on the golden mini-sites whose expected.json names money patterns, and on
sites/structured-money, whose money pages say so only in their structured data.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from linkflow.analyses.money import (
    guess_money,
    match_weights,
    parse_entry,
    prepare_money,
    read_money_file,
    score_money,
    suggest_patterns,
)
from linkflow.crawl import crawl_folder
from linkflow.demo import DEMO_ORIGIN, DEMO_PLANTED, DEMO_SITE
from linkflow.errors import ConfigError
from linkflow.graph import build_graph
from linkflow.settings import CrawlSettings, ExtractSettings, GraphSettings, Settings
from linkflow.store import Store

SITES = Path(__file__).parents[1] / "sites"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/services/*", ("/services/*", None)),
        ("/services/* = 3", ("/services/*", 3.0)),
        ("/pricing/=2.5", ("/pricing/", 2.5)),
        ("/shop?id=3", ("/shop?id=3", None)),
        ("/shop?id=3 = 2", ("/shop?id=3", 2.0)),
        ("  https://example.com/book/*  =  1e1 ", ("https://example.com/book/*", 10.0)),
    ],
)
def test_an_entry_is_a_pattern_with_an_optional_weight(
    text: str, expected: tuple[str, float | None]
) -> None:
    assert parse_entry(text) == expected


@pytest.mark.parametrize("text", [" = 2", "/a/ = 0", "   "])
def test_a_bad_entry_names_where_it_came_from(text: str) -> None:
    with pytest.raises(ConfigError, match="money.txt:3"):
        parse_entry(text, "money.txt:3")


def test_money_file_lines_comments_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "money.txt"
    path.write_text("# our money pages\n/services/*\n\n/pricing/ = 4  # plans\n", "utf-8")
    assert read_money_file(path) == [("/services/*", None), ("/pricing/", 4.0)]
    path.write_text("/a/\n/b/ = -1\n", "utf-8")
    with pytest.raises(ConfigError, match=r"money\.txt:2: weight of '/b/'"):
        read_money_file(path)
    with pytest.raises(ConfigError, match="money file not found"):
        read_money_file(tmp_path / "missing.txt")


def test_prepare_merges_flags_file_and_weights_once(tmp_path: Path) -> None:
    (tmp_path / "money.txt").write_text("/pricing/ = 4\n/contact/\n", "utf-8")
    settings = Settings().replace(**{
        "analyse.money": ["/services/* = 2", "/contact/"],
        "analyse.money_file": "money.txt",
        "analyse.money_weights": ["/services/* = 3"],
    })  # fmt: skip
    prepared = prepare_money(settings, tmp_path)  # the file is found in the audit folder
    assert prepared.analyse.money == ("/services/*", "/contact/", "/pricing/")
    assert prepared.analyse.money_weights == ("/services/* = 3", "/pricing/ = 4")
    assert prepare_money(prepared, tmp_path) == prepared
    with pytest.raises(ConfigError, match="has no weight"):
        prepare_money(Settings().replace(**{"analyse.money_weights": ["/a/"]}))


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Store, int]]]:
    stores: dict[str, tuple[Store, int]] = {}
    for site in sorted(p for p in SITES.iterdir() if (p / "expected.json").is_file()):
        expected = json.loads((site / "expected.json").read_text(encoding="utf-8"))
        store = Store.open(tmp_path_factory.mktemp(site.name) / "audit.duckdb")
        summary = crawl_folder(store, site / "site", expected["base_url"], CrawlSettings(),
                               ExtractSettings())  # fmt: skip
        stores[site.name] = (store, summary.crawl_id)
    yield stores
    for store, _ in stores.values():
        store.close()


def _guessed_paths(store: Store, crawl: int) -> set[str]:
    graph = build_graph(store, crawl, GraphSettings())
    return {"/" + graph.urls[i].split("/", 3)[3] for i in guess_money(store, crawl, graph)}


def _matching(store: Store, crawl: int, patterns: tuple[str, ...]) -> set[str]:
    graph = build_graph(store, crawl, GraphSettings())
    weights = match_weights(store, graph.node_url_ids, patterns, ())
    return {"/" + graph.urls[i].split("/", 3)[3] for i in np.flatnonzero(weights)}


def test_guesses_on_golden_sites_are_their_declared_money_pages(
    golden: dict[str, tuple[Store, int]],
) -> None:
    for name, (store, crawl) in golden.items():
        expected = json.loads((SITES / name / "expected.json").read_text(encoding="utf-8"))
        declared = tuple(expected["settings"].get("analyse.money", ()))
        assert _guessed_paths(store, crawl) == _matching(store, crawl, declared), name


def test_weights_take_the_largest_matching_pattern(golden: dict[str, tuple[Store, int]]) -> None:
    store, crawl = golden["trapped-blog"]
    graph = build_graph(store, crawl, GraphSettings())
    given = ("/services/lawn.html = 5", "https://site.test/services/* = 2")
    weights = match_weights(store, graph.node_url_ids, ("/services/*",), given)
    by_path = {"/" + u.split("/", 3)[3]: w for u, w in zip(graph.urls, weights, strict=True)}
    assert by_path["/services/lawn.html"] == 5.0
    assert by_path["/services/patio.html"] == 2.0
    assert by_path["/blog/guide.html"] == 0.0


def test_guesses_on_the_demo_are_its_service_pages(tmp_path: Path) -> None:
    planted = json.loads(DEMO_PLANTED.read_text(encoding="utf-8"))
    with Store.open(tmp_path / "audit.duckdb") as store:
        summary = crawl_folder(store, DEMO_SITE, DEMO_ORIGIN, CrawlSettings(), ExtractSettings())
        guessed = _guessed_paths(store, summary.crawl_id)
    money = {u.removeprefix(DEMO_ORIGIN) for u in planted["money_pages"]}
    assert money <= guessed
    assert not {p for p in guessed if p.startswith("/blog/")}
    assert guessed - money <= {"/services/", "/contact/"}  # the hub and the contact page


def test_the_demo_service_pages_are_guessed_by_their_structured_data_too(tmp_path: Path) -> None:
    planted = json.loads(DEMO_PLANTED.read_text(encoding="utf-8"))
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = crawl_folder(store, DEMO_SITE, DEMO_ORIGIN, CrawlSettings(), ExtractSettings())
        graph = build_graph(store, crawl.crawl_id, GraphSettings())
        said = {graph.urls[g.node]: g.reasons for g in score_money(store, crawl.crawl_id, graph)}
    for url in planted["money_pages"]:
        assert "structured data: Service" in said[url], url
    assert not [u for u, r in said.items() if u not in planted["money_pages"] and any(
        "structured data" in x for x in r)]  # fmt: skip


def test_suggested_patterns_cover_sections() -> None:
    paths = ["/services/", "/services/a/", "/services/b/", "/contact/"]
    assert suggest_patterns(paths) == ["/services/*", "/contact/"]


STRUCTURED = SITES / "structured-money" / "site"
STRUCTURED_BASE = "https://garden.test/"


def _crawl_folder(store: Store, folder: Path) -> int:
    return crawl_folder(store, folder, STRUCTURED_BASE, CrawlSettings(), ExtractSettings()).crawl_id


def test_structured_data_alone_makes_a_money_page(tmp_path: Path) -> None:
    """Service, Product/Offer, ContactPage and ReserveAction pages whose URL and title say
    nothing are proposed; the post titled "Our services" (BlogPosting), the about, FAQ and
    gallery pages and the home page are not, though every page declares the business
    (LocalBusiness: sitewide, so no signal)."""
    with Store.open(tmp_path / "audit.duckdb") as store:
        guessed = _guessed_paths(store, _crawl_folder(store, STRUCTURED))
    assert guessed == {
        "/lawn-care.html",
        "/garden-design.html",
        "/mower.html",
        "/visit.html",
        "/reach-us.html",
    }
    for page in ("/", "/about.html", "/faq.html", "/gallery.html"):
        assert page not in guessed
    assert "/notes/spring-service-checklist.html" not in guessed


def test_structured_data_reasons_are_given(tmp_path: Path) -> None:
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = _crawl_folder(store, STRUCTURED)
        graph = build_graph(store, crawl, GraphSettings())
        reasons = {
            "/" + graph.urls[g.node].split("/", 3)[3]: g.reasons
            for g in score_money(store, crawl, graph)
        }
    nav = "in the navigation of most pages"
    assert reasons["/lawn-care.html"] == (nav, "structured data: Service")
    assert reasons["/mower.html"] == (nav, "structured data: Offer, Product")
    assert reasons["/reach-us.html"] == (nav, "structured data: ContactPage")
    assert reasons["/visit.html"] == (nav, "structured data: ReserveAction")


def test_an_article_type_keeps_a_post_out_that_its_url_and_title_would_put_in(
    tmp_path: Path,
) -> None:
    """The post's URL ("service", 2 points), title ("services", 1) and place in the menu (1)
    make it a money page unless its BlogPosting type counts against it."""
    site = tmp_path / "site"
    shutil.copytree(STRUCTURED, site)
    post = site / "notes" / "spring-service-checklist.html"
    post.write_text(post.read_text("utf-8").replace('"BlogPosting"', '"WebPage"'), "utf-8")
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = _crawl_folder(store, site)
        graph = build_graph(store, crawl, GraphSettings())
        guesses = {
            "/" + graph.urls[g.node].split("/", 3)[3]: g for g in score_money(store, crawl, graph)
        }
    without = guesses["/notes/spring-service-checklist.html"]
    assert without.points == 4
    assert without.reasons == (
        "URL: spring-service-checklist.html",
        "title: services",
        "in the navigation of most pages",
    )


def test_a_type_on_nearly_every_page_is_no_signal(tmp_path: Path) -> None:
    """Service declared on every page describes the business: no page is proposed for it."""
    site = tmp_path / "site"
    shutil.copytree(STRUCTURED, site)
    for path in site.rglob("*.html"):
        text = path.read_text("utf-8")
        path.write_text(text.replace('"LocalBusiness"', '"Service"'), "utf-8")
    with Store.open(tmp_path / "audit.duckdb") as store:
        guessed = _guessed_paths(store, _crawl_folder(store, site))
    # lawn-care and garden-design are left with a sitewide type only
    assert guessed == {"/mower.html", "/visit.html", "/reach-us.html"}
