"""Shared fixtures: the served demo site and an independent parse of its HTML files.

The parse uses the standard library's HTMLParser, not linkflow and not the generator, so
the tests check the generator's claims (expected_links.json, planted.json) against the
files as a browser-like parser reads them.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from linkflow.demo import DEMO_ORIGIN, DEMO_PLANTED, DEMO_SITE, serve_site


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(base: str, path: str, method: str = "GET") -> Response:
    """One request without following redirects; ``path`` is sent exactly as given."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return Response(resp.status, headers, resp.read())
    finally:
        conn.close()


@dataclass
class ParsedLink:
    target: str
    anchor: str
    nofollow: bool
    image: bool
    alt: str | None
    in_main: bool


@dataclass
class ParsedPage:
    url: str
    links: list[ParsedLink] = field(default_factory=list)
    meta_robots: str = ""
    canonical: str = ""
    header_html: str = ""


class _LinkParser(HTMLParser):
    def __init__(self, page: ParsedPage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.current: dict[str, object] | None = None
        self.main_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.main_depth += 1
        elif tag == "meta" and a.get("name") == "robots":
            self.page.meta_robots = a.get("content", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.page.canonical = a["href"]
        elif tag == "a" and "href" in a:
            self.current = {"href": a["href"], "rel": a.get("rel", ""), "text": []}
        elif tag == "img" and self.current is not None:
            self.current["image"] = True
            self.current["alt"] = dict(attrs).get("alt")  # None when there is no alt attribute

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current["text"].append(data)  # type: ignore[union-attr]

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.main_depth -= 1
        elif tag == "a" and self.current is not None:
            cur, self.current = self.current, None
            target, fragment = urldefrag(urljoin(self.page.url, str(cur["href"])))
            if fragment and target == self.page.url:  # same-page fragment link
                return
            text = " ".join("".join(cur["text"]).split())  # type: ignore[arg-type]
            self.page.links.append(
                ParsedLink(
                    target=target,
                    anchor=text or str(cur.get("alt") or ""),  # an image link reads as its alt
                    nofollow="nofollow" in str(cur["rel"]).split(),
                    image=bool(cur.get("image")),
                    alt=cur.get("alt"),  # type: ignore[arg-type]
                    in_main=self.main_depth > 0,
                )
            )


def url_for(path: Path) -> str:
    """Public URL of a site file (``blog/x/index.html`` -> ``{origin}/blog/x/``)."""
    rel = path.relative_to(DEMO_SITE).as_posix()
    return f"{DEMO_ORIGIN}/{rel.removesuffix('index.html')}"


def parse_page(path: Path) -> ParsedPage:
    """Parse one HTML file of the site."""
    html = path.read_text(encoding="utf-8")
    page = ParsedPage(url_for(path))
    start, end = html.find("<header"), html.find("</header>")
    page.header_html = html[start:end] if start >= 0 else ""
    parser = _LinkParser(page)
    parser.feed(html)
    parser.close()
    return page


@pytest.fixture(scope="session")
def site_pages() -> dict[str, ParsedPage]:
    """Every page of the demo site (404.html excluded) parsed, by public URL."""
    files = sorted(DEMO_SITE.rglob("index.html"))
    return {url_for(f): parse_page(f) for f in files}


@pytest.fixture(scope="session")
def planted() -> dict[str, object]:
    data: dict[str, object] = json.loads(DEMO_PLANTED.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def demo_server() -> Iterator[str]:
    with serve_site(DEMO_SITE) as base:
        yield base
