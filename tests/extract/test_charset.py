"""Choosing the character encoding of an HTML body."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.extract import decode_html
from linkflow.extract.charset import detect_encoding

TEXT = "Crème brûlée à la café — naïve façade"


def test_header_charset_decides() -> None:
    body = f"<p>{TEXT}</p>".encode("iso-8859-15", "replace")
    assert TEXT.replace("—", "?") in decode_html(body, "text/html; charset=ISO-8859-15")


def test_utf8_bom_wins_and_is_removed() -> None:
    body = codecs.BOM_UTF8 + f"<p>{TEXT}</p>".encode()
    text = decode_html(body, "text/html; charset=iso-8859-1")
    assert text.startswith("<p>")
    assert TEXT in text


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_bom(bom: bytes, codec: str) -> None:
    body = bom + f"<html><p>{TEXT}</p></html>".encode(codec)
    text = decode_html(body, None)
    assert text.startswith("<html>")
    assert TEXT in text


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1252">',
        "<meta charset=windows-1252>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    ],
)
def test_meta_charset(meta: str) -> None:
    body = f"<html><head>{meta}</head><body>{TEXT}</body></html>".encode("cp1252")
    assert TEXT in decode_html(body, "text/html")


def test_header_beats_meta() -> None:
    # The HTTP header outranks the document's own declaration (HTML standard).
    body = f'<meta charset="windows-1251"><p>{TEXT}</p>'.encode()
    assert TEXT in decode_html(body, "text/html; charset=utf-8")


def test_meta_naming_utf16_means_utf8() -> None:
    body = f'<meta charset="utf-16"><p>{TEXT}</p>'.encode()
    assert TEXT in decode_html(body, None)


def test_no_declaration_utf8() -> None:
    assert TEXT in decode_html(f"<p>{TEXT}</p>".encode(), None)


def test_no_declaration_latin1_is_detected() -> None:
    words = "Le cœur a ses raisons que la raison ne connaît point. " * 20
    body = f"<html><body><p>{words}</p></body></html>".encode("cp1252")
    assert detect_encoding(body) != "utf-8"
    assert "connaît" in decode_html(body, None)


def test_latin1_label_is_read_as_windows_1252() -> None:
    body = "<p>“quoted” – €5</p>".encode("cp1252")
    assert "“quoted” – €5" in decode_html(body, "text/html; charset=latin-1")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=nonsense",
        "text/html; charset=hex",
        "text/html; charset=rot13",
        'text/html; charset="',
        "text/html; charset=",
    ],
)
def test_bad_labels_fall_through(content_type: str) -> None:
    assert TEXT in decode_html(f"<p>{TEXT}</p>".encode(), content_type)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=2000), content_type=st.none() | st.text(max_size=60))
def test_never_raises(body: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(body, content_type), str)
