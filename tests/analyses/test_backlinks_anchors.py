"""Anchor classes (research/algorithms.md §6) and the explainable spam flags as pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.analyses.backlinks_anchors import brand_terms_for, classify_anchor, keywords_for
from linkflow.analyses.backlinks_spam import UNRANKED_SCORE, spam_flags
from linkflow.models import ANCHOR_CLASSES

KEYWORDS = keywords_for("https://www.acme.co.uk/garden-sheds/", "Wooden garden sheds", None)
BRANDS = brand_terms_for(["https://www.acme.co.uk/garden-sheds/"])


def test_brand_comes_from_the_registrable_domain() -> None:
    assert BRANDS == ["acme"]
    assert brand_terms_for(["https://x.org/"], ["Acme Ltd"]) == ["acme ltd"]


def test_keywords_from_slug_and_title() -> None:
    assert KEYWORDS == ["garden sheds", "wooden garden sheds"]


@pytest.mark.parametrize(
    ("anchor", "is_image", "expected"),
    [
        ("", False, "empty"),
        ("  ", False, "empty"),
        ("logo", True, "image"),
        ("https://www.acme.co.uk/garden-sheds/", False, "naked_url"),
        ("acme.co.uk/sheds", False, "naked_url"),
        ("Click here", False, "generic"),
        ("Read more", False, "generic"),
        ("Acme", False, "branded"),
        ("ACME garden sheds", False, "branded"),
        ("Garden Sheds", False, "exact"),
        ("garden shed", False, "exact"),
        ("best garden sheds uk", False, "partial"),
        ("sheds for the garden", False, "partial"),
        ("a lovely afternoon", False, "other"),
        ("!!!", False, "empty"),
    ],
)
def test_classes(anchor: str, is_image: bool, expected: str) -> None:
    got = classify_anchor(anchor, is_image=is_image, brand_terms=BRANDS, keywords=KEYWORDS)
    assert got == expected


@settings(deadline=None)
@given(st.one_of(st.none(), st.text(max_size=40)), st.booleans())
def test_every_anchor_gets_a_known_class(anchor: str | None, is_image: bool) -> None:
    got = classify_anchor(anchor, is_image=is_image, brand_terms=BRANDS, keywords=KEYWORDS)
    assert got in ANCHOR_CLASSES


def _signals(**over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "domain": "site.example", "links": 1, "pages": 1, "authority": 50.0,
        "provider_spam": False, "spam_score": None, "max_outlinks": 10, "sitewide": False,
        "ranked_score": None, "have_ranks": False,
    }  # fmt: skip
    row.update(over)
    return row


@pytest.mark.parametrize(
    ("over", "share", "expected"),
    [
        ({}, 0.0, set()),
        ({"provider_spam": True}, 0.0, {"provider-spam"}),
        ({"spam_score": 61.0}, 0.0, {"high-spam-score"}),
        ({"spam_score": 59.0}, 0.0, set()),
        ({"have_ranks": True}, 0.0, {"unranked"}),
        ({"have_ranks": True, "ranked_score": UNRANKED_SCORE + 1}, 0.0, set()),
        ({"max_outlinks": 101}, 0.0, {"link-farm"}),
        ({"pages": 20}, 0.0, {"sitewide"}),
        ({"sitewide": True}, 0.0, {"sitewide"}),
        ({"authority": 10.0}, 0.9, {"keyword-anchors"}),
        ({"authority": 30.0}, 0.9, set()),
        ({"domain": "cheap.xyz"}, 0.0, {"spam-tld"}),
    ],
)
def test_each_spam_rule(over: dict[str, object], share: float, expected: set[str]) -> None:
    row = _signals(**over)
    flags = spam_flags([row], {str(row["domain"]): share}, spam_tlds=["XYZ"])
    assert {f.flag for f in flags} == expected
    assert all(f.why and f.domain == row["domain"] for f in flags)
