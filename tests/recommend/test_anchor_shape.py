"""The anchor of a link to a target with many exact-match anchors already: a partial match
that reads whole (it neither ends on a stop word nor cuts the target's name in two)."""

from __future__ import annotations

import numpy as np

from linkflow.recommend.candidates import SourceText, find_pairs
from linkflow.recommend.phrases import Phrase
from linkflow.recommend.relevance import stopwords_for

STOP = stopwords_for(["en"])


def _anchor(text: str, phrases: list[Phrase], avoid: set[str]) -> str:
    out = find_pairs(
        [SourceText(1, text, "en")],
        {9: phrases},
        linked=np.zeros(0, np.int64),
        n=100,
        target_lang={9: "en"},
        exact_anchors={9: avoid},
        generic=[],
        stopwords=STOP,
    )
    [options] = out.options
    return options[0].anchor


H1 = Phrase("irrigation systems", "Irrigation Systems", "h1")


def test_a_widened_anchor_takes_the_word_that_is_not_a_stop_word() -> None:
    text = "In dry summers modern irrigation systems with a smart controller water each zone."
    assert _anchor(text, [H1], {"irrigation systems"}) == "modern irrigation systems"


def test_a_widened_anchor_still_takes_the_next_word_when_it_is_no_stop_word() -> None:
    text = "In dry summers irrigation systems save water and time in every garden."
    assert _anchor(text, [H1], {"irrigation systems"}) == "irrigation systems save"


def test_a_stop_word_is_taken_when_no_other_word_is_next_to_the_match() -> None:
    text = "Irrigation systems of every size are installed by our crews in spring."
    assert _anchor(text, [H1], {"irrigation systems"}) == "Irrigation systems of"


def test_a_fresh_phrase_spans_the_overused_one_it_crosses() -> None:
    text = "Good garden design and an efficient drip irrigation system can cut water use by half."
    phrases = [
        Phrase("garden design", "Garden Design", "h1"),
        Phrase("good garden", "Good garden", "keyphrase"),
    ]
    assert _anchor(text, phrases, {"garden design"}) == "Good garden design"
    # without overused anchors the name comes first, as it stands
    assert _anchor(text, phrases, set()) == "garden design"


def test_a_fresh_phrase_inside_an_overused_one_is_not_grown_into_it() -> None:
    text = "Our lawn care services cover mowing, feeding and aeration all year."
    phrases = [
        Phrase("lawn care services", "Lawn care services", "title"),
        Phrase("lawn care", "Lawn care", "keyphrase"),
    ]
    assert _anchor(text, phrases, {"lawn care services"}) == "lawn care"
