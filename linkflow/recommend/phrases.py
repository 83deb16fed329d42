"""The phrases that name each target page: what an anchor pointing at it may say.

In order of trust (research/algorithms.md §4): the user's keywords for the page
(``recommend.keywords``), the Search Console queries that belong to it, its H1, its title
without the brand and separators, and YAKE keyphrases of its main content. Phrases are
compared folded (:func:`linkflow.recommend.text.phrase_key`); generic anchors ("read more")
are never phrases, and apart from the user's keywords and queries a phrase has 2 to 8 words
(one word matches far too much text to say what a page is about). A keyphrase is kept only
when it shares a word with the page's names (the phrases above and the words of its path),
a word that is not a label of many titles ("Chapter 4. SQL Syntax" does not make "chapter
describes" a name of its page). Keyphrases come from the page's prose, never its code.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from linkflow.errors import ConfigError
from linkflow.recommend.keyphrases import extract_keyphrases
from linkflow.recommend.text import phrase_key

__all__ = [
    "KINDS",
    "Phrase",
    "TargetText",
    "assign_queries",
    "build_phrases",
    "keyphrases",
    "keyword_rules",
    "sitewide_title_parts",
    "title_label_words",
    "title_parts",
]

KINDS: Final = ("keyword", "query", "h1", "title", "keyphrase")
"""Where a phrase comes from, most trusted first (also the order of preference). All but
keyphrases *name* the page; a keyphrase says what its text is about."""

_SEPARATORS: Final = re.compile(r"\s+[-–—/]\s+|\s*[|·•»]\s*|:\s+")
_MAX_WORDS: Final = 8
_KEYPHRASES: Final = 5
_YAKE_CHARS: Final = 2000  # YAKE's time grows with the text; the start says what it is about
_SITEWIDE_TITLE: Final = 0.2  # a title part on this share of pages is the site's name
_LABEL_WORD: Final = (0.05, 10)  # a title word on this share (and number) of pages is a label


@dataclass(frozen=True, slots=True)
class Phrase:
    """One phrase of a target: folded ``key``, the ``text`` it came from, its ``kind``."""

    key: str
    text: str
    kind: str

    @property
    def rank(self) -> int:
        return KINDS.index(self.kind)

    @property
    def names(self) -> bool:
        """Whether the phrase names the page (keyword, query, H1 or title part)."""
        return self.kind != "keyphrase"


@dataclass(frozen=True, slots=True)
class TargetText:
    """What is known of a target page: node, URL, path, title, H1, language, main text."""

    node: int
    url: str
    path: str
    title: str
    h1: str
    lang: str
    text: str


def keyword_rules(entries: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``recommend.keywords`` entries ``pattern = phrase, phrase`` as (glob, phrases).

    Raises :class:`ConfigError` for an entry without ``=`` or without a phrase.
    """
    rules = []
    for entry in entries:
        pattern, sep, phrases = entry.partition("=")
        words = [p.strip() for p in phrases.split(",") if p.strip()]
        if not sep or not pattern.strip() or not words:
            raise ConfigError(
                f"recommend.keywords: {entry!r} must read 'pattern = phrase, phrase', "
                "e.g. '/services/lawn-care = lawn care, lawn mowing'"
            )
        rules.append((pattern.strip(), words))
    return rules


def sitewide_title_parts(titles: Iterable[str]) -> set[str]:
    """Title parts (folded) found on at least a fifth of the pages (3 or more): the site's
    name or a section label, not what one page is about."""
    titles = list(titles)
    flat: Counter[str] = Counter()
    for title in titles:
        flat.update({phrase_key(p) for p in _SEPARATORS.split(title) if p.strip()})
    floor = max(3, int(_SITEWIDE_TITLE * len(titles)))
    return {part for part, n in flat.items() if n >= floor}


def title_label_words(titles: Iterable[str]) -> set[str]:
    """Words (folded) in the titles of more than 5 % of the pages (and more than 10):
    labels of a kind of page ("Chapter", "Part"), not what one page is about."""
    titles = list(titles)
    flat: Counter[str] = Counter()
    for title in titles:
        flat.update(_words(title))
    share, least = _LABEL_WORD
    floor = max(least, share * len(titles))
    return {word for word, n in flat.items() if n > floor}


def title_parts(title: str, brands: Collection[str], sitewide: Collection[str]) -> list[str]:
    """The parts of ``title`` that describe the page: split at separators (``|``, `` - ``,
    ``:`` ...), without parts that are site-wide or name a brand."""
    out = []
    for part in _SEPARATORS.split(title):
        key = phrase_key(part)
        if not key or key in sitewide:
            continue
        if any(b and re.search(rf"\b{re.escape(b)}\b", key) for b in brands):
            continue
        out.append(part.strip())
    return out


def assign_queries(
    queries: Sequence[tuple[str, float]], targets: Sequence[TargetText], per_target: int = 5
) -> dict[int, list[str]]:
    """Search queries (query, impressions) assigned to the target whose title, H1 and path
    hold all of the query's words, the most specific such target (fewest other words)
    winning; at most ``per_target`` queries each, most impressions first."""
    vocab = []
    for t in targets:
        slug = re.sub(r"[-_/.]+", " ", t.path)
        vocab.append(set(phrase_key(f"{t.title} {t.h1} {slug}").split()))
    out: dict[int, list[str]] = {}
    for query, _ in sorted(queries, key=lambda q: -q[1]):
        words = set(phrase_key(query).split())
        if not words:
            continue
        fits = [(len(v - words), i) for i, v in enumerate(vocab) if words <= v]
        if fits:
            node = targets[min(fits)[1]].node
            if len(out.setdefault(node, [])) < per_target:
                out[node].append(query)
    return out


_STOPWORD_DIRS: Final = ("core/StopwordsList", "StopwordsList")
"""Where the ``yake`` package keeps its stop word lists (from 0.6.0; in 0.4.8)."""


@cache
def stopwords(lang: str) -> frozenset[str]:
    """YAKE's stop words for the language ``lang`` (a code such as ``en`` or ``pt-BR``;
    the list without a language when it has none), read from the ``yake`` package's data
    without importing it (its import loads NetworkX)."""
    spec = importlib.util.find_spec("yake")
    roots = spec.submodule_search_locations if spec is not None else None
    for root in roots or ():
        for folder in _STOPWORD_DIRS:
            lists = Path(root) / folder
            if lists.is_dir():
                path = lists / f"stopwords_{(lang or 'en')[:2].lower()}.txt"
                if not path.exists():
                    path = lists / "stopwords_noLang.txt"
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:  # as the package reads a list that is not UTF-8
                    text = path.read_text(encoding="iso-8859-1")
                return frozenset(text.lower().split("\n"))
    raise ConfigError("the yake package's stop word lists are missing: reinstall linkflow")


def keyphrases(text: str, lang: str) -> list[str]:
    """YAKE's best two-word keyphrases of ``text``, best first."""
    if not text.strip():
        return []
    # Each line of main text is a block (heading, paragraph, list item): end it as a
    # sentence, so no keyphrase runs from a heading into the paragraph below it.
    lines = (line.strip() for line in text[:_YAKE_CHARS].split("\n"))
    blocks = " ".join(line if line[-1:] in ".!?…:;" else line + "." for line in lines if line)
    # Two-word keyphrases: half the time of three-word ones, and the page's names (H1,
    # title) already give the longer phrases.
    found = extract_keyphrases(blocks, stopwords(lang), n=2, top=3 * _KEYPHRASES, dedup=0.8)
    out = [k for k, _ in found if len(k.split()) >= 2]
    return out[:_KEYPHRASES]


def _words(text: str) -> set[str]:
    """The words of ``text`` (folded) of three letters or more."""
    return {w for w in phrase_key(text).split() if len(w) >= 3}


def _accept(kind: str, key: str, generic: Collection[str]) -> bool:
    n = len(key.split())
    if not key or key in generic or n > _MAX_WORDS:
        return False
    return n >= 2 or kind in ("keyword", "query")


def build_phrases(
    targets: Sequence[TargetText],
    *,
    keywords: Sequence[tuple[str, list[str]]],
    queries: dict[int, list[str]],
    brands: Collection[str],
    sitewide: Collection[str],
    generic: Collection[str],
    labels: Collection[str] = (),
) -> dict[int, list[Phrase]]:
    """The phrases of every target, most trusted first, each key once; ``labels``: the
    :func:`title_label_words`, which do not make a keyphrase one of the page's names.
    ``TargetText.text`` is the page's prose (main text without code)."""
    out: dict[int, list[Phrase]] = {}
    for t in targets:
        found: list[tuple[str, str]] = []
        for pattern, words in keywords:
            if fnmatch.fnmatchcase(t.path, pattern) or fnmatch.fnmatchcase(t.url, pattern):
                found += [("keyword", w) for w in words]
        found += [("query", q) for q in queries.get(t.node, [])]
        found += [("h1", t.h1)] if t.h1 else []
        found += [("title", p) for p in title_parts(t.title, brands, sitewide)]
        # a keyphrase must share a word with the page's names: "maintenance plans" in a snow
        # removal page's text says nothing that names the page
        names = " ".join(text for _, text in found) + " " + re.sub(r"[-_/.]+", " ", t.path)
        named = _words(names) - set(labels)
        found += [("keyphrase", k) for k in keyphrases(t.text, t.lang) if _words(k) & named]
        seen: set[str] = set()
        phrases = []
        for kind, text in found:
            key = phrase_key(text)
            if key not in seen and _accept(kind, key, generic):
                seen.add(key)
                phrases.append(Phrase(key, text.strip(), kind))
        if phrases:
            out[t.node] = phrases
    return out
