"""Candidate links: where a source page's own text already names a target page.

One Aho–Corasick automaton (``ahocorasick_rs``, as a DFA) holds every phrase of every
target; one pass over each source page's folded main text finds every mention, as whole
words. Main text is the page's main content only (no navigation, footer or sidebar), and
a mention that touches its code (``pre``, ``code``, ``kbd``, ``samp``, ``tt``: a listing,
an identifier) is never a place for a link, nor is an anchor widened into code. A pair is
dropped when the source already links the target (anywhere on the page, followed or not),
is the target, or is written in another language.

For each remaining pair the link goes in the page's *earliest fitting sentence*: a sentence
of the main text that mentions the target, has no link yet (no stored link context lies in
it), reads as prose (it ends with a sentence mark, or is long) and has between
``min_words`` and ``max_words`` words. The anchor is the longest phrase of the target
matched in that sentence (a phrase that names the target, such as its H1, before a keyphrase
of its text), never the whole sentence and never a generic anchor. When the
target already has many exact-match anchors (``exact_share`` of its descriptive anchors
equal one of its phrases), a phrase that is not one of those anchors is preferred (spanning
such an anchor's mention it crosses, so that no mention is cut in two: "Good garden" in
"Good garden design" becomes "Good garden design"), and failing that the match is widened
by a neighbouring word into a partial match, a word that is not a stop word when one side
has one ("modern irrigation systems", not "irrigation systems with").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from linkflow.analyses.anchors import normalise_anchor
from linkflow.recommend.phrases import Phrase
from linkflow.recommend.text import (
    Sentences,
    Spans,
    fold,
    is_boundary,
    overlaps,
    phrase_key,
    words,
)

__all__ = ["Candidates", "Option", "Pairs", "SourceText", "common_phrases", "find_pairs"]

_OPTIONS = 3  # fitting sentences kept per pair, for when two links would share one
_END_MARKS = ".!?…:;"


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source page: node, main text, language, the contexts of its content links, and
    ``code``: where its main text is code (offsets, see :func:`~.text.split_code`)."""

    node: int
    text: str
    lang: str
    contexts: tuple[str, ...] = ()
    code: Spans = ()


@dataclass(frozen=True, slots=True)
class Option:
    """A place for the link: the sentence and the anchor (as on the page) and the phrase."""

    sentence: str
    anchor: str
    phrase: Phrase
    start: int  # offset of the sentence in the main text


@dataclass(slots=True)
class Pairs:
    """Candidate pairs (source and target nodes) with their placement options, best first,
    and ``mentions``: how often the source's text names the target."""

    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    options: list[list[Option]] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.src, dtype=np.int64), np.asarray(self.dst, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate links after the relevance floor: pairs, relevance, placement options."""

    src: np.ndarray
    dst: np.ndarray
    relevance: np.ndarray
    options: list[list[Option]]
    mentions: list[int]
    considered: int


_Owners = list[tuple[int, Phrase]]
_Mention = tuple[int, int, str, _Owners]


def _table(phrases: Mapping[int, list[Phrase]]) -> dict[str, _Owners]:
    """Each phrase key with every (target, phrase) it names, in the order of ``phrases``."""
    table: dict[str, _Owners] = {}
    for node, items in phrases.items():
        for phrase in items:
            table.setdefault(phrase.key, []).append((node, phrase))
    return table


class _Automaton:
    """Every phrase key of a table (see :func:`_table`), found in a folded text at once.

    A DFA (``ahocorasick_rs``): its matches come as one list from compiled code, a pass
    over the PostgreSQL docs' 6 million characters of main text in 17 ms against 67 ms for
    pyahocorasick's automaton iterated from Python (the Rust docs' 51 million: 0.15 s
    against 0.41 s), the same matches in the same order."""

    __slots__ = ("_matcher", "keys", "owners")

    def __init__(self, table: Mapping[str, _Owners]) -> None:
        import ahocorasick_rs  # imported here: only this stage needs it

        self.keys = list(table)
        self.owners = list(table.values())
        self._matcher = ahocorasick_rs.AhoCorasick(
            self.keys, implementation=ahocorasick_rs.Implementation.DFA
        )

    def matches(self, folded: str) -> list[tuple[int, int, int]]:
        """(key index, start, end) of every match in ``folded``, overlapping ones too, by
        where they end and, ending at one place, longest first."""
        found = self._matcher.find_matches_as_indexes(folded, overlapping=True)
        found.sort(key=_end_then_start)  # the order the contract needs, whatever the crate's
        return found


def _end_then_start(match: tuple[int, int, int]) -> tuple[int, int]:
    return match[2], match[1]


def _automaton(phrases: Mapping[int, list[Phrase]]) -> _Automaton:
    return _Automaton(_table(phrases))


def _primary(lang: str) -> str:
    return lang.split("-")[0].split("_")[0].strip().lower()


def _prose(sentence: str, min_words: int, max_words: int) -> bool:
    n = words(sentence)
    if not min_words <= n <= max_words:
        return False
    return sentence.rstrip()[-1:] in _END_MARKS or n >= 2 * min_words


def _widen(
    text: str,
    start: int,
    end: int,
    lo: int,
    hi: int,
    stop: Collection[str] = (),
    code: Spans = (),
) -> tuple[int, int]:
    """``text[start:end]`` widened by the next word within ``[lo, hi)``: right first, but
    a word that is not in ``stop`` before one that is (an anchor ending in "with" or
    starting with "the" reads as cut off); never a word of ``code``. Words are whole, ``_``
    included ("get_color_note", never "get")."""
    folded = fold(text[lo:hi])
    rel_s, rel_e = start - lo, end - lo
    sides: list[tuple[str, tuple[int, int]]] = []
    right = folded[rel_e:]
    stripped = right.lstrip()
    if right[:1] == " " and stripped and len(right) - len(stripped) == 1:
        word = stripped.split(" ")[0]
        sides.append((word, (start, end + 1 + len(word))))
    left = folded[:rel_s]
    if left.endswith(" ") and left.rstrip() and len(left) - len(left.rstrip()) == 1:
        word = left.rstrip().split(" ")[-1]
        sides.append((word, (start - 1 - len(word), end)))
    sides = [(word, span) for word, span in sides if not overlaps(code, *span)]
    if not sides:
        return start, end
    return next((span for word, span in sides if word not in stop), sides[0][1])


def _spanning(
    start: int, end: int, hits: list[tuple[int, int, Phrase]], keys: Collection[str]
) -> tuple[int, int]:
    """``[start, end)`` grown over every hit of a phrase in ``keys`` that crosses it (starts
    inside and ends outside, or the reverse). A hit inside the span, or holding it whole,
    is left alone: the span would become that phrase itself."""
    grown = True
    while grown:
        grown = False
        for s, e, phrase in hits:
            crosses = (s < start < e < end) or (start < s < end < e)
            if phrase.key in keys and crosses:
                start, end, grown = min(start, s), max(end, e), True
    return start, end


@dataclass(slots=True)
class _Scan:
    """One source page being scanned: its text, sentences and already linked sentences.
    A sentence is named by where it starts in the text."""

    source: SourceText
    min_words: int
    max_words: int
    stop: Collection[str] = ()
    _sentences: Sentences | None = None
    _spans: dict[int, int] = field(default_factory=dict)  # start → end of each one seen
    _ok: dict[int, bool] = field(default_factory=dict)

    def sentence_of(self, start: int, end: int) -> int:
        """Start of the sentence holding text[start:end], or -1 if none holds it whole."""
        if self._sentences is None:
            self._sentences = Sentences(self.source.text)
        span = self._sentences.around(start, end)
        if span is None:
            return -1
        self._spans[span[0]] = span[1]
        return span[0]

    def fits(self, i: int) -> bool:
        if i not in self._ok:
            sentence = self.source.text[i : self._spans[i]]
            linked = any(c in sentence or sentence in c for c in self.source.contexts)
            self._ok[i] = not linked and _prose(sentence, self.min_words, self.max_words)
        return self._ok[i]

    def option(
        self,
        i: int,
        hits: list[tuple[int, int, Phrase]],
        avoid: Collection[str],
        generic: Collection[str],
    ) -> Option | None:
        """The anchor for sentence i from the target's ``hits`` in it (see module doc)."""
        lo, hi = i, self._spans[i]
        text = self.source.text
        ranked = sorted(hits, key=lambda h: (h[2].names, h[1] - h[0], -h[2].rank), reverse=True)
        fresh = [h for h in ranked if h[2].key not in avoid]
        start, end, phrase = (fresh or ranked)[0]
        widened = bool(avoid) and not fresh
        if widened:
            start, end = _widen(text, start, end, lo, hi, self.stop, self.source.code)
        elif avoid:
            start, end = _spanning(start, end, hits, avoid)
        if overlaps(self.source.code, start, end):
            return None  # widened or spanned into code
        anchor = text[start:end].strip()
        sentence = text[lo:hi]
        # phrases are never generic, only a widened match may be; nor is a short one the
        # whole sentence
        whole = 2 * len(anchor) > len(sentence) and phrase_key(anchor) == phrase_key(sentence)
        if whole or (widened and normalise_anchor(anchor) in generic):
            return None
        return Option(sentence, anchor, phrase, lo)


def _mentions(auto: _Automaton, text: str, code: Spans = ()) -> list[_Mention]:
    """(start, end, key, owners) of every whole-word phrase match in ``text`` (folded) that
    touches none of the ``code`` spans, by where they end (longest first at one end)."""
    folded = fold(text)
    keys, owners = auto.keys, auto.owners
    return [
        (start, end, keys[i], owners[i])
        for i, start, end in auto.matches(folded)
        if is_boundary(folded, start, end) and not overlaps(code, start, end)
    ]


def common_phrases(
    sources: Sequence[SourceText], phrases: Mapping[int, list[Phrase]], sample: int = 2000
) -> set[tuple[str, str]]:
    """(key, kind) of the phrases that do not name one page, so no anchor says them.

    Their document frequency (pages whose main text says them, code included: a name in
    many listings is as common; counted by the matching automaton itself, whole words as
    matches are) is estimated on an even sample of ``sample`` sources: a keyphrase on more
    than max(3, 1 %) of the pages ("standard SQL" on a documentation site), a title or H1
    on more than max(50, 10 %). A keyphrase of 3 or more targets is dropped too: it says
    what a group of pages is about, not which one. The user's keywords and queries always
    stay; so does a phrase that is a commoner kind's key elsewhere ("lawn care" as the lawn
    care page's H1 stays, as a keyphrase of the home page it goes)."""
    seen, _ = _sample_mentions(sources, _automaton(phrases), sample, keep=0)
    return _common(len(sources), phrases, seen, sample)


_KEEP_MENTIONS = 200_000
"""Mentions of the sampled sources that :func:`find_pairs` keeps from counting the phrases
for finding its pairs, so that a sampled page (every page of a site of up to ``sample``
pages) is scanned once, not twice; past this many, the rest are scanned again. A mention
is a tuple of two offsets and shared objects, about 140 bytes: at most some 30 MB.
Scanning once made the search of the PostgreSQL docs' pairs 0.65 times as long, the
Python docs' 0.50 times."""


def _sample_mentions(
    sources: Sequence[SourceText], auto: _Automaton, sample: int, *, keep: int
) -> tuple[Counter[str], dict[int, list[_Mention]]]:
    """The phrase keys counted once per page over an even sample of ``sample`` sources,
    and by source index the mentions (code included) of the sampled sources, taken in
    order while they fit in ``keep`` mentions in all."""
    seen: Counter[str] = Counter()
    kept: dict[int, list[_Mention]] = {}
    total = 0
    for i in range(0, len(sources), _step(len(sources), sample)):
        found = _mentions(auto, sources[i].text)
        seen.update({key for _, _, key, _ in found})
        if total + len(found) <= keep:
            kept[i] = found
            total += len(found)
    return seen, kept


def _step(n: int, sample: int) -> int:
    return max(1, n // sample)


def _common(
    n: int, phrases: Mapping[int, list[Phrase]], seen: Counter[str], sample: int
) -> set[tuple[str, str]]:
    """:func:`common_phrases` of ``n`` sources whose sample's page counts are ``seen``."""
    step = _step(n, sample)
    scale = n / max(1, len(range(0, n, step)))
    owners = Counter(p.key for items in phrases.values() for p in items if p.kind == "keyphrase")
    out = set()
    for key, kind in {(p.key, p.kind) for items in phrases.values() for p in items}:
        rule = _COMMON.get(kind)
        frequent = rule is not None and seen[key] * scale > max(rule[1], rule[0] * n)
        if frequent or (kind == "keyphrase" and owners[key] >= _SHARED_KEYPHRASE):
            out.add((key, kind))
    return out


_COMMON = {"keyphrase": (0.01, 3), "h1": (0.1, 50), "title": (0.1, 50)}
"""Per phrase kind: (share of pages, and number of pages) above which it names no page."""
_SHARED_KEYPHRASE = 3
"""Targets sharing one keyphrase from which on it names none of them."""


def find_pairs(
    sources: Sequence[SourceText],
    phrases: Mapping[int, list[Phrase]],
    *,
    linked: np.ndarray,
    n: int,
    target_lang: Mapping[int, str],
    exact_anchors: Mapping[int, Collection[str]],
    generic: Collection[str],
    min_words: int = 6,
    max_words: int = 40,
    stopwords: Collection[str] = (),
    sample: int = 2000,
) -> Pairs:
    """Every candidate pair with a fitting sentence (see the module docstring).

    ``linked``: sorted ``s·n + t`` keys of pairs the source already links; ``exact_anchors``
    per target the phrase keys already used as anchors often enough to prefer others;
    ``stopwords`` (folded) the words a widened anchor takes only when no other is next to it.
    Phrases too common to name one page (:func:`common_phrases`, on ``sample`` sources)
    are left out.
    """
    out = Pairs()
    if not any(phrases.values()):
        return out
    seen, scanned = _sample_mentions(sources, _automaton(phrases), sample, keep=_KEEP_MENTIONS)
    common = _common(len(sources), phrases, seen, sample)
    kept = {t: [p for p in ps if (p.key, p.kind) not in common] for t, ps in phrases.items()}
    if not any(kept.values()):
        return out
    # A sampled page's mentions, of every phrase, are kept's mentions once the common
    # phrases are left out: in the same order, as the automaton reports the matches ending
    # at one place longest first, whatever other phrases it holds.
    owners_of = _table(kept)
    auto: _Automaton | None = None  # built for the first page not scanned yet
    stop = frozenset(stopwords)
    for i, source in enumerate(sources):
        found = scanned.pop(i, None)
        if not source.text:
            continue
        if found is None:
            auto = auto or _Automaton(owners_of)  # the table is built already
            found = _mentions(auto, source.text, source.code)
        by_target: dict[int, list[tuple[int, int, Phrase]]] = {}
        for start, end, key, _ in found:
            owners = owners_of.get(key)
            if owners is None or overlaps(source.code, start, end):
                continue
            for node, phrase in owners:
                by_target.setdefault(node, []).append((start, end, phrase))
        by_target.pop(source.node, None)
        if by_target:
            scan = _Scan(source, min_words, max_words, stop)
            _add_pairs(out, scan, by_target, linked, n, target_lang, exact_anchors, generic)
    return out


def _add_pairs(
    out: Pairs,
    scan: _Scan,
    by_target: dict[int, list[tuple[int, int, Phrase]]],
    linked: np.ndarray,
    n: int,
    target_lang: Mapping[int, str],
    exact_anchors: Mapping[int, Collection[str]],
    generic: Collection[str],
) -> None:
    """Record the pairs of one source page that pass the filters, with their options."""
    s = scan.source.node
    targets = np.fromiter(by_target, dtype=np.int64, count=len(by_target))
    keys = s * n + targets
    already = np.zeros(keys.size, bool)
    if linked.size:
        pos = np.minimum(np.searchsorted(linked, keys), linked.size - 1)
        already = linked[pos] == keys
    lang = _primary(scan.source.lang)
    for t, done in zip(targets.tolist(), already.tolist(), strict=True):
        other = _primary(target_lang.get(t, ""))
        if done or (lang and other and lang != other):
            continue
        hits = by_target[t]
        by_sentence: dict[int, list[tuple[int, int, Phrase]]] = {}
        for hit in hits:
            i = scan.sentence_of(hit[0], hit[1])
            if i >= 0 and scan.fits(i):
                by_sentence.setdefault(i, []).append(hit)
        options = []
        for i in sorted(by_sentence):
            option = scan.option(i, by_sentence[i], exact_anchors.get(t, ()), generic)
            if option is not None:
                options.append(option)
            if len(options) == _OPTIONS:
                break
        if options:
            out.src.append(s)
            out.dst.append(t)
            out.options.append(options)
            out.mentions.append(len(hits))
