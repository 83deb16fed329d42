"""Phrases, candidate placement (sentence and anchor) and relevance."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.errors import ConfigError
from linkflow.recommend.candidates import SourceText, common_phrases, find_pairs
from linkflow.recommend.inputs import exact_anchor_keys
from linkflow.recommend.phrases import (
    Phrase,
    TargetText,
    assign_queries,
    build_phrases,
    keyword_rules,
    sitewide_title_parts,
    title_parts,
)
from linkflow.recommend.relevance import relevance, stopwords_for
from linkflow.recommend.text import Sentences, fold, is_boundary, phrase_key, sentence_spans


@given(st.text())
def test_folding_keeps_every_offset(text: str) -> None:
    assert len(fold(text)) == len(text)


def _fold_by_hand(text: str) -> str:
    """The folding rule, one character at a time, straight from its definition."""
    out = []
    for char in text:
        norm = unicodedata.normalize("NFKC", char).lower()
        if len(norm) != 1:
            norm = char.lower() if len(char.lower()) == 1 else char
        out.append(norm if unicodedata.category(norm)[0] in "LNM" or norm == "_" else " ")
    return "".join(out)


_MOSTLY_ASCII_TEXT = st.lists(
    st.one_of(st.text(st.characters(max_codepoint=127), max_size=12), st.characters()),
    max_size=30,
).map("".join)


@given(_MOSTLY_ASCII_TEXT)
def test_folding_mostly_ascii_text_matches_the_rule(text: str) -> None:
    assert fold(text) == _fold_by_hand(text)


def test_folding_text_with_a_few_other_characters() -> None:
    assert fold("Don’t café—Ａ? x") == "don t café a  x"
    assert fold("a b ﬁne ?É") == "a b ﬁne  é"  # "ﬁ" is two letters in NFKC
    assert fold("東京 is Tokyo") == "東京 is tokyo"


def test_folding_and_boundaries() -> None:
    assert fold("Lawn-Care, ÉTÉ") == "lawn care  été"
    assert phrase_key("  Lawn-Care  Services! ") == "lawn care services"
    folded = fold("lawnmower lawn care")
    assert not is_boundary(folded, 0, 4)  # "lawn" inside "lawnmower"
    assert is_boundary(folded, 10, 19)
    assert is_boundary(fold("東京の庭"), 0, 2)  # no spaces between words: no boundary needed


def test_sentences_never_span_two_blocks() -> None:
    text = "Lawn care basics\nGood lawn care starts early. Rake moss first!  \nShort"
    spans = [text[a:b] for a, b in sentence_spans(text)]
    assert spans == [
        "Lawn care basics",
        "Good lawn care starts early.",
        "Rake moss first!",
        "Short",
    ]


def _sentence_around_by_list(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The rule of :class:`Sentences`, from the whole list of sentences: the last one that
    starts at or before ``start``, if it ends at or after ``end``."""
    before = [(a, b) for a, b in sentence_spans(text) if a <= start]
    if not before or before[-1][1] < end:
        return None
    return before[-1]


@settings(max_examples=500)
@given(st.text(alphabet="ab .!?…\n\t\u3000", max_size=60), st.data())
def test_a_sentence_found_alone_is_the_one_of_the_list(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start + 1, len(text) + 1))
    assert Sentences(text).around(start, end) == _sentence_around_by_list(text, start, end)


def test_the_sentence_around_a_match() -> None:
    text = "Lawn care basics\nGood lawn care starts early. Rake moss first!  \nShort"
    sentences = Sentences(text)
    at = text.index("lawn care starts")
    assert sentences.around(at, at + 9) == (17, 45)  # "Good lawn care starts early."
    assert text[17:45] == "Good lawn care starts early."
    across = text.index("early. Rake")
    assert sentences.around(across, across + len("early. Rake")) is None
    assert sentences.around(text.index("Short"), len(text)) == (len(text) - 5, len(text))


def test_titles_lose_the_brand_and_the_site_name() -> None:
    titles = ["Lawn Care | Greenleaf", "Hedges | Greenleaf", "Blog | Greenleaf", "Home"]
    sitewide = sitewide_title_parts(titles)
    assert sitewide == {"greenleaf"}
    assert title_parts("Lawn Care Services | Greenleaf", (), sitewide) == ["Lawn Care Services"]
    assert title_parts("Acme: Lawn care – Weekly mowing", ["acme"], set()) == [
        "Lawn care",
        "Weekly mowing",
    ]
    assert title_parts("Well-known tools", (), set()) == ["Well-known tools"]


def test_keyword_rules() -> None:
    assert keyword_rules(["/services/* = lawn care, lawn mowing"]) == [
        ("/services/*", ["lawn care", "lawn mowing"])
    ]
    with pytest.raises(ConfigError, match="recommend.keywords"):
        keyword_rules(["/services/lawn-care"])


def _target(node: int, path: str, title: str, h1: str = "", text: str = "") -> TargetText:
    return TargetText(node, "https://a.test" + path, path, title, h1, "en", text)


def test_queries_go_to_the_most_specific_page() -> None:
    targets = [
        _target(1, "/services/", "Our services"),
        _target(2, "/services/lawn-care", "Lawn care prices", "Lawn care"),
    ]
    got = assign_queries([("lawn care prices", 50), ("services", 10), ("roof repair", 99)], targets)
    assert got == {2: ["lawn care prices"], 1: ["services"]}


def test_phrase_sets_most_trusted_first_and_no_generic_ones() -> None:
    targets = [
        _target(
            1,
            "/services/lawn-care",
            "Lawn Care | Acme",
            "Lawn Care",
            "Our lawn care plans include mowing and feeding. Read more today.",
        )
    ]
    phrases = build_phrases(
        targets,
        keywords=[("/services/*", ["lawn service", "read more"])],
        queries={1: ["lawn care near me"]},
        brands=["acme"],
        sitewide=set(),
        generic=["read more"],
    )[1]
    kinds = [p.kind for p in phrases]
    assert kinds[:3] == ["keyword", "query", "h1"]
    assert "read more" not in [p.key for p in phrases]
    assert len({p.key for p in phrases}) == len(phrases)
    assert all(len(p.key.split()) >= 2 for p in phrases)


def _pairs(texts: list[SourceText], phrases: dict[int, list[Phrase]], **kw: object) -> list:
    args: dict[str, object] = {
        "linked": np.zeros(0, np.int64),
        "n": 100,
        "target_lang": {9: "en"},
        "exact_anchors": {},
        "generic": [],
    }
    args.update(kw)
    out = find_pairs(texts, phrases, **args)  # type: ignore[arg-type]
    return list(zip(out.src, out.dst, out.options, strict=True))


H1 = Phrase("lawn care", "Lawn care", "h1")
LONG = Phrase("lawn care services", "Lawn care services", "title")
KEY = Phrase("cut the grass short", "cut the grass short", "keyphrase")


def test_the_earliest_fitting_sentence_and_the_longest_naming_phrase() -> None:
    text = (
        "Lawn care services\n"  # a heading: no sentence mark, too short
        "Read about lawn care in our guide to spring gardens today. "  # holds a link
        "We cut the grass short and offer lawn care services for every garden in town."
    )
    source = SourceText(1, text, "en", ("Read about lawn care in our guide to spring gardens",))
    [(s, t, options)] = _pairs([source], {9: [H1, LONG, KEY]})
    assert (s, t) == (1, 9)
    assert options[0].sentence.startswith("We cut the grass short")
    assert options[0].anchor == "lawn care services"  # naming phrase before a longer keyphrase


def test_pairs_already_linked_other_languages_and_the_target_itself_are_dropped() -> None:
    text = "We offer lawn care for every garden in the whole town, all year."
    sources = [
        SourceText(1, text, "en"),
        SourceText(2, text, "de-DE"),
        SourceText(9, text, "en"),
        SourceText(3, text, "en-GB"),
    ]
    got = _pairs(sources, {9: [H1]}, linked=np.array([1 * 100 + 9]))
    assert [(s, t) for s, t, _ in got] == [(3, 9)]


def test_a_partial_anchor_when_the_exact_one_is_overused() -> None:
    text = "Regular lawn care keeps moss away from every garden in town."
    [(_, _, options)] = _pairs(
        [SourceText(1, text, "en")], {9: [H1]}, exact_anchors={9: {"lawn care"}}
    )
    assert options[0].anchor == "lawn care keeps"
    assert exact_anchor_keys(
        {"lawn care": 6, "click here": 3, "garden": 4}, ["lawn care"], ["click here"], 0.3
    ) == {"lawn care"}
    assert exact_anchor_keys({"lawn care": 1, "garden": 9}, ["lawn care"], [], 0.3) == set()


def test_never_the_whole_sentence_nor_a_sentence_out_of_bounds() -> None:
    short = SourceText(1, "Lawn care today.", "en")
    too_long = SourceText(2, "lawn care " + "word " * 60 + ".", "en")
    assert _pairs([short, too_long], {9: [H1]}) == []


def test_relevance_is_relative_to_the_target_itself() -> None:
    texts = {
        1: "Lawn care services: mowing, feeding and aeration of your lawn.",
        2: "Spring lawn care: mow weekly, feed the lawn, aeration in autumn.",
        3: "Our history and team. We once did lawn care.",
        4: "",
    }
    rel = relevance(
        np.array([2, 3, 4]),
        np.array([1, 1, 1]),
        texts,
        {1: "lawn care services mowing aeration"},
        stopwords_for(["en", "en-GB"]),
    )
    assert 1 >= rel[0] > rel[1] > 0
    assert rel[2] == 0


def test_keyphrases_must_share_a_word_with_the_page_names() -> None:
    text = (
        "Snow Removal\nMaintenance plans are billed monthly and renew every winter season. "
        "Our snow removal crews start at dawn and clear every driveway before work. "
        "Maintenance plans include salt, shovels and snow removal crews on call."
    )
    target = TargetText(
        1,
        "https://a.test/services/snow-removal",
        "/services/snow-removal",
        "Snow Removal | Acme",
        "Snow Removal",
        "en",
        text,
    )
    phrases = build_phrases(
        [target], keywords=[], queries={}, brands=["acme"], sitewide=set(), generic=[]
    )[1]
    keyphrases = [p.key for p in phrases if p.kind == "keyphrase"]
    assert "maintenance plans" not in keyphrases
    assert all({"snow", "removal", "services"} & set(k.split()) for k in keyphrases)


def test_a_phrase_common_on_the_site_is_dropped_only_where_it_is_a_keyphrase() -> None:
    phrases = {1: [H1], 2: [Phrase("lawn care", "lawn care", "keyphrase")]}
    sources = [SourceText(i, f"Page {i} talks about lawn care in town.", "en") for i in range(10)]
    assert common_phrases(sources, phrases) == {("lawn care", "keyphrase")}
