"""Text helpers of the suggestions: folding for matching, sentences, word boundaries.

Matching runs on a *folded* copy of each text that has exactly its length (one character
for one character), so a match's offsets are offsets in the original text and the anchor
proposed is the text as the page shows it. Folding lower-cases, applies NFKC where it keeps
one character, and turns every character that is not a letter, digit or mark into a space:
"Lawn-care," and "lawn care " fold alike, and a phrase never matches across punctuation
(the two spaces left by ", " do not fold to the one space of a phrase).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["fold", "is_boundary", "phrase_key", "sentence_spans", "words"]

_ASCII: Final = bytes(
    c if chr(c).isascii() and chr(c).isalnum() else 32 for c in bytes(range(128)).lower()
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
        kept = unicodedata.category(norm)[0] in "LNM"
        self[code] = norm if kept else " "
        return self[code]


_FOLD = _Fold()


def fold(text: str) -> str:
    """``text`` lower-cased, letters/digits/marks kept, all else a space; same length."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII).decode("ascii")
    return text.translate(_FOLD)


def phrase_key(text: str) -> str:
    """How a phrase is looked up: folded, spaces collapsed and trimmed."""
    return " ".join(fold(unicodedata.normalize("NFKC", text)).split())


def words(text: str) -> int:
    """Number of words of ``text`` (runs of letters or digits)."""
    return len(fold(text).split())


def _is_cjk(char: str) -> bool:
    """Scripts written without spaces (CJK, Thai ...): a match needs no word boundary."""
    return unicodedata.category(char) == "Lo" and not char.isascii() and ord(char) >= 0x0E00


def is_boundary(folded: str, start: int, end: int) -> bool:
    """Whether ``folded[start:end]`` is whole words: no letter or digit joins it on either
    side (scripts without spaces excepted)."""
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
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BREAK.finditer(text):
        end = match.end() if match.group() != "\n" else match.start()
        _add_span(spans, text, start, end)
        start = match.end()
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
