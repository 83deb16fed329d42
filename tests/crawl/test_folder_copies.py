"""Copies standing in for the public site: a folder's index file is its folder's page, a
server given ``--base-url`` with a path keeps the path, and URLs outside the copy are not
checked unless ``check_external`` asks the public site for their status."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from linkflow.crawl import crawl_folder, crawl_site
from linkflow.crawl.folder import FolderOrigins, PrefixMap, directory_url, stand_in_origins
from linkflow.crawl.hosts import OriginMap
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings
from tests.crawl.test_crawl import pages_by_url, rows
from tests.crawl.test_folder import build

Serve = Callable[[web.Application], Server]
BASE = "https://docs.example.com/"


def recording(pages: dict[str, str], seen: list[tuple[str, str]]) -> web.Application:
    """An app answering the paths of ``pages`` (others 404), noting each (method, path)."""

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.method, request.path))
        text = pages.get(request.path)
        return web.Response(status=404) if text is None else html(text)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def test_directory_url_and_the_origin_rules() -> None:
    assert directory_url(BASE + "a/index.html") == BASE + "a/"
    assert directory_url(BASE + "index.html?x=1") == BASE + "?x=1"
    assert directory_url(BASE + "a/index.htm") == BASE + "a/index.htm"
    assert directory_url(BASE + "a/myindex.html") == BASE + "a/myindex.html"
    local = "http://127.0.0.1:8000/"
    # no path, or the copy serves the public paths: the origins map, the paths stay
    assert stand_in_origins(BASE, local) == OriginMap(BASE[:-1], local[:-1])
    assert stand_in_origins(BASE + "v2/", local + "v2/") == OriginMap(BASE[:-1], local[:-1])
    # the copy holds the site at its root: its origin stands for the base URL, path included
    prefix = stand_in_origins(BASE + "v2/", local)
    assert prefix == PrefixMap(BASE + "v2/", local)
    assert prefix.to_public(local + "a/b.html") == BASE + "v2/a/b.html"
    assert prefix.to_fetch(BASE + "v2/a/b.html") == local + "a/b.html"
    assert isinstance(prefix, PrefixMap)
    assert prefix.outside(BASE + "v1/")
    assert not prefix.outside(BASE + "v2/x")
    assert not prefix.outside("https://other.example/v1/")


def test_a_folder_and_its_index_file_are_one_page(tmp_path: Path, store: Store) -> None:
    site = build(
        tmp_path / "site",
        {
            "index.html": page("Home", "index.html", "a/index.html", "a/", "/old/index.html"),
            "a/index.html": page("A", "../index.html", "index.html#top"),
            "_redirects": "/old/index.html /a/ 301\n",
        },
    )
    summary = crawl_folder(store, site, BASE, settings(), EXTRACT)
    got = pages_by_url(store)
    assert {u: r["status"] for u, r in got.items()} == {
        BASE: 200,
        BASE + "a/": 200,
        BASE + "old/": 301,
    }
    assert got[BASE]["depth"] == 0
    links = rows(
        store,
        "SELECT s.url AS src, d.url AS dst FROM links l JOIN urls s ON s.id = l.src_id "
        f"JOIN urls d ON d.id = l.dst_id WHERE l.crawl_id = {summary.crawl_id} "
        "ORDER BY s.url, l.ordinal",
    )
    assert [(r["src"], r["dst"]) for r in links] == [
        (BASE, BASE),
        (BASE, BASE + "a/"),
        (BASE, BASE + "a/"),
        (BASE, BASE + "old/"),
        (BASE + "a/", BASE),
        (BASE + "a/", BASE + "a/"),
    ]


def test_a_server_with_a_base_url_path_keeps_the_path(serve: Serve, store: Store) -> None:
    seen: list[tuple[str, str]] = []
    base = BASE + "3.11/"
    srv = serve(
        recording(
            {
                "/": page("Home", "library/", "/3.11/x.html", f"{base}faq.html", f"{BASE}3/"),
                "/library/": page("Library", "../index.html"),
                "/index.html": page("Home"),
                "/faq.html": page("FAQ"),
            },
            seen,
        )
    )
    crawl_site(store, [srv.url + "/"], settings(base_url=base), EXTRACT)
    got = {u: (r["status"], r["error"]) for u, r in pages_by_url(store).items()}
    assert got == {
        base: (200, None),
        base + "library/": (200, None),
        base + "index.html": (200, None),
        base + "x.html": (404, None),  # the copy has no /x.html
        base + "faq.html": (200, None),
        BASE + "3/": (None, "outside the base URL; not checked"),
    }
    assert all(path != "/3/" for _, path in seen)
    info = store.crawl_info(store.latest_crawl_id() or 0)
    assert info["base_url"] == base


def test_check_external_asks_the_public_site_for_outside_urls(
    tmp_path: Path, serve: Serve, store: Store
) -> None:
    seen: list[tuple[str, str]] = []
    srv = serve(recording({"/ok.html": page("Public", "/never-followed.html")}, seen))
    base = srv.url + "/docs/"
    other = srv.url.replace("127.0.0.1", "localhost") + "/elsewhere"
    site = build(
        tmp_path / "site", {"index.html": page("Home", "/ok.html", "/missing.html", other)}
    )
    crawl_folder(store, site, base, settings(), EXTRACT)
    unchecked = {u: (r["status"], r["error"]) for u, r in pages_by_url(store).items()}
    assert unchecked[srv.url + "/ok.html"] == (None, "outside the build folder; not checked")
    assert seen == []  # no network without check_external
    crawl_folder(store, site, base, settings(check_external=True), EXTRACT)
    crawl_id = store.latest_crawl_id()
    got = {
        r["url"]: (r["status"], r["error"], r["internal"], r["title"])
        for r in rows(
            store,
            "SELECT u.url, p.status, p.error, p.internal, p.title FROM pages p "
            f"JOIN urls u ON u.id = p.url_id WHERE p.crawl_id = {crawl_id}",
        )
    }
    checked = "outside the build folder; checked over HTTP"
    assert got[srv.url + "/ok.html"] == (200, checked, True, None)  # status only, not parsed
    assert got[srv.url + "/missing.html"] == (404, checked, True, None)
    assert got[other] == (404, None, False, None)  # another site: checked as external links are
    assert {("HEAD", "/elsewhere"), ("HEAD", "/missing.html"), ("HEAD", "/ok.html")} <= set(seen)
    assert {method for method, _ in seen} == {"HEAD"}  # never a body: nothing parsed, followed


def test_urls_the_folder_does_not_hold_are_not_checked(tmp_path: Path, store: Store) -> None:
    base = BASE + "docs/"
    http_twin = base.replace("https://", "http://") + "a.html"
    site = build(tmp_path / "site", {"index.html": page("Home", "a.html", http_twin, "/blog/")})
    build(site, {"a.html": page("A")})
    crawl_folder(store, site, base, settings(), EXTRACT)
    got = {u: (r["status"], r["error"]) for u, r in pages_by_url(store).items()}
    assert got == {
        base: (200, None),
        base + "a.html": (200, None),
        http_twin: (None, "outside the build folder; not checked"),  # same host, http://
        BASE + "blog/": (None, "outside the build folder; not checked"),
    }


def test_other_sites_index_urls_are_left_alone() -> None:
    origins = FolderOrigins(BASE + "docs/")
    assert origins.to_public(BASE + "docs/a/index.html") == BASE + "docs/a/"
    assert origins.to_public("https://other.example/a/index.html") == (
        "https://other.example/a/index.html"
    )
    assert origins.to_fetch(BASE + "docs/a/") == BASE + "docs/a/"
