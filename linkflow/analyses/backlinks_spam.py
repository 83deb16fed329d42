"""Explainable spam flags for referring domains (research/algorithms.md §7).

Each flag is a rule a person can check, and its ``why`` says what was seen. A domain's spam
score is :data:`POINTS_PER_FLAG` per flag, capped at 100: a descriptive count, not a claim
that a search engine penalises the link.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KEYWORD_ANCHOR_SHARE",
    "LINK_FARM_OUTLINKS",
    "POINTS_PER_FLAG",
    "SITEWIDE_PAGES",
    "UNRANKED_SCORE",
    "SpamFlag",
    "spam_flags",
]

POINTS_PER_FLAG = 25.0
LINK_FARM_OUTLINKS = 100
"""A linking page with more external links than this looks like a link farm."""
SITEWIDE_PAGES = 20
"""Links from at least this many pages of one domain are sitewide (footer, sidebar) links."""
KEYWORD_ANCHOR_SHARE = 0.5
"""Share of exact/partial-match anchors above which a weak domain looks like link building."""
WEAK_AUTHORITY = 20.0
MODERATE_SPAM_SCORE = 60.0
UNRANKED_SCORE = 100.0 * (1.0 - math.log(5e7) / math.log(1e8))
"""Common Crawl score of rank 50,000,000: a domain ranked worse is as good as unranked."""


@dataclass(frozen=True, slots=True)
class SpamFlag:
    """One flag raised on a referring domain, and what was seen."""

    domain: str
    flag: str
    why: str


def _flags_for(
    row: Mapping[str, Any], keyword_share: float | None, spam_tlds: frozenset[str]
) -> Iterable[tuple[str, str]]:
    authority = row["authority"] or 0.0
    if row["provider_spam"]:
        yield "provider-spam", "the backlink provider marks this domain as spam"
    if row["spam_score"] is not None and row["spam_score"] >= MODERATE_SPAM_SCORE:
        yield (
            "high-spam-score",
            f"provider spam score {row['spam_score']:.0f}%: most sites like it were penalised",
        )
    if row["have_ranks"] and (row["ranked_score"] is None or row["ranked_score"] < UNRANKED_SCORE):
        yield "unranked", "not in the top 50 million domains of the Common Crawl web graph"
    if row["max_outlinks"] is not None and row["max_outlinks"] > LINK_FARM_OUTLINKS:
        yield "link-farm", f"a linking page has {row['max_outlinks']} external links"
    if row["pages"] >= SITEWIDE_PAGES:
        yield "sitewide", f"links from {row['pages']} pages of the domain (footer or sidebar)"
    elif row["sitewide"]:
        yield "sitewide", "the provider marks its link as sitewide (footer or sidebar)"
    share = keyword_share or 0.0
    if share > KEYWORD_ANCHOR_SHARE and authority < WEAK_AUTHORITY:
        yield (
            "keyword-anchors",
            f"{share:.0%} of its anchors match your keywords, from a weak domain "
            f"(authority {authority:.0f})",
        )
    tld = row["domain"].rsplit(".", 1)[-1]
    if tld in spam_tlds:
        yield "spam-tld", f"its TLD .{tld} is on your blocklist (ingest.spam_tlds)"


def spam_flags(
    signals: Iterable[Mapping[str, Any]],
    keyword_share: Mapping[str, float],
    spam_tlds: Iterable[str] = (),
) -> list[SpamFlag]:
    """Flags for every referring domain of ``signals`` (rows of
    :func:`linkflow.analyses.backlinks_profile.domain_signals`).

    ``keyword_share`` maps a domain to the share of its links whose anchor is an exact or
    partial keyword match.
    """
    tlds = frozenset(t.lower().lstrip(".") for t in spam_tlds)
    out: list[SpamFlag] = []
    for row in signals:
        for flag, why in _flags_for(row, keyword_share.get(row["domain"]), tlds):
            out.append(SpamFlag(row["domain"], flag, why))
    return out
