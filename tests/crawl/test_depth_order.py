"""A page's crawl depth is its fewest clicks from a seed, whatever order pages come back in.

Pages are absorbed as their fetch and parse end, not in the order they were queued, so a
deeper page can find a URL before a shallower, slower page that also links to it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from linkflow.crawl import crawl_site
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings

Serve = Callable[[web.Application], Server]

# / → /a (slow) → /x ;  / → /b → /c → /x ;  /x → /y.  Fewest clicks: /x 2, /y 3.
LINKS = {"/": ["/a", "/b"], "/a": ["/x"], "/b": ["/c"], "/c": ["/x"], "/x": ["/y"], "/y": []}


def _site(slow: float) -> web.Application:
    async def serve_page(request: web.Request) -> web.Response:
        if request.path not in LINKS:
            return web.Response(status=404)
        if request.path == "/a":
            await asyncio.sleep(slow)  # /b and /c, and /x through them, are done by then
        return html(page(request.path, *LINKS[request.path]))

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve_page)
    return app


def test_a_slow_shallow_page_still_sets_the_depth_of_what_it_links_to(
    serve: Serve, store: Store
) -> None:
    site = serve(_site(slow=1.0))
    summary = crawl_site(store, [site.url + "/"], settings(), EXTRACT)
    assert summary.pages == len(LINKS)
    depths = dict(
        store.rows(
            "SELECT u.url, p.depth FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.crawl_id = ?",
            [summary.crawl_id],
        )
    )
    expected = {"/": 0, "/a": 1, "/b": 1, "/c": 2, "/x": 2, "/y": 3}
    assert depths == {site.url + path: depth for path, depth in expected.items()}
