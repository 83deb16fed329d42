"""A code listing's highlighting spans are dropped before the page is parsed only where
that cannot change what is extracted: the same page facts and links either way, and the
listings that hold anything else left as they are."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkflow.extract.flatten as flatten_module
import linkflow.extract.parse as parse_module
from linkflow.extract import parse_page
from linkflow.extract.flatten import FLATTEN_CHARS, flatten_code
from linkflow.extract.worker import pack
from linkflow.settings import ExtractSettings

KEEP = ExtractSettings(keep_main_text=True)


def _doc(body: str, head: str = "<title>T</title>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_a_highlighted_listing_and_its_gutter_lose_their_spans() -> None:
    text = _doc(
        '<p>See <a href="/x">x</a></p>'
        '<pre class="line-numbers"><span id="1">1</span>\n<span id="2">2</span>\n</pre>'
        '<pre class="rust"><code><span class="kw">use</span> <span class="ident">a</span>'
        '::<span class="kw-2">*</span>;\n<span>&lt;T&gt;</span> x &gt; y</code></pre>'
    )
    assert flatten_code(text) == _doc(
        '<p>See <a href="/x">x</a></p>'
        '<pre class="line-numbers">1\n2\n</pre>'
        '<pre class="rust"><code>use a::*;\n&lt;T&gt; x &gt; y</code></pre>'
    )


def test_only_the_listings_that_hold_nothing_else_are_flattened() -> None:
    kept = '<pre><span class="k">def</span> <a href="/f">f</a></pre>'
    flat = '<pre><span class="k">def</span> g</pre>'
    assert flatten_code(_doc(kept + flat)) == _doc(kept + "<pre>def g</pre>")


@pytest.mark.parametrize(
    "listing",
    [
        '<pre><span class="k">x</span><a href="/y">y</a></pre>',  # a link
        '<pre><span class="k">x</span><!-- c --></pre>',  # a comment
        '<pre><span class="k">x</span><br>y</pre>',  # another element
        "<pre><span class='k'>x</span></pre>",  # single quotes: not matched whole
        '<pre><span title="a>b" data-x=1>x</span></pre>',  # an unquoted value
        '<pre><span itemscope itemtype="https://schema.org/Code">x</span></pre>',  # microdata
        '<pre><b>bold</b><span class="k">x</span></pre>',  # another element
        "<pre>plain text, no span</pre>",
        '<pre><span class="k">never closed</span>',
        '<PRE><span class="k">x</span></PRE>',  # upper case: left to the parser
        '<pre-x><span class="k">x</span></pre-x>',  # a custom element, not a listing
    ],
)
def test_other_listings_are_left_as_they_are(listing: str) -> None:
    text = _doc(f"<p>Text</p>{listing}<p>more</p>")
    assert flatten_code(text) is text


@pytest.mark.parametrize(
    ("body", "head"),
    [
        # A raw-text element may show markup as text: a "<pre>" there is not a tag.
        ('<textarea><pre><span class="k">x</span></pre></textarea>', "<title>T</title>"),
        ('<xmp><pre><span class="k">x</span></pre></xmp>', "<title>T</title>"),
    ],
)
def test_a_page_where_pre_may_be_text_is_left_as_it_is(body: str, head: str) -> None:
    text = _doc(body, head)
    assert flatten_code(text) is text


def _facts(body: bytes, *, flatten: bool) -> tuple[object, ...]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse_module, "FLATTEN_CHARS", 0 if flatten else 1 << 62)
        return pack(parse_page(body, "https://a.test/docs/page.html", settings=KEEP))


_WORD = st.sampled_from(["fn", "x", "&lt;T&gt;", "a > b", "=", "\n", " ", "é", "   ", "42"])
_ATTR = st.sampled_from(
    ['class="kw"', 'id="12"', 'style="color:red"', 'title="a>b"', "class='k'", "data-x=1",
     'itemprop="name"', 'itemtype="https://schema.org/Code"', 'class="nav menu"']
)  # fmt: skip


@st.composite
def _listing(draw: st.DrawFn) -> str:
    """A <pre> listing: text and spans, sometimes code, a link, a comment or a <br>."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["text", "span", "span", "code", "other", "line"]))
        word = draw(_WORD)
        if kind == "text":
            parts.append(word)
        elif kind == "line":
            parts.append("\n")
        elif kind == "span":
            attrs = " ".join(draw(st.lists(_ATTR, max_size=2)))
            parts.append(f"<span{' ' + attrs if attrs else ''}>{word}</span>")
        elif kind == "code":
            parts.append(f'<code class="language-x">{word}</code>')
        else:
            parts.append(
                draw(
                    st.sampled_from(
                        [
                            f'<a href="/to/{len(parts)}">{word}</a>',
                            # A span around a link: its class names the link's region.
                            f'<span class="sidebar"><a href="/to/{len(parts)}">{word}</a></span>',
                            "<!-- c -->",
                            "<br>",
                        ]
                    )
                )
            )
    kind = draw(st.sampled_from(["rust", "line-numbers", "x"]))
    return f'<pre class="{kind}">{"".join(parts)}</pre>'


@settings(max_examples=300, deadline=None)
@given(
    listings=st.lists(_listing(), min_size=1, max_size=4),
    nav=st.booleans(),
    textarea=st.booleans(),
    piece=st.sampled_from([1 << 16, 1, 2, 5, 9, 17, 40]),
)
def test_what_is_extracted_is_the_same_with_and_without_flattening(
    listings: list[str], nav: bool, textarea: bool, piece: int
) -> None:
    # Listings are flattened a piece at a time: pieces as short as one character cut
    # tags anywhere, which must leave those listings as they are, never half done.
    with patch.object(flatten_module, "_PIECE", piece):
        _same_with_and_without_flattening(listings, nav, textarea, piece)


def _same_with_and_without_flattening(
    listings: list[str], nav: bool, textarea: bool, piece: int
) -> None:
    body = "".join(
        f"<p>Step {i} uses <a href='/s/{i}'>step {i}</a>.</p>{x}" for i, x in enumerate(listings)
    )
    if nav:
        body = "<nav><a href='/'>Home</a><a href='/docs/'>Docs</a></nav>" + body
    if textarea:
        body += '<textarea><pre><span class="k">shown</span></pre></textarea>'
    page = _doc(f"<main>{body}</main><footer><a href='/legal'>Legal</a></footer>")
    flat = flatten_code(page)
    if (
        piece > len(page)
        and not textarea
        and all("<span" in x for x in listings)
        and not any(
            bad in x for x in listings for bad in ("<a ", "<!--", "<br>", "'k'", "=1", "itemtype")
        )
    ):
        assert flat != page  # listings of text and spans alone are flattened
    encoded = page.encode()
    assert _facts(encoded, flatten=True) == _facts(encoded, flatten=False)


def test_a_long_source_view_is_flattened_with_the_same_result() -> None:
    lines = 30_000
    gutter = "\n".join(f'<span id="{n}">{n}</span>' for n in range(1, lines + 1))
    code = "\n".join(
        f'<span class="kw">let</span> <span class="ident">v{n}</span> = {n};' for n in range(lines)
    )
    body = _doc(
        '<nav><a href="/src/">src</a></nav><main><h1>lib.rs</h1>'
        f'<pre class="line-numbers">{gutter}</pre><pre class="rust"><code>{code}</code></pre>'
        "</main>"
    )
    assert len(body) >= FLATTEN_CHARS
    flattened = flatten_code(body)  # in many pieces, each ending at a line break
    assert len(flattened) < len(body) // 2
    assert flattened.count("<span") == 0
    encoded = body.encode()
    flat = _facts(encoded, flatten=True)
    assert flat == _facts(encoded, flatten=False)
    facts = parse_page(encoded, "https://a.test/src/lib.rs.html", settings=KEEP)
    assert facts.main_text is not None
    assert "let v29999 = 29999;" in facts.main_text
    assert "\n1\n2\n3" not in facts.main_text  # the gutter is not main text


def test_a_title_that_shows_a_listing_stays_as_written() -> None:
    title = '<title><pre><span class="k">t</span></pre></title>'
    # Without a <body> tag the listings are looked for from the start: the title's "<pre>"
    # comes first, so nothing is flattened.
    bare = f'{title}<pre><span class="k">x</span></pre>'
    assert flatten_code(bare) is bare
    text = _doc('<pre><span class="k">x</span></pre>', title)
    assert flatten_code(text) == _doc("<pre>x</pre>", title)


def test_a_listing_written_in_a_head_attribute_stays_as_written() -> None:
    head = '<title>T</title><meta name="description" content="<pre><span>x</span></pre>">'
    text = _doc('<pre><span class="k">y</span></pre>', head)
    assert flatten_code(text) == _doc("<pre>y</pre>", head)
    facts = parse_page(text.encode(), "https://a.test/", settings=KEEP)
    assert facts.meta_description == "<pre><span>x</span></pre>"
