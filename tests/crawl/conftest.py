"""Real aiohttp servers on 127.0.0.1, each in its own thread with its own event loop.

The crawler under test runs its own ``asyncio.run`` in the test's thread, so the server
cannot share that loop; a thread keeps both real and independent.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store


class Server:
    """An aiohttp application served on 127.0.0.1:<random port> from a thread."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        runner = web.AppRunner(self.app, handle_signals=False, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    def __enter__(self) -> Server:
        self._thread.start()
        assert self._ready.wait(10), "test server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture
def serve() -> Iterator[Callable[[web.Application], Server]]:
    """``serve(app)`` starts ``app`` on 127.0.0.1 and stops it after the test."""
    servers: list[Server] = []

    def start(app: web.Application) -> Server:
        server = Server(app).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "audit.duckdb") as st:
        yield st


def settings(**kw: object) -> CrawlSettings:
    """Crawl settings for tests: fast timeouts, no retry waits unless asked."""
    base: dict[str, object] = {"timeout": 5.0, "connect_timeout": 2.0, "retries": 0}
    base.update(kw)
    return CrawlSettings(**base)  # type: ignore[arg-type]


EXTRACT = ExtractSettings()


def page(title: str, *links: str, body: str = "") -> str:
    """A small HTML page with ``links`` in its main content."""
    anchors = "".join(
        f'<p>See <a href="{href}">link {i}</a> here.</p>' for i, href in enumerate(links)
    )
    return (
        f"<!doctype html><html lang=en><head><title>{title}</title></head>"
        f"<body><main><h1>{title}</h1>{body}{anchors}</main></body></html>"
    )


def html(text: str, **kw: object) -> web.Response:
    return web.Response(text=text, content_type="text/html", **kw)  # type: ignore[arg-type]


def numbered_site(n_pages: int, *, delay: float = 0.0) -> web.Application:
    """Pages ``/0`` … ``/<n_pages - 1>``, each linking to a few others (some just past the
    end, which are 404s); no robots.txt. ``delay``: seconds each page takes."""

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        n = int(request.path.strip("/") or 0)
        if n >= n_pages:
            return web.Response(status=404)
        if delay:
            await asyncio.sleep(delay)
        targets = {2 * n + 1, 2 * n + 2, n // 2, (n * 7 + 3) % (n_pages + 20)}
        return html(page(f"Page {n}", *(f"/{t}" for t in sorted(targets))))

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    return app
