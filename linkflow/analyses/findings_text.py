"""The vocabulary of internal findings: kinds, severities, why each matters, generic anchors.

Kind names are stable, kebab-case identifiers: reports, exports and ``linkflow check
--fail-on`` refer to them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

__all__ = [
    "GENERIC_ANCHORS",
    "INTERNAL_KINDS",
    "SEVERITY",
    "WHY",
    "generic_anchor_list",
    "normalise_anchor",
]

SEVERITY: Final[dict[str, str]] = {
    "broken-link": "high",
    "redirect-loop": "high",
    "orphan-page": "high",
    "unreachable-page": "high",
    "weak-money-page": "high",
    "redirect-chain": "medium",
    "link-to-noindex": "medium",
    "nofollow-only": "medium",
    "dead-end": "medium",
    "deep-page": "medium",
    "empty-anchor": "medium",
    "few-content-inlinks": "low",
    "link-to-redirect": "low",
    "link-to-canonicalised": "low",
    "generic-anchor": "low",
    "naked-url-anchor": "low",
    "image-link-no-alt": "low",
    "anchor-many-targets": "low",
    "overlinking": "low",
    "equity-sink": "low",
    "target-many-anchors": "info",
}
"""Severity of every internal finding kind."""

INTERNAL_KINDS: Final = tuple(SEVERITY)
"""Every kind the internal analysis writes (and replaces on each run)."""

WHY: Final[dict[str, str]] = {
    "broken-link": "A link to a missing or failing page wastes the equity it passes and "
    "sends visitors to an error.",
    "redirect-loop": "A redirect loop never reaches a page, so everything linking here "
    "leads nowhere.",
    "orphan-page": "Search engines and visitors know this page, but no followed internal "
    "link leads to it, so it receives no internal equity.",
    "unreachable-page": "No chain of followed links leads here from the home page, so "
    "crawlers may not find it and it gets only teleport equity.",
    "weak-money-page": "A page that earns money gets few links from page content, the "
    "links that pass the most equity and context.",
    "redirect-chain": "Each extra redirect hop slows users and crawlers and may lose "
    "equity on the way.",
    "link-to-noindex": "Equity passed to a noindex page is spent on a page that cannot rank.",
    "nofollow-only": "Only nofollow links point here, so the page receives no internal equity.",
    "dead-end": "A page without internal links out stops visitors and crawlers and "
    "passes its equity nowhere on the site.",
    "deep-page": "Pages many clicks from the home page are crawled less often and get "
    "less internal equity.",
    "empty-anchor": "A link without text tells neither visitors nor search engines what "
    "the target is about.",
    "few-content-inlinks": "One of the strongest pages gets few links from page content; "
    "links in the content pass the most equity and context.",
    "link-to-redirect": "Linking to a redirect instead of its target costs a hop on every "
    "visit and may lose equity.",
    "link-to-canonicalised": "Linking to a URL that names another as canonical splits "
    "signals; link to the canonical URL instead.",
    "generic-anchor": "Generic anchor text such as 'click here' says nothing about the "
    "target page.",
    "naked-url-anchor": "A bare URL as anchor text describes the target worse than words.",
    "image-link-no-alt": "For an image link the alt text is the anchor text; without it "
    "the link says nothing about its target.",
    "anchor-many-targets": "One anchor text pointing at different pages blurs which page "
    "is about that topic.",
    "overlinking": "With this many links each one passes only a sliver of the page's "
    "equity, and visitors cannot tell which matter.",
    "equity-sink": "A strong page with few links from its content passes little of its "
    "equity on to pages that need it.",
    "target-many-anchors": "Many different anchor texts point at this page; check they "
    "all describe the same topic.",
}
"""One sentence per kind on why it matters."""

GENERIC_ANCHORS: Final[dict[str, tuple[str, ...]]] = {
    # Lighthouse's link-text audit lists (core/audits/seo/link-text.js)
    "en": ("click here", "click this", "go", "here", "information", "learn more", "more",
           "more info", "more information", "right here", "read more", "see more", "start",
           "this"),
    "ja": ("ここをクリック", "こちらをクリック", "リンク", "続きを読む", "続く", "全文表示"),
    "es": ("click aquí", "click aqui", "clicka aquí", "clicka aqui", "pincha aquí",
           "pincha aqui", "aquí", "aqui", "más", "mas", "más información", "más informacion",
           "mas información", "mas informacion", "este", "enlace", "este enlace", "empezar"),
    "pt": ("clique aqui", "ir", "mais informação", "mais informações", "mais", "veja mais"),
    "ko": ("여기", "여기를 클릭", "클릭", "링크", "자세히", "자세히 보기", "계속", "이동",
           "전체 보기"),
    "sv": ("här", "klicka här", "läs mer", "mer", "mer info", "mer information"),
    "de": ("klicke hier", "hier klicken", "hier", "mehr", "siehe", "dies", "das",
           "weiterlesen"),
    "ta": ("அடுத்த பக்கம்", "மறுபக்கம்", "முந்தைய பக்கம்", "முன்பக்கம்", "மேலும் அறிக",
           "மேலும் தகவலுக்கு", "மேலும் தரவுகளுக்கு", "தயவுசெய்து இங்கே அழுத்தவும்",
           "இங்கே கிளிக் செய்யவும்"),
    "fa": ("اطلاعات بیشتر", "اطلاعات", "این", "اینجا بزنید", "اینجا کلیک کنید", "اینجا",
           "برو", "بیشتر بخوانید", "بیشتر بدانید", "بیشتر", "شروع"),
    # ours (research/algorithms.md §6) and common French/Italian/Dutch equivalents
    "extra": ("this article", "this page", "website", "link", "this link", "source",
              "download", "continue reading", "continue", "details", "view more", "find out more",
              "click", "cliquez ici", "ici", "en savoir plus", "lire la suite", "plus",
              "clicca qui", "qui", "leggi di più", "scopri di più", "klik hier", "lees meer",
              "meer"),
}  # fmt: skip
"""Generic anchors by language; every list is applied to every link, whatever its language."""


def normalise_anchor(text: str) -> str:
    """Lower case, every character but letters, digits, marks and spaces replaced by a space,
    spaces collapsed: the same rule the store applies in SQL before comparing anchors."""
    kept = (c if unicodedata.category(c)[0] in "LNM" or c.isspace() else " " for c in text.lower())
    return " ".join("".join(kept).split())


def generic_anchor_list(extra: Iterable[str] = ()) -> list[str]:
    """Every generic anchor, normalised like stored anchors are compared (lower case,
    punctuation removed, spaces collapsed), plus ``extra`` (settings.analyse.generic_anchors).
    """
    words: set[str] = set()
    for group in (*GENERIC_ANCHORS.values(), tuple(extra)):
        for text in group:
            norm = normalise_anchor(text)
            if norm:
                words.add(norm)
    return sorted(words)
