"""pages.schema_types is filled by every crawl path (HTTP, parse workers, a build folder)
and left NULL by a Screaming Frog import, whose exports carry no structured data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web

from linkflow.crawl import crawl_folder, crawl_site
from linkflow.crawl import engine as engine_module
from linkflow.crawl.engine import Engine
from linkflow.ingest.screaming_frog import import_screaming_frog
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, html, page, settings

SF = Path(__file__).parent.parent / "data" / "screaming_frog"

LD = '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "%s"}</script>'
PAGES = {
    "/": page("Home", "/a", "/b", "/c", body=LD % "WebSite"),
    "/a": page("A", "/", body=LD % "Service"
               + '<div itemscope itemtype="https://schema.org/Offer">x</div>'),
    "/b": page("B", "/", body='<script type="application/ld+json">{"@type": "Product",</script>'),
    "/c": page("C", "/"),
}  # fmt: skip
"""Path → HTML; the types each page should get are in ``EXPECTED``."""
EXPECTED = {"/": "WebSite", "/a": "Offer Service", "/b": None, "/c": None}


def _types(store: Store, crawl_id: int, prefix: str) -> dict[str, str | None]:
    rows = store.rows(
        "SELECT u.url, p.schema_types FROM pages p JOIN urls u ON u.id = p.url_id "
        "WHERE p.crawl_id = ? AND p.status = 200",
        [crawl_id],
    )
    return {url.removeprefix(prefix) or "/": types for url, types in rows}


def _app() -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        text = PAGES.get(request.path)
        return html(text) if text is not None else web.Response(status=404)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


@pytest.mark.parametrize("pool", [False, True], ids=["inline", "workers"])
def test_an_http_crawl_stores_the_declared_types(
    serve: Callable[[web.Application], Server],
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    pool: bool,
) -> None:
    monkeypatch.setattr(engine_module, "USE_WORKERS", pool)
    monkeypatch.setattr(engine_module, "BIG_BYTES", 0)  # every page waits for a worker
    srv = serve(_app())
    started = Engine.pools_used
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT)
    assert _types(store, summary.crawl_id, srv.url) == EXPECTED
    assert (Engine.pools_used > started) is pool


def test_a_folder_crawl_stores_the_declared_types(tmp_path: Path, store: Store) -> None:
    for path, text in PAGES.items():  # "/a" is served from a.html, as static hosts do
        (tmp_path / ("index.html" if path == "/" else path[1:] + ".html")).write_text(text)
    summary = crawl_folder(store, tmp_path, "https://site.test/", settings(), EXTRACT)
    assert _types(store, summary.crawl_id, "https://site.test") == EXPECTED


def test_a_screaming_frog_import_leaves_them_unknown(store: Store) -> None:
    crawl_id = import_screaming_frog(
        store, SF / "current_all_inlinks.csv", SF / "current_internal_all.csv"
    ).crawl_id
    assert store.scalar("SELECT count(*) FROM pages WHERE crawl_id = ?", [crawl_id]) > 0
    assert store.rows("SELECT DISTINCT schema_types FROM pages WHERE crawl_id = ?", [crawl_id]) == [
        (None,)
    ]
