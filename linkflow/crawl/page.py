"""One fetched response → the rows to store and the URLs it leads to (pure, no I/O).

Kept apart from the engine so the rules (indexable, nofollow, canonical header, which links
are kept) are plain functions over a :class:`~linkflow.crawl.fetch.Response`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from linkflow.crawl.fetch import Response
from linkflow.crawl.rows import PageRow
from linkflow.linkrows import LinkRows
from linkflow.models import PageFacts
from linkflow.settings import CrawlSettings

__all__ = [
    "PageResult",
    "build_result",
    "is_html",
    "link_header_canonical",
    "wants_parse",
]

_LINK_CANONICAL = re.compile(r"<([^>]*)>\s*;[^,]*?\brel\s*=\s*\"?canonical\b", re.I)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(slots=True)
class PageResult:
    """Everything one page contributes to a batch."""

    url: str
    depth: int
    hops: int
    row: PageRow
    facts: PageFacts | None = None
    redirect: str | None = None
    follow: bool = True
    hreflang: list[tuple[str, str]] = field(default_factory=list)
    body_bytes: int = 0
    """Bytes of the (decoded) body the page was parsed from."""
    links: LinkRows | None = None
    """The page's links as the journal stores them (read these: ``facts.links`` is empty
    for a page a worker parsed)."""


def is_html(content_type: str | None, body: bytes) -> bool:
    """True for an HTML (or XHTML) response; a missing type is sniffed from the body."""
    if content_type:
        return "html" in content_type.lower()
    return body.lstrip()[:1] == b"<"


def link_header_canonical(value: str | None) -> str | None:
    """The target of a ``Link: <url>; rel="canonical"`` header, or ``None``."""
    if not value:
        return None
    match = _LINK_CANONICAL.search(value)
    return match.group(1).strip() if match else None


def _robots_tokens(*values: str | None) -> set[str]:
    tokens: set[str] = set()
    for value in values:
        for part in (value or "").lower().replace(";", ",").split(","):
            # X-Robots-Tag may prefix a user agent: "googlebot: noindex".
            tokens.add(part.rsplit(":", 1)[-1].strip())
    return tokens


def wants_parse(resp: Response, internal: bool) -> bool:
    """True if ``resp`` is an internal HTML page to parse (not a redirect, not an error)."""
    if not internal or resp.error or (resp.status in _REDIRECTS and "location" in resp.headers):
        return False
    return is_html(resp.content_type, resp.body)


def build_result(
    resp: Response,
    url: str,
    depth: int,
    hops: int,
    *,
    settings: CrawlSettings,
    to_public: Callable[[str | None, str], str | None],
    internal: bool = True,
    parsed: PageFacts | str | None = None,
) -> PageResult:
    """Turn ``resp`` (fetched for the stored URL ``url``) into a :class:`PageResult`.

    ``parsed`` is what :func:`linkflow.extract.worker.parse_body` gave for the body when
    :func:`wants_parse` said so. ``to_public(raw, base)`` resolves a URL found in the
    response against ``base`` and maps it to the stored form (``None`` if it is not an
    http(s) URL).
    """
    ctype = resp.content_type
    row: PageRow = {
        "url": url,
        "internal": internal,
        "depth": depth if depth >= 0 else None,
        "status": resp.status,
        "content_type": ctype,
        "fetched_at": datetime.now(UTC).replace(tzinfo=None),
        "response_ms": round(resp.elapsed_ms, 2),
        "bytes": resp.raw_bytes,
        "x_robots_tag": resp.headers.get("x-robots-tag"),
        "error": resp.error,
        "indexable": False,
    }
    result = PageResult(url=url, depth=depth, hops=hops, row=row)
    status = resp.status or 0
    if status in _REDIRECTS and "location" in resp.headers:
        result.redirect = to_public(resp.headers["location"], resp.url)
        row["redirect_url"] = result.redirect
        if result.redirect is None:
            row["error"] = "redirect to an invalid or non-http Location"
        elif hops >= settings.max_redirects:
            row["error"] = f"redirect chain longer than {settings.max_redirects}"
            result.redirect = None
            result.follow = False
        return result
    if isinstance(parsed, str):
        row["error"] = parsed
    elif parsed is not None:
        _apply_facts(result, parsed, resp, to_public)
    return result


def _apply_facts(
    result: PageResult,
    facts: PageFacts,
    resp: Response,
    to_public: Callable[[str | None, str], str | None],
) -> None:
    row = result.row
    result.facts = facts
    row["title"] = facts.title
    row["meta_description"] = facts.meta_description
    row["h1"] = facts.h1
    row["lang"] = facts.lang
    row["word_count"] = facts.word_count
    row["content_hash"] = facts.content_hash
    row["meta_robots"] = facts.meta_robots
    row["other_scheme_links"] = facts.other_scheme_links
    row["schema_types"] = " ".join(facts.schema_types) or None
    canonical = facts.canonical or link_header_canonical(resp.headers.get("link"))
    row["canonical_url"] = to_public(canonical, resp.url) if canonical else None
    tokens = _robots_tokens(facts.meta_robots, row["x_robots_tag"])
    status = resp.status or 0
    row["indexable"] = 200 <= status < 300 and not tokens & {"noindex", "none"}
    result.follow = not tokens & {"nofollow", "none"}
    result.hreflang = [
        (href, lang) for lang, raw in facts.hreflang if (href := to_public(raw, resp.url))
    ]
