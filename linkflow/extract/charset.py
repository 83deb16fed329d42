"""Decode an HTML body to text, choosing its character encoding the way browsers do.

Order (HTML Standard, "determining the character encoding"): a byte-order mark; the
``charset`` of the HTTP ``Content-Type`` header (:mod:`linkflow.extract.mimetype`); the
prescan of the first 1024 bytes for ``<meta charset>`` or ``<meta http-equiv=content-type
content=...>`` (:mod:`linkflow.extract.prescan`); a ``<meta>`` declaration further on, which
makes browsers reload the page in its encoding; then strict UTF-8; then charset-normalizer's
guess; then UTF-8. A BOM comes first because it is certain, and the standard lets it
override the header.

Labels are read with the WHATWG label table and bytes decoded with the WHATWG decoders'
behaviour (:mod:`linkflow.encodings`): ``latin1`` is windows-1252, ``gb2312`` is decoded as
gb18030, an unknown label (``utf-7``, ``hex``) names nothing.
"""

from __future__ import annotations

from linkflow.encodings import UTF8, decode, lookup
from linkflow.extract.mimetype import charset_of
from linkflow.extract.prescan import PRESCAN_BYTES, late_declaration, prescan

__all__ = ["declared_encoding", "decode_document", "decode_html", "detect_encoding"]

_DETECT_BYTES = 65_536
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16be"),
    (b"\xff\xfe", "utf-16le"),
)
# charset-normalizer names Python codecs; these are not WHATWG labels under any spelling.
_GUESSES = {
    "mac_roman": "macintosh",
    "mac_cyrillic": "x-mac-cyrillic",
    "cp932": "shift_jis",
    "cp949": "euc-kr",
    "big5hkscs": "big5",
    "tis_620": "windows-874",
    "iso8859_11": "windows-874",
    "utf_16": "utf-16le",
}


def _bom(body: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    return None


def _from_guess(name: str) -> str:
    """The WHATWG encoding for charset-normalizer's guess; windows-1252 if browsers know none."""
    found = lookup(name) or lookup(name.replace("_", "-")) or _GUESSES.get(name)
    return found or "windows-1252"


def declared_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The encoding ``body`` is certain or declared to be in, or ``None`` if it says nothing.

    A byte-order mark, else the ``Content-Type`` header's charset, else a ``<meta>`` (the
    prescan of the first 1024 bytes, then a later declaration). Never raises.
    """
    found = _bom(body)
    if found is not None:
        return found[0]
    return charset_of(content_type) or prescan(body[:PRESCAN_BYTES]) or late_declaration(body)


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The WHATWG name of the encoding :func:`decode_html` uses for ``body``. Never raises.

    ``content_type`` is the HTTP ``Content-Type`` header value, if any.
    """
    declared = declared_encoding(body, content_type)
    if declared is not None:
        return declared
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return UTF8
    # Imported here: few pages get this far (they declare their encoding or are UTF-8),
    # and a parse worker spares its import (a tenth of its start-up) and memory.
    from charset_normalizer import from_bytes

    best = from_bytes(body[:_DETECT_BYTES]).best()
    if best is not None and best.encoding:
        return _from_guess(best.encoding)
    return UTF8


def decode_document(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of an HTML body; undecodable bytes become U+FFFD. Never raises.

    ``encoding`` is the WHATWG name of the encoding used: browsers also write the query
    of the page's links in it (:func:`linkflow.urls.normalize`).
    """
    encoding = detect_encoding(body, content_type)
    found = _bom(body)
    if found is not None and found[0] == encoding:
        body = body[found[1] :]
    return decode(body, encoding), encoding


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode ``body`` to text; undecodable bytes become U+FFFD. Never raises.

    ``content_type`` is the HTTP ``Content-Type`` header value, if any.
    """
    return decode_document(body, content_type)[0]
