"""URL normalisation: the join key between crawled pages and imported exports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkflow.extract import parse_page
from linkflow.urls import Scope, normalize, registrable_domain, remove_dot_segments, replace_origin


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://user:pw@example.com/", "https://example.com/"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/%7euser/%2f", "https://example.com/~user/%2F"),
        ("https://example.com/caf\u00e9", "https://example.com/caf%C3%A9"),
        ("https://example.com/p?", "https://example.com/p"),
        ("https://example.com/p?b=1&a=2", "https://example.com/p?b=1&a=2"),
        ("https://example.com/p#frag", "https://example.com/p"),
        ("https://B\u00fccher.de/", "https://xn--bcher-kva.de/"),
        ("  https://example.com/\n", "https://example.com/"),
        ("https://example.com/100%", "https://example.com/100%25"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["mailto:a@b.c", "javascript:void(0)", "tel:+1", "data:text/html,x", "ftp://x/", "", "//"],
)
def test_non_http_is_none(raw: str) -> None:
    assert normalize(raw) is None


def test_relative_resolution_and_tracking_params() -> None:
    base = "https://example.com/blog/post/"
    assert normalize("../other/", base) == "https://example.com/blog/other/"
    assert normalize(
        "/x?utm_source=a&id=3&gclid=z", base, strip_params=("utm_source", "gclid")
    ) == ("https://example.com/x?id=3")
    assert normalize("?page=2", base) == "https://example.com/blog/post/?page=2"


@given(st.text(max_size=60), st.sampled_from(["https://example.com/a/b", "http://x.org/"]))
def test_normalize_never_raises_and_is_idempotent(raw: str, base: str) -> None:
    once = normalize(raw, base)
    if once is not None:
        assert once.startswith(("http://", "https://"))
        assert normalize(once) == once


def test_remove_dot_segments_rfc_examples() -> None:
    assert remove_dot_segments("/a/b/c/./../../g") == "/a/g"
    assert remove_dot_segments("/../a") == "/a"
    assert remove_dot_segments("/a/b/..") == "/a/"


def test_registrable_domain_uses_the_public_suffix_list_offline() -> None:
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("WWW.Example.com:8080") == "example.com"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"


def test_scope() -> None:
    scope = Scope(["https://www.example.com/"], prefixes=["https://cdn.other.net/docs/"])
    assert scope.contains("https://www.example.com/a")
    assert not scope.contains("https://blog.example.com/a")
    assert scope.contains("https://cdn.other.net/docs/x")
    assert Scope(["https://www.example.com/"], subdomains=True).contains(
        "https://blog.example.com/"
    )


def test_replace_origin() -> None:
    assert replace_origin(
        "http://127.0.0.1:8000/a?b", "http://127.0.0.1:8000", "https://x.com"
    ) == ("https://x.com/a?b")
    assert replace_origin("http://127.0.0.1:80001/a", "http://127.0.0.1:8000", "https://x.com") == (
        "http://127.0.0.1:80001/a"
    )


# Where linkflow used to disagree with browsers (WHATWG URL Standard). Each case is what
# Chrome, Firefox and Safari resolve the href to.
PAGE = "http://example.org/foo/bar"


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("\\x", PAGE, "http://example.org/x"),  # a backslash is a slash in http(s) URLs
        ("\\\\x\\hello", PAGE, "http://x/hello"),
        ("https:example.com/", PAGE, "https://example.com/"),  # another scheme: a host
        ("http:example.com/", PAGE, "http://example.org/foo/example.com/"),  # same: a path
        ("///test", PAGE, "http://test/"),
        ("/\\evil.example/x", PAGE, "http://evil.example/x"),
        ("http://[2001::1]/", None, "http://[2001::1]/"),
        ("http://[2001:DB8:0::1]:8080/x", None, "http://[2001:db8::1]:8080/x"),
        ("/foo/%2e", PAGE, "http://example.org/foo/"),
        ("/foo/%2E%2e/bar", PAGE, "http://example.org/bar"),
        ("http://faß.de/", None, "http://xn--fa-hia.de/"),  # UTS #46, not IDNA 2003 ("fass")
        ("http://0x7f.1/", None, "http://127.0.0.1/"),
    ],
)
def test_resolves_as_browsers_do(href: str, base: str | None, expected: str) -> None:
    assert normalize(href, base) == expected


@pytest.mark.parametrize(
    "url",
    ["http://a b/", "http://a\x01b/", "http://a<b/", "http://[2001::1/", "http://ex%00ample/"],
)
def test_hosts_with_forbidden_code_points_are_no_urls(url: str) -> None:
    assert normalize(url) is None


def test_query_is_written_in_the_page_encoding() -> None:
    base = "http://example.com/"
    # Browsers encode the query (only) in the page's encoding; the path is always UTF-8.
    assert normalize("/café?q=café", base, encoding="iso-8859-15") == (
        "http://example.com/caf%C3%A9?q=caf%E9"
    )
    assert normalize("?q=€", base, encoding="windows-1252") == "http://example.com/?q=%80"
    # A character the encoding lacks becomes a percent-encoded character reference.
    assert normalize("?q=ж", base, encoding="iso-8859-15") == "http://example.com/?q=%26%231078%3B"
    # UTF-16 pages write their URLs in UTF-8; unknown labels are UTF-8 too.
    assert normalize("?q=é", base, encoding="utf-16le") == "http://example.com/?q=%C3%A9"
    assert normalize("?q=é", base, encoding="no-such-label") == "http://example.com/?q=%C3%A9"


def test_a_quote_in_the_query_is_one_url_with_or_without_escape() -> None:
    # Browsers send "'" in an http(s) query as %27: both spellings are one request.
    assert normalize("https://example.com/?q=%27a%27") == "https://example.com/?q='a'"
    assert normalize("https://example.com/?q='a'") == "https://example.com/?q='a'"


def test_parse_page_resolves_backslashes_as_browsers_do() -> None:
    body = b"<a href='/\\other.example/x'>a</a><a href='\\y'>b</a>"
    urls = [link.url for link in parse_page(body, "https://example.com/d/").links]
    assert urls == ["https://other.example/x", "https://example.com/y"]
