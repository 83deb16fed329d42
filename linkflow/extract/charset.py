"""Decode an HTML body to text, choosing its character encoding the way browsers do.

Order (HTML standard "determining the character encoding", simplified): a byte-order mark,
then the ``charset`` of the HTTP ``Content-Type`` header, then ``<meta charset>`` or
``<meta http-equiv=content-type>`` in the first bytes, then strict UTF-8, then
charset-normalizer's guess, then UTF-8 with replacement characters. A BOM comes first
because it is certain, and the standard lets it override the header.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["decode_html", "detect_encoding"]

_PRESCAN_BYTES = 4096
_DETECT_BYTES = 65_536
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s"';,]+)""", re.IGNORECASE)
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([^\s"';,/>]+)""", re.IGNORECASE)
# Labels browsers map to another codec (WHATWG Encoding Standard): ISO-8859-1 and ASCII
# are decoded as windows-1252, which fills the C1 range with printable characters.
_ALIASES = {"latin1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


def _codec(label: str | bytes) -> str | None:
    """The Python codec name for an encoding label, or ``None`` if unknown."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    # Skip bytes-to-bytes codecs such as "hex" or "base64": a page cannot name them.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return _ALIASES.get(info.name, info.name)


def _from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def _from_meta(head: bytes) -> str | None:
    for tag in _META.finditer(head):
        match = _META_CHARSET.search(tag.group(0))
        if match:
            name = _codec(match.group(1))
            # A document that names UTF-16 in its own ASCII bytes cannot be UTF-16 (standard).
            if name is not None and name.startswith("utf-16"):
                return "utf-8"
            if name is not None:
                return name
    return None


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The Python codec name :func:`decode_html` would use for ``body``. Never raises."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    declared = _from_header(content_type) or _from_meta(body[:_PRESCAN_BYTES])
    if declared is not None:
        return declared
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = from_bytes(body[:_DETECT_BYTES]).best()
    if best is not None and best.encoding:
        return _codec(best.encoding) or "utf-8"
    return "utf-8"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode ``body`` to text; undecodable bytes become U+FFFD. Never raises.

    ``content_type`` is the HTTP ``Content-Type`` header value, if any.
    """
    name = detect_encoding(body, content_type)
    for bom, bom_name in _BOMS:
        if name == bom_name and body.startswith(bom):
            body = body[len(bom) :]
            break
    try:
        return body.decode(name, errors="replace")
    except (LookupError, TypeError, ValueError):  # a codec that cannot decode bytes at all
        return body.decode("utf-8", errors="replace")
