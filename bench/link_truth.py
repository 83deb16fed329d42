"""The links and orphans of a stored crawl against a truth computed without linkflow's code.

Reads every HTML file of a build folder with the standard library's ``html.parser`` and
``urllib`` (no selectolax, no linkflow), takes each ``a`` and ``area`` element with an
``href`` outside ``script``, ``style``, ``noscript``, ``template``, ``svg``, ``iframe`` and
``object``, resolves it against the page (or its ``<base href>``), and keeps the http(s)
links that leave the page (``#part`` and a jump to the page itself are no links). Then it
compares, page by page, the multiset of link targets with what the crawl stored, the
orphans (pages no other page links to, the home page aside) and the pages.

The crawl is of the folder itself (``linkflow crawl FOLDER --base-url BASE``: ``dir/`` and
``dir/index.html`` are one page) or, with ``--http``, of the folder served at ``BASE``
(``linkflow crawl BASE``): then the seed ``BASE`` is the folder's ``index.html`` under a
second URL, and the files no link leads to cannot be reached, so they are counted and left
out. Targets are compared percent-decoded: linkflow writes URLs as browsers do (``à`` as
``%C3%A0``), which names the same resource.

With ``--anchors`` each link is compared with its anchor text too: the text inside the
element (``<br>`` a space, the dropped elements left out), every run of white space one
space (as ``str.split`` sees it); an empty one takes the ``alt`` of the first image inside
the link, and an ``area`` its own ``alt``.

    python bench/link_truth.py /usr/share/doc/postgresql-doc-15/html \\
        https://www.postgresql.org/docs/15/ AUDIT/audit.duckdb
    python bench/link_truth.py /usr/share/doc/python3.11/html http://127.0.0.1:8101/ \\
        AUDIT/audit.duckdb --http --anchors
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import duckdb

DROP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})


class _Links(HTMLParser):
    """The href values of a page's links with their anchor texts, and its first
    ``<base href>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.anchors: list[str] = []
        self.base: str | None = None
        self._dropped = 0  # depth inside elements whose content is no page content
        self._text: list[str] | None = None  # the text of the open link, if any
        self._alt: str | None = None  # the alt of the open link's first image

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropped or tag in DROP:
            self._dropped += tag in DROP
            return
        values = dict(attrs)
        href = values.get("href")
        if tag == "base" and self.base is None and href:
            self.base = href
        if self._text is not None:
            if tag == "br":
                self._text.append(" ")
            elif tag == "img" and self._alt is None:
                self._alt = values.get("alt") or ""
        if tag in ("a", "area") and href is not None:
            self.hrefs.append(href)
            if tag == "area":
                self.anchors.append(" ".join((values.get("alt") or "").split()))
            else:
                self._close()
                self.anchors.append("")
                self._text, self._alt = [], None

    def handle_data(self, data: str) -> None:
        if self._text is not None and not self._dropped:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._dropped and tag in DROP:
            self._dropped -= 1
        elif tag == "a":
            self._close()

    def _close(self) -> None:
        if self._text is not None:
            text = " ".join("".join(self._text).split())
            self.anchors[-1] = text or " ".join((self._alt or "").split())
        self._text = None


class _Normal:
    """URLs written one way: scheme and host in lower case, default port and dot segments
    gone, and for a folder crawl ``dir/index.html`` as ``dir/`` on the site's own origin."""

    def __init__(self, base: str, *, folder: bool) -> None:
        parts = urlsplit(base)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.folder = folder

    def __call__(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        default = {"http": 80, "https": 443}.get(parts.scheme)
        port = f":{parts.port}" if parts.port and parts.port != default else ""
        path = urlsplit(urljoin(f"{parts.scheme}://x/", parts.path or "/")).path
        origin = f"{parts.scheme.lower()}://{host}{port}"
        if self.folder and origin == self.origin and path.endswith("/index.html"):
            path = path[: -len("index.html")]
        return origin + path + (f"?{parts.query}" if parts.query else "")


def _targets(html: str, page: str, norm: _Normal, anchors: bool = False) -> list[str]:
    """The targets of the page's links (with ``anchors``: target and anchor text, joined by
    a tab)."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    base = urljoin(page, parser.base) if parser.base else page
    out = []
    for raw, anchor in zip(parser.hrefs, parser.anchors, strict=True):
        href = raw.strip()
        head = href.split("/")[0]
        scheme = urlsplit(href).scheme.lower() if ":" in head else ""
        if (scheme and scheme not in ("http", "https")) or href.startswith("#"):
            continue
        target, fragment = urldefrag(urljoin(base, href))
        if urlsplit(target).scheme not in ("http", "https"):
            continue
        target = norm(target)
        if fragment and target == norm(page):
            continue  # a jump inside the page
        out.append(f"{target}\t{anchor}" if anchors else target)
    return out


def truth(folder: str, base: str, norm: _Normal, anchors: bool = False) -> dict[str, list[str]]:
    """Link targets of every HTML file of ``folder`` published at ``base``, by page URL."""
    pages: dict[str, list[str]] = {}
    for root, _, files in os.walk(folder):
        for name in files:
            if not name.endswith(".html"):
                continue
            path = os.path.join(root, name)
            page = base + quote(os.path.relpath(path, folder))
            with open(path, "rb") as f:
                html = f.read().decode("utf-8", "replace")
            pages[norm(page)] = _targets(html, page, norm, anchors)
    return pages


def _orphans(links: dict[str, list[str]], pages: set[str], home: str) -> set[str]:
    linked = {t for src, targets in links.items() for t in targets if t != src}
    return {p for p in pages if p not in linked and p != home}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("base", help="the folder's public base URL, or where it is served")
    ap.add_argument("db", help="the audit file of the crawl")
    ap.add_argument("--http", action="store_true", help="the crawl was over HTTP from BASE")
    ap.add_argument("--anchors", action="store_true", help="compare anchor texts too")
    args = ap.parse_args()
    base = args.base.rstrip("/") + "/"
    norm = _Normal(base, folder=not args.http)
    expected = truth(args.folder, base, norm, args.anchors)
    con = duckdb.connect(args.db, read_only=True)
    stored: dict[str, list[str]] = {}
    for src, dst, anchor in con.execute(
        "SELECT s.url, d.url, l.anchor FROM links l JOIN urls s ON s.id = l.src_id "
        "JOIN urls d ON d.id = l.dst_id"
    ).fetchall():
        stored.setdefault(src, []).append(f"{dst}\t{anchor or ''}" if args.anchors else dst)
    stored_pages = {
        url
        for (url,) in con.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.status = 200 AND coalesce(p.content_type, '') ILIKE '%html%'"
        ).fetchall()
    }
    if args.http:
        index = norm(base + "index.html")
        if index in expected:
            expected[norm(base)] = _targets_of_seed(args.folder, base, norm, args.anchors)
        reached = {u for (u,) in con.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.status IS NOT NULL"
        ).fetchall()}  # fmt: skip
        unreached = sorted(u for u in expected if u not in reached)
        print(f"HTML files no link leads to (an HTTP crawl cannot reach them): {len(unreached)}")
        expected = {u: t for u, t in expected.items() if u in reached}
    expected = {u: [_decoded(t) for t in ts] for u, ts in expected.items()}
    stored = {u: [_decoded(t) for t in ts] for u, ts in stored.items()}
    total_t = sum(map(len, expected.values()))
    total_s = sum(map(len, stored.values()))
    print(f"links: truth {total_t:,}, stored {total_s:,}")
    differ = [
        u
        for u in sorted(set(expected) | set(stored))
        if Counter(expected.get(u, [])) != Counter(stored.get(u, []))
    ]
    print(f"pages whose links differ: {len(differ)}")
    for u in differ[:10]:
        want, got = Counter(expected.get(u, [])), Counter(stored.get(u, []))
        print(f"  {u}: truth only {dict(want - got)}, stored only {dict(got - want)}")
    home = norm(base)
    t_orphans = _orphans(_urls(expected), set(expected), home)
    s_orphans = _orphans(_urls(stored), stored_pages, home)
    print(
        f"orphans: truth {len(t_orphans)}, stored {len(s_orphans)}; truth only "
        f"{sorted(t_orphans - s_orphans)}, stored only {sorted(s_orphans - t_orphans)}"
    )
    print(f"pages: truth {len(expected):,} HTML files, stored {len(stored_pages):,} HTML pages")


def _decoded(link: str) -> str:
    """A link's target percent-decoded (its anchor text, after a tab, as it is)."""
    target, tab, anchor = link.partition("\t")
    return unquote(target) + tab + anchor


def _urls(links: dict[str, list[str]]) -> dict[str, list[str]]:
    """The links' targets alone."""
    return {u: [t.partition("\t")[0] for t in ts] for u, ts in links.items()}


def _targets_of_seed(folder: str, base: str, norm: _Normal, anchors: bool) -> list[str]:
    """The folder's ``index.html`` read as the seed ``base`` (its links resolved there)."""
    with open(os.path.join(folder, "index.html"), "rb") as f:
        return _targets(f.read().decode("utf-8", "replace"), base, norm, anchors)


if __name__ == "__main__":
    main()
