"""Text helpers of the suggestions: folding for matching, sentences, word boundaries.

Matching runs on a *folded* copy of each text that has exactly its length (one character
for one character), so a match's offsets are offsets in the original text and the anchor
proposed is the text as the page shows it. Folding lower-cases, applies NFKC where it keeps
one character, and turns every character that is not a letter, digit, mark or ``_`` into a
space: "Lawn-care," and "lawn care " fold alike, and a phrase never matches across punctuation
(the two spaces left by ", " do not fold to the one space of a phrase). ``_`` is kept as a
word character, as in identifiers: "server_version" is one word, so neither "server version"
nor "server" matches inside it, and no match ends inside "get_color_note".

Stored main text marks code (:data:`linkflow.extract.text.CODE_OPEN` ...); :func:`split_code`
gives the text as the page shows it and where its code is.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Final

from linkflow.extract.text import CODE_CLOSE, CODE_OPEN

__all__ = [
    "Sentences",
    "fold",
    "is_boundary",
    "overlaps",
    "phrase_key",
    "sentence_spans",
    "split_code",
    "without_code",
    "words",
]

_ASCII: Final = bytes(
    c if chr(c).isascii() and (chr(c).isalnum() or c == 0x5F) else 32
    for c in bytes(range(128)).lower()
) + bytes(128)
"""``bytes.translate`` table of :func:`fold` for ASCII text (C speed)."""


class _Fold(dict[int, str]):
    """``str.translate`` table of :func:`fold`, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        norm = unicodedata.normalize("NFKC", char).lower()
        if len(norm) != 1:
            low = char.lower()
            norm = low if len(low) == 1 else char
        kept = unicodedata.category(norm)[0] in "LNM" or norm == "_"
        self[code] = norm if kept else " "
        return self[code]


_FOLD = _Fold()


def fold(text: str) -> str:
    """``text`` lower-cased, letters/digits/marks and ``_`` kept, all else a space; same
    length."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII).decode("ascii")
    # Mostly ASCII text with a few other characters (quotes, dashes, accents): fold it as
    # ASCII, each other character standing as one "?", then put those characters' folds
    # in. ``str.translate`` looks every character of a non-ASCII text up one by one, about
    # 20 times slower; it stays for text written mostly outside ASCII.
    raw = text.encode("ascii", "replace")
    if raw.count(b"?") * _MOSTLY_ASCII > len(raw):
        return text.translate(_FOLD)
    folded = raw.translate(_ASCII).decode("ascii")
    pieces: list[str] = []
    at = 0
    i = raw.find(b"?")
    while i >= 0:
        char = text[i]
        if char != "?" and (sub := _FOLD[ord(char)]) != " ":
            pieces += (folded[at:i], sub)
            at = i + 1
        i = raw.find(b"?", i + 1)
    if not pieces:
        return folded
    pieces.append(folded[at:])
    return "".join(pieces)


_MOSTLY_ASCII: Final = 8
""":func:`fold` patches the other characters in when they are under one in this many."""


def phrase_key(text: str) -> str:
    """How a phrase is looked up: folded, spaces collapsed and trimmed."""
    return " ".join(fold(unicodedata.normalize("NFKC", text)).split())


def words(text: str) -> int:
    """Number of words of ``text`` (runs of letters, digits or ``_``)."""
    return len(fold(text).split())


def _is_cjk(char: str) -> bool:
    """Scripts written without spaces (CJK, Thai ...): a match needs no word boundary."""
    # The cheap tests first: most characters next to a match are ASCII.
    return not char.isascii() and ord(char) >= 0x0E00 and unicodedata.category(char) == "Lo"


def is_boundary(folded: str, start: int, end: int) -> bool:
    """Whether ``folded[start:end]`` is whole words: no letter, digit or ``_`` joins it on
    either side (scripts without spaces excepted)."""
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    left_ok = before == " " or _is_cjk(before) or _is_cjk(folded[start])
    right_ok = after == " " or _is_cjk(after) or _is_cjk(folded[end - 1])
    return left_ok and right_ok


_BREAK: Final = re.compile(r"[.!?…](?=\s|$)|\n")
"""Where a sentence ends: an end mark before a space (extract.text's rule), or a line end."""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of ``text`` (main text: one text block a line),
    trimmed of surrounding spaces; a sentence never spans two lines."""
    return Sentences(text).spans()


class Sentences:
    """The sentences of one text, each trimmed only when asked for: the breaks are found in
    one pass, a sentence is trimmed when a position in it is looked up (a page's candidates
    fall in a few of its sentences, not all)."""

    __slots__ = ("_ends", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts, ends = [0], []
        for match in _BREAK.finditer(text):
            ends.append(match.end() if match.group() != "\n" else match.start())
            starts.append(match.end())
        ends.append(len(text))
        self._starts, self._ends = starts, ends

    def _piece(self, k: int) -> tuple[int, int] | None:
        """The text between break ``k - 1`` and break ``k``, trimmed; None if empty."""
        lo, hi = self._starts[k], self._ends[k]
        piece = self.text[lo:hi]
        kept = piece.lstrip()
        if not kept:
            return None
        return lo + len(piece) - len(kept), lo + len(piece.rstrip())

    def spans(self) -> list[tuple[int, int]]:
        """Every sentence, in order: :func:`sentence_spans`."""
        return [span for k in range(len(self._starts)) if (span := self._piece(k))]

    def around(self, start: int, end: int) -> tuple[int, int] | None:
        """The (start, end) of the sentence that holds ``text[start:end]`` (not empty)
        whole, or None.

        The same answer as taking the last of :meth:`spans` that starts at or before
        ``start`` and checking that it ends at or after ``end``.
        """
        k = bisect.bisect_right(self._starts, start) - 1
        span = self._piece(k) if k >= 0 else None
        # An empty piece, or ``start`` in the spaces before its sentence: the sentence
        # before (if any) ends before ``start``, so it cannot hold the match either.
        if span is None or span[0] > start or span[1] < end:
            return None
        return span


Spans = tuple[tuple[int, int], ...]
"""(start, end) offsets of code in a text, in order, not overlapping."""


def split_code(marked: str) -> tuple[str, Spans]:
    """The text of stored main text ``marked`` without its code marks, and where its code
    is (offsets in that text). Text without marks (older audits) has no code spans."""
    if CODE_OPEN not in marked:
        return marked.replace(CODE_CLOSE, ""), ()
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for piece in marked.split(CODE_OPEN):
        code, sep, after = piece.partition(CODE_CLOSE)
        if not parts:  # before the first mark: no code
            parts.append(piece)
            at += len(piece)
            continue
        if sep:
            spans.append((at, at + len(code)))
        else:  # a mark never closed: the rest is code
            spans.append((at, at + len(piece)))
            code, after = piece, ""
        parts += [code, after.replace(CODE_CLOSE, "")]
        at += len(code) + len(parts[-1])
    return "".join(parts), tuple(spans)


def overlaps(spans: Spans, start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps any of ``spans``."""
    i = bisect.bisect_left(spans, (end, end)) - 1
    return i >= 0 and spans[i][1] > start


def without_code(text: str, spans: Spans) -> str:
    """``text`` with each code span replaced by a line break (an end of block), for reading
    what a page's prose is about."""
    if not spans:
        return text
    out, at = [], 0
    for start, end in spans:
        out += [text[at:start], "\n"]
        at = end
    out.append(text[at:])
    return "".join(out)
