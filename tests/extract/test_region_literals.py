"""The literal pre-check of the class/id vocabularies: every text a vocabulary pattern matches
holds one of its literals (so skipping the patterns when none is there changes nothing), and
the ids that name one item each are told apart by it."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.extract import regions
from linkflow.extract.regions import may_name_region

_PATTERNS = [
    pattern
    for vocab in (regions._META_WORDS, regions._SPECIFIC_WORDS, regions._GENERIC_WORDS)
    for _, pattern in vocab
]


def _without_lookarounds(pattern: str) -> str:
    """``pattern`` with its lookahead and lookbehind groups removed (nesting followed), for
    a generator of texts that hold a match: the assertions only narrow where one is."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth = 0
            while True:
                char = pattern[i]
                if char == "\\":
                    i += 2
                    continue
                if char == "[":  # a class may hold parentheses
                    i = pattern.index("]", i + 2) + 1
                    continue
                depth += {"(": 1, ")": -1}.get(char, 0)
                i += 1
                if depth == 0:
                    break
            continue
        out.append(pattern[i])
        if pattern[i] == "\\":
            out.append(pattern[i + 1])
            i += 1
        i += 1
    return "".join(out)


def test_lookaround_removal_keeps_the_rest() -> None:
    assert _without_lookarounds(r"(?<![a-z(])ab(?![a-z]|-?(?:x|y))c\(") == r"abc\("


@pytest.mark.parametrize("pattern", _PATTERNS, ids=lambda p: p.pattern[:30])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_match_holds_a_literal(pattern: re.Pattern[str], data: st.DataObject) -> None:
    loose = _without_lookarounds(pattern.pattern)
    text = data.draw(st.from_regex(loose, fullmatch=False)).lower()
    if pattern.search(text) is None:
        return  # the lookarounds rule it out: nothing to check
    assert may_name_region(text), (pattern.pattern, text)


@pytest.mark.parametrize(
    "text",
    [
        "post-meta", "byline", "tags-links", "social-share", "cookie-notice", "about-the-author",
        "breadcrumbs", "page-numbers", "pager", "post-nav", "disqus_thread", "replies",
        "crosssell", "also-viewed", "read-next", "more-from", "left-column", "rightcol",
        "secondary", "most-popular", "sponsors", "site-footer", "colophon", "bottom",
        "masthead", "topbar", "top-strip", "entry-content", "md-content__inner", "maincontent",
        "markdown-body", "navbar", "sub-nav", "menu", "toc", "table-of-contents",
    ],
)  # fmt: skip
def test_region_words_pass(text: str) -> None:
    assert regions._ANY_WORD.search(text) is not None  # the vocabulary names a region
    assert may_name_region(text)
    assert regions.names_region(text)


@pytest.mark.parametrize(
    "text",
    ["abs", "method.push", "os.path.join", "index-12", "module-os", "str.format",
     "whats-new-in-python-3-11", "impl-clone-for-vec", "tymethod.next", "glossary"],
)  # fmt: skip
def test_item_ids_stop_at_the_literals(text: str) -> None:
    assert not may_name_region(text)
    assert not regions.names_region(text)
