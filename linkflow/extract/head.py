"""Head facts of a parsed page: title, meta description and robots, canonical, hreflang, lang,
first ``h1`` and ``<base href>``.

The elements are not looked up one query each: the page's single walk over its tree (see
:mod:`linkflow.extract.walk`) picks out what :data:`SELECTOR` would match, and hands each
to :meth:`HeadNodes.add`. Every fact is read from the first matching element in document
order, or from all of them in order, exactly as one query per fact would find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from linkflow.extract.text import collapse
from linkflow.models import PageFacts
from linkflow.urls import normalize

__all__ = ["SELECTOR", "HeadNodes", "attr", "text_of"]

SELECTOR: Final = "title, meta[name], link[rel][href], base[href], html"
"""The head elements besides ``h1`` (a block tag: the caller finds it with the blocks), as
a CSS selector: what the walk picks out by tag and attribute."""

_ROBOTS_NAMES: Final = frozenset({"robots", "googlebot"})


def attr(node: Any, name: str) -> str | None:
    """Attribute ``name`` of ``node``; ``None`` if absent or written without a value."""
    value = node.attributes.get(name)
    return value if isinstance(value, str) else None


def text_of(node: Any) -> str:
    """The whitespace-collapsed text of ``node`` and its descendants."""
    return collapse(node.text(deep=True))


@dataclass(slots=True)
class HeadNodes:
    """The head elements of one page, as the page's query found them in document order."""

    title: Any = None
    h1: Any = None
    html: Any = None
    base: Any = None
    metas: list[Any] = field(default_factory=list)
    links: list[Any] = field(default_factory=list)

    def add(self, node: Any, tag: str) -> None:
        """Take one match of :data:`SELECTOR` (or an ``h1``) whose tag is ``tag``."""
        if tag == "meta":
            self.metas.append(node)
        elif tag == "link":
            self.links.append(node)
        elif tag == "title":
            self.title = self.title if self.title is not None else node
        elif tag == "h1":
            self.h1 = self.h1 if self.h1 is not None else node
        elif tag == "base":
            self.base = self.base if self.base is not None else node
        elif tag == "html":
            self.html = self.html if self.html is not None else node

    def base_url(self, url: str) -> str:
        """The ``<base href>`` of the page resolved against ``url``, else ``url``."""
        if self.base is None:
            return url
        resolved = normalize(attr(self.base, "href") or "", url)
        return resolved or url

    def fill(self, facts: PageFacts, base: str, strip: tuple[str, ...], encoding: str) -> None:
        """Fill title, description, robots, canonical, hreflang, lang and h1 of ``facts``."""
        title = self.title
        facts.title = (text_of(title) or None) if title is not None else None
        robots: list[str] = []
        for meta in self.metas:
            name = (attr(meta, "name") or "").strip().lower()
            content = collapse(attr(meta, "content") or "")
            if name == "description" and facts.meta_description is None:
                facts.meta_description = content or None
            elif name in _ROBOTS_NAMES and content:
                robots.append(content.lower())
        facts.meta_robots = ",".join(robots) or None
        for link in self.links:
            rels = (attr(link, "rel") or "").lower().split()
            href = attr(link, "href") or ""
            if "canonical" in rels and facts.canonical is None:
                facts.canonical = normalize(href, base, strip_params=strip, encoding=encoding)
            elif "alternate" in rels:
                lang = collapse(attr(link, "hreflang") or "")
                target = (
                    normalize(href, base, strip_params=strip, encoding=encoding) if lang else None
                )
                if target is not None:
                    facts.hreflang.append((lang.lower(), target))
        html = self.html
        lang = collapse(attr(html, "lang") or "") if html is not None else ""
        facts.lang = lang or None
        h1 = self.h1
        facts.h1 = (text_of(h1) or None) if h1 is not None else None
