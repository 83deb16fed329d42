"""Choosing the character encoding of an HTML body."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkflow.extract import decode_html, parse_page
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


# Where linkflow used to disagree with browsers (HTML Standard prescan, Encoding Standard,
# MIME Sniffing): each body is UTF-8 text that a wrong reading would garble.
@pytest.mark.parametrize(
    "meta",
    [
        # Only http-equiv="content-type" makes a content attribute a declaration.
        '<meta http-equiv="Content-Style-Type" content="text/html; charset=windows-1251">',
        '<meta content="text/html; charset=windows-1251">',
        '<meta name="x" content="text/html; charset=windows-1251">',
        # A declaration inside a comment is not read.
        '<!-- <meta charset="windows-1251"> -->',
        # Nor one in another tag's attribute value.
        '<p title="<meta charset=windows-1251>">',
    ],
)
def test_what_is_not_a_declaration(meta: str) -> None:
    body = f"<html><head>{meta}</head><body><p>{TEXT}</p></body></html>".encode()
    assert TEXT in decode_html(body, None)
    assert detect_encoding(body) == "utf-8"


@pytest.mark.parametrize(
    "content_type",
    [
        # charset= inside another parameter's quoted value belongs to that value.
        'text/html; foo="bar; charset=utf-7;"; charset=utf-8',
        'text/html; foo="charset=windows-1251"',
        # Parameter names are whole names, not substrings.
        "text/html; xcharset=windows-1251",
        "text/html; mycharset=windows-1251; charset=utf-8",
        # A value with no type/subtype is no MIME type: it declares nothing.
        "charset=windows-1251",
    ],
)
def test_content_type_parameters_are_parsed_not_searched(content_type: str) -> None:
    body = f"<p>{TEXT}</p>".encode()
    assert TEXT in decode_html(body, content_type)


@pytest.mark.parametrize(
    ("label", "data", "text"),
    [
        ("gb2312", b"\xa8D", "\u2015"),  # GBK labels use the gb18030 decoder
        ("gbk", b"\x80", "\u20ac"),  # ... which reads a lone 0x80 as the euro sign
        ("big5", b"\xf9\xda", "\u6052"),  # Big5 is Big5-HKSCS
        ("shift_jis", b"\x87\x40", "\u2460"),  # Shift_JIS is Windows-31J (NEC row 13)
        ("euc-kr", b"\x81\x41", "\uac02"),  # EUC-KR is windows-949 (UHC)
        ("windows-1252", b"a\x81b", "a\x81b"),  # undefined bytes are C1 controls, not U+FFFD
        ("iso-8859-1", b"\x80", "\u20ac"),  # Latin-1 is windows-1252
    ],
)
def test_labels_decode_as_browsers_do(label: str, data: bytes, text: str) -> None:
    assert decode_html(data, f"text/html; charset={label}") == text


@pytest.mark.parametrize("label", ["utf-7", "hex", "latin-2x", "unicode-1-1-utf-7"])
def test_labels_browsers_do_not_know_name_nothing(label: str) -> None:
    body = f"<p>{TEXT}</p>".encode()
    assert TEXT in decode_html(body, f"text/html; charset={label}")
    assert detect_encoding(body, f"text/html; charset={label}") == "utf-8"


def test_replacement_labels_decode_to_one_replacement_character() -> None:
    # Browsers refuse ISO-2022-KR and HZ (their bytes can smuggle markup): one U+FFFD.
    assert decode_html(b"<p>hello</p>", "text/html; charset=iso-2022-kr") == "\ufffd"


def test_a_declaration_after_1024_bytes_makes_browsers_reload() -> None:
    # Past the prescan, a <meta> in the head still decides: browsers reparse the page.
    filler = "<!-- " + "x" * 5000 + " -->"
    body = f'<html><head>{filler}<meta charset="iso-8859-2"></head><p>Ĺ</p>'.encode()
    assert detect_encoding(body) == "iso-8859-2"
    # ... but not one inside a script, which the tree builder never reads as a tag.
    script = "<script>var s = '<meta charset=\"iso-8859-2\">';</script>"
    body = f"<html><head>{filler}{script}</head><p>Ĺ</p>".encode()
    assert detect_encoding(body) == "utf-8"


def test_a_meta_in_the_prescan_counts_even_in_a_script() -> None:
    # The prescan does not know about scripts (HTML Standard; html5lib's tests agree).
    body = b"<script>document.write('<meta charset=\"iso-8859-2\">')</script>\xa3"
    assert detect_encoding(body) == "iso-8859-2"


def test_xml_declaration_and_x_user_defined() -> None:
    assert detect_encoding(b'<?xml version="1.0" encoding="windows-1251"?><p>\xe0</p>') == (
        "windows-1251"
    )
    assert detect_encoding(b'<meta charset="x-user-defined"><p>\xe0</p>') == "windows-1252"


def test_legacy_page_links_carry_their_query_in_the_page_encoding() -> None:
    body = "<a href='/café?q=café'>a</a><a href='?q=€'>b</a>".encode("iso-8859-15")
    page = parse_page(body, "https://example.com/", content_type="text/html; charset=latin-9")
    assert [link.url for link in page.links] == [
        "https://example.com/caf%C3%A9?q=caf%E9",
        "https://example.com/?q=%A4",
    ]
