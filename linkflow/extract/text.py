"""Small text helpers of extraction: whitespace, sentences around a link, content hashes."""

from __future__ import annotations

import hashlib
import re

__all__ = ["collapse", "content_hash", "sentence_around"]

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def collapse(text: str) -> str:
    """``text`` with every run of whitespace (Unicode included) turned into one space."""
    return " ".join(text.split())


def content_hash(main_text: str) -> str | None:
    """A stable hash (blake2b, 16 bytes, hex) of the case-folded, whitespace-collapsed text.

    ``None`` for a page without main text, so empty pages are not reported as duplicates.
    """
    normal = collapse(main_text).casefold()
    if not normal:
        return None
    return hashlib.blake2b(normal.encode("utf-8", "replace"), digest_size=16).hexdigest()


def sentence_around(block: str, anchor: str, limit: int) -> str | None:
    """The sentence of ``block`` that contains ``anchor``, at most ``limit`` characters.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by a space. A sentence longer than
    ``limit`` is cut to a window centred on the anchor. ``None`` if ``block`` is empty.
    """
    if not block or limit <= 0:
        return None
    at = block.find(anchor) if anchor else -1
    if at < 0:
        return block[:limit].strip() or None
    start = 0
    for match in _SENTENCE_END.finditer(block, 0, at):
        start = match.end()
    end_match = _SENTENCE_END.search(block, at + len(anchor))
    end = end_match.end() if end_match else len(block)
    sentence = block[start:end].strip()
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(anchor)
    left = max(0, min(at - (limit - len(anchor)) // 2, len(sentence) - limit))
    return sentence[left : left + limit].strip() or None
