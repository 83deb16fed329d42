"""Hostile and broken sites: the crawler never crashes and records every error on the page row."""

from __future__ import annotations

import asyncio
import gzip
import random
import time
from collections.abc import Callable

from aiohttp import web

from linkflow.crawl import crawl_site
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings
from tests.crawl.test_crawl import pages_by_url

Serve = Callable[[web.Application], Server]


def catch_all(handler: Callable[[web.Request], object]) -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)  # type: ignore[arg-type]
    return app


def test_calendar_trap_is_bounded_by_max_pages(serve: Serve, store: Store) -> None:
    async def calendar(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        month = int(request.query.get("m", "0"))
        return html(page(f"Month {month}", f"/cal?m={month + 1}", f"/cal?m={month - 1}"))

    srv = serve(catch_all(calendar))
    summary = crawl_site(store, [srv.url + "/cal"], settings(max_pages=40), EXTRACT)
    assert summary.pages == 40
    assert summary.interrupted is False


def test_session_ids_and_ever_deeper_paths_are_bounded(serve: Serve, store: Store) -> None:
    async def trap(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        sid = random.randrange(10**9)
        # A relative link one level deeper each time, plus a fresh session id.
        return html(page("Trap", "deeper/", f"/x?sessionid={sid}"))

    srv = serve(catch_all(trap))
    summary = crawl_site(store, [srv.url + "/"], settings(max_depth=6), EXTRACT)
    assert summary.pages <= 1 + 2 + 4 + 8 + 16 + 32 + 64
    depths = store.query("SELECT max(depth) AS d FROM pages").to_pylist()[0]["d"]
    assert depths == 6


def test_over_long_urls_are_ignored(serve: Serve, store: Store) -> None:
    async def long_links(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        return html(page("Long", "/" + "a" * 3000, "/short"))

    srv = serve(catch_all(long_links))
    crawl_site(store, [srv.url + "/"], settings(max_url_length=200), EXTRACT)
    assert set(pages_by_url(store)) == {srv.url + "/", srv.url + "/short"}


def test_broken_content_never_crashes_the_crawl(serve: Serve, store: Store) -> None:
    junk = random.Random(7).randbytes(20_000)
    bodies: dict[str, tuple[bytes, dict[str, str]]] = {
        "/malformed": (b"<html><body><div><a href='/ok'>x<p><table><a href=/ok2>y", {}),
        "/latin1": ("<p>Caf\xe9 <a href='/ok'>Men\xfc</a></p>".encode("latin-1"), {}),
        "/wrong-charset": ("<p>日本語 <a href='/ok'>リンク</a></p>".encode(), {"cs": "iso-8859-1"}),
        "/binary": (junk, {}),
        "/empty": (b"", {}),
        "/gzip-lie": (b"not gzip at all", {"enc": "gzip"}),
    }

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/":
            return html(page("Home", *bodies))
        if request.path in ("/ok", "/ok2"):
            return html(page("OK"))
        if request.path not in bodies:
            return web.Response(status=404)
        body, opts = bodies[request.path]
        headers = {"Content-Type": f"text/html; charset={opts.get('cs', 'utf-8')}"}
        if "enc" in opts:
            headers["Content-Encoding"] = opts["enc"]
        if request.path == "/latin1":
            headers["Content-Type"] = "text/html"  # no charset at all
        return web.Response(body=body, headers=headers)

    srv = serve(catch_all(handler))
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    u = srv.url
    for path in bodies:
        assert f"{u}{path}" in got, path
    assert f"{u}/ok2" in got  # links in malformed HTML are still found
    assert got[f"{u}/binary"]["status"] == 200
    assert got[f"{u}/empty"]["status"] == 200
    assert got[f"{u}/empty"]["error"] is None
    assert got[f"{u}/gzip-lie"]["error"] is not None
    assert got[f"{u}/gzip-lie"]["error"].startswith("bad response")
    anchors = {r["anchor"] for r in store.query("SELECT anchor FROM links").to_pylist()}
    assert "Menü" in anchors  # latin-1 without a declared charset decoded correctly
    assert summary.interrupted is False


def test_5xx_storm_is_recorded(serve: Serve, store: Store) -> None:
    hits = {"n": 0}

    async def storm(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        if request.path == "/":
            return html(page("Home", *(f"/p{i}" for i in range(30))))
        hits["n"] += 1
        return web.Response(status=random.choice([500, 502, 503, 504]), text="down")

    srv = serve(catch_all(storm))
    summary = crawl_site(store, [srv.url + "/"], settings(retries=1), EXTRACT)
    assert summary.pages == 31
    assert sum(n for s, n in summary.by_status.items() if s >= 500) == 30
    assert hits["n"] >= 30


def test_redirect_to_self_and_bad_locations(serve: Serve, store: Store) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/":
            return html(page("Home", "/self", "/mailto", "/empty-location"))
        if request.path == "/self":
            return web.Response(status=301, headers={"Location": "/self"})
        if request.path == "/mailto":
            return web.Response(status=302, headers={"Location": "mailto:a@b.c"})
        if request.path == "/empty-location":
            return web.Response(status=302)
        return web.Response(status=404)

    srv = serve(catch_all(handler))
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    assert got[srv.url + "/self"]["status"] == 301
    assert got[srv.url + "/mailto"]["error"] == "redirect to an invalid or non-http Location"
    assert got[srv.url + "/empty-location"]["status"] == 302


def test_huge_page_and_gzip_bomb_inside_a_crawl(serve: Serve, store: Store) -> None:
    bomb = gzip.compress(bytes(30_000_000), compresslevel=1)

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return html(page("Home", "/bomb", "/huge", "/fine"))
        if request.path == "/bomb":
            return web.Response(
                body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
            )
        if request.path == "/huge":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            try:
                for _ in range(50):
                    await resp.write(b"<p>" * 349_525)
            except (ConnectionError, RuntimeError):
                pass
            return resp
        return html(page("Fine"))

    srv = serve(catch_all(handler))
    cfg = settings(max_body_bytes=2_000_000, max_decompressed_bytes=5_000_000)
    crawl_site(store, [srv.url + "/"], cfg, EXTRACT)
    got = pages_by_url(store)
    assert got[srv.url + "/bomb"]["error"] == "body too large: cut at 5000000 decompressed bytes"
    assert got[srv.url + "/huge"]["error"] == "body too large: cut at 2000000 bytes"
    assert got[srv.url + "/fine"]["status"] == 200


def test_dripping_page_times_out_and_the_crawl_goes_on(serve: Serve, store: Store) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/":
            return html(page("Home", "/drip", "/fine"))
        if request.path == "/drip":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            try:
                for _ in range(60):
                    await resp.write(b"<")
                    await asyncio.sleep(0.5)
            except (ConnectionError, RuntimeError):
                pass
            return resp
        return html(page("Fine"))

    srv = serve(catch_all(handler))
    start = time.monotonic()
    crawl_site(store, [srv.url + "/"], settings(timeout=1.5), EXTRACT)
    assert time.monotonic() - start < 6
    got = pages_by_url(store)
    assert got[srv.url + "/drip"]["error"].startswith("timed out")
    assert got[srv.url + "/fine"]["status"] == 200
