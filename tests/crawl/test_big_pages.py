"""Pages as big as the crawler accepts are stored whole, in one run.

A documentation site whose largest page was a 10 MB source-code view once ended its crawl
with exit 2: the page's text was one CSV line longer than DuckDB reads by default (2 MB).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from linkflow.crawl import crawl_site
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings

Serve = Callable[[web.Application], Server]
MAX_BODY = 10_500_000
"""The crawler's largest body here: room for a 5 MB title and a 5 MB anchor on one page."""


def _paragraph_page() -> str:
    """A page of exactly ``MAX_BODY`` bytes whose text is one paragraph."""
    head = "<!doctype html><html lang=en><head><title>Source view</title></head><body><main><p>"
    tail = '</p><a href="/">home</a></main></body></html>'
    words = "def lookup(key): return table[key] if key in table else None # "
    room = MAX_BODY - len(head) - len(tail)
    text = (words * (room // len(words) + 1))[:room]
    return head + text + tail


def _long_anchor_page() -> str:
    title, anchor = "T" * 5_000_000, "a" * 5_000_000
    return (
        f"<!doctype html><html lang=en><head><title>{title}</title></head><body><main>"
        f'<p>See <a href="/">{anchor}</a>.</p></main></body></html>'
    )


def test_pages_at_the_largest_body_size_are_stored(serve: Serve, tmp_path: Path) -> None:
    big, anchored = _paragraph_page(), _long_anchor_page()
    assert len(big.encode()) == MAX_BODY
    assert len(anchored.encode()) <= MAX_BODY

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/big":
            return html(big)
        if request.path == "/anchored":
            return html(anchored)
        if request.path == "/":
            return html(page("Home", "/big", "/anchored"))
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    srv = serve(app)
    with Store.open(tmp_path / "audit.duckdb") as store:
        crawl = settings(timeout=60.0, max_body_bytes=MAX_BODY)
        summary = crawl_site(store, [srv.url + "/"], crawl, EXTRACT)
        assert not summary.interrupted
        assert summary.by_status == {200: 3}
        rows = {
            url: (status, error, title_len, text_len)
            for url, status, error, title_len, text_len in store.rows(
                "SELECT u.url, p.status, p.error, length(p.title), length(t.main_text) "
                "FROM pages p JOIN urls u ON u.id = p.url_id "
                "LEFT JOIN page_text t ON t.url_id = p.url_id AND t.crawl_id = p.crawl_id"
            )
        }
        status, error, _, text_len = rows[srv.url + "/big"]
        assert (status, error) == (200, None)
        assert text_len is not None
        assert text_len > 10_000_000
        status, error, title_len, _ = rows[srv.url + "/anchored"]
        assert (status, error, title_len) == (200, None, 5_000_000)
        anchors = store.rows(
            "SELECT s.url, d.url, length(l.anchor) FROM links l JOIN urls s ON s.id = l.src_id "
            "JOIN urls d ON d.id = l.dst_id WHERE s.url <> ?",
            [srv.url + "/"],
        )
        assert sorted(anchors) == [
            (srv.url + "/anchored", srv.url + "/", 5_000_000),
            (srv.url + "/big", srv.url + "/", 4),
        ]
