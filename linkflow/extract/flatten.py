"""Code listings read without their highlighting markup.

A highlighted code listing wraps every token in a ``<span>``: the Rust docs' source views
hold some 260,000 of them on one 10 MB page (``<span class="kw">use</span>``, a line-number
gutter of ``<span id="1">1</span>`` ...), the Python docs' examples a few hundred a page.
Each becomes two nodes of the parsed tree (the element and its text), which costs memory
(that one page's tree: 186 MB for 788,000 nodes) and a step of the element walk, for
elements extraction never reads: a ``<span>`` is neither a link, a block, a code element
nor a part of the head.

:func:`flatten_code` removes those tags from the text before it is parsed, where removing
them cannot change what is extracted: inside a ``<pre>`` element that holds nothing but
text, ``<span>`` tags and ``<code>`` tags. There the spans are ancestors of nothing but
text, and the text is the same without them (a text read deep is the concatenation of its
text nodes). A listing that holds anything else (a link, a comment, a span whose
attributes are not all double-quoted, microdata) is left as it is, and so is a page where
a ``<pre>`` could be text rather than a tag: one with a raw-text element that shows
markup (``<textarea>``, ``<xmp>`` ...), or with ``<pre`` inside its ``<title>``; listings
are looked for from the ``<body>`` tag on. What is not guarded against is a ``<pre>`` listing
written raw inside a double-quoted attribute value in the body (an ``alt`` text holding
``<pre><span>…</span></pre>``), which would lose its span tags.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FLATTEN_CHARS", "flatten_code"]

FLATTEN_CHARS: Final = 1_000_000
"""Pages at least this long are flattened before they are parsed. On shorter pages the
regular expressions cost about what the smaller tree saves (the Python docs: 0.30 s to
flatten 530 pages, 0.15 s less to parse them); on long ones the tree is the memory: a
10 MB source view parsed in 100 MB instead of 285 MB."""

_PRE: Final = re.compile(r"<pre(?:\s[^<>]*)?>")
_ATTRIBUTES: Final = r'(?:\s+[\w:-]+="[^"<]*")*\s*'
_SPAN_OPEN: Final = re.compile(r"<span" + _ATTRIBUTES + ">")
_CODE_TAG: Final = re.compile(r"</?code" + _ATTRIBUTES + ">")
_SHOWS_MARKUP: Final = re.compile(r"<(?:textarea|xmp|plaintext|noembed|noframes)\b", re.I)
_CLOSE: Final = "</pre>"
_PIECE = 1 << 16
"""Characters of a listing flattened at a time (:func:`_flat_listing`)."""


def flatten_code(text: str) -> str:
    """``text`` (an HTML document) without the ``<span>`` tags of the ``<pre>`` elements
    that hold only text, ``<span>`` and ``<code>`` tags (see the module docstring); the
    same string when there is none. What is extracted from the result is what is
    extracted from ``text``."""
    # Listings are looked for in the body: a "<pre>" in the head could only be text of an
    # attribute (a description, say), which must stay as written.
    first = text.find("<pre", max(text.find("<body"), 0))
    if first < 0 or "<span" not in text:
        return text
    if first < text.find("</title") or _SHOWS_MARKUP.search(text):
        return text
    parts: list[str] = []
    last = 0
    pos = first
    while (match := _PRE.search(text, pos)) is not None:
        start = match.end()
        end = text.find(_CLOSE, start)
        if end < 0:
            break
        pos = end + len(_CLOSE)
        if text.find("<span", start, end) < 0 or text.find("itemtype", start, end) >= 0:
            continue  # nothing to remove; microdata's types are read
        flat = _flat_listing(text, start, end)
        if flat is None:
            continue
        parts += (text[last:start], *flat)
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _flat_listing(text: str, start: int, end: int) -> list[str] | None:
    """The listing ``text[start:end]`` without its span tags, in pieces; None if it holds
    anything else (a link, a comment, another element, a span not matched whole).

    Read :data:`_PIECE` characters at a time, each piece ending at a line break: a
    listing of 10 MB flattened whole took three times its size in passing (its copy, the
    copy without closing tags, the pieces the substitution joins). A tag cut by the end of
    a piece is not matched whole, so it leaves a ``<`` behind and the listing as it is:
    what is removed is what removing over the whole listing would remove, or nothing.
    """
    out: list[str] = []
    at = start
    while at < end:
        stop = end if end - at <= _PIECE else text.rfind("\n", at, at + _PIECE) + 1
        if stop <= at:
            stop = min(at + _PIECE, end)
        flat = _SPAN_OPEN.sub("", text[at:stop].replace("</span>", ""))
        if "<" in flat and "<" in _CODE_TAG.sub("", flat):
            return None
        out.append(flat)
        at = stop
    return out
