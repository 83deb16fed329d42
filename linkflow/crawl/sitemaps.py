"""XML sitemaps: discovery (robots.txt ``Sitemap:`` lines and ``/sitemap.xml``), indexes, .gz.

Sitemaps are untrusted input. They are scanned with a regular expression for ``<loc>`` and
``<lastmod>`` instead of an XML parser, so entity expansion and external entities cannot
happen; each file is capped in size and the whole walk in files and URLs.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from linkflow.crawl.fetch import Fetcher

__all__ = ["SitemapEntry", "collect_sitemaps", "parse_sitemap"]

MAX_SITEMAP_FILES = 200
MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps.org limit for one uncompressed file
MAX_SITEMAP_URLS = 1_000_000

_ENTRY = re.compile(rb"<(?:\w+:)?(url|sitemap)\b[^>]*>(.*?)</(?:\w+:)?\1\s*>", re.S | re.I)
_LOC = re.compile(rb"<(?:\w+:)?loc\b[^>]*>(.*?)</(?:\w+:)?loc\s*>", re.S | re.I)
_LASTMOD = re.compile(rb"<(?:\w+:)?lastmod\b[^>]*>(.*?)</(?:\w+:)?lastmod\s*>", re.S | re.I)
_CDATA = re.compile(r"^<!\[CDATA\[(.*)\]\]>$", re.S)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` of a sitemap: its location, the sitemap file, and ``lastmod`` as written."""

    url: str
    sitemap: str
    lastmod: str | None


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").strip()
    match = _CDATA.match(text)
    if match:
        text = match.group(1).strip()
    return html.unescape(text)


def _gunzip(body: bytes) -> bytes:
    """Decompress a gzip file, refusing to produce more than the per-file limit."""
    dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = dec.decompress(body, MAX_SITEMAP_BYTES + 1)
    if len(out) > MAX_SITEMAP_BYTES or dec.unconsumed_tail:
        raise ValueError(f"decompresses past {MAX_SITEMAP_BYTES} bytes")
    return out


def parse_sitemap(body: bytes) -> tuple[list[tuple[str, str | None]], list[str]]:
    """``(urls with lastmod, child sitemaps)`` of one sitemap or sitemap-index document.

    Gzip is detected by its magic bytes (servers often mislabel ``.gz`` files); a plain-text
    sitemap (one URL per line) is accepted too.
    """
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    body = body[:MAX_SITEMAP_BYTES]
    urls: list[tuple[str, str | None]] = []
    children: list[str] = []
    found = False
    for m in _ENTRY.finditer(body):
        found = True
        loc = _LOC.search(m.group(2))
        if loc is None:
            continue
        if m.group(1).lower() == b"sitemap":
            children.append(_text(loc.group(1)))
        else:
            mod = _LASTMOD.search(m.group(2))
            urls.append((_text(loc.group(1)), _text(mod.group(1))[:64] if mod else None))
    if not found and b"<" not in body[:512]:
        lines = body.decode("utf-8", errors="replace").splitlines()
        urls = [(line.strip(), None) for line in lines if line.strip().startswith("http")]
    return urls, children


async def collect_sitemaps(
    fetcher: Fetcher,
    start: Sequence[str],
    normalize: Callable[[str], str | None],
    *,
    locate: Callable[[str], str | None] = lambda url: url,
) -> tuple[list[SitemapEntry], list[str]]:
    """Walk the sitemaps from ``start`` (indexes recursively); return entries and problems.

    ``normalize`` maps a URL found in a sitemap to the crawl's stored form (``None`` drops
    it); ``locate`` maps a child sitemap to the URL to fetch it from (``None``: not ours,
    skipped). A sitemap that cannot be read adds a line to the returned problems and the walk
    goes on.
    """
    queue = list(dict.fromkeys(start))
    seen: set[str] = set(queue)
    entries: list[SitemapEntry] = []
    problems: list[str] = []
    files = 0
    while queue and files < MAX_SITEMAP_FILES and len(entries) < MAX_SITEMAP_URLS:
        sitemap = queue.pop(0)
        files += 1
        resp = await fetcher.fetch(sitemap)
        if resp.status != 200 or resp.error:
            problems.append(f"{sitemap}: {resp.error or f'status {resp.status}'}")
            continue
        try:
            urls, children = parse_sitemap(resp.body)
        except (ValueError, zlib.error) as exc:
            problems.append(f"{sitemap}: not a readable sitemap ({exc})")
            continue
        stored_sitemap = normalize(sitemap) or sitemap
        for raw, lastmod in urls[: MAX_SITEMAP_URLS - len(entries)]:
            url = normalize(raw)
            if url is not None:
                entries.append(SitemapEntry(url, stored_sitemap, lastmod))
        for child in children:
            where = locate(child)
            if where is not None and where not in seen:
                seen.add(where)
                queue.append(where)
    return entries, problems
