"""The compiled walk (linkflow/extract/_outline.c) gives the facts the Python walk gives, on
written and generated pages and on the Debian documentation; it changes the tree as the
Python walk does; and it is only used once checked."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from linkflow.extract import _lexbor, outline, parse, regions
from linkflow.extract.walk import walk
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

URL = "https://example.org/docs/page.html"


def _facts(body: bytes, compiled: bool, url: str = URL) -> PageFacts:
    return parse._parse(body, url, None, ExtractSettings(), (), compiled)


def test_the_compiled_walk_is_built_and_used() -> None:
    assert parse._COMPILED_WALK, (
        "linkflow/extract/_outline.c is not compiled or failed its check: run `make install` "
        "(it needs a C compiler and the Python headers)"
    )


def test_the_sample_page_reads_as_written() -> None:
    """The check's own page, against facts written by hand, both ways."""
    for compiled in (True, False):
        facts = _facts(parse._SAMPLE_PAGE, compiled)
        assert (facts.title, facts.h1, facts.lang) == ("A <br>title", "The heading", "en")
        assert (facts.meta_description, facts.meta_robots) == ("About this", "noindex")
        assert facts.canonical == "https://example.org/sample"
        assert facts.hreflang == [("de", "https://example.org/de/")]
        assert facts.schema_types == ["Article"]
        assert facts.other_scheme_links == 1  # the mailto link
        found = [(link.url, link.anchor, link.position, link.is_image) for link in facts.links]
        assert found == [
            ("https://example.org/", "Home", "header", True),
            ("https://example.org/docs/a.html", "A", "breadcrumb", False),
            ("https://example.org/b", "B b", "nav", False),
            ("https://example.com/x?y=1", "the x", "content", False),
            ("https://example.org/docs/c.html", "C", "sidebar", True),
            ("https://example.org/docs/d.html", "D", "content", True),
            ("https://example.org/docs/e.html", "E", "comment", False),
            ("https://example.org/legal", "Legal", "footer", False),
        ]
        external = facts.links[3]
        assert (external.rel, external.target, external.fragment) == (
            frozenset({"nofollow", "ugc"}),
            "_blank",
            "z",
        )
        assert external.context == "See the x and mail, a = 1."
        assert facts.links[4].dom_path == "html>body>main>article>my-widget.sidebar>p>a"
        code = "\ufdd0a = 1\ufdd1"
        assert facts.main_text == f"The heading\nSee the x and mail, {code}.\n\ufdd0x y\ufdd1"


def test_the_tree_is_changed_as_the_python_walk_changes_it() -> None:
    """Dropped elements go with their content and line breaks become spaces, the same
    serialised tree either way."""
    html = (
        "<html><head><style>p{}</style><title>t</title></head><body><p>a<br>b<br/>c</p>"
        "<noscript><p>n<br>o</p><script>x()</script></noscript><div><svg><a href=/s>s</a>"
        "</svg><template><p>t</p></template><iframe></iframe>d<br></div></body></html>"
    )
    trees = []
    for compiled in (True, False):
        tree = LexborHTMLParser(html)
        if compiled:
            outline.outline(tree, itemtype=False)
        else:
            body = html.encode()
            walk(tree, body, html, "utf-8")
        trees.append(tree.html)
    assert trees[0] == trees[1]
    assert trees[0] is not None
    for gone in ("script", "<br", "svg", "noscript", "template", "iframe", "style"):
        assert gone not in trees[0]
    assert "a b c" in trees[0]


def test_attributes_read_as_selectolax_reads_them() -> None:
    body = (
        b"<div data-x id='i' class=\"c d\" hidden><a href='' rel>a</a><a href>b</a>"
        b"<p title='\xe9t\xe9 \xff'>p</p><svg><use href='/a' xlink:href='/b'></use></svg></div>"
    )
    tree = LexborHTMLParser(body)
    root = tree.root
    assert root is not None
    elements = [node for node in root.traverse() if node.is_element_node]
    assert len(elements) >= 8
    for node in elements:
        assert _lexbor.attributes(node.mem_id) == node.attributes
        assert _lexbor.raw_text(node.mem_id) == node.text(deep=True)


def test_bad_addresses_are_errors_not_crashes() -> None:
    for read in (_lexbor.outline, _lexbor.attributes, _lexbor.raw_text):
        with pytest.raises(ValueError, match="address 0"):
            read(0)
        with pytest.raises(TypeError):
            read("x")  # type: ignore[arg-type]


def test_the_check_refuses_a_walk_that_misreads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A walk that gets one region, one leaf block, one block's ancestry or one image wrong
    is not used."""
    assert parse._walks_agree()
    real = _lexbor.outline

    def no_regions(root: int) -> Any:
        links, *rest = real(root)
        return ([(*link[:3], None, *link[4:]) for link in links], *rest)

    def one_leaf_less(root: int) -> Any:
        links, leaves, *rest = real(root)
        middle = len(leaves) // 2
        return (links, leaves[:middle] + leaves[middle + 1 :], *rest)

    def flat_blocks(root: int) -> Any:
        links, leaves, *rest = real(root)
        return (links, [(*leaf[:3], 0, None, leaf[5]) for leaf in leaves], *rest)

    def no_images(root: int) -> Any:
        links, leaves, codes, heads, _images, dropped = real(root)
        return (links, leaves, codes, heads, {}, dropped)

    for wrong in (no_regions, one_leaf_less, flat_blocks, no_images):
        monkeypatch.setattr(_lexbor, "outline", wrong)
        assert not parse._walks_agree(), wrong.__name__


def test_a_page_parsed_while_another_is_walked_is_read_by_the_python_walk() -> None:
    """The walk calls Python for each new region case, which may switch to another thread
    that parses a page too: that page is not walked in C (the tables are in use) but read
    by the Python walk, with the same facts; the tables cannot be reset meanwhile; and the
    first walk goes on unharmed."""
    seen: list[Any] = []

    def step(*args: Any) -> tuple[str | None, str, bool, bool]:
        if not seen:
            tree = LexborHTMLParser(parse._SAMPLE_PLAIN)
            assert tree.root is not None
            seen.append(_lexbor.outline(tree.root.mem_id))
            seen.append(_facts(parse._SAMPLE_PLAIN, True))
            try:
                _lexbor.configure_regions(regions.step, regions.names_region)
            except RuntimeError as exc:
                seen.append(str(exc))
        return regions.step(*args)

    _lexbor.configure_regions(step, regions.names_region)  # forgets every case seen
    try:
        walked = _facts(parse._SAMPLE_PAGE, True)
    finally:
        _lexbor.configure_regions(regions.step, regions.names_region)
    assert seen[0] is None  # busy: nothing read, the tree untouched
    assert seen[1] == _facts(parse._SAMPLE_PLAIN, False)
    assert seen[2] == "a page is being walked"
    assert walked == _facts(parse._SAMPLE_PAGE, False)


_WORDS = ("site-header", "sidebar", "menu", "entry-content", "comments", "post-123", "x", "")


@st.composite
def _attributes(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"class='{draw(st.sampled_from(_WORDS))}'")
    if draw(st.booleans()):
        parts.append(f"id='{draw(st.sampled_from(_WORDS))}'")
    if draw(st.integers(0, 4)) == 0:
        role = draw(st.sampled_from(["navigation", "main", "contentinfo", "MAIN ", ""]))
        parts.append(f"role='{role}'")
    if draw(st.integers(0, 6)) == 0:
        parts.append(draw(st.sampled_from(["aria-label='Breadcrumbs'", "itemprop=articleBody"])))
    if draw(st.integers(0, 6)) == 0:
        parts.append("class")  # without a value
    return " ".join(parts)


_BLOCKS = ("div", "p", "li", "section", "nav", "header", "footer", "aside", "main", "article")
_INLINE = ("span", "em", "code", "my-widget", "b")


@st.composite
def _content(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(["text", "link", "block", "inline", "img", "br", "drop", "area"])
        )
        if kind == "text" or depth >= 4:
            parts.append(draw(st.sampled_from(["one", "two words", "\u00e9t\u00e9", " "])))
        elif kind == "link":
            href = draw(st.sampled_from(["a.html", "/b", "#c", "mailto:x@y", "", None, "../d"]))
            written = "" if href is None else f" href='{href}'"
            rel = draw(st.sampled_from(["", " rel=nofollow", " rel", " target=_top"]))
            parts.append(f"<a{written}{rel} {draw(_attributes())}>{draw(_content(depth + 1))}</a>")
        elif kind in ("block", "inline"):
            tag = draw(st.sampled_from(_BLOCKS if kind == "block" else _INLINE))
            inner = draw(_content(depth + 1))
            parts.append(f"<{tag} {draw(_attributes())}>{inner}</{tag}>")
        elif kind == "img":
            parts.append(draw(st.sampled_from(["<img alt='I'>", "<img>", "<img alt>"])))
        elif kind == "br":
            parts.append("<br>")
        elif kind == "area":
            parts.append("<map><area href='m.html' alt='M'></map>")
        else:
            tag = draw(st.sampled_from(["script", "noscript", "style", "svg", "template"]))
            parts.append(f"<{tag}>{draw(_content(depth + 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_content(), st.booleans())
def test_generated_pages_give_the_same_facts_both_ways(content: str, with_base: bool) -> None:
    base = "<base href='/other/'>" if with_base else ""
    body = f"<html><head><title>T</title>{base}</head><body>{content}</body></html>".encode()
    assert _facts(body, True) == _facts(body, False)


@pytest.mark.realsite
@pytest.mark.parametrize(
    "root", ["/usr/share/doc/python3.11/html", "/usr/share/doc/postgresql-doc-15/html"]
)
def test_the_documentation_gives_the_same_facts_both_ways(root: str) -> None:
    """Every 4th page of the Debian documentation: the same page facts either way."""
    files = sorted(Path(root).rglob("*.html"))[::4]
    if not files:
        pytest.fail(f"{root}: not installed; run scripts/system-deps.sh")
    links = 0
    for path in files:
        body = path.read_bytes()
        url = f"https://docs.test/{path.relative_to(root)}"
        compiled = dataclasses.asdict(_facts(body, True, url))
        assert compiled == dataclasses.asdict(_facts(body, False, url)), path
        links += len(compiled["links"])
    assert links > 4_000
