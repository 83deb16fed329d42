"""YAKE keyphrases: linkflow's implementation against the ``yake`` package (0.7.3, pinned in
the dev extra), which is written apart from it, on texts of every kind the scoring
distinguishes (stop words, acronyms, names, numbers, odd tokens, punctuation, plurals,
repeats); and the stop word lists as the package reads them."""

from __future__ import annotations

from importlib.metadata import version

import pytest
import yake
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.errors import ConfigError
from linkflow.recommend import phrases
from linkflow.recommend.keyphrases import extract_keyphrases, similarity
from linkflow.recommend.phrases import keyphrases, stopwords

WORDS = [
    # stop words, plain words and their plurals, names, acronyms, numbers, odd tokens
    "the", "of", "and", "a", "to", "in", "is", "for", "with", "it's", "don't",
    "lawn", "lawns", "care", "snow", "removal", "garden", "gardens", "service", "services",
    "roof", "repair", "quick", "green", "plans", "plan", "us", "bus", "glass",
    "London", "Paris", "Smith", "Acme", "SQL", "HTTP", "NASA", "CamelCase",
    "2024", "3.5", "1,200", "v2", "x86_64", "e-mail", "co-op", "--", "...", "(", ")",
    "«", "café", "naïve", "Ωmega",
]  # fmt: skip
ENDS = [" ", " ", " ", ", ", ". ", "! ", "? ", "; ", ": ", "\n", " - "]

paragraphs = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(ENDS)), min_size=0, max_size=120
).map(lambda pairs: "".join(w + e for w, e in pairs))

PROSE = [
    "Lawn care services in London. Our lawn care team mows, feeds and weeds lawns; the "
    "Acme lawn care plan covers spring and autumn. Snow removal services run all winter. "
    "Call us for snow removal, gutter cleaning and roof repair quotes.",
    "PostgreSQL supports SQL:2016. The CREATE TABLE command creates a table; ALTER TABLE "
    "changes the definition of a table. See the SQL commands reference for details.",
    "",
    "...",
    "the of and to in",
]


def _yake(text: str, n: int, dedup: float, lang: str = "en") -> list[tuple[str, float]]:
    extractor = yake.KeywordExtractor(lan=lang, n=n, top=20, dedup_lim=dedup)
    return [(str(k), float(s)) for k, s in extractor.extract_keywords(text)]


def test_the_oracle_is_the_pinned_package() -> None:
    assert version("yake") == "0.7.3"  # its __version__ says 0.7.1


@pytest.mark.parametrize("text", PROSE)
@pytest.mark.parametrize(("n", "dedup"), [(1, 0.8), (2, 0.8), (3, 0.9), (2, 1.0)])
def test_same_keyphrases_and_scores_as_the_package(text: str, n: int, dedup: float) -> None:
    ours = extract_keyphrases(text, stopwords("en"), n=n, top=20, dedup=dedup)
    assert ours == _yake(text, n, dedup)


@settings(max_examples=300, deadline=None)
@given(paragraphs, st.sampled_from([(1, 0.9), (2, 0.8), (3, 0.9), (3, 1.0)]))
def test_same_as_the_package_on_any_text(text: str, config: tuple[int, float]) -> None:
    n, dedup = config
    ours = extract_keyphrases(text, stopwords("en"), n=n, top=20, dedup=dedup)
    assert ours == _yake(text, n, dedup)


def test_what_a_text_about_lawn_care_is_about() -> None:
    """Read by hand: the phrase the text repeats, and no phrase that starts or ends with a
    stop word or holds a number."""
    found = [k for k, _ in extract_keyphrases(PROSE[0], stopwords("en"), n=2, dedup=0.8)]
    assert found[0] == "Lawn care"  # as first written
    assert "snow removal" in [k.lower() for k in found]
    for phrase in found:
        words = phrase.lower().split()
        assert words[0] not in stopwords("en")
        assert words[-1] not in stopwords("en")
    assert not any(w.isdigit() for p in found for w in p.split())
    scores = [s for _, s in extract_keyphrases(PROSE[0], stopwords("en"), n=2, dedup=0.8)]
    assert scores == sorted(scores)


def test_similar_phrases_are_kept_once() -> None:
    assert similarity("lawn care", "lawn care") == 1.0
    # Worked by hand: length ratio 1, characters 8 shared of 9, words 1 of 3 (not over
    # 0.4, so trigrams decide), trigrams 4 shared of 10.
    assert similarity("lawn care", "lawn cure") == pytest.approx(0.3 + 0.2 * 8 / 9 + 0.5 * 0.4)
    assert similarity("lawn care", "lawn cares") == 0.0  # a different last letter
    assert similarity("lawn care", "snow removal") == 0.0
    found = [k.lower() for k, _ in extract_keyphrases(PROSE[0], stopwords("en"), dedup=0.5)]
    assert len(found) == len(set(found))
    # "lawn cure" reads 0.68 alike "lawn care", a better phrase: left out at 0.5, kept when
    # nothing is deduplicated; and no two phrases kept at 0.5 read more alike than that.
    text = "Lawn care matters for gardens. A lawn cure helps gardens. Good lawn care again."
    text += " The lawn cure works."
    kept = [k.lower() for k, _ in extract_keyphrases(text, stopwords("en"), dedup=0.5)]
    every = [k.lower() for k, _ in extract_keyphrases(text, stopwords("en"), dedup=1.0)]
    assert "lawn care" in kept
    assert "lawn cure" not in kept
    assert {"lawn care", "lawn cure"} <= set(every)
    assert all(similarity(a, b) <= 0.5 for i, a in enumerate(kept) for b in kept[i + 1 :])


@pytest.mark.parametrize("lang", ["en", "pt-BR", "DE", "fr", "xx", ""])
def test_stop_words_as_the_package_reads_them(lang: str) -> None:
    assert stopwords(lang) == frozenset(yake.KeywordExtractor(lan=lang or "en").stopword_set)


def test_a_missing_stop_word_list_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phrases, "_STOPWORD_DIRS", ("nowhere",))
    stopwords.cache_clear()
    try:
        with pytest.raises(ConfigError, match="stop word lists are missing"):
            stopwords("en")
    finally:
        stopwords.cache_clear()


def test_keyphrases_of_main_text_end_each_block_as_a_sentence() -> None:
    """Main text holds one block a line: a heading ends before the paragraph under it."""
    text = "Lawn Care\nLawn care keeps lawns green. Snow removal clears paths.\nSnow Removal"
    found = keyphrases(text, "en")
    assert "Lawn care" in found or "Lawn Care" in found
    assert not any("care lawn" in k.lower() for k in found)
    assert keyphrases("  \n ", "en") == []
