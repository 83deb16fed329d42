"""Small text helpers of extraction: whitespace, sentences around a link, content hashes, and
the code marks of stored main text."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Final

__all__ = [
    "CODE_CLOSE",
    "CODE_OPEN",
    "collapse",
    "collapsed_hash",
    "content_hash",
    "is_line_numbers",
    "mark_code",
    "sentence_around",
    "sentence_ends",
    "unmark",
    "unmark_collapsed",
]

CODE_OPEN: Final = "\ufdd0"
CODE_CLOSE: Final = "\ufdd1"
"""Around code (``pre``, ``code``, ``kbd``, ``samp``, ``tt``) in stored main text: text a
link is never placed in. Unicode noncharacters, reserved for a program's own use, so they
never stand for a character of a page."""


_UNTIDY: Final = (CODE_OPEN + " ", " " + CODE_CLOSE, CODE_OPEN + CODE_CLOSE, CODE_CLOSE + CODE_OPEN)
"""What :func:`mark_code` tidies away."""

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_END_MARKS = frozenset(".!?…")


def collapse(text: str) -> str:
    """``text`` with every run of whitespace (Unicode included) turned into one space."""
    return " ".join(text.split())


def content_hash(main_text: str) -> str | None:
    """A stable hash (blake2b, 16 bytes, hex) of the case-folded, whitespace-collapsed text.

    ``None`` for a page without main text, so empty pages are not reported as duplicates.
    """
    return collapsed_hash(collapse(main_text))


def collapsed_hash(collapsed: str) -> str | None:
    """:func:`content_hash` of a text already whitespace-collapsed (``collapse(text)``)."""
    # ASCII text casefolds as it lowers, and str.lower has a fast path for it.
    normal = collapsed.lower() if collapsed.isascii() else collapsed.casefold()
    if not normal:
        return None
    return hashlib.blake2b(normal.encode("utf-8", "replace"), digest_size=16).hexdigest()


def is_line_numbers(collapsed: str) -> bool:
    """Whether a block's collapsed text is a code listing's line-number gutter: the whole
    numbers from 1 up, three or more, and nothing else (``"1 2 3 4"``).

    Such a block is a column beside the code (Rustdoc's source views, Sphinx's ``linenos``
    tables), not text: the main text leaves it out (on the Rust docs' largest source view,
    100,000 numbers). Numbers from 0, or from elsewhere, are left in: they are something
    else more often than a gutter (the Python docs draw a heap's positions 0, 1, 2 ...)."""
    if not (collapsed.startswith("1 2 3") and collapsed[-1:].isdigit()):
        return False  # nearly every block stops here
    words = collapsed.split(" ")
    return words == [str(n) for n in range(1, len(words) + 1)]


def sentence_ends(block: str) -> list[int]:
    """Where each sentence of ``block`` ends (the offset just past its ``.``, ``!``, ``?`` or
    ``…``), for :func:`sentence_around` on a block with many links."""
    return [match.end() for match in _SENTENCE_END.finditer(block)]


def sentence_around(
    block: str, anchor: str, limit: int, ends: Sequence[int] | None = None
) -> str | None:
    """The sentence of ``block`` that contains ``anchor``, at most ``limit`` characters.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by a space; an end mark right
    before the anchor ends the sentence before it too. A sentence longer than ``limit`` is
    cut to a window centred on the anchor. ``None`` if ``block`` is empty. ``ends``: the
    block's :func:`sentence_ends`, given when called for many links of one block (each call
    is then a binary search instead of a scan of the block).
    """
    if not block or limit <= 0:
        return None
    at = block.find(anchor) if anchor else -1
    if at < 0:
        return block[:limit].strip() or None
    if ends is None:
        ends = sentence_ends(block)
    if at > 0 and block[at - 1] in _END_MARKS:
        start = at
    else:
        before = bisect_left(ends, at)
        start = ends[before - 1] if before else 0
    after = bisect_right(ends, at + len(anchor))
    end = ends[after] if after < len(ends) else len(block)
    sentence = block[start:end].strip()
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(anchor)
    left = max(0, min(at - (limit - len(anchor)) // 2, len(sentence) - limit))
    return sentence[left : left + limit].strip() or None


def unmark(text: str) -> str:
    """``text`` without its code marks."""
    return text.replace(CODE_OPEN, "").replace(CODE_CLOSE, "")  # str.translate is slower


def unmark_collapsed(collapsed: str) -> str:
    """``collapse(unmark(text))`` of a ``text`` whose :func:`collapse` is ``collapsed``.

    Both keep the same words in the same order (marks are no white space), so unmarking
    the collapsed text gives it but where a code span held only spaces or touched a space
    of its own; only then is it collapsed again.
    """
    text = unmark(collapsed)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        return collapse(text)
    return text


def mark_code(marked: str, *, collapsed: bool = False) -> str:
    """Whitespace-collapsed text with code marks, tidied so that :func:`unmark` gives
    exactly the collapsed text without marks: spaces are moved out of the marks, empty and
    touching code spans are merged away. ``collapsed``: ``marked`` is whitespace-collapsed
    already (:func:`collapse` gives it back unchanged, so it is not run again)."""
    text = marked if collapsed else collapse(marked)
    if CODE_OPEN not in text:
        return text
    # str.replace, not regexes: this runs on every block that holds code. The text is
    # collapsed, so without any of the patterns a pass would give it back unchanged.
    open_space, space_close, empty, touching = _UNTIDY
    while open_space in text or space_close in text or empty in text or touching in text:
        tidy = text.replace(CODE_OPEN + " ", " " + CODE_OPEN)
        tidy = tidy.replace(" " + CODE_CLOSE, CODE_CLOSE + " ")
        tidy = tidy.replace(CODE_OPEN + CODE_CLOSE, "").replace(CODE_CLOSE + CODE_OPEN, "")
        tidy = collapse(tidy)
        if tidy == text:
            break
        text = tidy
    return text
