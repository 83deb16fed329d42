"""A parse worker that dies or stalls mid-crawl costs time, never pages: the crawl parses
in its own process from then on and stores exactly what an undisturbed crawl stores."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from linkflow.crawl import crawl_site
from linkflow.crawl import engine as engine_module
from linkflow.crawl import workers as workers_module
from linkflow.crawl.engine import Engine
from linkflow.crawl.workers import Parked, ParsePool, WorkerLost
from linkflow.errors import CrawlError
from linkflow.settings import ExtractSettings
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")

Serve = Callable[[web.Application], Server]
PAGES = 150
PAGE = b"<html><head><title>T</title></head><body><p><a href='/x'>an x</a></p></body></html>"


def _workers() -> list[int]:
    """Pids of this process's parse workers (its children running the worker module)."""
    pids: list[int] = []
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"linkflow.extract.worker" in cmdline:
                pids.append(int(pid))
    return pids


def _site(on_request: Callable[[int], None]) -> web.Application:
    """Pages ``/0`` … ``/149`` in a tree; ``on_request(n)`` runs before page ``n`` answers."""

    async def tree(request: web.Request) -> web.Response:
        if not request.path.strip("/").isdigit() and request.path != "/":
            return web.Response(status=404)
        n = int(request.path.strip("/") or 0)
        if n >= PAGES:
            return web.Response(status=404)
        on_request(n)
        kids = [f"/{k}" for k in (2 * n + 1, 2 * n + 2, 3 * n + 7) if k < PAGES]
        return html(page(f"P{n}", *kids, body=f"<p>Page {n} of the tree.</p>"))

    app = web.Application()
    app.router.add_get("/{tail:.*}", tree)
    return app


def _stored(store: Store, crawl_id: int) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    pages = store.rows(
        "SELECT u.url, p.status, p.title, p.word_count, p.content_hash FROM pages p "
        "JOIN urls u ON u.id = p.url_id WHERE p.crawl_id = ?",
        [crawl_id],
    )
    links = store.rows(
        "SELECT s.url, d.url, l.ordinal, l.anchor, l.position, l.context FROM links l "
        "JOIN urls s ON s.id = l.src_id JOIN urls d ON d.id = l.dst_id WHERE l.crawl_id = ?",
        [crawl_id],
    )
    return {tuple(r) for r in pages}, {tuple(r) for r in links}


def _crawl_disturbed(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch, sig: signal.Signals
) -> None:
    """Crawl undisturbed, then again sending ``sig`` to a parse worker at page 60."""
    hit: list[int] = []

    def disturb(n: int) -> None:
        if n == 60 and not hit:
            pids = _workers()
            assert pids, "the crawl parses in workers by page 60"
            os.kill(pids[0], sig)
            hit.append(pids[0])

    quiet = serve(_site(lambda n: None))
    noisy = serve(_site(disturb))
    monkeypatch.setattr(engine_module, "USE_WORKERS", False)
    inline = crawl_site(store, [quiet.url + "/"], settings(), EXTRACT)
    monkeypatch.setattr(engine_module, "USE_WORKERS", True)
    # Every page waits for a worker, parked on disk: a lost worker's pages are read back.
    monkeypatch.setattr(engine_module, "BIG_BYTES", 0)
    started = Engine.pools_used
    # The two servers differ only in port: compare URLs without it.
    disturbed = crawl_site(store, [noisy.url + "/"], settings(), EXTRACT)
    assert hit, "a worker was disturbed mid-crawl"
    assert Engine.pools_used == started + 1
    assert disturbed.pages == inline.pages == PAGES
    before = _stored(store, inline.crawl_id)
    after = _stored(store, disturbed.crawl_id)

    def local(rows: set[tuple[Any, ...]], url: str) -> set[tuple[Any, ...]]:
        return {tuple(v.replace(url, "") if isinstance(v, str) else v for v in r) for r in rows}

    assert local(after[0], noisy.url) == local(before[0], quiet.url)
    assert local(after[1], noisy.url) == local(before[1], quiet.url)
    assert len(before[1]) > PAGES  # the comparison covers the links, not an empty set
    assert not Path(f"/proc/{hit[0]}").exists()  # ended and reaped, even when stalled


def test_a_worker_killed_mid_crawl_loses_no_page(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crawl_disturbed(serve, store, monkeypatch, signal.SIGKILL)


def test_a_worker_stalled_mid_crawl_loses_no_page(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers_module, "PAGE_SECONDS", 1.0)
    start = time.monotonic()
    _crawl_disturbed(serve, store, monkeypatch, signal.SIGSTOP)
    assert time.monotonic() - start < 60


def test_a_stalled_worker_times_out_instead_of_waiting_forever() -> None:
    async def run() -> tuple[bool, float]:
        pool = ParsePool(1, page_seconds=0.5)
        await pool.start()
        assert await pool.parse(PAGE, "http://127.0.0.1/", "text/html", ExtractSettings(), ())
        os.kill(pool.procs[0].pid, signal.SIGSTOP)
        start = time.monotonic()
        try:
            await pool.parse(PAGE, "http://127.0.0.1/", "text/html", ExtractSettings(), ())
            lost = False
        except WorkerLost:
            lost = True
        waited = time.monotonic() - start
        await pool.close()
        return lost, waited

    lost, waited = asyncio.run(run())
    assert lost
    assert 0.4 < waited < 5


def test_every_caller_queued_for_a_worker_learns_the_pool_is_lost() -> None:
    async def run() -> list[object]:
        pool = ParsePool(2)
        await pool.start()
        os.kill(pool.procs[0].pid, signal.SIGKILL)
        await pool.procs[0].wait()
        calls = [
            pool.parse(PAGE, f"http://127.0.0.1/{i}", "text/html", ExtractSettings(), ())
            for i in range(12)
        ]
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 20)
        await pool.close()
        return results

    results = asyncio.run(run())
    assert len(results) == 12
    assert any(isinstance(r, WorkerLost) for r in results)
    # Callers served before the loss was met got their page; none waits forever.
    assert all(
        isinstance(r, WorkerLost) or (isinstance(r, tuple) and r[0].title == "T") for r in results
    )


@pytest.mark.parametrize("workers", [1, 3])
def test_the_parse_workers_setting_sets_how_many_processes_parse(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    seen: list[int] = []

    def count(n: int) -> None:
        if n == 60 and not seen:
            seen.append(len(_workers()))

    monkeypatch.setattr(engine_module, "BIG_BYTES", 0)  # every page waits for a worker
    site = serve(_site(count))
    summary = crawl_site(store, [site.url + "/"], settings(parse_workers=workers), EXTRACT)
    assert summary.pages == PAGES
    assert seen == [workers]


def test_a_negative_parse_workers_setting_is_refused(store: Store) -> None:
    with pytest.raises(CrawlError, match="parse_workers must be 0"):
        crawl_site(store, ["http://127.0.0.1:9/"], settings(parse_workers=-1), EXTRACT)


def test_big_pages_wait_for_their_worker_in_files_each_closed_after(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every page big: each is parked once, its file closed once parsed, and the crawl stores
    # what a crawl parsing in its own process stores.
    opened: list[Parked] = []
    closed: list[Parked] = []

    class Counted(Parked):
        @classmethod
        def of(cls, body: bytes) -> Parked | None:
            parked = super().of(body)
            if parked is not None:
                opened.append(parked)
            return parked

        def close(self) -> None:
            closed.append(self)
            super().close()

    quiet = serve(_site(lambda n: None))
    monkeypatch.setattr(engine_module, "USE_WORKERS", False)
    inline = crawl_site(store, [quiet.url + "/"], settings(), EXTRACT)
    monkeypatch.setattr(engine_module, "USE_WORKERS", True)
    monkeypatch.setattr(engine_module, "BIG_BYTES", 0)
    monkeypatch.setattr(engine_module, "Parked", Counted)
    parked = crawl_site(store, [quiet.url + "/"], settings(), EXTRACT, recrawl=True)
    assert parked.pages == inline.pages == PAGES
    assert len(opened) == PAGES
    assert len({id(p) for p in closed}) == len(closed) == PAGES
    assert _stored(store, parked.crawl_id) == _stored(store, inline.crawl_id)
