"""Build folders with a ``_redirects`` file: rules answer with their 3xx status."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from linkflow.crawl import crawl_folder
from linkflow.crawl.folder import parse_redirects
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store


def _page(*links: str) -> str:
    anchors = "".join(f'<p>See <a href="{href}">{href}</a> now.</p>' for href in links)
    head = "<!doctype html><html><head><title>t</title></head>"
    return f"{head}<body><main>{anchors}</main></body></html>"


def test_redirect_rules_become_redirect_hops(tmp_path: Path) -> None:
    site = tmp_path / "public"
    (site / "new").mkdir(parents=True)
    (site / "index.html").write_text(_page("/old/", "/gone"))
    (site / "new" / "index.html").write_text(_page("/"))
    (site / "_redirects").write_text(
        "# moved\n/old /middle/ 301\n/middle/ /new/ 308\n/gone https://other.example/x 302\n"
        "/cond /new/ Country=us\n"
    )
    with Store.open(tmp_path / "a.duckdb") as store:
        summary = crawl_folder(
            store, site, "https://site.test/", CrawlSettings(), ExtractSettings()
        )
        rows = store.query(
            "SELECT u.url, p.status, r.url AS location FROM pages p JOIN urls u ON u.id = p.url_id "
            "LEFT JOIN urls r ON r.id = p.redirect_url_id WHERE p.crawl_id = ?",
            [summary.crawl_id],
        ).to_pylist()
    got = {r["url"]: (r["status"], r["location"]) for r in rows}
    assert got["https://site.test/old/"] == (301, "https://site.test/middle/")
    assert got["https://site.test/middle/"] == (308, "https://site.test/new/")
    assert got["https://site.test/gone"] == (302, "https://other.example/x")
    assert got["https://site.test/new/"] == (200, None)


@given(st.text(max_size=200))
def test_parse_redirects_never_raises(text: str) -> None:
    for source, (_target, status) in parse_redirects(text).items():
        assert source
        assert status >= 0


def test_a_condition_in_place_of_the_status_means_301() -> None:
    assert parse_redirects("/a /b Country=us\n/c /d 302!\n") == {
        "/a": ("/b", 301),
        "/c": ("/d", 302),
    }
