"""Plain data passed between stages: small slotted dataclasses, no behaviour.

Link positions, finding severities and anchor classes are closed vocabularies, listed here
so every stage spells them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "ANCHOR_CLASSES",
    "BLOCKED",
    "ERROR_PAGE_SQL",
    "OUTSIDE",
    "POSITIONS",
    "SEVERITIES",
    "CrawlSummary",
    "Finding",
    "Link",
    "PageFacts",
]

POSITIONS: Final = (
    "content", "nav", "header", "footer", "sidebar", "breadcrumb", "pagination", "related",
    "comment", "other",
)  # fmt: skip
"""Where on a page a link sits; ``content`` is the main content."""

SEVERITIES: Final = ("critical", "high", "medium", "low", "info")
"""Finding severities, most severe first."""

ANCHOR_CLASSES: Final = (
    "branded", "exact", "partial", "generic", "naked_url", "image", "empty", "other", "unknown",
)  # fmt: skip
"""Anchor-text classes (research/algorithms.md §6); ``unknown``: a backlink whose provider
gives no anchor text (``empty`` is a link that has none)."""

BLOCKED: Final = "blocked by robots.txt"
"""The ``error`` of a page row the crawl did not fetch because robots.txt disallows it."""

OUTSIDE: Final = ("outside the build folder", "outside the base URL")
"""How the ``error`` of a page row begins when its URL is on the site's host but outside the
copy audited (a build folder; the path a server stands in for with ``--base-url``), followed
by ``; not checked`` (not fetched) or ``; checked over HTTP`` (its status came from the
public site). See :mod:`linkflow.crawl.folder`."""

ERROR_PAGE_SQL: Final = (
    f"(coalesce(status, 0) >= 400 OR (error IS NOT NULL AND error <> '{BLOCKED}' "
    f"AND split_part(error, ';', 1) NOT IN ('{OUTSIDE[0]}', '{OUTSIDE[1]}')))"
)
"""What an error page is, as a condition on a ``pages`` row: it answered 4xx/5xx, or no
response came (timeout, refused, reset ...). A page robots.txt kept the crawl from fetching
is not an error: it was never asked for; nor is a URL outside the copy audited (``OUTSIDE``)
unless the public site answered 4xx/5xx for it. Every count of "errors" (a crawl's, a
Screaming Frog import's) uses this one rule."""


@dataclass(slots=True)
class Link:
    """One ``<a href>`` or ``<area href>`` found on a page, before URL ids are assigned.

    ``url`` is normalised and absolute (fragment removed, kept in ``fragment``); ``rel`` holds
    the lower-cased rel tokens; ``dom_path`` is the tag path without indices
    (``html>body>nav>ul>li>a``), used to find template links across pages.
    """

    url: str
    anchor: str
    ordinal: int
    rel: frozenset[str] = frozenset()
    position: str = "other"
    alt: str | None = None
    is_image: bool = False
    fragment: str | None = None
    target: str | None = None
    context: str | None = None
    dom_path: str = ""

    @property
    def nofollow(self) -> bool:
        return "nofollow" in self.rel

    @property
    def sponsored(self) -> bool:
        return "sponsored" in self.rel

    @property
    def ugc(self) -> bool:
        return "ugc" in self.rel


@dataclass(slots=True)
class PageFacts:
    """What extraction learns from one HTML document."""

    title: str | None = None
    meta_description: str | None = None
    h1: str | None = None
    lang: str | None = None
    canonical: str | None = None
    meta_robots: str | None = None
    word_count: int = 0
    content_hash: str | None = None
    main_text: str | None = None
    links: list[Link] = field(default_factory=list)
    hreflang: list[tuple[str, str]] = field(default_factory=list)
    other_scheme_links: int = 0
    schema_types: list[str] = field(default_factory=list)
    """Distinct schema.org types the page declares (JSON-LD, microdata), sorted."""


@dataclass(slots=True)
class CrawlSummary:
    """What a crawl did, for the end-of-crawl screen and the Python API."""

    crawl_id: int
    pages: int = 0
    links: int = 0
    errors: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    resumed: bool = False


@dataclass(slots=True)
class Finding:
    """One problem found by an analysis: ``kind`` names it, ``why`` says why it matters."""

    kind: str
    severity: str
    url: str | None
    detail: str
    why: str
    value: float | None = None
