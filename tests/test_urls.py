"""URL normalisation: the join key between crawled pages and imported exports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
