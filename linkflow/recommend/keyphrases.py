"""Keyphrases of a text by YAKE (Campos et al., "YAKE! Keyword extraction from single
documents using multiple local features", Information Sciences 509, 2020), scored and
deduplicated as the ``yake`` package 0.7.3 does it.

YAKE reads one text alone. It splits it into sentences and words (segtok's splitter and
tokenizer, as the package does), tags each word (``d`` a number, ``u`` an unusual token,
``a`` an acronym, ``n`` a capitalised word inside a sentence, ``p`` plain) and scores each
word from five features: its casing, its position (the median sentence it appears in), its
frequency, how many different words stand next to it (relatedness) and how many sentences
hold it. A word's score ``H`` is low for important words. A candidate phrase (up to ``n``
words of one run between punctuation, starting and ending with no stop word) scores the
product of its words' scores over their sum, divided by the phrase's own frequency. The
best phrases are kept, skipping any that reads too much like one kept already.

Why not the package itself: it scores through a NetworkX graph and a NumPy median per word,
17 ms for each 2,000-character text on a target page, which the suggestions pay once per
target (up to 300); this module computes the same numbers with dicts and lists, several
times faster, and its results do not move with the installed package's version (0.6 and
0.7 deduplicate differently). ``tests/recommend/test_keyphrases.py`` checks that it gives
the package's keyphrases and scores, text by text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection
from dataclasses import dataclass, field
from math import log
from typing import Final

import numpy as np
from segtok.segmenter import split_multi
from segtok.tokenizer import split_contractions, web_tokenizer

__all__ = ["extract_keyphrases", "similarity"]

_MARKS: Final = string.punctuation
_PUNCTUATION: Final = frozenset(_MARKS)
_NO_PUNCTUATION: Final = str.maketrans("", "", _MARKS)
_CAPITAL: Final = re.compile(r"^(\s*([A-Z]))")
_DISCARDED: Final = frozenset("ud")  # number and unusual tokens: no co-occurrence, no phrase


@dataclass(slots=True, eq=False)
class _Term:
    """One word of the text, folded (lower case, a final ``s`` dropped after three letters)."""

    id: int
    stopword: bool
    tf: float = 0.0
    tf_acronym: float = 0.0
    tf_name: float = 0.0
    sentences: list[int] = field(default_factory=list)  # distinct, in order
    right: dict[int, float] = field(default_factory=dict)  # words right after it: count
    left: dict[int, float] = field(default_factory=dict)  # words right before it: count
    h: float = 0.0


@dataclass(slots=True, eq=False)
class _Candidate:
    """A phrase of one to ``n`` words, as first written (``kw``) and folded (``unique``),
    with the tag strings it had."""

    kw: str
    unique: str
    terms: tuple[_Term, ...]
    tags: set[str]
    tf: float = 0.0
    h: float = 1.0


def _tag(word: str, not_first: bool) -> str:
    """YAKE's tag of ``word`` (``not_first``: not the first word of its sentence)."""
    plain = word.replace(",", "")
    if plain.isdigit() or plain.replace(".", "", 1).isdigit():
        return "d"
    digits = alphas = marks = 0
    for c in word:
        if c.isdigit():
            digits += 1
        if c.isalpha():
            alphas += 1
        if c in _PUNCTUATION:
            marks += 1
    if (digits > 0 and alphas > 0) or (digits == 0 and alphas == 0) or marks > 1:
        return "u"
    if word.isupper():
        return "a"
    if not_first and len(word) > 1 and word[0].isupper() and sum(c.isupper() for c in word) == 1:
        return "n"
    return "p"


_TAGS: dict[tuple[str, bool], str] = {}
""":func:`_tag` of the words seen, by word and whether another word of its sentence comes
before it: the texts of one site share most of their words."""
_TAGS_KEPT: Final = 100_000


def _sentences(text: str) -> list[list[str]]:
    """The words of each sentence of ``text`` (the package's ``pre_filter`` and
    ``tokenize_sentences`` for a text of one line)."""
    text = ("\n\n" if _CAPITAL.match(text) else " ") + text.replace("\t", " ")
    return [
        [w for w in split_contractions(web_tokenizer(s)) if w and not (w[0] == "'" and len(w) > 1)]
        for s in split_multi(text)
        if s.strip()
    ]


class _Document:
    """The words and candidate phrases of one text (the package's ``DataCore``)."""

    __slots__ = ("candidates", "n", "sentences", "stopwords", "terms")

    def __init__(self, text: str, stopwords: Collection[str], n: int) -> None:
        self.stopwords = stopwords
        self.n = n
        self.terms: dict[str, _Term] = {}
        self.candidates: dict[str, _Candidate] = {}
        self.sentences = _sentences(text)
        tags = _TAGS
        if len(tags) > _TAGS_KEPT:
            tags.clear()
        term_of: dict[str, _Term] = {}  # each word as written: its term, looked up once
        for sentence_id, words in enumerate(self.sentences):
            run: list[tuple[str, str, _Term]] = []  # words since the last punctuation
            for position, word in enumerate(words):
                if not word.strip(_MARKS):  # punctuation only: a run ends
                    run = []
                    continue
                key = (word, position > 0)
                tag = tags.get(key)
                if tag is None:
                    tag = tags[key] = _tag(word, position > 0)
                term = term_of.get(word)
                if term is None:
                    term = term_of[word] = self._term(word)
                term.tf += 1.0
                if tag == "a":
                    term.tf_acronym += 1.0
                elif tag == "n":
                    term.tf_name += 1.0
                if not term.sentences or term.sentences[-1] != sentence_id:
                    term.sentences.append(sentence_id)
                if run and tag not in _DISCARDED and run[-1][0] not in _DISCARDED:
                    # the co-occurrence window of one word, to the left
                    before = run[-1][2]
                    before.right[term.id] = before.right.get(term.id, 0.0) + 1.0
                    term.left[before.id] = term.left.get(before.id, 0.0) + 1.0
                run.append((tag, word, term))
                self._add_candidates(run)

    def _term(self, word: str) -> _Term:
        unique = word.lower()
        stop = unique in self.stopwords
        if unique.endswith("s") and len(unique) > 3:
            unique = unique[:-1]
        term = self.terms.get(unique)
        if term is None:
            stop = stop or unique in self.stopwords or len(unique.translate(_NO_PUNCTUATION)) < 3
            term = self.terms[unique] = _Term(len(self.terms), stop)
        return term

    def _add_candidates(self, run: list[tuple[str, str, _Term]]) -> None:
        """The phrases ending with the last word of ``run``: one word, then longer."""
        candidates = self.candidates
        tags, kw, term = run[-1]
        terms: tuple[_Term, ...] = (term,)
        last = len(run) - 1
        for i in range(last, max(last - self.n, -1), -1):
            if i < last:  # one word more, on the left
                tag, word, term = run[i]
                tags, kw, terms = tag + tags, f"{word} {kw}", (term, *terms)
            unique = kw.lower()
            found = candidates.get(unique)
            if found is None:
                candidates[unique] = _Candidate(kw, unique, terms, {tags}, 1.0)
            else:
                found.tags.add(tags)
                found.tf += 1.0

    def score_terms(self) -> bool:
        """Every word's ``h``; False when every word is a stop word (no phrase then)."""
        terms = list(self.terms.values())
        tfs = np.array([t.tf for t in terms if not t.stopword])
        if not tfs.size:
            return False
        # NumPy's mean and standard deviation, as the package has them (its sums are
        # pairwise: the same numbers to the last bit need the same arithmetic).
        spread = float(tfs.mean() + tfs.std())
        max_tf = max(t.tf for t in terms)
        sentences = len(self.sentences)
        for t in terms:
            right, left = len(t.right), len(t.left)
            weight_right, weight_left = sum(t.right.values()), sum(t.left.values())
            pr = 0 if weight_right == 0 else right / weight_right
            pl = 0 if weight_left == 0 else left / weight_left
            rel = (0.5 + pl * (t.tf / max_tf)) + (0.5 + pr * (t.tf / max_tf))
            freq = t.tf / spread
            reach = len(t.sentences) / sentences
            case = max(t.tf_acronym, t.tf_name) / (1.0 + log(t.tf))
            ids, half = t.sentences, len(t.sentences) // 2
            median = ids[half] if len(ids) % 2 else (ids[half - 1] + ids[half]) / 2
            position = log(log(3.0 + median))
            t.h = position * rel / (case + freq / rel + reach / rel)
        return True

    def score_candidate(self, candidate: _Candidate) -> None:
        """``h`` of a valid candidate; a stop word inside it weighs by how likely it joins
        its neighbours (the package's ``STOPWORD_WEIGHT = "bi"``)."""
        total, product = 0.0, 1.0
        terms = candidate.terms
        last = len(terms) - 1
        for i, term in enumerate(terms):
            if not term.stopword:
                total += term.h
                product *= term.h
                continue
            before = after = 0.0
            if i > 0 and term.id in terms[i - 1].right:
                before = terms[i - 1].right[term.id] / terms[i - 1].tf
            if i < last and terms[i + 1].id in term.right:
                after = term.right[terms[i + 1].id] / terms[i + 1].tf
            joined = before * after
            product *= 1 + (1 - joined)
            total -= 1 - joined
        candidate.h = product / ((total + 1) * candidate.tf)


def _valid(candidate: _Candidate) -> bool:
    if candidate.terms[0].stopword or candidate.terms[-1].stopword:
        return False
    return any("u" not in tags and "d" not in tags for tags in candidate.tags)


def similarity(a: str, b: str) -> float:
    """How alike two folded phrases read, in [0, 1] (the package's ``seqm``: a quick
    filter, then word, character and trigram overlap)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    longest = max(la, lb)
    if abs(la - lb) > longest * 0.6:
        return 0.0
    if longest > 3:
        if a[0] != b[0] or a[-1] != b[-1]:
            return 0.0
        if min(la, lb) >= 3 and a[:2].lower() != b[:2].lower():
            return 0.0
    if abs(a.count(" ") - b.count(" ")) > 1:
        return 0.0
    ratio = min(la, lb) / longest
    if ratio < 0.3:
        return 0.0
    a, b = a.lower(), b.lower()
    ca, cb = set(a), set(b)
    chars = len(ca & cb) / len(ca | cb)
    if chars < 0.2:
        return 0.0
    if longest <= 4:
        return chars * ratio
    wa, wb = a.split(), b.split()
    if len(wa) > 1 or len(wb) > 1:
        words = set(wa) | set(wb)
        if words:
            overlap = len(set(wa) & set(wb)) / len(words)
            if overlap > 0.4:
                return overlap
    ta = {a[i : i + 3] for i in range(len(a) - 2)}
    tb = {b[i : i + 3] for i in range(len(b) - 2)}
    trigrams = ta | tb
    tri = len(ta & tb) / len(trigrams) if trigrams else 0
    return min(0.3 * ratio + 0.2 * chars + 0.5 * tri, 1.0)


def extract_keyphrases(
    text: str, stopwords: Collection[str], *, n: int = 3, top: int = 20, dedup: float = 0.9
) -> list[tuple[str, float]]:
    """The ``top`` best keyphrases of ``text`` of up to ``n`` words, with their scores,
    best (lowest) first, as written at their first occurrence; a phrase more than ``dedup``
    alike (:func:`similarity`) to a better one is left out (``dedup`` ≥ 1: none is).

    ``stopwords``: lower-case words (the package's list for the text's language). The
    package's ``KeywordExtractor(lan, n, dedup_lim, top)`` with its other defaults
    (co-occurrence window 1, all features, no lemmatisation) gives the same list.
    """
    text = text.replace("\n", " ")
    if not text:
        return []
    document = _Document(text, stopwords, n)
    if not document.score_terms():
        return []
    valid = [c for c in document.candidates.values() if _valid(c)]
    for candidate in valid:
        document.score_candidate(candidate)
    valid.sort(key=lambda c: c.h)
    if dedup >= 1.0:  # the package gives these folded
        return [(c.unique, c.h) for c in valid[:top]]
    kept: list[_Candidate] = []
    for candidate in valid:
        if all(similarity(candidate.unique, k.unique) <= dedup for k in kept):
            kept.append(candidate)
            if len(kept) == top:
                break
    return [(c.kw, c.h) for c in kept]
