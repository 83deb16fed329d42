"""The demo site's files: structure, the planted problems, and the answer keys.

Facts are checked against an independent parse of the HTML (tests/demo/conftest.py), not
against the generator's own record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

from linkflow.demo import DEMO_EXPECTED_LINKS, DEMO_ORIGIN, DEMO_SITE
from linkflow.demo.build import build
from tests.demo.conftest import ParsedPage

ORIGIN = DEMO_ORIGIN
GENERIC = {"click here", "read more", "learn more"}


def _sitemap_urls() -> set[str]:
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.parse(DEMO_SITE / "sitemap.xml").getroot()
    return {loc.text or "" for loc in root.findall("sm:url/sm:loc", ns)}


def _inlinks(pages: dict[str, ParsedPage]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for page in pages.values():
        for link in page.links:
            if link.target != page.url:
                found.setdefault(link.target, set()).add(page.url)
    return found


def test_size_and_shape(site_pages: dict[str, ParsedPage]) -> None:
    assert 40 <= len(site_pages) <= 80
    services = [u for u in site_pages if re.fullmatch(rf"{ORIGIN}/services/[a-z-]+/", u)]
    posts = [
        u for u in site_pages if re.fullmatch(rf"{ORIGIN}/blog/(?!page/|category/|tag/)[a-z-]+/", u)
    ]
    assert 6 <= len(services) <= 8
    assert len(posts) >= 20
    for required in ("/", "/about/", "/contact/", "/privacy/", "/terms/", "/blog/page/4/"):
        assert ORIGIN + required in site_pages


def test_posts_have_real_text() -> None:
    for path in (DEMO_SITE / "blog").glob("*/index.html"):
        html = path.read_text(encoding="utf-8")
        body = html.split('<div class="entry-content">')[1].split("</div>")[0]
        words = len(re.sub(r"<[^>]+>", " ", body).split())
        assert words >= 200, f"{path} has only {words} words"


def test_shared_header_markup(site_pages: dict[str, ParsedPage]) -> None:
    headers = {p.header_html for p in site_pages.values() if p.header_html}
    assert len(headers) == 1
    templated = sum(bool(p.header_html) for p in site_pages.values())
    assert templated >= len(site_pages) - 2  # only the print page and the landing page differ


def test_expected_links_match_the_html(site_pages: dict[str, ParsedPage]) -> None:
    expected = json.loads(DEMO_EXPECTED_LINKS.read_text(encoding="utf-8"))
    parsed = [
        {"source": p.url, "target": x.target, "anchor": x.anchor, "nofollow": x.nofollow,
         "image": x.image, "alt": x.alt}
        for p in site_pages.values() for x in p.links
    ]  # fmt: skip
    key = lambda d: (d["source"], d["target"], d["anchor"], d["nofollow"], d["image"], d["alt"])  # noqa: E731
    got = [{k: v for k, v in e.items() if k != "href"} for e in expected]
    # Same multiset and, per page, the same document order.
    assert sorted(map(key, got)) == sorted(map(key, parsed))
    for url in site_pages:
        assert [key(e) for e in got if e["source"] == url] == [
            key(e) for e in parsed if e["source"] == url
        ]


def test_orphans_only_in_sitemap(site_pages: dict[str, ParsedPage], planted: dict) -> None:
    inlinks = _inlinks(site_pages)
    sitemap = _sitemap_urls()
    assert planted["orphan_pages"]
    for url in planted["orphan_pages"]:
        assert url in site_pages
        assert url in sitemap
        assert url not in inlinks
    linked = set(inlinks) | {ORIGIN + "/"}
    assert {u for u in site_pages if u not in linked} == set(planted["orphan_pages"])


def test_trapped_posts_never_link_to_money_pages(
    site_pages: dict[str, ParsedPage], planted: dict
) -> None:
    money = set(planted["money_pages"])
    assert len(planted["trapped_authority_posts"]) >= 2
    for url in planted["trapped_authority_posts"]:
        page = site_pages[url]
        assert not [x for x in page.links if x.target in money]
        assert not [x for x in page.links if x.in_main and "/services/" in x.target]
        assert any(x.in_main for x in page.links)  # they do link, just not to services


def test_generic_and_naked_anchors(site_pages: dict[str, ParsedPage], planted: dict) -> None:
    anchors = {x.anchor.lower() for p in site_pages.values() for x in p.links}
    assert anchors >= GENERIC
    for item in planted["naked_url_anchors"]:
        page = site_pages[item["source"]]
        assert any(x.anchor == x.target == item["target"] for x in page.links)


def test_broken_link_target_has_no_file(planted: dict) -> None:
    assert planted["broken_internal_links"]
    for item in planted["broken_internal_links"]:
        path = item["target"].removeprefix(ORIGIN)
        assert not (DEMO_SITE / path.strip("/") / "index.html").exists()


def test_redirect_chain_and_links_to_it(site_pages: dict[str, ParsedPage], planted: dict) -> None:
    rules = (DEMO_SITE / "_redirects").read_text(encoding="utf-8")
    assert "/old-services/  /services-old/  301" in rules
    assert "/services-old/  /services/  301" in rules
    linking = [
        p.url for p in site_pages.values() for x in p.links if x.target.endswith("/old-services/")
    ]
    assert linking
    assert ORIGIN + "/services/" in site_pages


def test_deep_page_only_via_late_pagination(
    site_pages: dict[str, ParsedPage], planted: dict
) -> None:
    inlinks = _inlinks(site_pages)
    assert planted["deep_pages"]
    for item in planted["deep_pages"]:
        sources = inlinks[item["url"]]
        assert sources
        assert all(re.fullmatch(rf"{ORIGIN}/blog/page/\d+/", s) for s in sources)
        assert all(int(s.rstrip("/").rsplit("/", 1)[1]) >= 4 for s in sources)


def test_page_level_plants(site_pages: dict[str, ParsedPage], planted: dict) -> None:
    nofollow_internal = [x for p in site_pages.values() for x in p.links
                         if x.nofollow and x.target.startswith(ORIGIN)]  # fmt: skip
    assert nofollow_internal
    for url in planted["noindex_pages"]:
        assert "noindex" in site_pages[url].meta_robots
        assert any(x.target == url for p in site_pages.values() for x in p.links)
    for item in planted["canonicalised_pages"]:
        page = site_pages[item["url"]]
        assert page.canonical == item["canonical"] != page.url
    no_alt = [x for p in site_pages.values() for x in p.links if x.image and x.alt is None]
    assert no_alt
    for url in planted["dead_end_pages"]:
        assert not [x for x in site_pages[url].links if x.target.startswith(ORIGIN)]


def test_link_kinds(site_pages: dict[str, ParsedPage]) -> None:
    raw = "".join(p.read_text(encoding="utf-8") for p in DEMO_SITE.rglob("index.html"))
    assert 'href="/' in raw  # root-relative (most)
    assert f'href="{ORIGIN}/' in raw  # absolute to the public origin (internal)
    externals = {
        x.target for p in site_pages.values() for x in p.links if not x.target.startswith(ORIGIN)
    }
    assert len(externals) >= 3


def test_robots_and_sitemap(site_pages: dict[str, ParsedPage]) -> None:
    robots = (DEMO_SITE / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in robots
    assert "Disallow: /wp-admin/" in robots
    sitemap = _sitemap_urls()
    assert sitemap <= set(site_pages)
    assert len(sitemap) >= 40


def test_build_is_deterministic_and_committed_files_are_current(tmp_path: Path) -> None:
    build(tmp_path)
    here = DEMO_SITE.parent
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = [here / rel for rel in made]
    assert made, "build wrote nothing"
    stale = [str(rel) for rel, old in zip(made, committed, strict=True)
             if not old.is_file() or old.read_bytes() != (tmp_path / rel).read_bytes()]  # fmt: skip
    assert not stale, f"run python -m linkflow.demo.build: {stale[:5]}"
    on_disk = {p.relative_to(here / "site") for p in (here / "site").rglob("*") if p.is_file()}
    assert on_disk == {p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*")
                       if p.is_file()}  # fmt: skip
