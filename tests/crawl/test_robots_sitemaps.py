"""robots.txt rules and answers, Crawl-delay, and XML sitemaps (indexes, .gz, lastmod)."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
from collections.abc import Callable

from aiohttp import web

from linkflow.crawl import crawl_site
from linkflow.crawl.robots import parse_robots
from linkflow.crawl.sitemaps import parse_sitemap
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, page, settings
from tests.crawl.test_crawl import pages_by_url, rows, site

Serve = Callable[[web.Application], Server]
AGENT = "linkflow"


def text(body: str | bytes, status: int = 200, ctype: str = "text/plain") -> object:
    async def handler(_: web.Request) -> web.Response:
        data = body.encode() if isinstance(body, str) else body
        return web.Response(status=status, body=data, content_type=ctype)

    return handler


def test_wildcards_and_longest_match_precedence() -> None:
    rules = parse_robots(
        "User-agent: *\nDisallow: /private\nAllow: /private/open\nDisallow: /*.pdf$\n"
        "Disallow: /search?q=*&page=\n",
        AGENT,
    )
    assert not rules.allowed("https://x.com/private/a", AGENT)
    assert rules.allowed("https://x.com/private/open/a", AGENT)
    assert not rules.allowed("https://x.com/files/a.pdf", AGENT)
    assert rules.allowed("https://x.com/files/a.pdf?x=1", AGENT)
    assert not rules.allowed("https://x.com/search?q=a&page=2", AGENT)
    assert rules.allowed("https://x.com/", AGENT)


def test_specific_agent_group_wins() -> None:
    rules = parse_robots(
        "User-agent: *\nDisallow: /\n\nUser-agent: linkflow\nDisallow: /no\n", AGENT
    )
    assert rules.allowed("https://x.com/yes", AGENT)
    assert not rules.allowed("https://x.com/no", AGENT)


# Where linkflow used to read robots.txt otherwise than Google's parser (RFC 9309).
FULL_AGENT = "linkflow/0.1 (+https://github.com/linkflow/linkflow)"


def test_other_lines_do_not_split_a_group_of_user_agents() -> None:
    # Consecutive user-agent lines are one group; only allow/disallow lines end the list.
    for between in ("Invalid-Unknown-Line: x", "Crawl-delay: 1", "Sitemap: https://x.com/s.xml"):
        rules = parse_robots(
            f"User-agent: linkflow\n{between}\nUser-agent: *\nDisallow: /\n", AGENT
        )
        assert not rules.allowed("https://x.com/", AGENT), between


def test_user_agent_values_are_cut_to_their_product_token() -> None:
    robots = (
        "User-agent: *\nDisallow: /\nUser-agent: LinkFlow crawler\nAllow: /open/\nDisallow: /\n"
    )
    rules = parse_robots(robots, FULL_AGENT)
    assert rules.allowed("https://x.com/open/a", FULL_AGENT)
    assert not rules.allowed("https://x.com/closed", FULL_AGENT)


def test_a_group_applies_when_its_token_starts_a_word_of_the_user_agent() -> None:
    # linkflow's rule for which group is its own: unchanged from before.
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: linkflow\nDisallow: /no\n"
    assert parse_robots(robots, FULL_AGENT).allowed("https://x.com/yes", FULL_AGENT)
    other = "Mozilla/5.0 (compatible; notlinkflow/1.0)"
    assert not parse_robots(robots, other).allowed("https://x.com/yes", other)


def test_patterns_are_compared_as_written_not_decoded() -> None:
    # Google escapes a pattern's non-ASCII bytes and upper-cases escapes, nothing more.
    robots = "User-agent: *\nDisallow: /\nAllow: /foo/%62%61%7A\nAllow: /caf\u00e9\n"
    rules = parse_robots(robots, AGENT)
    assert not rules.allowed("https://x.com/foo/baz", AGENT)
    assert rules.allowed("https://x.com/foo/%62%61%7A", AGENT)
    assert rules.allowed("https://x.com/caf%C3%A9", AGENT)


def test_robots_bytes_are_matched_as_bytes() -> None:
    # A Latin-1 file: the byte 0xE9 is the pattern's %E9, as in Google's parser.
    rules = parse_robots(b"User-agent: *\nDisallow: /caf\xe9\n", AGENT)
    assert not rules.allowed("https://x.com/caf%E9", AGENT)
    assert rules.allowed("https://x.com/cafe", AGENT)


def test_an_allowed_index_page_allows_its_directory() -> None:
    rules = parse_robots("User-agent: *\nAllow: /docs/index.htm\nDisallow: /\n", AGENT)
    assert rules.allowed("https://x.com/docs/", AGENT)
    assert not rules.allowed("https://x.com/docs/other", AGENT)


def _robots_site(robots: object, extra: dict[str, object] | None = None) -> web.Application:
    return site(
        {
            "/robots.txt": robots,
            "/": page("Home", "/open", "/secret/x"),
            "/open": page("Open"),
            "/secret/x": page("Secret"),
            **(extra or {}),
        }
    )


def test_disallowed_url_gets_a_blocked_row(serve: Serve, store: Store) -> None:
    srv = serve(_robots_site(text("User-agent: *\nDisallow: /secret/\n")))
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    blocked = got[srv.url + "/secret/x"]
    assert blocked["status"] is None
    assert blocked["error"] == "blocked by robots.txt"
    assert got[srv.url + "/open"]["status"] == 200
    assert summary.by_status == {200: 2, 0: 1}


def test_obey_robots_false_ignores_it(serve: Serve, store: Store) -> None:
    srv = serve(_robots_site(text("User-agent: *\nDisallow: /\n")))
    crawl_site(store, [srv.url + "/"], settings(obey_robots=False), EXTRACT)
    assert all(r["status"] == 200 for r in pages_by_url(store).values())
    assert len(pages_by_url(store)) == 3


def test_robots_4xx_allows_all(serve: Serve, store: Store) -> None:
    srv = serve(_robots_site(text("gone", status=404)))
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    assert {r["status"] for r in pages_by_url(store).values()} == {200}


def test_robots_5xx_disallows_all(serve: Serve, store: Store) -> None:
    srv = serve(_robots_site(text("oops", status=500)))
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    assert list(got) == [srv.url + "/"]
    assert got[srv.url + "/"]["error"] == "blocked by robots.txt"


def test_robots_timeout_disallows_all(serve: Serve, store: Store) -> None:
    async def hang(_: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(text="")

    srv = serve(_robots_site(hang))
    start = time.monotonic()
    crawl_site(store, [srv.url + "/"], settings(timeout=1.0), EXTRACT)
    assert time.monotonic() - start < 5
    assert pages_by_url(store)[srv.url + "/"]["error"] == "blocked by robots.txt"


def test_crawl_delay_spaces_requests(serve: Serve, store: Store) -> None:
    starts: list[float] = []

    async def timed(_: web.Request) -> web.Response:
        starts.append(time.monotonic())
        return web.Response(text=page("P", "/a", "/b", "/c"), content_type="text/html")

    robots = text("User-agent: *\nCrawl-delay: 0.2\n")
    srv = serve(site({"/robots.txt": robots, "/": timed, "/a": timed, "/b": timed, "/c": timed}))
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    assert len(starts) == 4
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Arrival jitter may shrink one gap on a loaded machine; the average cannot drop.
    assert min(gaps) >= 0.12
    assert sum(gaps) / len(gaps) >= 0.19


def test_parse_sitemap_urlset_index_gzip_and_text() -> None:
    urlset = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://x.com/a?b=1&amp;c=2</loc><lastmod>2024-01-02</lastmod></url>"
        b"<url><loc><![CDATA[https://x.com/b]]></loc></url></urlset>"
    )
    urls, children = parse_sitemap(gzip.compress(urlset))
    assert urls == [("https://x.com/a?b=1&c=2", "2024-01-02"), ("https://x.com/b", None)]
    assert children == []
    index = b"<sitemapindex><sitemap><loc>https://x.com/s1.xml.gz</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index) == ([], ["https://x.com/s1.xml.gz"])
    assert parse_sitemap(b"https://x.com/1\nhttps://x.com/2\n")[0] == [
        ("https://x.com/1", None),
        ("https://x.com/2", None),
    ]


def test_billion_laughs_sitemap_is_harmless() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<urlset><url><loc>https://x.com/&c;</loc></url></urlset>"
    )
    urls, _ = parse_sitemap(bomb)
    assert urls == [("https://x.com/&c;", None)]  # entities are never expanded


def test_sitemaps_from_robots_and_default_location(serve: Serve, store: Store) -> None:
    holder: dict[str, str] = {}

    async def robots(_: web.Request) -> web.Response:
        return web.Response(text=f"User-agent: *\nAllow: /\nSitemap: {holder['u']}/index.xml\n")

    async def index(_: web.Request) -> web.Response:
        body = (
            f"<sitemapindex><sitemap><loc>{holder['u']}/part.xml.gz</loc></sitemap></sitemapindex>"
        )
        return web.Response(text=body, content_type="application/xml")

    async def part(_: web.Request) -> web.Response:
        body = (
            f"<urlset><url><loc>{holder['u']}/orphan</loc><lastmod>2025-05-05</lastmod></url>"
            f"<url><loc>{holder['u']}/</loc></url></urlset>"
        )
        return web.Response(body=gzip.compress(body.encode()), content_type="application/gzip")

    async def default(_: web.Request) -> web.Response:
        body = f"<urlset><url><loc>{holder['u']}/also</loc></url></urlset>"
        return web.Response(text=body, content_type="application/xml")

    pages = {
        "/robots.txt": robots,
        "/index.xml": index,
        "/part.xml.gz": part,
        "/sitemap.xml": default,
        "/": page("Home"),
        "/orphan": page("Orphan", "/deeper"),
        "/also": page("Also"),
        "/deeper": page("Deeper"),
    }
    srv = serve(site(pages))
    holder["u"] = srv.url
    s1 = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    listed = rows(
        store,
        f"SELECT u.url, m.url AS sitemap, s.lastmod FROM sitemap_urls s JOIN urls u "
        f"ON u.id = s.url_id JOIN urls m ON m.id = s.sitemap_url_id WHERE crawl_id = {s1.crawl_id}",
    )
    assert {(r["url"], r["sitemap"], r["lastmod"]) for r in listed} == {
        (f"{srv.url}/orphan", f"{srv.url}/part.xml.gz", "2025-05-05"),
        (f"{srv.url}/", f"{srv.url}/part.xml.gz", None),
        (f"{srv.url}/also", f"{srv.url}/sitemap.xml", None),
    }
    assert s1.pages == 1  # without sitemap_seed the sitemaps are only recorded
    s2 = crawl_site(store, [srv.url + "/"], settings(sitemap_seed=True), EXTRACT, recrawl=True)
    got = {
        r["url"]: r["depth"]
        for r in rows(
            store,
            f"SELECT u.url, p.depth FROM pages p JOIN urls u ON u.id = p.url_id "
            f"WHERE crawl_id = {s2.crawl_id}",
        )
    }
    assert got == {
        f"{srv.url}/": 0,
        f"{srv.url}/orphan": None,
        f"{srv.url}/also": None,
        f"{srv.url}/deeper": None,
    }
