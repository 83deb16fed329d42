"""HTML bytes → :class:`~linkflow.models.PageFacts`: head facts, main text and classified links.

One walk over the tree (:mod:`linkflow.extract.walk`) finds every link and every block-level
element in document order; Python then touches each link, each block and each of their
ancestors once.
Links are classified by :mod:`linkflow.extract.regions`; links in no recognised region are
placed by where they sit relative to the main content (before it → nav, after → footer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser

from linkflow.encodings import UTF8
from linkflow.extract import outline as compiled_walk
from linkflow.extract.block_text import READ_AT, block_texts, mark_code_in_tree, node_text
from linkflow.extract.charset import decode_document
from linkflow.extract.content import Block, MainContent, find_main
from linkflow.extract.flatten import FLATTEN_CHARS, flatten_code
from linkflow.extract.head import attr
from linkflow.extract.regions import Attributes, NodeInfo, RegionIndex
from linkflow.extract.text import (
    collapse,
    collapsed_hash,
    mark_code,
    sentence_around,
    sentence_ends,
    unmark,
)
from linkflow.extract.walk import Nodes, page_marks, walk
from linkflow.models import Link, PageFacts
from linkflow.settings import ExtractSettings
from linkflow.urls import normalize, origin_of

__all__ = ["parse_page"]

_SCHEME: Final = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HTTP: Final = frozenset({"http", "https"})
_PAGINATION_RELS: Final = frozenset({"next", "prev", "previous"})


_BlockReader = Callable[[Sequence[Any], Sequence[Any] | None], tuple[list[str], dict[int, str]]]
_Found = tuple[Link, str | None, int, int]
"""A link found on the page, before its position is decided: the link, its region, the node
id of its block (see :meth:`RegionIndex.place`) and its index among the elements of the
walk, in document order. A tuple: a page has hundreds."""


@dataclass(slots=True)
class _Context:
    """What every link of one page is resolved with."""

    url: str
    base: str
    origin: str
    strip: tuple[str, ...]
    images: dict[int, Any]  # the first image in each link, by the link's node id
    text_of: Callable[[Any], str]  # the collapsed text of a link's element
    encoding: str = "utf-8"  # of the page: browsers write the query of its links in it
    directory: str | None = None  # of the base (see _directory)
    # What each href value of the page gave (see _target): pages repeat their menu links.
    targets: dict[str, tuple[str | None, str | None] | None] = field(default_factory=dict)
    # What each href without its fragment resolved to, when to a URL: a page links to many
    # parts of a few pages ("os.html#os.walk", "os.html#os.stat" ...).
    resolved: dict[str, str] = field(default_factory=dict)


_Leaf = tuple[int, int, str | None, int, int | None, Any]
"""A leaf text block (one that holds no other block): its index among the elements of the
walk, its node id, region, outer and grandparent's blocks (see
:class:`~linkflow.extract.content.Block`) and what its text is read from (its element, or
its address for the compiled walk)."""


@dataclass(slots=True)
class _Page:
    """Links and leaf text blocks of one page, in document order."""

    found: list[_Found] = field(default_factory=list)
    blocks: list[_Leaf] = field(default_factory=list)
    # Whether element ``node`` is element ``ancestor`` or inside it (see find_main).
    inside: Callable[[int, int], bool] | None = None
    other_schemes: int = 0


_CONTROL: Final = str.maketrans("", "", "\t\n\r")
"""The URL parser removes every ASCII tab and newline from a URL (WHATWG URL Standard)."""
_C0_OR_SPACE: Final = "".join(map(chr, range(0x21)))
"""...and the C0 controls and spaces around it, not other white space (a no-break space
around an href is part of the URL, as browsers read it)."""
_PLAIN_PATH: Final = re.compile(r"[A-Za-z0-9\-._~/]+")  # unreserved characters and "/"
_DOT_SEGMENT: Final = re.compile(r"/\.\.?(?:/|$)")


@lru_cache(maxsize=16_384)
def _normalize_cached(url: str, strip: tuple[str, ...]) -> str | None:
    return normalize(url, strip_params=strip)


@lru_cache(maxsize=4_096)
def _join_cached(href: str, base: str, strip: tuple[str, ...]) -> str | None:
    return normalize(href, base, strip_params=strip)


def _directory(canonical_base: str | None, origin: str) -> str | None:
    """``scheme://host/dir/`` of a normalised base URL: up to the last ``/`` of its path,
    which must be of plain characters; ``None`` when it is not."""
    if canonical_base is None or not origin:
        return None
    path = canonical_base[len(origin) :].partition("?")[0]
    if not path.startswith("/") or not _PLAIN_PATH.fullmatch(path):
        return None
    return origin + path[: path.rfind("/") + 1]


def _join_relative(href: str, directory: str, origin: str) -> str:
    """A path-relative ``href`` of plain characters resolved against the base whose
    :func:`_directory` is ``directory``, as the URL Standard's path state does."""
    if href[0] != "." and "/." not in href:  # no "." or ".." segment
        return directory + href
    return _join_dots(href, directory, origin)


@lru_cache(maxsize=4_096)  # about 1 MB: a folder's menus, not every page's links
def _join_dots(href: str, directory: str, origin: str) -> str:
    """:func:`_join_relative` of an ``href`` with a "." or ".." segment, memoised: the pages
    of a folder share their menus ("../std/index.html"), so each is resolved once a folder."""
    path = directory[len(origin) + 1 :].split("/")[:-1]  # the base's path, last one removed
    segments = href.split("/")
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment == "..":
            if path:
                path.pop()
            if i == last:
                path.append("")
        elif segment == ".":
            if i == last:
                path.append("")
        else:
            path.append(segment)
    return origin + "/" + "/".join(path)


def _resolve(
    href: str,
    base: str,
    origin: str,
    strip: tuple[str, ...],
    encoding: str = "utf-8",
    directory: str | None = None,
) -> str | None:
    """``normalize(href, base)``, faster: the same result for every ``href``.

    Absolute and root-relative hrefs (most links) skip the base and are memoised by the
    absolute URL, so a menu link is normalised once per site, not once per page. ``origin``
    is ``scheme://host`` of ``base`` (empty if ``base`` is not an http(s) URL); given the
    base's :func:`_directory`, a relative path of plain characters is joined in place
    (documentation sites link mostly so, and the base differs on every page).
    """
    if encoding != "utf-8" and not href.isascii():  # its query depends on the page encoding
        return normalize(href, base, strip_params=strip, encoding=encoding)
    if directory is not None and href[:1] != "/" and _PLAIN_PATH.fullmatch(href):
        return _join_relative(href, directory, origin)
    # Dot segments and ";" params are resolved against the base: leave those hrefs to it.
    if ";" in href or _DOT_SEGMENT.search(href):
        return _join_cached(href, base, strip)
    if href[:8].lower().startswith(("http://", "https://")):
        resolved = _normalize_cached(href, strip)
        # Odd cases (an "https://" with no host) take the slow path.
        return resolved if resolved is not None else _join_cached(href, base, strip)
    if origin and href.startswith("/") and not href.startswith(("//", "/\\")):  # "/\\" is "//"
        if _PLAIN_PATH.fullmatch(href):
            return origin + href  # a path of plain characters is already canonical
        return _normalize_cached(origin + href, strip)
    return _join_cached(href, base, strip)


def _str(attrs: Attributes, name: str) -> str | None:
    value = attrs.get(name)
    return value if isinstance(value, str) else None


def _target(href: str, ctx: _Context) -> tuple[str | None, str | None] | None:
    """What the href attribute value ``href`` links to: ``None`` for a URL of another scheme
    than http(s) (``mailto:`` ...); else (normalised URL, fragment), the URL ``None`` when it
    is no page link (a jump inside this same page, an invalid URL)."""
    if "\t" in href or "\n" in href or "\r" in href:  # rare: str.translate costs 20x
        href = href.translate(_CONTROL)
    href = href.strip(_C0_OR_SPACE)
    scheme = _SCHEME.match(href) if ":" in href else None  # most hrefs are relative
    if scheme is not None and scheme.group(1).lower() not in _HTTP:
        return None
    raw, hash_sign, fragment_text = href.partition("#")  # split_fragment, inlined
    fragment = fragment_text if hash_sign else None
    if not raw and fragment is not None:
        return None, fragment  # "#part": a jump inside this same page
    target = ctx.resolved.get(raw)
    if target is None:
        target = _resolve(raw, ctx.base, ctx.origin, ctx.strip, ctx.encoding, ctx.directory)
        if target is not None:
            ctx.resolved[raw] = target
    if target is None or (fragment is not None and target == ctx.url):
        return None, fragment  # not an http(s) URL, or a jump inside this same page
    return target, fragment


_NO_REL: Final[frozenset[str]] = frozenset()
_UNSEEN: Final = ("", None)  # a marker: no href value maps to it
_READ: Final = (None, "", False)  # an entry of the walk that _collect has read
_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _make_link(
    node: Any,
    node_id: int,
    tag: str,
    attrs: Attributes,
    url: str,
    fragment: str | None,
    ordinal: int,
    path: str,
    ctx: _Context,
) -> Link:
    """The :class:`Link` of one ``a``/``area`` element (tag ``tag``, node id ``node_id``;
    ``node`` is what ``ctx.text_of`` reads) to ``url``."""
    rel_value = attrs.get("rel")
    rel = frozenset(rel_value.lower().split()) if rel_value else _NO_REL
    alt: str | None = None
    is_image = False
    if tag == "area":
        is_image, alt = True, collapse(_str(attrs, "alt") or "")
        anchor = alt
    else:
        anchor = ctx.text_of(node)
        image = ctx.images.get(node_id) if ctx.images else None
        if image is not None:
            is_image, alt = True, collapse(attr(image, "alt") or "")
            anchor = anchor or alt
    target = attrs.get("target")
    # Positional, in field order: keyword arguments cost more on a hot path.
    return Link(
        url,
        anchor,
        ordinal,
        rel,
        "other",
        alt,
        is_image,
        fragment,
        target if isinstance(target, str) else None,
        None,
        path,
    )


def _outcome(attrs: Attributes, ctx: _Context, page: _Page) -> tuple[str, str | None] | None:
    """(URL, fragment) of a page link with the attributes ``attrs``; ``None`` for one without
    an href, a link to another scheme (counted on ``page``), a jump inside the page or an
    invalid URL. Pages repeat their menu links: each href is worked out once a page."""
    href = attrs.get("href")
    if not isinstance(href, str):
        return None
    outcome = ctx.targets.get(href, _UNSEEN)
    if outcome is _UNSEEN:
        outcome = ctx.targets[href] = _target(href, ctx)
    if outcome is None:
        page.other_schemes += 1
        return None
    target, fragment = outcome
    return None if target is None else (target, fragment)


def _collect(main: list[tuple[Any, str, bool]], ctx: _Context) -> _Page:
    """Walk the links and blocks (``main``, see :class:`~linkflow.extract.walk.Nodes`)
    once: links with an href (with their info) and leaf text blocks. ``main`` is used up:
    each entry is replaced by a marker once read, so its element's attributes can go."""
    page = _Page()
    found = page.found
    blocks: list[tuple[int, NodeInfo, Any]] = []
    parents: set[int] = set()  # ids of the blocks that hold blocks
    regions = RegionIndex()
    info_of, place = regions.info, regions.place
    for i, (node, tag, is_link) in enumerate(main):
        # Each entry goes once read, so the links' facts can take over its memory.
        main[i] = _READ
        if is_link:
            attrs = node.attributes
            outcome = _outcome(attrs, ctx, page)
            if outcome is not None:
                target, fragment = outcome
                region, path, block = place(node, tag, attrs)
                link = _make_link(
                    node, node.mem_id, tag, attrs, target, fragment, len(found), path, ctx
                )
                found.append((link, region, block, i))
        else:
            info = info_of(node, tag)
            parent = info.parent
            if parent is not None and parent.block:
                parents.add(parent.block)
            blocks.append((i, info, node))
    leaves: dict[int, NodeInfo] = {}
    for i, info, node in blocks:
        node_id = info.node_id
        if node_id in parents:
            continue
        leaves[node_id] = info
        parent = info.parent
        assert parent is not None  # every element's info has one (above the document: ROOT)
        grand = parent.parent.block if parent.parent is not None else None
        page.blocks.append((i, node_id, info.region, parent.block, grand, node))
    page.inside = lambda node_id, ancestor: RegionIndex.inside(leaves[node_id], ancestor)
    return page


def _collect_compiled(nodes: Nodes, ctx: _Context) -> _Page:
    """:func:`_collect` of what the compiled walk found (``nodes.main``: its links; see
    :func:`~linkflow.extract.outline.outline`): the same links and leaf blocks, the blocks
    with their addresses for their elements."""
    page = _Page(blocks=nodes.leaves, inside=_INSIDE)
    found = page.found
    for index, address, kind, region, path, block, attrs in nodes.main:
        outcome = _outcome(attrs, ctx, page)
        if outcome is not None:
            target, fragment = outcome
            tag = "area" if kind == compiled_walk.AREA else "a"
            link = _make_link(address, address, tag, attrs, target, fragment, len(found), path, ctx)
            found.append((link, region, block, index))
    return page


def _position(link: Link, region: str | None, index: int, main: MainContent, first_nav: int) -> str:
    """The position of a link from its region, or from where it sits around the main text.

    A link in no region before the main content is in the header if it comes before the
    first menu link of the page (``first_nav``, document index), else in the menu.
    """
    if link.rel & _PAGINATION_RELS and region != "comment":
        return "pagination"  # rel=next/prev says what the link is, wherever it sits
    if region is not None:
        return region
    if main.span is None:
        return "other"
    if index < main.span[0]:
        return "header" if index < first_nav < main.span[0] else "nav"
    if index > main.span[1]:
        return "footer"
    return "content" if main.guessed else "other"


def _leaf_blocks(
    page: _Page, codes: list[Any] | None, read: _BlockReader
) -> tuple[dict[int, Block], dict[int, str]]:
    """The blocks that contain no other block (``page.blocks``), with their text and link
    counts, by node id in document order; and, when ``codes`` (the page's code elements)
    are given, the whitespace-collapsed text with code marks of the blocks that hold marked
    code (see :mod:`linkflow.extract.block_text`), by node id. ``read`` reads the texts of
    the leaves' nodes (elements, or addresses for the compiled walk's)."""
    blocks: dict[int, Block] = {}
    with_marks: dict[int, str] = {}
    leaves = page.blocks
    texts, plain = read([leaf[5] for leaf in leaves], codes)
    for (i, node_id, region, outer, grand, _), text in zip(leaves, texts, strict=True):
        if plain and node_id in plain:
            with_marks[node_id] = text
            text = plain[node_id]
        blocks[node_id] = Block(i, node_id, region, outer, grand, text)
    for link, _, block_id, _ in page.found:
        block = blocks.get(block_id)
        if block is not None:
            block.links += 1
            block.link_chars += len(link.anchor)
    return blocks, with_marks


def _marked_main(main: MainContent, with_marks: dict[int, str], plain: str) -> str:
    """``plain`` (the main text) with its code between the code marks (see
    :func:`linkflow.extract.text.mark_code`), from the whitespace-collapsed texts with marks
    of the blocks that hold code (``with_marks``, by node id).

    ``plain`` as it is when the main text holds no code, or when the marked text would
    not be ``plain`` once unmarked (a page that writes the marks' characters itself).
    """
    if not with_marks:
        return plain
    lines = (
        mark_code(with_marks[b.node_id], collapsed=True) if b.node_id in with_marks else b.text
        for b in main.blocks
    )
    text = "\n".join(lines)
    return text if unmark(text) == plain else plain


def _marked_late(codes: list[Any], page: _Page, main: MainContent, plain: str) -> str:
    """:func:`_marked_main` for a page that may write the marks' characters itself: the
    marks go into the tree after every text has been read, and the blocks that hold code
    are read again."""
    if not codes:
        return plain
    marked = mark_code_in_tree(codes, {block.node_id for block in main.blocks})
    nodes = {leaf[1]: leaf[5] for leaf in page.blocks if leaf[1] in marked}
    return _marked_main(main, {b: collapse(nodes[b].text(deep=True)) for b in marked}, plain)


def _source(body: bytes, text: str, encoding: str) -> bytes | str:
    """What the parser reads ``text`` (decoded from ``body`` in ``encoding``) from: the body
    itself when it is the UTF-8 of the text, which the parser would otherwise make again
    (a page with characters beyond Latin-1: 2.7 % of the instructions parsing the Python
    docs). So it is when UTF-8 decoding replaced nothing (no U+FFFD in the text; a page
    that writes one is encoded as before) and no byte-order mark was dropped."""
    if encoding != UTF8 or "\ufffd" in text or body[:3] == _UTF8_BOM:
        return text
    return body


def parse_page(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    settings: ExtractSettings = ExtractSettings(),
    strip_params: tuple[str, ...] = (),
) -> PageFacts:
    """Parse one HTML document into page facts and classified links.

    ``url`` is the final (after redirects) normalised URL of the document; relative links
    resolve against ``<base href>`` if present, else ``url``. Never raises on malformed
    HTML, binary junk or an empty body: such input gives mostly empty :class:`PageFacts`.
    """
    return _parse(body, url, content_type, settings, strip_params, _COMPILED_WALK)


def _parse(
    body: bytes,
    url: str,
    content_type: str | None,
    settings: ExtractSettings,
    strip_params: tuple[str, ...],
    compiled_ok: bool,
) -> PageFacts:
    """:func:`parse_page`, with the compiled walk where ``compiled_ok`` and the page allows."""
    facts = PageFacts()
    url = normalize(url, strip_params=strip_params) or url
    text, encoding = decode_document(body, content_type)
    if not text.strip() or "\x00" in text[:1024]:
        return facts  # empty, or binary data served as HTML (NUL is never in text)
    # Long pages only (see FLATTEN_CHARS); what is extracted is the same either way.
    tree = LexborHTMLParser(
        flatten_code(text) if len(text) >= FLATTEN_CHARS else _source(body, text, encoding)
    )
    marks = page_marks(body, text, encoding)
    # The compiled walk, unless the page may write the marks' characters itself: their code
    # is marked in the tree (see _marked_late), which needs its elements.
    nodes = None
    if compiled_ok and not marks[0] and tree.root is not None:
        nodes = compiled_walk.outline(tree, marks[1])
    compiled = nodes is not None
    if nodes is None:
        nodes = walk(tree, body, text, encoding, marks)
    text_of, read = (_TEXT_AT, _BLOCKS_AT) if compiled else (node_text, block_texts)
    # Everything else is read from the tree: the text goes now rather than with the page's
    # facts, as it holds up to four bytes a character (the Rust docs' 3.3 MB page
    # struct.Wrapping.html: 13 MB of its worker's 96 MB peak over its own, 83 MB without).
    del text
    facts.schema_types = nodes.schema_types
    base = nodes.head.base_url(url)
    nodes.head.fill(facts, base, strip_params, encoding)
    canonical_base = normalize(base)  # None for a junk page URL: then no fast path
    origin = origin_of(canonical_base) if canonical_base is not None else ""
    ctx = _Context(
        url,
        base,
        origin,
        strip_params,
        nodes.images,
        text_of,
        encoding,
        _directory(canonical_base, origin),
    )
    page = _collect_compiled(nodes, ctx) if compiled else _collect(nodes.main, ctx)
    facts.other_scheme_links = page.other_schemes
    # The blocks' texts are read once, with the code marks of the main text: around the
    # code of every leaf block, for the main blocks are found only from the texts (the
    # texts without marks are the same).
    early = settings.keep_main_text and bool(nodes.codes) and not nodes.own_marks
    by_id, with_marks = _leaf_blocks(page, nodes.codes if early else None, read)
    assert page.inside is not None
    main = find_main(list(by_id.values()), page.inside)
    page.inside = None  # it may hold the tree or the blocks' infos
    # A page that may write the marks' characters itself has its code marked only now
    # (see _marked_late), in the tree; any other is read from the tree no more: the tree
    # goes before the links' sentences and the main text are made (the nodes kept of its
    # blocks, head and images hold it), which a big page's parse peaked on.
    late = settings.keep_main_text and bool(nodes.codes) and not early
    codes = nodes.codes if late else []
    if not late:
        page.blocks.clear()
        del tree, nodes, ctx
    navs = (index for _, region, _, index in page.found if region == "nav")
    first_nav = next(navs, -1)
    ends: dict[int, list[int]] = {}  # sentence ends of each block, found once
    for link, region, block_id, index in page.found:
        link.position = _position(link, region, index, main, first_nav)
        if link.position == "content":
            leaf = by_id.get(block_id)
            block = leaf.text if leaf is not None else ""
            if block_id not in ends:
                ends[block_id] = sentence_ends(block)
            link.context = sentence_around(
                block, link.anchor, settings.context_chars, ends[block_id]
            )
    main_text = "\n".join(block.text for block in main.blocks)
    facts.links = [found[0] for found in page.found]
    # Each block's text is collapsed and not empty, so the main text collapsed is the same
    # with spaces for its line breaks, and its words are separated by one space each.
    flat = main_text.replace("\n", " ")
    facts.word_count = flat.count(" ") + 1 if flat else 0
    facts.content_hash = collapsed_hash(flat)
    if settings.keep_main_text and main_text:
        if early:
            facts.main_text = _marked_main(main, with_marks, main_text)
        else:
            facts.main_text = _marked_late(codes, page, main, main_text)
    return facts


_BLOCKS_AT, _TEXT_AT = READ_AT if READ_AT is not None else (block_texts, node_text)
_INSIDE: Final = compiled_walk.inside

# What the check parses both ways: regions from tags, roles, labels and class words, links
# of every kind (relative, absolute, with a fragment, mailto, without an href, image
# links, an image map's area), line breaks, dropped elements nested and with JSON-LD, head
# elements, a custom element, attributes without values, code.
_SAMPLE_PAGE: Final = (
    b"<!doctype html><html lang='en'><head><title>A <br>title</title>"
    b"<meta name='description' content=' About  this '><meta name='robots' content='noindex'>"
    b"<meta charset='utf-8'><link rel='canonical' href='/sample'><link rel=alternate "
    b"hreflang=de href='/de/'><base href='/docs/'></head><body><header class='site-header'>"
    b"<a href='/'><img src='logo.png' alt='Home'></a><nav aria-label='Breadcrumb'><a "
    b"href='a.html'>A</a></nav></header><nav role='navigation'><ul><li><a href='../b'>B<br>"
    b"b</a></li><li><a href='#top'>Top</a><a>none</a><a href>empty</a></li></ul></nav>"
    b"<main id='main-content'><h1>The <br>heading</h1><article class='entry-content'><p>See "
    b"<a href='https://example.com/x?y=1#z' rel='nofollow ugc' target=_blank>the x</a> and "
    b"<a href='mailto:a@b.c'>mail</a>, <code>a = 1</code>.</p><my-widget class='sidebar'>"
    b"<p><a href='c.html'><span><img alt='C'></span>C</a></p></my-widget><map><area "
    b"href='d.html' alt='D'></map><div class='comments'><p><a href='e.html'>E</a></p></div>"
    b"<noscript><p><a href='hidden.html'>hidden</a></p><script type='application/ld+json'>"
    b'{"@type": "Article"}</script></noscript><pre>x\n<code>y</code></pre></article></main>'
    b"<footer><p><a href='/legal'>Legal</a> &copy; 2026</p></footer></body></html>"
)


# ...and one without regions, whose main content is found from its blocks' text and nesting.
_SAMPLE_PLAIN: Final = (
    b"<html><body><div><a href='/'>Home</a> <a href='/a'>A</a> <a href='/b'>B</a></div><div>"
    b"<div><p>A first paragraph of the page, long enough to be its text, with <a href='/x'>a "
    b"link</a> in it.</p><p>A second one, as long, that goes on about the same thing.</p>"
    b"</div><div><p>Short.</p><ul><li><a href='/1'>One</a></li><li><a href='/2'>Two</a></li>"
    b"<li><a href='/3'>Three</a></li></ul></div></div><div><p>Copyright <a href='/legal'>"
    b"Legal</a></p></div></body></html>"
)


def _walks_agree() -> bool:
    """Whether the compiled walk gives the sample pages the facts the Python walk gives."""
    if not compiled_walk.AVAILABLE or READ_AT is None:
        return False
    url, settings = "https://example.org/docs/page.html", ExtractSettings()
    for page in (_SAMPLE_PAGE, _SAMPLE_PLAIN):
        python = _parse(page, url, None, settings, (), False)
        if _parse(page, url, None, settings, (), True) != python:
            return False
    return True


_COMPILED_WALK: Final = _walks_agree()
"""Whether pages are walked by the compiled walk (:mod:`linkflow.extract.outline`)."""
