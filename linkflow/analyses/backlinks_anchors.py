"""Anchor-text classes of backlinks (research/algorithms.md §6).

The classifier is deterministic and ordered: image, empty, naked URL, generic (the rules
every link shares, :func:`linkflow.analyses.anchors.anchor_class`), then branded, exact,
partial, else other (:data:`linkflow.models.ANCHOR_CLASSES`). Keywords of a target page come
from its URL slug and, when crawled, its title and h1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final
from urllib.parse import unquote, urlsplit

from linkflow.analyses.anchors import anchor_class, generic_anchor_list, normalise_anchor
from linkflow.urls import host_of, registrable_domain

__all__ = ["GENERIC_ANCHORS", "brand_terms_for", "classify_anchor", "keywords_for", "tokens"]

GENERIC_ANCHORS: Final = frozenset(generic_anchor_list())
"""Anchors that say nothing about the target, normalised (the one list of
:mod:`linkflow.analyses.anchors`)."""

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "or",
        "is",
        "are",
        "your",
        "our",
        "my",
        "how",
        "what",
    ]
)


def _stem(token: str) -> str:
    # Plural folding is the one stemming step that matters for anchors ("sheds" ~ "shed").
    return (
        token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token
    )


def tokens(text: str) -> list[str]:
    """Normalised, stemmed tokens of ``text`` without stop words."""
    return [_stem(t) for t in normalise_anchor(text).split() if t not in _STOP]


def keywords_for(url: str, title: str | None = None, h1: str | None = None) -> list[str]:
    """Keyword phrases of a target page: its last path segment as words, its title and h1."""
    path = unquote(urlsplit(url).path).rstrip("/")
    slug = path.rsplit("/", 1)[-1]
    slug = re.sub(r"\.\w{2,5}$", "", slug).replace("-", " ").replace("_", " ")
    phrases = [slug, *(t for t in (title, h1) if t)]
    return [p for p in (normalise_anchor(x) for x in phrases) if p]


def brand_terms_for(site_urls: Iterable[str], configured: Sequence[str] = ()) -> list[str]:
    """Brand words: the configured ones, else the registrable-domain label of the site.

    ``acme.co.uk`` gives ``acme`` (Public Suffix List), so "Acme Ltd" is branded.
    """
    if configured:
        return [normalise_anchor(t) for t in configured if normalise_anchor(t)]
    labels = {registrable_domain(host_of(u)).split(".")[0] for u in site_urls if u}
    return sorted(label for label in labels if label)


def _partial(anchor_tokens: list[str], keyword_tokens: list[str]) -> bool:
    if not anchor_tokens or not keyword_tokens:
        return False
    a, k = set(anchor_tokens), set(keyword_tokens)
    if k <= a and len(anchor_tokens) <= len(keyword_tokens) + 2:
        return True
    return len(a & k) / len(a | k) >= 0.5


def classify_anchor(
    anchor: str | None,
    *,
    is_image: bool = False,
    brand_terms: Sequence[str] = (),
    keywords: Sequence[str] = (),
    generic: frozenset[str] = GENERIC_ANCHORS,
) -> str:
    """The anchor class of one link (one of ``models.ANCHOR_CLASSES``).

    >>> classify_anchor("click here")
    'generic'
    >>> classify_anchor("Wooden sheds", keywords=["wooden sheds"])
    'exact'
    """
    shared = anchor_class(anchor, is_image=is_image, generic=generic)
    if shared is not None:
        return shared
    text = (anchor or "").strip()
    norm = normalise_anchor(text)
    words = norm.split()
    if any(b and (b in words or (" " in b and b in norm)) for b in brand_terms):
        return "branded"
    anchor_tokens = tokens(text)
    keyword_tokens = [tokens(k) for k in keywords]
    if any(anchor_tokens == k for k in keyword_tokens if k):
        return "exact"
    if any(_partial(anchor_tokens, k) for k in keyword_tokens):
        return "partial"
    return "other"
