"""Character encodings as the WHATWG Encoding Standard defines them: labels, decoders, encoders.

Browsers know about forty encodings, each reached through a fixed list of labels
(``latin1``, ``ascii`` and ``iso-8859-1`` all mean windows-1252; ``gb2312`` means GBK). A
label outside that list names no encoding at all, even if Python has a codec of that name.
Labels are resolved with ``webencodings`` (the standard's table); decoding follows the
standard's decoders where Python's codec of the same name differs:

- GBK and gb18030 use the gb18030 decoder, which reads a lone ``0x80`` as the euro sign;
- the windows-125x and windows-874 decoders map the bytes Python leaves undefined in
  ``0x80``–``0x9F`` to the C1 control of the same value (as the standard's indexes do);
- the replacement encoding (``iso-2022-kr``, ``hz-gb-2312`` ...) decodes a whole document
  to a single U+FFFD, so that content in an encoding browsers refuse is not misread.

Encoding names in this module are the standard's lower-case names (``windows-1252``,
``shift_jis``, ``utf-16le``).
"""

from __future__ import annotations

import codecs
from functools import lru_cache

import webencodings  # type: ignore[import-untyped]

__all__ = [
    "UTF8",
    "decode",
    "encode_query",
    "lookup",
    "needs_query_encoding",
    "output_encoding",
    "python_codec",
]

UTF8 = "utf-8"

_REPLACEMENT = "replacement"
_GB18030 = frozenset({"gbk", "gb18030"})
_C1_HOLES = "linkflow-c1-holes"
_GB18030_EURO = "linkflow-gb18030-euro"
# What the standard's encoders do differently from Python's codecs of the same name: code
# points written as another one, and code points refused (the URL parser then writes a
# numeric character reference for them).
_ENCODE_AS: dict[str, dict[str, str]] = {
    "shift_jis": {"\u2212": "\uff0d", "\u00a5": "\\", "\u203e": "~"},
    "euc-jp": {"\u2212": "\uff0d", "\u00a5": "\\", "\u203e": "~"},
}
_REFUSED: dict[str, dict[str, int]] = {
    "iso-2022-jp": dict.fromkeys("\x0e\x0f\x1b", 0xFFFD),
    "gb18030": {"\ue5e5": 0xE5E5},
    "gbk": {"\ue5e5": 0xE5E5},
}


def _c1_holes(error: UnicodeError) -> tuple[str, int]:
    """Error handler: an undefined byte in 0x80–0x9F is its C1 control, others U+FFFD."""
    assert isinstance(error, UnicodeDecodeError)
    byte = error.object[error.start]
    return (chr(byte) if 0x80 <= byte <= 0x9F else "\ufffd"), error.start + 1


def _gb18030_euro(error: UnicodeError) -> tuple[str, int]:
    """Error handler: a lone 0x80 is the euro sign (GBK compatibility), others U+FFFD."""
    assert isinstance(error, UnicodeDecodeError)
    if error.object[error.start] == 0x80:
        return "\u20ac", error.start + 1
    return "\ufffd", error.end


codecs.register_error(_C1_HOLES, _c1_holes)
codecs.register_error(_GB18030_EURO, _gb18030_euro)


@lru_cache(maxsize=256)
def lookup(label: str) -> str | None:
    """The encoding a label names (``"Latin1"`` → ``"windows-1252"``), or ``None``.

    Labels are matched after trimming ASCII whitespace, ASCII case-insensitively, as the
    standard's "get an encoding" says. Never raises.
    """
    try:
        encoding = webencodings.lookup(label)
    except (UnicodeError, TypeError):  # lone surrogates, or not a string at all
        return None
    return str(encoding.name) if encoding is not None else None


@lru_cache(maxsize=64)
def python_codec(encoding: str) -> str:
    """The Python codec that decodes ``encoding`` (a name from :func:`lookup`)."""
    if encoding in _GB18030:
        return "gb18030"
    found = webencodings.lookup(encoding)
    return str(found.codec_info.name) if found is not None else "utf-8"


def _errors(encoding: str) -> str:
    if encoding in _GB18030:
        return _GB18030_EURO
    if encoding.startswith("windows-"):
        return _C1_HOLES
    return "replace"


def decode(data: bytes, encoding: str) -> str:
    """``data`` decoded as ``encoding``; malformed bytes become U+FFFD. Never raises."""
    if encoding == _REPLACEMENT:
        return "\ufffd" if data else ""
    if encoding == "x-user-defined":
        return webencodings.decode(data, encoding)[0]  # type: ignore[no-any-return]
    try:
        return data.decode(python_codec(encoding), _errors(encoding))
    except (LookupError, ValueError):
        return data.decode("utf-8", "replace")


def output_encoding(encoding: str) -> str:
    """The encoding a page's URLs are written in: UTF-8 for the UTF-16 and replacement ones."""
    if encoding in ("utf-16le", "utf-16be", _REPLACEMENT):
        return UTF8
    return encoding


# Bytes the URL parser percent-encodes in the query of an http(s) URL: C0 controls, space,
# '"', '#', "'", '<', '>' and everything above 0x7E (URL Standard, special-query set).
_QUERY_ENCODE = frozenset(range(0x21)) | frozenset(b"\"#'<>") | frozenset(range(0x7F, 0x100))


def _percent_encode(data: bytes) -> str:
    return "".join(f"%{b:02X}" if b in _QUERY_ENCODE else chr(b) for b in data)


def needs_query_encoding(query: str, encoding: str) -> bool:
    """True if browsers write ``query`` differently in ``encoding`` than in UTF-8."""
    if encoding == UTF8:
        return False
    return not query.isascii() or any(c in _REFUSED.get(encoding, ()) for c in query)


def encode_query(query: str, encoding: str) -> str:
    """``query`` percent-encoded in ``encoding``, as browsers write the query of such a page.

    A character ``encoding`` cannot represent becomes its numeric character reference,
    percent-encoded (``%26%23`` + decimal + ``%3B``), as the URL Standard says. Escapes
    already in ``query`` are kept.
    """
    codec = python_codec(encoding)
    written = _ENCODE_AS.get(encoding, {})
    refused = _REFUSED.get(encoding, {})
    out: list[str] = []
    run: list[str] = []  # characters encoded together: stateful encoders need the run

    def flush() -> None:
        if run:
            out.append(_encode_run("".join(run), codec))
            run.clear()

    for char in query:
        if char in refused:
            flush()
            out.append(f"%26%23{refused[char]}%3B")
        else:
            run.append(written.get(char, char))
    flush()
    return "".join(out)


def _encode_run(text: str, codec: str) -> str:
    try:
        return _percent_encode(text.encode(codec))
    except UnicodeEncodeError:
        pass
    except LookupError:
        return _percent_encode(text.encode("utf-8"))
    out: list[str] = []
    for char in text:  # one at a time, so each failure is written where it belongs
        try:
            out.append(_percent_encode(char.encode(codec)))
        except UnicodeEncodeError:
            out.append(f"%26%23{ord(char)}%3B")
    return "".join(out)
