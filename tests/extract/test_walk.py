"""The single walk over the tree finds what CSS selectors would: links and blocks in document
order, nothing inside removed elements, schema.org types from anywhere in the page."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from linkflow.extract import parse_page
from linkflow.extract.head import SELECTOR as HEAD_SELECTOR
from linkflow.extract.regions import BLOCK_TAGS
from linkflow.extract.tags import TAG_NAMES, tag_name
from linkflow.extract.walk import CODE_TAGS, DROP_TAGS, MAIN_TAGS, walk

URL = "https://a.test/dir/page.html"
GOLDEN = Path(__file__).parent / "golden"
_DROPPING = b"""<html><head><title>T</title></head><body>
<svg><g><a href="/svg-a">s</a><title>svg title</title></g><text>t</text></svg>
<a href="/one">one</a>
<noscript><div><a href="/ns">ns</a></div><iframe><a href="/if">x</a></iframe></noscript>
<a href="/two">two</a><object><p><a href="/obj">o</a></p></object><a href="/three">3</a>
<p>x<br>y <code>z</code><script>s()</script></p><pre><code>c</code></pre>
</body></html>"""


def test_every_tag_the_walk_looks_for_is_known_by_id() -> None:
    known = set(TAG_NAMES.values())
    head = {"title", "meta", "link", "base"}
    assert MAIN_TAGS | CODE_TAGS | DROP_TAGS | head | {"br", "img"} <= known
    tree = LexborHTMLParser("<my-widget><span>x</span></my-widget>")
    names = [tag_name(node) for node in tree.root.traverse()] if tree.root else []
    assert names == ["html", "head", "body", "my-widget", "span"]


def test_nothing_inside_removed_elements_is_read() -> None:
    body = _DROPPING
    facts = parse_page(body, URL)
    assert facts.title == "T"
    assert [link.url for link in facts.links] == [
        "https://a.test/one",
        "https://a.test/two",
        "https://a.test/three",
    ]


def test_schema_types_come_from_nested_scripts_and_any_case_of_itemtype() -> None:
    nested = b"""<html><body><noscript><div><script type="application/ld+json">
    {"@type": "Recipe"}</script></div></noscript><p>text</p></body></html>"""
    assert parse_page(nested, URL).schema_types == ["Recipe"]
    upper = b'<html><body><div ITEMTYPE="https://schema.org/Event"><a href="/e">e</a></div>'
    facts = parse_page(upper, URL)
    assert facts.schema_types == ["Event"]
    assert [link.url for link in facts.links] == ["https://a.test/e"]
    utf16 = '<html><body><div ItemType="https://schema.org/Place">x</div>'.encode("utf-16")
    assert parse_page(utf16, URL).schema_types == ["Place"]
    assert parse_page(b"<p itemscope>no type</p>", URL).schema_types == []


def test_images_count_only_inside_links_and_line_breaks_are_spaces() -> None:
    body = b"""<html><body><img src="a.png" alt="outside">
    <p><a href="/pic"><span><img src="b.png" alt="Inside"></span></a>
    <a href="/text">Line<br>break</a><img src="c.png" alt="after"></p></body></html>"""
    links = parse_page(body, URL).links
    assert [(link.url, link.anchor, link.is_image, link.alt) for link in links] == [
        ("https://a.test/pic", "Inside", True, "Inside"),
        ("https://a.test/text", "Line break", False, None),
    ]


def test_custom_elements_keep_their_names_in_dom_paths() -> None:
    body = b"<html><body><site-menu><ul><li><a href='/m'>m</a></li></ul></site-menu></body>"
    (link,) = parse_page(body, URL).links
    assert link.dom_path == "html>body>site-menu>ul>li>a"


def test_links_that_share_a_dom_path_share_one_string() -> None:
    # A page of 19,000 links held 4 MB of copies of a few paths.
    items = "".join(f"<li><a href='/p{i}'>p{i}</a></li>" for i in range(3))
    body = f"<html><body><ul>{items}</ul><p><a href='/q'>q</a></p></body>".encode()
    links = parse_page(body, URL).links
    assert [link.dom_path for link in links] == ["html>body>ul>li>a"] * 3 + ["html>body>p>a"]
    assert links[0].dom_path is links[1].dom_path is links[2].dom_path
    again = parse_page(body, URL + "?again").links  # and across the pages of a site
    assert again[0].dom_path is links[0].dom_path


def test_links_without_href_are_no_links_but_keep_their_place() -> None:
    body = b"""<html><body><p>Intro <a name="top">anchor</a> and
    <a href="/one">one</a>.</p><p><a>bare</a><area shape=rect><a href="/two">two</a></p>
    </body></html>"""
    links = parse_page(body, URL).links
    assert [(link.url, link.anchor, link.ordinal) for link in links] == [
        ("https://a.test/one", "one", 0),
        ("https://a.test/two", "two", 1),
    ]


_HEAD_PAGE = b"""<html lang=en><head><title>One</title><title>Two</title>
<meta charset=utf-8><meta name=description content=d><meta NAME=robots>
<link rel=canonical href=/c><link rel=stylesheet><link href=/x><base target=_top>
<base href=/b/></head><body><h1>H</h1><a>no href</a><area href=/m><map></map></body></html>"""
_MAIN_SELECTOR = ", ".join(["a", "area", *sorted(BLOCK_TAGS)])
_CODE_SELECTOR = ", ".join(sorted(CODE_TAGS))


def test_the_walk_finds_what_the_css_selectors_match() -> None:
    # Lexbor's CSS engine is the reference: on every golden page, after the removal.
    pages = [path.read_bytes() for path in sorted(Path(GOLDEN).rglob("*.html"))]
    assert len(pages) >= 10
    for body in [*pages, _HEAD_PAGE, _DROPPING]:
        text = body.decode("utf-8")
        tree = LexborHTMLParser(text)
        nodes = walk(tree, body, text, "utf-8")
        expected_main = tree.css(_MAIN_SELECTOR)
        assert [(node.mem_id, tag, is_link) for node, tag, is_link in nodes.main] == [
            (node.mem_id, node.tag, node.tag in ("a", "area")) for node in expected_main
        ]
        codes = [node.mem_id for node in nodes.codes]
        assert codes == [node.mem_id for node in tree.css(_CODE_SELECTOR)]
        assert not tree.css(", ".join(sorted(DROP_TAGS)) + ", br")  # removed, replaced
        head = nodes.head
        picked = [head.title, head.base, head.html, *head.metas, *head.links]
        expected = tree.css(HEAD_SELECTOR)
        firsts = {node.tag: node for node in reversed(expected)}  # the first of each tag
        assert [node.mem_id for node in picked if node is not None] == [
            node.mem_id
            for node in [firsts.get("title"), firsts.get("base"), firsts.get("html")]
            + [node for node in expected if node.tag in ("meta", "link")]
            if node is not None
        ]


def test_the_source_is_searched_for_mark_references_and_itemtype_in_any_case() -> None:
    from linkflow.extract.walk import mentions

    cases = {
        "<p>&#xFDD0;</p>": (True, False),
        "<p>&#XfdD1;</p>": (True, False),
        "<p>&#064976;</p>": (True, False),
        "<p>&#64977;</p>": (True, False),
        "<p>&#64978; fdd2 6497 FDD</p>": (False, False),
        "<div ITEMTYPE='https://schema.org/Article'>": (False, True),
        "<div itemType=x>&#xfdd1;</div>": (True, True),
        "": (False, False),
    }
    for source, expected in cases.items():
        assert mentions(source.encode(), source, "utf-8") == expected, source
        assert mentions(source.encode("utf-16-le"), source, "utf-16-le") == expected, source
