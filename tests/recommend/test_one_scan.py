"""A sampled source page is scanned once: the mentions kept from counting the phrases give
the same candidate pairs as scanning the page again for the phrases left after the common
ones are dropped (the two-pass search, which :func:`find_pairs` does past its memory bound
and for the pages outside the sample)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.recommend import candidates
from linkflow.recommend.candidates import Option, SourceText, find_pairs
from linkflow.recommend.phrases import Phrase

WORDS = ["lawn", "care", "garden", "design", "stone", "wall", "tree", "pruning", "the", "of"]
KINDS = ["keyphrase", "h1", "title", "keyword"]


def _sentence(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=6, max_size=14))
    return " ".join(words).capitalize() + draw(st.sampled_from([".", "!", "", " and"]))


@st.composite
def _site(draw: st.DrawFn) -> tuple[list[SourceText], dict[int, list[Phrase]]]:
    sources = []
    for node in range(draw(st.integers(1, 12))):
        blocks = [
            " ".join(_sentence(draw) for _ in range(draw(st.integers(1, 3))))
            for _ in range(draw(st.integers(0, 3)))
        ]
        text = "\n".join(blocks)
        code: tuple[tuple[int, int], ...] = ()
        if text and draw(st.booleans()):  # one code span somewhere in the text
            start = draw(st.integers(0, len(text) - 1))
            code = ((start, draw(st.integers(start, len(text)))),)
        sources.append(SourceText(node, text, "en", (), code))
    phrases: dict[int, list[Phrase]] = {}
    for target in draw(st.lists(st.integers(0, 14), max_size=5, unique=True)):
        items = draw(
            st.lists(
                st.tuples(
                    st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
                    st.sampled_from(KINDS),
                ),
                min_size=1,
                max_size=4,
            )
        )
        seen: set[str] = set()
        for words, kind in items:
            key = " ".join(words)
            if key not in seen:
                seen.add(key)
                phrases.setdefault(target, []).append(Phrase(key, key.title(), kind))
    return sources, phrases


def _pairs(
    sources: list[SourceText], phrases: dict[int, list[Phrase]], sample: int
) -> list[tuple[int, int, list[Option], int]]:
    out = find_pairs(
        sources,
        phrases,
        linked=np.zeros(0, np.int64),
        n=100,
        target_lang={},
        exact_anchors={t: {ps[0].key} for t, ps in phrases.items() if len(ps) > 1},
        generic=[],
        sample=sample,
    )
    return list(zip(out.src, out.dst, out.options, out.mentions, strict=True))


@settings(max_examples=150, deadline=None)
@given(_site(), st.integers(1, 6))
def test_kept_mentions_give_the_pairs_of_a_second_scan(
    site: tuple[list[SourceText], dict[int, list[Phrase]]], sample: int
) -> None:
    sources, phrases = site
    once = _pairs(sources, phrases, sample)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(candidates, "_KEEP_MENTIONS", 0)  # every page scanned again
        twice = _pairs(sources, phrases, sample)
    assert once == twice


def test_a_page_mentioning_a_common_phrase_gets_pairs_of_the_others_only() -> None:
    # "lawn care" is on every page (a keyphrase on more than 3 pages: common), "stone wall"
    # on one: only the latter makes a pair, from the page that is not the target's.
    text = "We built a stone wall beside the lawn care area of the garden today."
    other = "Our lawn care team came by on a sunny day."
    sources = [SourceText(n, text if n == 0 else other, "en") for n in range(6)]
    phrases = {
        7: [Phrase("lawn care", "Lawn care", "keyphrase")],
        8: [Phrase("stone wall", "Stone wall", "keyphrase")],
    }
    for keep in (candidates._KEEP_MENTIONS, 0):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(candidates, "_KEEP_MENTIONS", keep)
            found = _pairs(sources, phrases, 2000)
        assert [(s, t) for s, t, _, _ in found] == [(0, 8)]
        assert found[0][2][0].anchor == "stone wall"
