"""The crawl process hands its freed heap back on the journal's writer thread, at most as
often as its :class:`linkflow.heap.Trimmer` says (see ``linkflow/heap.py`` for why)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from aiohttp import web

from linkflow.crawl import crawl_site
from linkflow.crawl import engine as engine_module
from linkflow.crawl.journal import CrawlBatch, Journal
from linkflow.heap import Trimmer
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings

Serve = Callable[[web.Application], Server]
PAGES = 120


def _site() -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        name = request.path.strip("/") or "0"
        if not name.isdigit():  # robots.txt, sitemaps
            return web.Response(status=404)
        n = int(name)
        return html(page(f"P{n}", *(f"/{m}" for m in (n + 1, 2 * n + 1) if m < PAGES)))

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    return app


def _crawl(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch, every: float
) -> tuple[list[str], int]:
    """Crawl the whole site with trimmers due every ``every`` seconds, in several journal
    writes: (the threads that trimmed, journal writes of pages)."""
    trimmed: list[str] = []
    writes: list[int] = []

    class Counted(Trimmer):
        def __init__(self) -> None:
            super().__init__(every)

        def trim(self) -> None:
            trimmed.append(threading.current_thread().name)
            super().trim()

    write = Journal.write

    def counted_write(self: Journal, batch: CrawlBatch) -> None:
        if batch.pages:  # not the sitemaps' entries, written apart before the crawl
            writes.append(1)
        write(self, batch)

    monkeypatch.setattr(engine_module, "Trimmer", Counted)
    monkeypatch.setattr(Journal, "write", counted_write)
    monkeypatch.setattr(engine_module, "BATCH_PAGES", 10)
    srv = serve(_site())
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT, recrawl=True)
    assert summary.pages == PAGES
    assert len(writes) >= PAGES // 20  # batches of 10 pages at most
    return trimmed, len(writes)


def test_each_journal_write_is_followed_by_a_trim_once_one_is_due(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    trimmed, writes = _crawl(serve, store, monkeypatch, every=0.0)
    assert len(trimmed) == writes
    main = threading.main_thread().name
    assert main not in trimmed  # never on the event loop's thread


def test_no_trim_before_one_is_due(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    trimmed, _ = _crawl(serve, store, monkeypatch, every=3600.0)
    assert trimmed == []
