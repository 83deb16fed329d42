"""The vocabulary of findings: kinds, their severities, why each internal kind matters.

Kind names are stable, kebab-case identifiers: reports, exports and ``linkflow check
--fail-on`` refer to them. :data:`SEVERITY` is the one source of a finding's severity:
every analysis takes it from here, in Python or as a parameter of its SQL.
"""

from __future__ import annotations

from typing import Final

__all__ = ["BACKLINK_KINDS", "INTERNAL_KINDS", "SEVERITY", "WHY"]

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
    "unchecked-link": "info",
    "backlink-to-broken": "high",
    "backlink-to-redirect": "medium",
}
"""Severity of every finding kind any analysis writes (``models.SEVERITIES`` names)."""

BACKLINK_KINDS: Final = ("backlink-to-broken", "backlink-to-redirect")
"""The kinds the backlink analysis writes (and replaces on each run)."""

INTERNAL_KINDS: Final = tuple(k for k in SEVERITY if k not in BACKLINK_KINDS)
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
    "unchecked-link": "The crawl did not check this target (robots.txt blocks it, or it lies "
    "outside the build folder or the base URL's path), so whether it works is unknown; "
    "with --check-external a target outside them is checked on the public site.",
}
"""One sentence per internal kind on why it matters."""
