"""What a build folder's files say about their links, computed without linkflow's code.

Only the standard library reads the files here (``html.parser``, ``urllib.parse.urljoin``,
the file system), so the real-site tests compare linkflow's audit with an independent truth.

The link rule is linkflow's documented one (docs/crawling.md, "What counts as a link"):

- a link is an ``<a href>`` or ``<area href>`` element; elements inside ``script``,
  ``style``, ``noscript``, ``template``, ``svg``, ``iframe`` or ``object`` do not count;
- tabs and newlines are removed from the href and spaces trimmed from its ends;
- an href with a scheme other than http(s) (``mailto:``, ``javascript:``, ``file:`` ...) is
  no link; neither is ``#part`` alone nor any href whose target, fragment removed, is the
  page itself while it has a fragment (a jump inside the page);
- everything else is resolved against the page's URL (or its ``<base href>``) and counts,
  duplicates included, if it is an http(s) URL with a host;
- a link is followed unless its ``rel`` names ``nofollow``, ``sponsored`` or ``ugc``.

A URL under the site's base URL lands on the file at its path; a path ending in ``/`` (or
naming a folder) lands on that folder's ``index.html``. A build folder's page for
``dir/index.html`` is stored under ``dir/`` (docs/crawling.md, "A directory and its index").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

__all__ = ["Href", "SiteTruth", "file_url", "read_hrefs"]

_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_NOFOLLOW = frozenset({"nofollow", "sponsored", "ugc"})
_HTML = (".html", ".htm")


@dataclass(frozen=True, slots=True)
class Href:
    """One ``<a>``/``<area>`` of a file: its href as written and its ``rel`` tokens."""

    href: str
    rel: frozenset[str]
    base: str | None  # the document's <base href>, as written (None: none)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, frozenset[str]]] = []
        self.base: str | None = None
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping.append(tag)
            return
        values = dict(attrs)
        if tag == "base" and self.base is None and values.get("href") is not None:
            self.base = values["href"]
        if self._skipping or tag not in ("a", "area"):
            return
        href = values.get("href")
        if href is not None:
            rel = frozenset((values.get("rel") or "").lower().split())
            self.found.append((href, rel))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:  # <svg/> opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:
            while self._skipping and self._skipping.pop() != tag:
                pass


def read_hrefs(path: Path) -> list[Href]:
    """Every ``<a href>``/``<area href>`` of an HTML file, in document order."""
    parser = _Links()
    parser.feed(path.read_bytes().decode("utf-8", errors="replace"))
    parser.close()
    return [Href(href, rel, parser.base) for href, rel in parser.found]


def resolve(item: Href, page_url: str) -> str | None:
    """The target of ``item`` on the page at ``page_url`` (fragment removed), or None when
    the href is no link by the rule in this module's docstring."""
    href = item.href.translate({9: None, 10: None, 13: None}).strip()
    scheme = _SCHEME.match(href)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        return None
    raw, hash_, _fragment = href.partition("#")
    if hash_ and not raw:
        return None
    base = urljoin(page_url, item.base) if item.base else page_url
    target = urljoin(base, raw)
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if hash_ and target == page_url:
        return None
    return target


def file_url(base: str, rel: str) -> str:
    """The URL a build folder's page for the file at ``rel`` is stored under."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel.removesuffix("index.html")
    return base + rel


@dataclass
class SiteTruth:
    """The files of a build folder served at ``base``, and where their links land."""

    root: Path
    base: str
    files: list[str] = field(default_factory=list)
    """HTML files, relative to the root (``/``-separated), sorted."""
    _hrefs: dict[str, list[Href]] = field(default_factory=dict)
    _links: dict[tuple[str, str], list[tuple[str, bool]]] = field(default_factory=dict)
    _lands: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        found = (p for p in self.root.rglob("*") if p.suffix.lower() in _HTML and p.is_file())
        self.files = sorted(p.relative_to(self.root).as_posix() for p in found)

    def hrefs(self, rel: str) -> list[Href]:
        if rel not in self._hrefs:
            self._hrefs[rel] = read_hrefs(self.root / rel)
        return self._hrefs[rel]

    def links(self, rel: str, page_url: str) -> list[tuple[str, bool]]:
        """The links of the file at ``rel`` served as ``page_url``: (target, followed)."""
        key = (rel, page_url)
        if key not in self._links:
            out = []
            for item in self.hrefs(rel):
                target = resolve(item, page_url)
                if target is not None:
                    out.append((target, not item.rel & _NOFOLLOW))
            self._links[key] = out
        return self._links[key]

    def path_of(self, url: str) -> str | None:
        """The path under the root that ``url`` names (``""`` for the root), or None if it
        is not under the base URL."""
        if not url.startswith(self.base):
            return None
        return unquote(urlsplit(url).path[len(urlsplit(self.base).path) :])

    def lands_on(self, url: str) -> str | None:
        """The HTML file or other file a URL under the base lands on, or None if there is no
        such file (or the URL is not under the base)."""
        if url not in self._lands:
            self._lands[url] = self._lands_on(url)
        return self._lands[url]

    def _lands_on(self, url: str) -> str | None:
        rel = self.path_of(url)
        if rel is None:
            return None
        path = self.root / rel
        if rel == "" or rel.endswith("/") or path.is_dir():
            path = path / "index.html"
        try:
            inside = path.resolve().is_relative_to(self.root)
        except (OSError, ValueError):
            return None
        return path.relative_to(self.root).as_posix() if inside and path.is_file() else None

    def targets(self, files: Iterable[str] | None = None) -> set[str]:
        """Every URL a link of ``files`` (default: all HTML files) points at."""
        chosen = self.files if files is None else files
        return {t for rel in chosen for t, _ in self.links(rel, file_url(self.base, rel))}

    def missing_targets(self, files: Iterable[str] | None = None) -> set[str]:
        """Paths (under the root) that a link of ``files`` (default: all HTML files) points
        at and no file serves."""
        return {
            path
            for target in self.targets(files)
            if (path := self.path_of(target)) is not None and self.lands_on(target) is None
        }

    def inlinking_files(self) -> dict[str, set[str]]:
        """For every HTML file, the other files with a followed link landing on it."""
        into: dict[str, set[str]] = {rel: set() for rel in self.files}
        for rel in self.files:
            for target, followed in self.links(rel, file_url(self.base, rel)):
                dst = self.lands_on(target)
                if followed and dst is not None and dst != rel and dst in into:
                    into[dst].add(rel)
        return into

    def orphans(self) -> set[str]:
        """HTML files no other file links to with a followed link; the home page (the
        root's ``index.html``, where the site starts) never is one."""
        return {
            rel for rel, src in self.inlinking_files().items() if not src and rel != "index.html"
        }
