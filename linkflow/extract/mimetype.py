"""The ``charset`` of a ``Content-Type`` header, read as the Fetch and MIME Sniffing standards say.

A header value is split at commas outside quoted strings (duplicate headers are joined
that way); each part is parsed as a MIME type (``type/subtype`` then ``;``-separated
parameters, the first of each name kept, quoted values opaque); the last valid MIME type
decides, and carries the charset of an earlier one of the same essence if it has none.
So ``charset=`` inside another parameter's quoted value is not a charset, ``xcharset=`` is
not ``charset=``, and a header without ``type/subtype`` declares nothing.
"""

from __future__ import annotations

from linkflow.encodings import lookup

__all__ = ["charset_of", "parse_mime_type"]

_HTTP_WHITESPACE = "\t\n\r "
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_QUOTED_TOKEN = frozenset(chr(c) for c in [0x09, *range(0x20, 0x7F), *range(0x80, 0x100)])


def _is_token(text: str) -> bool:
    return bool(text) and all(c in _TOKEN for c in text)


def _collect_quoted(text: str, pos: int) -> tuple[str, int]:
    """An HTTP quoted string starting at ``text[pos] == '"'``: (its value, position after)."""
    pos += 1
    value: list[str] = []
    while pos < len(text):
        char = text[pos]
        pos += 1
        if char == '"':
            break
        if char == "\\":
            if pos >= len(text):
                value.append("\\")
                break
            value.append(text[pos])
            pos += 1
        else:
            value.append(char)
    return "".join(value), pos


def parse_mime_type(text: str) -> tuple[str, dict[str, str]] | None:
    """``(essence, parameters)`` of a MIME type string, or ``None`` if it is not one."""
    text = text.strip(_HTTP_WHITESPACE)
    slash = text.find("/")
    if slash < 0 or not _is_token(text[:slash]):
        return None
    semicolon = text.find(";", slash)
    end = len(text) if semicolon < 0 else semicolon
    subtype = text[slash + 1 : end].rstrip(_HTTP_WHITESPACE)
    if not _is_token(subtype):
        return None
    params: dict[str, str] = {}
    pos = end
    while pos < len(text):
        pos += 1  # past ";"
        while pos < len(text) and text[pos] in _HTTP_WHITESPACE:
            pos += 1
        start = pos
        while pos < len(text) and text[pos] not in ";=":
            pos += 1
        name = text[start:pos].lower()
        if pos < len(text):
            if text[pos] == ";":
                continue
            pos += 1  # past "="
        if pos >= len(text):
            break
        if text[pos] == '"':
            value, pos = _collect_quoted(text, pos)
            next_semicolon = text.find(";", pos)
            pos = len(text) if next_semicolon < 0 else next_semicolon
        else:
            next_semicolon = text.find(";", pos)
            stop = len(text) if next_semicolon < 0 else next_semicolon
            value = text[pos:stop].rstrip(_HTTP_WHITESPACE)
            pos = stop
            if not value:
                continue
        if _is_token(name) and all(c in _QUOTED_TOKEN for c in value) and name not in params:
            params[name] = value
    return f"{text[:slash]}/{subtype}".lower(), params


def _split_values(header: str) -> list[str]:
    """A header value split at the commas that are not inside quoted strings."""
    values: list[str] = []
    current: list[str] = []
    pos = 0
    while True:
        start = pos
        while pos < len(header) and header[pos] not in '",':
            pos += 1
        current.append(header[start:pos])
        if pos < len(header):
            if header[pos] == '"':
                begin = pos
                _, pos = _collect_quoted(header, pos)
                current.append(header[begin:pos])
                if pos < len(header):
                    continue
            else:
                pos += 1  # past ","
        values.append("".join(current).strip("\t "))
        current = []
        if pos >= len(header):
            return values


def charset_of(content_type: str | None) -> str | None:
    """The encoding the ``charset`` parameter of a ``Content-Type`` value names, or ``None``.

    Fetch's "extract a MIME type", then the label looked up as an encoding. Never raises.
    """
    if not content_type:
        return None
    carried: str | None = None  # the charset of the first MIME type of the current essence
    charset: str | None = None  # the charset of the MIME type that decides
    essence: str | None = None
    for value in _split_values(content_type):
        parsed = parse_mime_type(value)
        if parsed is None or parsed[0] == "*/*":
            continue
        if parsed[0] != essence:
            essence = parsed[0]
            carried = charset = parsed[1].get("charset")
        else:
            charset = parsed[1].get("charset", carried)
    return lookup(charset) if charset is not None else None
