"""crawl_site against real sites on 127.0.0.1: scope, limits, redirects, robots meta, storage."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

from linkflow.crawl import check_urls, crawl_site
from linkflow.crawl import engine as engine_module
from linkflow.crawl import runner as runner_module
from linkflow.crawl import workers as workers_module
from linkflow.crawl.engine import Engine
from linkflow.crawl.memory import memory_cap
from linkflow.errors import CrawlError, StoreError
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings
from tests.resident import resident_mb

Serve = Callable[[web.Application], Server]


def site(pages: dict[str, Any]) -> web.Application:
    """An app answering each path of ``pages`` (HTML text or a handler); others 404."""

    async def handler(request: web.Request) -> web.StreamResponse:
        entry = pages.get(request.path_qs, pages.get(request.path))
        if entry is None:
            return web.Response(status=404, text="not found")
        if callable(entry):
            result: web.StreamResponse = await entry(request)
            return result
        return html(entry)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def rows(store: Store, sql: str) -> list[dict[str, Any]]:
    return store.query(sql).to_pylist()


def pages_by_url(store: Store) -> dict[str, dict[str, Any]]:
    return {
        r["url"]: r
        for r in rows(store, "SELECT u.url, p.* FROM pages p JOIN urls u ON u.id = p.url_id")
    }


def test_crawls_whole_site_and_stores_links(serve: Serve, store: Store) -> None:
    srv = serve(
        site(
            {
                "/": page("Home", "/a", "/b", "/a#part"),
                "/a": page("A", "/", "/b", "/missing"),
                "/b": page("B", "/a?x=1"),
                "/a?x=1": page("A1"),
            }
        )
    )
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    base = srv.url
    assert set(got) == {f"{base}/", f"{base}/a", f"{base}/b", f"{base}/a?x=1", f"{base}/missing"}
    assert got[f"{base}/missing"]["status"] == 404
    assert got[f"{base}/"]["depth"] == 0
    assert got[f"{base}/a?x=1"]["depth"] == 2
    assert got[f"{base}/"]["title"] == "Home"
    assert got[f"{base}/"]["indexable"] is True
    assert summary.pages == 5
    assert summary.by_status == {200: 4, 404: 1}
    links = rows(
        store,
        "SELECT s.url AS src, d.url AS dst, l.ordinal, l.fragment, l.anchor FROM links l "
        "JOIN urls s ON s.id = l.src_id JOIN urls d ON d.id = l.dst_id ORDER BY src, ordinal",
    )
    home = [r for r in links if r["src"] == f"{base}/"]
    assert [(r["dst"], r["fragment"]) for r in home] == [
        (f"{base}/a", None),
        (f"{base}/b", None),
        (f"{base}/a", "part"),
    ]
    assert summary.links == len(links) == 7
    assert store.count("page_text", crawl_id=summary.crawl_id) == 4
    info = store.crawl_info(summary.crawl_id)
    assert info["status"] == "finished"


def test_other_hosts_are_stored_but_never_fetched(serve: Serve, store: Store) -> None:
    other_hits: list[str] = []

    async def other(request: web.Request) -> web.Response:
        other_hits.append(request.path)
        return html(page("Other"))

    external = serve(site({"/": other, "/x": other}))
    ext_url = external.url.replace("127.0.0.1", "localhost")  # a different host, same machine
    srv = serve(site({"/": page("Home", f"{ext_url}/x", "https://example.org/")}))
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    assert other_hits == []
    assert set(pages_by_url(store)) == {srv.url + "/"}
    assert store.count("links") == 2


def test_check_external_heads_each_target_once(serve: Serve, store: Store) -> None:
    methods: list[tuple[str, str]] = []

    async def ext(request: web.Request) -> web.Response:
        methods.append((request.method, request.path))
        if request.path == "/nohead" and request.method == "HEAD":
            return web.Response(status=405)
        return web.Response(status=200 if request.path != "/gone" else 410)

    external = serve(site({"/ok": ext, "/nohead": ext, "/gone": ext}))
    ext_url = external.url.replace("127.0.0.1", "localhost")
    links = [f"{ext_url}/ok", f"{ext_url}/nohead", f"{ext_url}/gone"]
    srv = serve(site({"/": page("Home", *links, "/b"), "/b": page("B", *links)}))
    crawl_site(store, [srv.url + "/"], settings(check_external=True), EXTRACT)
    got = pages_by_url(store)
    assert got[f"{ext_url}/ok"]["status"] == 200
    assert got[f"{ext_url}/ok"]["internal"] is False
    assert got[f"{ext_url}/gone"]["status"] == 410
    assert got[f"{ext_url}/nohead"]["status"] == 200
    assert sorted(methods) == sorted(
        [("HEAD", "/ok"), ("HEAD", "/nohead"), ("GET", "/nohead"), ("HEAD", "/gone")]
    )


def test_max_pages_and_max_depth(serve: Serve, store: Store) -> None:
    async def chain(request: web.Request) -> web.Response:
        n = int(request.path.strip("/") or 0)
        return html(page(f"P{n}", f"/{2 * n + 1}", f"/{2 * n + 2}"))  # a binary tree

    srv = serve(site({f"/{i}" if i else "/": chain for i in range(3000)}))
    s1 = crawl_site(store, [srv.url + "/"], settings(max_pages=7), EXTRACT)
    assert s1.pages == 7
    s2 = crawl_site(store, [srv.url + "/"], settings(max_depth=2), EXTRACT, recrawl=True)
    depths = rows(store, f"SELECT depth FROM pages WHERE crawl_id = {s2.crawl_id}")
    assert max(r["depth"] for r in depths) == 2
    assert s2.pages == 1 + 2 + 4


def test_include_exclude_and_scope_prefixes(serve: Serve, store: Store) -> None:
    other = serve(site({"/docs/x": page("Docs X"), "/blog/y": page("Blog Y")}))
    other_url = other.url.replace("127.0.0.1", "localhost")
    srv = serve(
        site(
            {
                "/": page("Home", "/keep/1", "/drop/1", "/keep/private", f"{other_url}/docs/x"),
                "/keep/1": page("K1", f"{other_url}/blog/y"),
                "/drop/1": page("D1"),
                "/keep/private": page("KP"),
            }
        )
    )
    cfg = settings(
        include=(r"/keep/", r"/docs/"), exclude=(r"private",), scope=(f"{other_url}/docs/",)
    )
    crawl_site(store, [srv.url + "/"], cfg, EXTRACT)
    got = set(pages_by_url(store))
    assert got == {srv.url + "/", srv.url + "/keep/1", f"{other_url}/docs/x"}


def test_redirect_hops_are_pages_and_chains_are_capped(serve: Serve, store: Store) -> None:
    def to(location: str, status: int = 301) -> Any:
        async def handler(_: web.Request) -> web.Response:
            return web.Response(status=status, headers={"Location": location})

        return handler

    srv = serve(
        site(
            {
                "/": page("Home", "/old", "/loop1", "/long0"),
                "/old": to("/mid", 301),
                "/mid": to("/new", 302),
                "/new": page("New"),
                "/loop1": to("/loop2"),
                "/loop2": to("/loop1"),
                **{f"/long{i}": to(f"/long{i + 1}") for i in range(10)},
                "/long10": page("End of the long chain"),
            }
        )
    )
    summary = crawl_site(store, [srv.url + "/"], settings(max_redirects=3), EXTRACT)
    got = pages_by_url(store)
    u = srv.url
    ids = {r["url"]: r["id"] for r in rows(store, "SELECT url, id FROM urls")}
    assert got[f"{u}/old"]["status"] == 301
    assert got[f"{u}/old"]["redirect_url_id"] == ids[f"{u}/mid"]
    assert got[f"{u}/mid"]["redirect_url_id"] == ids[f"{u}/new"]
    assert got[f"{u}/new"]["status"] == 200
    assert got[f"{u}/new"]["depth"] == 1
    assert got[f"{u}/loop1"]["status"] == got[f"{u}/loop2"]["status"] == 301  # loop ends
    assert f"{u}/long3" in got
    assert f"{u}/long4" not in got
    assert got[f"{u}/long3"]["error"] == "redirect chain longer than 3"
    assert summary.interrupted is False


def test_canonical_hreflang_and_robots_directives(serve: Serve, store: Store) -> None:
    async def header_canonical(_: web.Request) -> web.Response:
        return html(page("Hdr"), headers={"Link": '</canon>; rel="canonical"'})

    async def x_robots(_: web.Request) -> web.Response:
        return html(page("XR", "/hidden-by-header"), headers={"X-Robots-Tag": "noindex, nofollow"})

    srv = serve(
        site(
            {
                "/": page("Home", "/c", "/h", "/noidx", "/nofol", "/xr"),
                "/c": '<html><head><link rel="canonical" href="/canon">'
                '<link rel="alternate" hreflang="de" href="/de/c"></head><body>C</body></html>',
                "/h": header_canonical,
                "/noidx": '<html><head><meta name="robots" content="noindex"></head>'
                '<body><a href="/from-noindex">x</a></body></html>',
                "/nofol": '<html><head><meta name="robots" content="nofollow"></head>'
                '<body><a href="/never">x</a></body></html>',
                "/xr": x_robots,
                "/canon": page("Canon"),
                "/from-noindex": page("F"),
            }
        )
    )
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    u = srv.url
    ids = {r["url"]: r["id"] for r in rows(store, "SELECT url, id FROM urls")}
    assert got[f"{u}/c"]["canonical_url_id"] == ids[f"{u}/canon"]
    assert got[f"{u}/h"]["canonical_url_id"] == ids[f"{u}/canon"]
    assert got[f"{u}/noidx"]["indexable"] is False
    assert got[f"{u}/noidx"]["meta_robots"] == "noindex"
    assert f"{u}/from-noindex" in got  # noindex alone still follows
    assert f"{u}/never" not in got
    assert f"{u}/hidden-by-header" not in got
    assert got[f"{u}/xr"]["x_robots_tag"] == "noindex, nofollow"
    assert got[f"{u}/xr"]["indexable"] is False
    # nofollow pages' links are stored, just not followed
    assert store.count("links", src_id=ids[f"{u}/nofol"]) == 1
    hl = rows(store, "SELECT src_id, dst_id, lang FROM hreflang")
    assert hl == [{"src_id": ids[f"{u}/c"], "dst_id": ids[f"{u}/de/c"], "lang": "de"}]


def test_non_html_is_recorded_not_parsed(serve: Serve, store: Store) -> None:
    async def pdf(_: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4 <a href='/x'>", content_type="application/pdf")

    srv = serve(site({"/": page("Home", "/doc.pdf"), "/doc.pdf": pdf, "/x": page("X")}))
    crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    got = pages_by_url(store)
    assert got[srv.url + "/doc.pdf"]["content_type"] == "application/pdf"
    assert got[srv.url + "/doc.pdf"]["title"] is None
    assert srv.url + "/x" not in got


def test_base_url_stores_public_urls_and_fetches_the_copy(serve: Serve, store: Store) -> None:
    public = "https://www.greenleaf-landscaping.com"
    requested: list[str] = []

    async def track(request: web.Request) -> web.Response:
        requested.append(request.path)
        return html(page("Services", f"{public}/contact", "https://elsewhere.example/"))

    srv = serve(
        site(
            {
                "/": page("Home", f"{public}/services", "/about"),
                "/about": page("About", "/"),
                "/services": track,
                "/contact": page("Contact"),
            }
        )
    )
    crawl_site(store, [srv.url + "/"], settings(base_url=public + "/"), EXTRACT)
    got = set(pages_by_url(store))
    assert got == {f"{public}/", f"{public}/about", f"{public}/services", f"{public}/contact"}
    assert requested == ["/services"]
    assert not any("127.0.0.1" in r["url"] for r in rows(store, "SELECT url FROM urls"))
    assert store.crawl_info(1)["base_url"] == public


def test_per_host_concurrency_and_rate(serve: Serve, store: Store) -> None:
    active = {"now": 0, "max": 0}
    starts: list[float] = []

    async def slow(request: web.Request) -> web.Response:
        starts.append(time.monotonic())
        active["now"] += 1
        active["max"] = max(active["max"], active["now"])
        await asyncio.sleep(0.05)
        active["now"] -= 1
        return html(page("P", *(f"/p{i}" for i in range(12))))

    srv = serve(site({"/": slow, **{f"/p{i}": slow for i in range(12)}}))
    crawl_site(store, [srv.url + "/"], settings(concurrency=10, per_host_concurrency=3), EXTRACT)
    assert active["max"] == 3
    starts.clear()
    crawl_site(store, [srv.url + "/"], settings(rps=20.0), EXTRACT, recrawl=True)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # 20 requests/s → 50 ms apart. Arrival times jitter on a loaded machine: a server stalled
    # for a moment takes the requests sent meanwhile at once, so single gaps may shrink to
    # nothing; the span of all of them cannot (without the limit it is under a third of this).
    assert len(gaps) >= 12
    assert sum(gaps) / len(gaps) >= 0.048


def test_bad_seed_and_unreachable_start_raise_crawl_error(store: Store) -> None:
    with pytest.raises(CrawlError, match="not an http"):
        crawl_site(store, ["ftp://example.com/"], settings(), EXTRACT)
    with pytest.raises(CrawlError, match="cannot be reached"):
        crawl_site(store, ["http://127.0.0.1:9/"], settings(), EXTRACT)
    with pytest.raises(CrawlError, match="regex"):
        crawl_site(store, ["http://127.0.0.1:9/"], settings(include=("[",)), EXTRACT)
    assert store.latest_crawl_id() is None


def test_settings_json_keeps_no_secrets(serve: Serve, store: Store) -> None:
    srv = serve(site({"/": page("Home")}))
    cfg = settings(auth="ann:s3cret", headers=("Authorization: Bearer tok",))
    summary = crawl_site(store, [srv.url + "/"], cfg, EXTRACT)
    text = store.crawl_info(summary.crawl_id)["settings_json"]
    assert "s3cret" not in text
    assert "tok" not in text


def test_parsing_in_worker_processes_stores_the_same_rows(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def tree(request: web.Request) -> web.Response:
        n = int(request.path.strip("/") or 0)
        kids = [f"/{k}" for k in (2 * n + 1, 2 * n + 2, 3 * n + 7) if k < 150]
        return html(page(f"P{n}", *kids))

    srv = serve(site({f"/{i}" if i else "/": tree for i in range(150)}))
    monkeypatch.setattr(engine_module, "USE_WORKERS", False)
    inline = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    monkeypatch.setattr(engine_module, "USE_WORKERS", True)
    monkeypatch.setattr(engine_module, "BIG_BYTES", 0)  # every page waits for a worker
    started = Engine.pools_used
    pooled = crawl_site(store, [srv.url + "/"], settings(), EXTRACT, recrawl=True)

    def content(crawl_id: int) -> set[tuple[Any, ...]]:
        return {
            tuple(r.values())
            for r in rows(
                store,
                f"SELECT src_id, dst_id, ordinal, anchor, position, context FROM links "
                f"WHERE crawl_id = {crawl_id}",
            )
        }

    assert pooled.pages == inline.pages == 150
    assert content(pooled.crawl_id) == content(inline.crawl_id)
    assert Engine.pools_used == started + 1


@pytest.mark.parametrize("big", [False, True], ids=["small-pages", "big-pages"])
def test_pages_are_parsed_here_until_a_worker_is_ready_big_ones_wait_for_it(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch, big: bool
) -> None:
    """Workers that take 5 s to start: 60 small pages are all parsed in the crawl process,
    which never waits for them (they are stopped, not waited for, at the end); a page of
    ``BIG_BYTES`` or more waits for a worker instead, and the crawl then parses there."""
    delay = 5.0
    monkeypatch.setattr(
        workers_module, "_WORKER", f"import time; time.sleep({delay}); {workers_module._WORKER}"
    )
    filler = "<p>" + "word " * 210_000 + "</p>" if big else ""

    async def hub(request: web.Request) -> web.Response:
        n = int(request.path.strip("/") or 0)
        kids = [f"/{k}" for k in range(1, 60)] if n == 0 else []
        return html(page(f"P{n}", *kids, body=filler if n == 30 else ""))

    srv = serve(site({f"/{i}" if i else "/": hub for i in range(60)}))
    started = Engine.pools_used
    begun = time.monotonic()
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    took = time.monotonic() - begun
    assert summary.pages == 60
    assert Engine.pools_used == started + (1 if big else 0)
    assert (took > delay) is big
    titles = rows(store, f"SELECT count(title) AS n FROM pages WHERE crawl_id = {summary.crawl_id}")
    assert titles == [{"n": 60}]  # every page parsed, wherever


@pytest.mark.parametrize("rest_seconds", [0.0, 3600.0])
def test_duckdb_rests_only_once_the_fetching_has_lasted(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch, rest_seconds: float
) -> None:
    """DuckDB's code is handed back after REST_SECONDS of fetching, never in a shorter
    fetching (it would cost more time than it saves memory), and the crawl is whole."""
    calls: list[str] = []

    def rest() -> int:
        calls.append("rest")
        return 0

    monkeypatch.setattr(runner_module, "REST_SECONDS", rest_seconds)
    monkeypatch.setattr(runner_module, "rest_duckdb", rest)
    pages = {"/": page("Home", *[f"/p{i}" for i in range(30)])}
    pages |= {f"/p{i}": page(f"P{i}", "/") for i in range(30)}
    summary = crawl_site(store, [serve(site(pages)).url + "/"], settings(), EXTRACT)
    assert summary.pages == 31
    assert calls == (["rest"] if rest_seconds == 0 else [])


def test_memory_cap_applies_during_the_block_and_is_restored(store: Store) -> None:
    before = store.scalar("SELECT current_setting('memory_limit')")
    with memory_cap(store, "300MB"):
        assert store.scalar("SELECT current_setting('memory_limit')") == "286.1 MiB"
    for _ in range(3):  # restored exactly, not drifting by a rounding step each time
        with memory_cap(store, "32MB"), memory_cap(store, "16MB"):
            assert store.scalar("SELECT current_setting('memory_limit')") == "15.2 MiB"
    assert store.scalar("SELECT current_setting('memory_limit')") == before
    # The cap is lifted in fact, not only in display: this needs far more than 16 MB.
    hungry = "SELECT count(*) FROM (SELECT DISTINCT i::VARCHAR FROM range(3000000) t(i))"
    with memory_cap(store, "16MB"), pytest.raises(StoreError):
        store.execute(hungry)
    store.execute(hungry)
    with pytest.raises(ValueError, match="memory size"), memory_cap(store, "1; DROP TABLE x"):
        pass


def test_a_nested_memory_cap_leaves_the_outer_one_in_force(store: Store) -> None:
    def settings() -> tuple[str, str, str]:
        row = store.rows(
            "SELECT current_setting('memory_limit'), current_setting('threads')::VARCHAR, "
            "current_setting('checkpoint_threshold')"
        )
        return row[0]

    before = settings()
    with memory_cap(store, "32MB"):
        capped = settings()
        assert capped[:2] == ("30.5 MiB", "1")
        assert capped[2].endswith("GiB")  # no automatic checkpoint under the cap
        for inner, shown in (("32MB", "30.5 MiB"), ("16MB", "15.2 MiB")):
            with memory_cap(store, inner):
                assert settings()[:2] == (shown, "1")
            # The outer cap again, not the settings from before it: neither lifted nor
            # left at the inner cap. (The threshold is shown rounded, so it is restored
            # to a value a rounding step away: only its unit is checked.)
            now = settings()
            assert now[:2] == capped[:2]
            assert now[2].endswith("GiB")
    assert settings() == before


def test_a_memory_cap_nested_in_the_same_cap_runs_no_statement(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def limit() -> str:
        return str(store.scalar("SELECT current_setting('memory_limit')"))

    before = limit()
    statements: list[str] = []
    for name in ("execute", "rows", "scalar"):
        method = getattr(store, name)

        def counted(sql: str, *args: object, _method: Any = method) -> Any:
            statements.append(sql)
            return _method(sql, *args)

        monkeypatch.setattr(store, name, counted)
    with memory_cap(store, "32MB"):
        outer = len(statements)
        assert outer == 2  # the settings read, then set
        with memory_cap(store, "32MB"), memory_cap(store, 32 * 10**6):
            assert len(statements) == outer
            assert limit() == "30.5 MiB"
        with memory_cap(store, "16MB"):  # another cap: set, and the outer one set back
            assert limit() == "15.2 MiB"
        assert limit() == "30.5 MiB"
        statements.clear()
        with memory_cap(store, "32MB"):  # the same cap again, once the other one ended
            assert statements == []
    assert limit() == before
    statements.clear()
    with memory_cap(store, "32MB"):  # not nested any more: set and restored again
        assert len(statements) == 2
    assert limit() == before


def test_check_urls_adds_unreached_targets_without_following(serve: Serve, store: Store) -> None:
    public = "https://www.example-shop.com"
    srv = serve(
        site(
            {
                "/": page("Home", "/a"),
                "/a": page("A"),
                "/landing": page("Only linked from other sites", "/never-followed"),
                "/never-followed": page("N"),
            }
        )
    )
    summary = crawl_site(store, [srv.url + "/"], settings(base_url=public), EXTRACT)
    targets = [f"{public}/landing", f"{public}/gone/", f"{public}/a", "https://elsewhere.org/"]
    added = check_urls(store, summary.crawl_id, targets, settings(), EXTRACT)
    got = pages_by_url(store)
    assert added == 2
    assert got[f"{public}/landing"]["status"] == 200
    assert got[f"{public}/landing"]["depth"] is None
    assert got[f"{public}/gone/"]["status"] == 404
    assert f"{public}/never-followed" not in got
    assert "https://elsewhere.org/" not in got
    assert store.count("pages", crawl_id=summary.crawl_id) == 2 + 2


def _library_resident_mb() -> int:
    """Resident MB of DuckDB's compiled library in this process."""
    return resident_mb(sys.modules["_duckdb"].__file__)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux's madvise and /proc")
def test_the_fetching_runs_without_duckdbs_library_resident(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crawl hands back the pages of DuckDB's code while it fetches (the fetching
    writes the journal, not the store) and they come back when the store is used."""
    monkeypatch.setattr(runner_module, "REST_SECONDS", 0.0)  # this crawl lasts less
    srv = serve(site({"/": page("Home", *(f"/p{i}" for i in range(30)))}))
    seen: dict[str, int] = {}

    class Watch:
        def start(self, **_: object) -> None:
            seen["start"] = _library_resident_mb()

        def update(self, stats: object) -> None:
            seen["fetching"] = max(seen.get("fetching", 0), _library_resident_mb())

        def stage(self, name: str, detail: str) -> None:
            seen.setdefault(name, _library_resident_mb())

        def finish(self, summary: object) -> None:
            seen["finish"] = _library_resident_mb()

    store.scalar("SELECT count(*) FROM pages")  # the store has run: its library is in
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT, progress=Watch())
    assert summary.pages == 31
    # The kernel leaves pages that other processes map too: none does while tests run.
    assert seen["start"] >= 10, seen
    assert seen["fetching"] <= seen["start"] // 4, seen
    assert seen["store"] <= seen["start"] // 4, seen
    assert seen["finish"] > seen["store"], seen  # loading and storing ran its code again
