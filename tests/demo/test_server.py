"""The demo server: a real aiohttp server on 127.0.0.1, requested over real sockets."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.demo import DEMO_ORIGIN, DEMO_SITE, serve_site
from linkflow.demo.server import _Site, parse_redirects
from tests.demo.conftest import fetch


def test_every_page_is_served_as_html(demo_server: str, planted: dict) -> None:
    for url in planted["pages"]:
        resp = fetch(demo_server, url.removeprefix(DEMO_ORIGIN))
        assert resp.status == 200, url
        assert resp.headers["content-type"] == "text/html; charset=utf-8"
        assert resp.body.lstrip().startswith(b"<!DOCTYPE html>")


def test_pretty_url_redirect_keeps_query(demo_server: str) -> None:
    resp = fetch(demo_server, "/services/lawn-care?ref=nav")
    assert resp.status == 301
    assert resp.headers["location"] == "/services/lawn-care/?ref=nav"
    assert fetch(demo_server, "/index.html").status == 200


def test_redirect_chain_hops_one_by_one(demo_server: str, planted: dict) -> None:
    (chain,) = planted["redirect_chains"]
    paths = [u.removeprefix(DEMO_ORIGIN) for u in chain]
    for here, there in itertools.pairwise(paths):
        resp = fetch(demo_server, here)
        assert resp.status == 301
        assert resp.headers["location"] == there
    assert fetch(demo_server, paths[-1]).status == 200
    # A rule also matches its path without the trailing slash.
    assert fetch(demo_server, paths[0].rstrip("/")).headers["location"] == paths[1]


def test_every_redirect_rule_is_served(demo_server: str, planted: dict) -> None:
    for rule in planted["redirects"]:
        resp = fetch(demo_server, rule["from"].removeprefix(DEMO_ORIGIN))
        assert resp.status == rule["status"]
        assert resp.headers["location"] == rule["to"].removeprefix(DEMO_ORIGIN)


def test_missing_pages_get_the_404_page(demo_server: str, planted: dict) -> None:
    not_found = (DEMO_SITE / "404.html").read_bytes()
    for url in [*planted["broken_targets"], *planted["backlink_targets_broken"]]:
        resp = fetch(demo_server, url.removeprefix(DEMO_ORIGIN))
        assert resp.status == 404
        assert resp.body == not_found


@pytest.mark.parametrize(
    "path", ["/_redirects", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.git/config"]
)
def test_hidden_files_and_escapes_are_not_served(demo_server: str, path: str) -> None:
    assert fetch(demo_server, path).status == 404


def test_robots_and_sitemap(demo_server: str) -> None:
    robots = fetch(demo_server, "/robots.txt")
    assert robots.status == 200
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    assert b"Sitemap: " in robots.body
    sitemap = fetch(demo_server, "/sitemap.xml")
    assert sitemap.status == 200
    assert sitemap.headers["content-type"].startswith("application/xml")
    assert ElementTree.fromstring(sitemap.body).tag.endswith("urlset")


def test_assets_content_types(demo_server: str) -> None:
    assert fetch(demo_server, "/assets/site.css").headers["content-type"].startswith("text/css")
    svg = fetch(demo_server, "/assets/img/logo.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")


def test_head_and_other_methods(demo_server: str) -> None:
    head = fetch(demo_server, "/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert int(head.headers["content-length"]) == len(fetch(demo_server, "/").body)
    assert fetch(demo_server, "/", method="POST").status == 405


def test_folder_without_404_page_and_clean_stop(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<p>a</p>", encoding="utf-8")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    with serve_site(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        assert fetch(base, "/a/").body == b"<p>a</p>"
        assert fetch(base, "/missing").status == 404
        assert fetch(base, "/data.json").headers["content-type"].startswith("application/json")
        port = int(base.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # the server is gone: nothing listens on its port any more


def test_start_error_is_raised_in_the_caller(tmp_path: Path) -> None:
    with serve_site(tmp_path) as base:
        port = int(base.rsplit(":", 1)[1])
        with pytest.raises(OSError), serve_site(tmp_path, port=port):
            pass
    with pytest.raises(FileNotFoundError), serve_site(tmp_path / "nope"):
        pass


def test_parse_redirects() -> None:
    text = "# comment\n\n/a/  /b/  302\n/c /d\n/e /f 301! # forced\n/a/ /ignored 301\n"
    assert parse_redirects(text) == {"/a/": ("/b/", 302), "/c": ("/d", 301), "/e": ("/f", 301)}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "", "a", "_x", ".git", "%2e", "blog", "\\", "~"]),
                max_size=8))  # fmt: skip
def test_resolved_paths_never_leave_the_root(segments: list[str]) -> None:
    site = _Site(DEMO_SITE)
    local = site._local("/" + "/".join(segments))
    assert local is None or local.is_relative_to(DEMO_SITE.resolve())
