"""The encoding an HTML document declares in its own bytes, read as browsers read it.

:func:`prescan` is the HTML Standard's "prescan a byte stream to determine its encoding":
``<meta charset>``, or ``<meta http-equiv="content-type" content="...charset=...">``
(both attributes needed), outside comments and attribute values, and failing those an
``<?xml ... encoding="...">`` declaration at the very start. The caller hands it the first
1024 bytes, as browsers do.

:func:`late_declaration` covers what the tree builder does after that: a ``<meta>`` that
declares an encoding past the first 1024 bytes makes browsers reload the page in that
encoding ("change the encoding"). It scans further, skipping the text of ``<script>``,
``<style>`` and the other raw-text elements, which the tree builder never reads as tags.

Encodings are returned by their WHATWG names (:mod:`linkflow.encodings`).
"""

from __future__ import annotations

import re

from linkflow.encodings import lookup

__all__ = ["LATE_SCAN_BYTES", "PRESCAN_BYTES", "charset_from_meta", "late_declaration", "prescan"]

PRESCAN_BYTES = 1024
LATE_SCAN_BYTES = 65_536
"""How far :func:`late_declaration` looks: a declaration further on is too rare to pay for."""

_META_START = re.compile(rb"<meta[\t\n\x0c\r /]", re.IGNORECASE)
_CHARSET = re.compile(r"charset", re.IGNORECASE)
_RAW_TEXT = frozenset(
    {
        b"script",
        b"style",
        b"title",
        b"textarea",
        b"xmp",
        b"iframe",
        b"noembed",
        b"noframes",
        b"noscript",
    }
)


class _End(Exception):
    """The input ended inside a construct: the prescan goes on to its final step."""


_SPACE = rb"[\t\n\x0c\r ]"
_NAME = rb"[^\t\n\x0c\r />][^\t\n\x0c\r /=>]*"
_VALUE = (
    rb"""(?: (?=>) | "(?P<double>[^"]*)" | '(?P<single>[^']*)'"""
    rb"""   | (?P<bare>[^\t\n\x0c\r >"'][^\t\n\x0c\r >]*)(?=[\t\n\x0c\r >]) )"""
)
# What may follow a name: "/" or ">" (no value), spaces and anything but "=" (no value), or
# "=" and a value.
_AFTER_NAME = rb"(?: (?=[/>]) | " + _SPACE + rb"+(?=[^\t\n\x0c\r =]) | " + _SPACE + rb"*=" + _SPACE
_AFTER_NAME += rb"*" + _VALUE + rb")"
# The standard's "get an attribute" as one expression. Each way an attribute can end needs
# the byte that ends it (or a closing quote), so no match means the input ended inside it.
_ATTRIBUTE = re.compile(
    rb"[\t\n\x0c\r /]*(?: (?P<end>>) | (?P<name>" + _NAME + rb")" + _AFTER_NAME + rb")",
    re.VERBOSE,
)
# A tag's name, then "get an attribute" until there is none: the tag ends at its ">".
_ATTRIBUTES = (
    rb"(?:[\t\n\x0c\r /]*"
    + _NAME
    + re.sub(rb"\(\?P<\w+>", b"(?:", _AFTER_NAME)
    + rb")*[\t\n\x0c\r /]*>"
)
_TAG_REST = re.compile(rb"(?P<tag>[^\t\n\x0c\r >]*)" + _ATTRIBUTES, re.VERBOSE)
_META_AHEAD = rb"[mM][eE][tT][aA][\t\n\x0c\r /]"
_RAW_TEXT_AHEAD = rb"(?i:script|style|title|textarea|xmp|iframe|noembed|noframes|noscript)"
_RAW_TEXT_AHEAD += rb"[\t\n\x0c\r >]"


def _skipper(not_before: bytes) -> re.Pattern[bytes]:
    """What the prescan passes over, in one run: text, comments, tags other than
    ``not_before``, and ``<!...>``, ``</...>``, ``<?...>``. It stops at a ``<meta`` (and
    whatever ``not_before`` names), or where the input ends inside a construct."""
    return re.compile(
        rb"(?: [^<]+"
        rb"  | <!(?=--).*?-->"
        rb"  | <(?!"
        + not_before
        + rb")/?[A-Za-z][^\t\n\x0c\r >]*"
        + _ATTRIBUTES
        + rb"  | <(?:!(?!--)|/|\?)[^>]*>"
        rb"  | <(?![!/?A-Za-z])"
        rb")*",
        re.DOTALL | re.VERBOSE,
    )


_SKIP = _skipper(_META_AHEAD)
_SKIP_TO_META_OR_RAW_TEXT = _skipper(_META_AHEAD + b"|" + _RAW_TEXT_AHEAD)


def _get_attribute(data: bytes, pos: int) -> tuple[tuple[str, str] | None, int]:
    """The standard's "get an attribute": ``((name, value) or None, position after it)``.

    Names and values are lower-cased (ASCII only); other bytes are kept as Latin-1
    characters (they never matter: only ASCII can name an encoding). Raises :class:`_End`
    if the input ends inside the attribute.
    """
    match = _ATTRIBUTE.match(data, pos)
    if match is None:
        raise _End
    if match.group("end") is not None:
        return None, match.start("end")
    value = match.group("double")
    if value is None:
        value = match.group("single")
    if value is None:
        value = match.group("bare") or b""
    name = match.group("name").lower().decode("latin-1")
    return (name, value.lower().decode("latin-1")), match.end()


def charset_from_meta(content: str) -> str | None:
    """The encoding named in a ``<meta content>`` value ("text/html; charset=...").

    The standard's "extracting a character encoding from a meta element": the first
    ``charset`` followed by ``=`` counts; a quoted name needs its closing quote.
    """
    pos = 0
    while (found := _CHARSET.search(content, pos)) is not None:
        pos = found.end()
        while pos < len(content) and content[pos] in "\t\n\x0c\r ":
            pos += 1
        if pos >= len(content) or content[pos] != "=":
            continue
        pos += 1
        while pos < len(content) and content[pos] in "\t\n\x0c\r ":
            pos += 1
        if pos >= len(content):
            return None
        quote = content[pos]
        if quote in "\"'":
            end = content.find(quote, pos + 1)
            return lookup(content[pos + 1 : end]) if end >= 0 else None
        end = pos
        while end < len(content) and content[end] not in "\t\n\x0c\r ;":
            end += 1
        return lookup(content[pos:end])
    return None


def _meta(data: bytes, pos: int) -> tuple[str | None, int]:
    """Read the attributes of a ``<meta`` at ``pos``: (declared encoding or None, position)."""
    seen: set[str] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    try:
        while True:
            attribute, pos = _get_attribute(data, pos)
            if attribute is None:
                break
            name, value = attribute
            if name in seen:
                continue
            seen.add(name)
            if name == "http-equiv":
                got_pragma = got_pragma or value == "content-type"
            elif name == "content":
                found = charset_from_meta(value)
                if found is not None and charset is None:
                    charset, need_pragma = found, True
            elif name == "charset":
                charset, need_pragma = lookup(value), False
    except _End:
        pos = len(data)  # the input is used up; what was read so far still counts
    if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
        return None, pos
    if charset in ("utf-16le", "utf-16be"):
        return "utf-8", pos  # a document that names UTF-16 in ASCII bytes cannot be UTF-16
    if charset == "x-user-defined":
        return "windows-1252", pos
    return charset, pos


def _xml_declaration(data: bytes) -> str | None:
    """The standard's "get an XML encoding": ``<?xml ... encoding="label" ...>`` at the start."""
    if not data.startswith(b"<?xml"):
        return None
    end = data.find(b">")
    if end < 0:
        return None
    head = data[:end]
    pos = head.find(b"encoding")
    if pos < 0:
        return None
    pos += len(b"encoding")
    while pos < len(head) and head[pos] <= 0x20:
        pos += 1
    if pos >= len(head) or head[pos] != 0x3D:
        return None
    pos += 1
    while pos < len(head) and head[pos] <= 0x20:
        pos += 1
    if pos >= len(head) or head[pos] not in (0x22, 0x27):
        return None
    close = head.find(head[pos : pos + 1], pos + 1)
    label = head[pos + 1 : close] if close >= 0 else b""
    if close < 0 or any(byte <= 0x20 for byte in label):
        return None
    found = lookup(label.decode("latin-1"))
    return "utf-8" if found in ("utf-16le", "utf-16be") else found


def _scan(data: bytes, *, raw_text: bool) -> str | None:
    """The prescan loop over all of ``data``; ``raw_text`` skips raw-text element content."""
    skip = _SKIP_TO_META_OR_RAW_TEXT if raw_text else _SKIP
    lowered = data.lower() if raw_text else b""
    pos = 0
    while True:
        match = skip.match(data, pos)
        pos = match.end() if match else pos
        if pos >= len(data):
            return None
        if _META_START.match(data, pos):
            found, pos = _meta(data, pos + 5)
            if found is not None:
                return found
            pos += 1
            continue
        rest = _TAG_REST.match(data, pos + 1) if raw_text else None
        if rest is None or rest.group("tag").lower() not in _RAW_TEXT:
            return None  # the input ends inside a comment, a tag or an attribute
        end = lowered.find(b"</" + rest.group("tag").lower(), rest.end())
        if end < 0:
            return None
        pos = end


def prescan(data: bytes) -> str | None:
    """The encoding ``data`` (a document's first bytes) declares, or ``None``.

    Exactly the HTML Standard's prescan, which reads all of ``data``: pass the first
    :data:`PRESCAN_BYTES` bytes, as browsers do.
    """
    if data.startswith(b"<\x00?\x00x\x00"):
        return "utf-16le"
    if data.startswith(b"\x00<\x00?\x00x"):
        return "utf-16be"
    return _scan(data, raw_text=False) or _xml_declaration(data)


def late_declaration(body: bytes) -> str | None:
    """The encoding a ``<meta>`` past the first 1024 bytes declares, or ``None``.

    Browsers honour such a declaration by reloading the page in that encoding. Only the
    first :data:`LATE_SCAN_BYTES` are read, and only if a ``<meta`` starts near or after
    the prescan's end (a cheap check, so most pages cost one regular-expression search).
    """
    data = body[:LATE_SCAN_BYTES]
    if _META_START.search(data, max(0, PRESCAN_BYTES - 6)) is None:
        return None
    return _scan(data, raw_text=True)
