"""parse_page: head facts, links, URLs, anchors, rel tokens, robustness."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkflow.extract import parse_page
from linkflow.extract.parse import _directory, _resolve
from linkflow.extract.text import sentence_around, sentence_ends
from linkflow.settings import ExtractSettings
from linkflow.urls import normalize

URL = "https://example.com/dir/page.html"


def _body(inner: str, head: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{inner}</body></html>".encode()


def test_head_facts() -> None:
    head = (
        "<title>  The   title </title><meta name='Description' content=' A  page. '>"
        "<meta name='robots' content='NOINDEX, Follow'><meta name='googlebot' content='noarchive'>"
        "<link rel='canonical' href='/canon?utm_source=x'>"
        "<link rel='alternate' hreflang='DE' href='https://example.de/seite'>"
        "<link rel='alternate' type='application/rss+xml' href='/feed'>"
    )
    html = f'<html lang="en-GB"><head>{head}</head><body><h1>First <b>h1</b></h1><h1>2</h1>'
    facts = parse_page(html.encode(), URL, strip_params=("utm_source",))
    assert facts.title == "The title"
    assert facts.meta_description == "A page."
    assert facts.meta_robots == "noindex, follow,noarchive"
    assert facts.canonical == "https://example.com/canon"
    assert facts.hreflang == [("de", "https://example.de/seite")]
    assert facts.lang == "en-GB"
    assert facts.h1 == "First h1"


def test_relative_urls_resolve_against_the_page() -> None:
    facts = parse_page(
        _body(
            "<a href='other.html'>a</a><a href='../up/'>b</a><a href='//cdn.example.org/x'>c</a>"
        ),
        URL,
    )
    assert [link.url for link in facts.links] == [
        "https://example.com/dir/other.html",
        "https://example.com/up/",
        "https://cdn.example.org/x",
    ]
    assert [link.ordinal for link in facts.links] == [0, 1, 2]


def test_base_href() -> None:
    facts = parse_page(
        _body(
            "<a href='x.html'>x</a><a href='/root'>r</a>", "<base href='https://base.example/b/'>"
        ),
        URL,
    )
    assert [link.url for link in facts.links] == [
        "https://base.example/b/x.html",
        "https://base.example/root",
    ]


def test_relative_base_href_and_junk_base() -> None:
    rel = parse_page(_body("<a href='x'>x</a>", "<base href='/sub/'>"), URL)
    assert rel.links[0].url == "https://example.com/sub/x"
    junk = parse_page(_body("<a href='x'>x</a>", "<base href='javascript:void(0)'>"), URL)
    assert junk.links[0].url == "https://example.com/dir/x"


def test_fragments_same_page_links_and_other_schemes() -> None:
    inner = (
        "<a href='#top'>top</a><a href='page.html#sec'>same page</a>"
        "<a href='other.html#part'>other</a><a href='mailto:a@b.c'>m</a><a href='tel:+1'>t</a>"
        "<a href=' JavaScript:void(0)'>j</a><a href='data:text/html,hi'>d</a>"
        "<a href='ftp://files.example.com/x'>f</a><a>no href</a><a href='http://[bad'>bad</a>"
    )
    facts = parse_page(_body(inner), URL)
    assert [(link.url, link.fragment) for link in facts.links] == [
        ("https://example.com/dir/other.html", "part")
    ]
    assert facts.other_scheme_links == 5


def test_anchor_text_image_alt_rel_and_target() -> None:
    inner = (
        "<p><a href='/a' rel='External  NoFollow' target='_blank'>  Two\n words </a>"
        "<a href='/b'><img src='b.png' alt=' Logo  alt '></a>"
        "<a href='/c'><img src='c.png' alt='ignored'> Caption</a>"
        "<a href='/d' rel='sponsored ugc'>d</a></p>"
        "<map><area href='/e' alt='Region'></map>"
    )
    links = parse_page(_body(inner), URL).links
    a, b, c, d, e = links
    assert (a.anchor, a.rel, a.target, a.is_image, a.nofollow) == (
        "Two words", frozenset({"external", "nofollow"}), "_blank", False, True
    )  # fmt: skip
    assert (b.anchor, b.alt, b.is_image) == ("Logo alt", "Logo alt", True)
    assert (c.anchor, c.alt, c.is_image) == ("Caption", "ignored", True)
    assert d.sponsored
    assert d.ugc
    assert not d.nofollow
    assert (e.url, e.anchor, e.is_image) == ("https://example.com/e", "Region", True)


def test_context_is_the_sentence_around_a_content_link() -> None:
    text = (
        "<main><p>First sentence is here. The second one has <a href='/x'>the link</a> inside "
        "it! Third sentence ends.</p></main>"
    )
    link = parse_page(_body(text), URL).links[0]
    assert link.position == "content"
    assert link.context == "The second one has the link inside it!"
    short = parse_page(_body(text), URL, settings=ExtractSettings(context_chars=12)).links[0]
    assert short.context is not None
    assert len(short.context) <= 12
    assert "the link" in short.context


def test_sentence_around_edges() -> None:
    assert sentence_around("", "x", 10) is None
    assert sentence_around("No anchor here.", "zzz", 5) == "No an"
    assert sentence_around("A. B c. D.", "B", 100) == "B c."
    assert sentence_around("see.B c. D.", "B", 100) == "B c."  # an end mark just before


_END = re.compile(r"[.!?…](?=\s|$)")


def _scanned_sentence(block: str, anchor: str, limit: int) -> str | None:
    """The sentence around ``anchor`` found by scanning: the reference for the fast path."""
    if not block or limit <= 0:
        return None
    at = block.find(anchor) if anchor else -1
    if at < 0:
        return block[:limit].strip() or None
    start = 0
    for match in _END.finditer(block, 0, at):
        start = match.end()
    end_match = _END.search(block, at + len(anchor))
    end = end_match.end() if end_match else len(block)
    sentence = block[start:end].strip()
    if len(sentence) <= limit:
        return sentence
    at = sentence.find(anchor)
    left = max(0, min(at - (limit - len(anchor)) // 2, len(sentence) - limit))
    return sentence[left : left + limit].strip() or None


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="ab .!?…\n\u00a0", max_size=60),
    st.text(alphabet="ab .!?…", max_size=4),
    st.integers(min_value=0, max_value=30),
)
def test_sentence_around_matches_a_scan_of_the_block(block: str, anchor: str, limit: int) -> None:
    expected = _scanned_sentence(block, anchor, limit)
    assert sentence_around(block, anchor, limit) == expected
    assert sentence_around(block, anchor, limit, sentence_ends(block)) == expected


def test_main_text_word_count_hash_and_dom_path() -> None:
    inner = (
        "<nav class='menu'><a href='/m'>Menu</a></nav><script>var x = 'no';</script>"
        "<article><h1>Title</h1><p>One two <a href='/x'>three</a>.</p><p>Four<br>five</p>"
        "<style>p{}</style></article><footer><a href='/f'>F</a> Footer words</footer>"
    )
    facts = parse_page(_body(inner), URL)
    assert facts.main_text == "Title\nOne two three.\nFour five"
    assert facts.word_count == 6
    assert facts.content_hash is not None
    assert len(facts.content_hash) == 32
    same = parse_page(_body(inner.replace("Four<br>five", "four  five")), URL)
    assert same.content_hash == facts.content_hash  # case and spacing do not matter
    other = parse_page(_body(inner.replace("Four", "Six")), URL)
    assert other.content_hash != facts.content_hash
    assert [link.dom_path for link in facts.links] == [
        "html>body>nav>a",
        "html>body>article>p>a",
        "html>body>footer>a",
    ]
    assert [link.position for link in facts.links] == ["nav", "content", "footer"]
    assert (
        parse_page(_body(inner), URL, settings=ExtractSettings(keep_main_text=False)).main_text
        is None
    )


def test_empty_binary_and_malformed() -> None:
    for body in (b"", b"   \n", bytes(range(256)) * 4, b"\x00\x01\x02<a href='/x'>x</a>"):
        facts = parse_page(body, URL)
        assert facts.links == []
        assert facts.title is None
    broken = b"<html><body><div><p>Unclosed <a href='/a'>a <b>bold<a href='/b'>b</div></td></table>"
    urls = [link.url for link in parse_page(broken, URL).links]
    assert urls == ["https://example.com/a", "https://example.com/b"]


def test_deep_nesting_does_not_blow_up() -> None:
    body = ("<div>" * 20_000 + "<a href='/deep'>deep</a>" + "</div>" * 20_000).encode()
    links = parse_page(body, URL).links
    assert [link.url for link in links] == ["https://example.com/deep"]
    assert len(links[0].dom_path) <= 420


def test_charset_reaches_the_parser() -> None:
    body = "<title>Café</title><a href='/é'>é</a>".encode("cp1252")
    facts = parse_page(body, URL, content_type="text/html; charset=windows-1252")
    assert facts.title == "Café"
    assert facts.links[0].url == "https://example.com/%C3%A9"


html_fragments = st.lists(
    st.sampled_from([
        "<a href='", "'>", "</a>", "<a href=", ">", "<base href='", "<div class='nav'>",
        "</div>", "<main>", "<p>", "#", "//", "http://x.example/", "https://", "mailto:",
        "javascript:", "../", "?q=1", "<img alt='", "<area href='", "<footer>", "\x00", "é",
        "\ud7ff", "<!--", "-->", "<script>", "</script>", " ", "[", "%", "%zz", "\n",
    ]) | st.text(max_size=8),
    max_size=40,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=html_fragments, encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_never_raises_and_links_are_normalised_http(parts: list[str], encoding: str) -> None:
    body = "".join(parts).encode(encoding, "replace")
    for link in parse_page(body, URL).links:
        assert link.url.startswith(("http://", "https://"))
        assert normalize(link.url) == link.url
        assert link.position in {
            "content", "nav", "header", "footer", "sidebar", "breadcrumb", "pagination",
            "related", "comment", "other",
        }  # fmt: skip


page_urls = st.sampled_from(
    [URL, "", "not a url", "http://[::1", "HTTPS://EX.com/a b", "mailto:x@y", "https://"]
) | st.text(max_size=20)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=3000), url=page_urls)
def test_never_raises_on_arbitrary_bytes(body: bytes, url: str) -> None:
    for link in parse_page(body, url).links:
        assert normalize(link.url) == link.url


@settings(max_examples=200, deadline=None)
@given(url=page_urls, href=st.sampled_from(["/x", "x", "//h.example/y", "https://o.example/"]))
def test_junk_page_urls_never_raise(url: str, href: str) -> None:
    body = f"<a href='{href}'>a</a><base href='//'>".encode()
    for link in parse_page(body, url).links:
        assert normalize(link.url) == link.url


href_parts = st.lists(
    st.sampled_from([
        "/", "//", "..", ".", "?", "#", "\\", "a", "B", "%2e", "%", "é", " ", ":", "@", "http:",
        "https://", "HTTP://", "x.example", ":8080", "utm_source=1", "&", "=", ";", "~",
    ]),
    max_size=12,
).map("".join) | st.text(alphabet="/.-_~aZ09%?;:@ é&=", max_size=15)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    href=href_parts,
    base=st.sampled_from([URL, "https://example.com/", "http://h.example:81/a/b?q"]),
)
def test_fast_resolver_agrees_with_normalize(href: str, base: str) -> None:
    origin = base.split("/", 3)
    expected = normalize(href, base, strip_params=("utm_source",))
    assert _resolve(href, base, "/".join(origin[:3]), ("utm_source",)) == expected


def test_dom_path_is_stable_across_items() -> None:
    inner = (
        "<aside class='sidebar'><section id='recent-posts-2' class='widget widget_recent'>"
        "<a href='/a'>a</a></section><section id='text-7' class='widget-7'><a href='/b'>b</a>"
        "</section></aside><ol><li id='comment-88' class='comment depth-1'><a href='/c'>c</a>"
        "</li><li id='comment-91' class='comment depth-1'><a href='/d'>d</a></li></ol>"
    )
    paths = [link.dom_path for link in parse_page(_body(inner), URL).links]
    assert paths == [
        "html>body>aside>section.widget>a",
        "html>body>aside>section.widget-N>a",
        "html>body>ol>li.comment>a",
        "html>body>ol>li.comment>a",
    ]


def test_div_soup_main_content_is_guessed() -> None:
    menu = "".join(f"<div><a href='/m{i}'>Menu {i}</a></div>" for i in range(5))
    body = (
        "<div class='x1'><a href='/'>Logo</a></div>"
        f"<div class='x2'>{menu}</div>"
        "<div class='x3'><div><p>A long paragraph of the article that talks about soil, "
        "compost and the right time to sow beans, with <a href='/beans'>a bean guide</a> "
        "inside it.</p><p>Another paragraph with more useful words about watering and "
        "mulch, long enough to count as real text.</p></div></div>"
        "<div class='x4'><div><a href='/f1'>Privacy</a></div><div><a href='/f2'>Terms</a>"
        "</div><div><a href='/f3'>Jobs</a></div></div>"
    )
    facts = parse_page(_body(body), URL)
    positions = {link.anchor: link.position for link in facts.links}
    # No region names a menu here, so nothing tells the logo from the menu: both are nav.
    assert positions["Logo"] == "nav"
    assert {positions[f"Menu {i}"] for i in range(5)} == {"nav"}
    assert positions["a bean guide"] == "content"
    assert {positions[a] for a in ("Privacy", "Terms", "Jobs")} == {"footer"}
    assert facts.main_text is not None
    assert facts.main_text.startswith("A long paragraph")
    assert "Menu" not in facts.main_text
    assert "Privacy" not in facts.main_text


def test_hrefs_are_trimmed_as_browsers_trim_them() -> None:
    # C0 controls and spaces around an href go; a no-break space is part of the URL.
    html = '<a href="\x01 /x \x1f">a</a><a href="\u00a0y">b</a>'
    facts = parse_page(html.encode(), "https://e.com/a/")
    assert [link.url for link in facts.links] == ["https://e.com/x", "https://e.com/a/%C2%A0y"]


@settings(max_examples=500, deadline=None)
@given(
    href=st.text(alphabet="/.-_~aZ09", min_size=1, max_size=15)
    | st.lists(st.sampled_from(["..", ".", "/", "a", "b.html", "~x"]), min_size=1, max_size=8).map(
        "".join
    ),
    base=st.sampled_from(
        [URL, "https://example.com/", "http://h.example:81/a/b?q", "http://h.example/a/b/"]
    ),
)
def test_relative_paths_joined_in_place_agree_with_normalize(href: str, base: str) -> None:
    origin = "/".join(base.split("/", 3)[:3])
    directory = _directory(normalize(base), origin)
    assert directory is not None
    expected = normalize(href, base)
    assert _resolve(href, base, origin, (), "utf-8", directory) == expected


def test_relative_paths_with_dot_segments_resolve_as_browsers_do() -> None:
    # Expected values by hand, from the URL Standard's path state.
    base = "https://h.example/a/b/page.html"
    directory = _directory(base, "https://h.example")
    assert directory == "https://h.example/a/b/"
    cases = {
        "x.html": "https://h.example/a/b/x.html",
        "../x.html": "https://h.example/a/x.html",
        "../../../../x": "https://h.example/x",
        "./": "https://h.example/a/b/",
        "..": "https://h.example/a/",
        "c/.": "https://h.example/a/b/c/",
        "c//d": "https://h.example/a/b/c//d",
        "...": "https://h.example/a/b/...",
    }
    for href, expected in cases.items():
        assert _resolve(href, base, "https://h.example", (), "utf-8", directory) == expected
    assert _directory("https://h.example/a%20b/", "https://h.example") is None  # not plain


def _page(anchor: str) -> str:
    head = f"<meta charset=utf-8><title>T — {anchor}</title>"
    return f'<html><head>{head}</head><body><p><a href="/x">{anchor}</a></p>'


def test_utf8_pages_read_alike_whether_parsed_from_their_bytes_or_their_text() -> None:
    # Valid UTF-8 is parsed from the body itself; anything decoding changed is parsed
    # from the decoded text: each case gives the text a browser shows.
    name = "日本語 — ünïcode 😀"
    assert _anchor_and_title(_page(name).encode()) == (name, f"T — {name}")
    bom = b"\xef\xbb\xbf" + _page(name).encode()
    assert _anchor_and_title(bom) == (name, f"T — {name}")
    broken = _page("a\udcff b").encode("utf-8", "surrogateescape")  # a lone 0xFF byte
    assert _anchor_and_title(broken) == ("a\ufffd b", "T — a\ufffd b")
    written = _page("a \ufffd b").encode()  # a page that writes U+FFFD itself
    assert _anchor_and_title(written) == ("a \ufffd b", "T — a \ufffd b")
    latin = _page("café").encode("windows-1252")
    assert _anchor_and_title(latin, "text/html; charset=windows-1252") == ("café", "T — café")


def _anchor_and_title(body: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    facts = parse_page(body, URL, content_type=content_type)
    (link,) = facts.links
    return link.anchor, facts.title


def test_the_parser_reads_the_body_only_when_it_is_the_texts_utf8(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from linkflow.extract import parse

    given: list[type] = []
    real = parse.LexborHTMLParser

    def spy(html: str | bytes) -> object:
        given.append(type(html))
        return real(html)

    monkeypatch.setattr(parse, "LexborHTMLParser", spy)
    name = "日本語 — ü"
    for body in (
        _page(name).encode(),  # valid UTF-8: the body itself
        b"\xef\xbb\xbf" + _page(name).encode(),  # a byte-order mark dropped: the text
        _page("a\udcff b").encode("utf-8", "surrogateescape"),  # a byte replaced: the text
        _page("a \ufffd b").encode(),  # U+FFFD written by the page: the text, to be safe
    ):
        parse_page(body, URL)
    parse_page(
        _page("café").encode("windows-1252"), URL, content_type="text/html; charset=windows-1252"
    )
    assert given == [bytes, str, str, str, str]


def test_a_page_the_header_says_is_utf8_reads_as_utf8_whatever_its_meta_says() -> None:
    # The transport's charset wins over the page's own declaration (HTML's encoding
    # sniffing), and such a page is parsed from its bytes: the parser must not switch to
    # the meta's encoding on its own.
    for meta in ("windows-1252", "iso-8859-1", "shift_jis", "utf-16"):
        body = f"<meta charset={meta}>" + _page("café 日本")
        facts = parse_page(body.encode(), URL, content_type="text/html; charset=utf-8")
        assert (facts.links[0].anchor, facts.title) == ("café 日本", "T — café 日本"), meta
