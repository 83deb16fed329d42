"""HTML bytes → :class:`~linkflow.models.PageFacts`: head facts, main text and classified links.

One CSS query (run by Lexbor, in C) returns every link and every block-level element in
document order; Python then touches each link, each block and each of their ancestors once.
Links are classified by :mod:`linkflow.extract.regions`; links in no recognised region are
placed by where they sit relative to the main content (before it → nav, after → footer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser

from linkflow.extract.charset import decode_document
from linkflow.extract.content import Block, MainContent, find_main
from linkflow.extract.head import SELECTOR as HEAD_SELECTOR
from linkflow.extract.head import HeadNodes, attr, text_of
from linkflow.extract.regions import BLOCK_TAGS, Attributes, NodeInfo, RegionIndex
from linkflow.extract.structured import schema_types
from linkflow.extract.text import (
    CODE_CLOSE,
    CODE_OPEN,
    collapse,
    content_hash,
    mark_code,
    sentence_around,
    sentence_ends,
    unmark,
)
from linkflow.models import Link, PageFacts
from linkflow.settings import ExtractSettings
from linkflow.urls import normalize, origin_of, split_fragment

__all__ = ["parse_page"]

_DROP_TAGS: Final = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object"}
)
_FIRST_SELECTOR: Final = ", ".join(["[itemtype]", *sorted(_DROP_TAGS)])
"""The elements whose content is no text, and schema.org markup: every match of the
structured-data selector (``script[type], [itemtype]``) is among its matches."""
_SCHEME: Final = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HTTP: Final = frozenset({"http", "https"})
_PAGINATION_RELS: Final = frozenset({"next", "prev", "previous"})
_CODE_TAGS: Final = frozenset({"pre", "code", "kbd", "samp", "tt"})
_LINK_TAGS: Final = frozenset({"a", "area"})
_MAIN_TAGS: Final = BLOCK_TAGS | _LINK_TAGS
_SELECTOR: Final = ", ".join(
    [
        "a[href]",
        "area[href]",
        *sorted(BLOCK_TAGS),
        *sorted(_CODE_TAGS - BLOCK_TAGS),
        "br",
        "a[href] img",
        HEAD_SELECTOR,
    ]
)
"""Everything read from a page after the first query, in one query: Lexbor walks the tree
once, not once per kind of element. No element matches two of its selectors (Lexbor would
return it twice)."""


@dataclass(slots=True)
class _Found:
    """A link found on the page, before its position is decided."""

    link: Link
    info: NodeInfo
    index: int  # position among the selected elements, in document order


@dataclass(slots=True)
class _Context:
    """What every link of one page is resolved with."""

    url: str
    base: str
    origin: str
    strip: tuple[str, ...]
    images: dict[int, Any]
    encoding: str = "utf-8"  # of the page: browsers write the query of its links in it
    # What each href value of the page gave (see _target): pages repeat their menu links.
    targets: dict[str, tuple[str | None, str | None] | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Page:
    """Links and leaf text blocks of one page, in document order."""

    found: list[_Found] = field(default_factory=list)
    blocks: list[tuple[int, NodeInfo, Any]] = field(default_factory=list)
    parents: set[int] = field(default_factory=set)  # ids of blocks that contain blocks
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


def _resolve(
    href: str, base: str, origin: str, strip: tuple[str, ...], encoding: str = "utf-8"
) -> str | None:
    """``normalize(href, base)``, faster: the same result for every ``href``.

    Absolute and root-relative hrefs (most links) skip the base and are memoised by the
    absolute URL, so a menu link is normalised once per site, not once per page. ``origin``
    is ``scheme://host`` of ``base`` (empty if ``base`` is not an http(s) URL).
    """
    if encoding != "utf-8" and not href.isascii():  # its query depends on the page encoding
        return normalize(href, base, strip_params=strip, encoding=encoding)
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


@dataclass(slots=True)
class _Nodes:
    """The matches of :data:`_SELECTOR` on one page, sorted by use, each in document order."""

    main: list[tuple[Any, str]] = field(default_factory=list)  # links and blocks, with tags
    head: HeadNodes = field(default_factory=HeadNodes)
    images: list[Any] = field(default_factory=list)  # images inside links
    codes: list[Any] = field(default_factory=list)  # code elements


def _strip(tree: LexborHTMLParser) -> list[str]:
    """Remove the elements whose content is no text (``script``, ``svg`` ...) with what they
    hold; return the schema.org types declared on the page, read before the scripts go."""
    found = {node.mem_id: node for node in tree.css(_FIRST_SELECTOR)}  # one match per element
    types = schema_types(found.values())
    for node in found.values():
        if node.tag in _DROP_TAGS:
            node.decompose(recursive=False)  # detached, as a whole: as strip_tags does
    return types


def _gather(tree: LexborHTMLParser) -> _Nodes:
    """Every element the page is read from, in one query; line breaks become spaces on the
    way ("one<br>two" is two words, not "onetwo"), before any text is read."""
    nodes = _Nodes()
    main, codes = nodes.main, nodes.codes
    for node in tree.css(_SELECTOR):
        tag = node.tag or ""  # an element: never None
        if tag in _MAIN_TAGS:
            main.append((node, tag))
            if tag == "pre":
                codes.append(node)
            elif tag == "h1":
                nodes.head.add(node, tag)
        elif tag == "br":
            node.replace_with(" ")
        elif tag in _CODE_TAGS:
            codes.append(node)
        elif tag == "img":
            nodes.images.append(node)
        else:
            nodes.head.add(node, tag)
    return nodes


def _images(images: list[Any]) -> dict[int, Any]:
    """The first ``img`` inside each link, by the link's node id (``images``: the images
    inside links, in document order)."""
    found: dict[int, Any] = {}
    for image in images:
        node = image.parent
        while node is not None and node.tag != "a":
            node = node.parent
        if node is not None:
            found.setdefault(node.mem_id, image)
    return found


def _str(attrs: Attributes, name: str) -> str | None:
    value = attrs.get(name)
    return value if isinstance(value, str) else None


def _target(href: str, ctx: _Context) -> tuple[str | None, str | None] | None:
    """What the href attribute value ``href`` links to: ``None`` for a URL of another scheme
    than http(s) (``mailto:`` ...); else (normalised URL, fragment), the URL ``None`` when it
    is no page link (a jump inside this same page, an invalid URL)."""
    href = href.translate(_CONTROL).strip(_C0_OR_SPACE)
    scheme = _SCHEME.match(href)
    if scheme is not None and scheme.group(1).lower() not in _HTTP:
        return None
    raw, fragment = split_fragment(href)
    if not raw and fragment is not None:
        return None, fragment  # "#part": a jump inside this same page
    target = _resolve(raw, ctx.base, ctx.origin, ctx.strip, ctx.encoding)
    if target is None or (fragment is not None and target == ctx.url):
        return None, fragment  # not an http(s) URL, or a jump inside this same page
    return target, fragment


_NO_REL: Final[frozenset[str]] = frozenset()


def _make_link(
    node: Any, tag: str, attrs: Attributes, target: str, fragment: str | None, ctx: _Context
) -> Link:
    """The :class:`Link` of one ``a``/``area`` element (tag ``tag``) to ``target``."""
    rel_value = _str(attrs, "rel")
    rel = frozenset(rel_value.lower().split()) if rel_value else _NO_REL
    alt: str | None = None
    is_image = False
    if tag == "area":
        is_image, alt = True, collapse(_str(attrs, "alt") or "")
        anchor = alt
    else:
        anchor = text_of(node)
        image = ctx.images.get(node.mem_id)
        if image is not None:
            is_image, alt = True, collapse(attr(image, "alt") or "")
            anchor = anchor or alt
    return Link(
        url=target,
        anchor=anchor,
        ordinal=0,
        rel=rel,
        alt=alt,
        is_image=is_image,
        fragment=fragment,
        target=_str(attrs, "target"),
    )


def _collect(main: list[tuple[Any, str]], ctx: _Context) -> _Page:
    """Walk the links and blocks (``main``) once: links (with their info) and leaf text
    blocks."""
    page = _Page()
    index = RegionIndex()
    targets = ctx.targets
    for i, (node, tag) in enumerate(main):
        if tag in _LINK_TAGS:
            attrs = node.attributes
            href = _str(attrs, "href")
            if href is None:
                continue
            if href in targets:
                outcome = targets[href]
            else:
                outcome = targets[href] = _target(href, ctx)
            if outcome is None:
                page.other_schemes += 1
                continue
            target, fragment = outcome
            if target is not None:
                link = _make_link(node, tag, attrs, target, fragment, ctx)
                link.ordinal = len(page.found)
                info = index.info(node, attrs)
                link.dom_path = info.path
                page.found.append(_Found(link, info, i))
        else:
            info = index.info(node)
            if info.parent is not None and info.parent.block:
                page.parents.add(info.parent.block)
            page.blocks.append((i, info, node))
    return page


def _position(found: _Found, main: MainContent, first_nav: int) -> str:
    """The position of a link from its region, or from where it sits around the main text.

    A link in no region before the main content is in the header if it comes before the
    first menu link of the page (``first_nav``, document index), else in the menu.
    """
    region = found.info.region
    if found.link.rel & _PAGINATION_RELS and region != "comment":
        return "pagination"  # rel=next/prev says what the link is, wherever it sits
    if region is not None:
        return region
    if main.span is None:
        return "other"
    if found.index < main.span[0]:
        return "header" if found.index < first_nav < main.span[0] else "nav"
    if found.index > main.span[1]:
        return "footer"
    return "content" if main.guessed else "other"


def _leaf_blocks(page: _Page) -> list[Block]:
    """The blocks that contain no other block, with their text and link counts."""
    blocks = {
        info.node_id: Block(i, info, text_of(node))
        for i, info, node in page.blocks
        if info.node_id not in page.parents
    }
    for found in page.found:
        block = blocks.get(found.info.block)
        if block is not None:
            block.links += 1
            block.link_chars += len(found.link.anchor)
    return list(blocks.values())


def _code_block(node: Any, blocks: set[int]) -> int | None:
    """The node id of the main block that holds code element ``node``; ``None`` when the
    element is inside another code element within that block (that one is marked), or in
    no main block. The walk stops at the block: a code element around a whole block is
    not looked for (its marks would nest, which reads the same)."""
    current = node
    while current is not None:
        if current.mem_id in blocks:
            return int(current.mem_id)
        current = current.parent
        if current is not None and current.tag in _CODE_TAGS:
            return None
    return None


def _marked_main(codes: list[Any], page: _Page, main: MainContent, plain: str) -> str:
    """``plain`` (the main text) with its code between :data:`CODE_OPEN` and
    :data:`CODE_CLOSE` (see :func:`linkflow.extract.text.mark_code`).

    Runs last: the marks go into the tree, after every link, context and count has been
    read from it, and only the blocks that hold code are read again. ``plain`` as it is
    when the main text holds no code, or when the marked text would not be ``plain`` once
    unmarked (a page that writes the marks' characters itself).
    """
    if not codes:
        return plain
    ids = {block.info.node_id for block in main.blocks}
    marked: set[int] = set()
    for node in codes:
        first = node.first_child
        if first is None:
            continue
        block = _code_block(node, ids)
        if block is not None:
            first.insert_before(CODE_OPEN)
            node.insert_child(CODE_CLOSE)
            marked.add(block)
    if not marked:
        return plain
    nodes = {info.node_id: node for _, info, node in page.blocks if info.node_id in marked}
    lines = (
        mark_code(nodes[b.info.node_id].text(deep=True)) if b.info.node_id in marked else b.text
        for b in main.blocks
    )
    text = "\n".join(lines)
    return text if unmark(text) == plain else plain


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
    facts = PageFacts()
    url = normalize(url, strip_params=strip_params) or url
    text, encoding = decode_document(body, content_type)
    if not text.strip() or "\x00" in text[:1024]:
        return facts  # empty, or binary data served as HTML (NUL is never in text)
    tree = LexborHTMLParser(text)
    facts.schema_types = _strip(tree)
    nodes = _gather(tree)
    base = nodes.head.base_url(url)
    nodes.head.fill(facts, base, strip_params, encoding)
    canonical_base = normalize(base)  # None for a junk page URL: then no fast path
    origin = origin_of(canonical_base) if canonical_base is not None else ""
    ctx = _Context(url, base, origin, strip_params, _images(nodes.images), encoding)
    page = _collect(nodes.main, ctx)
    facts.other_scheme_links = page.other_schemes
    blocks = _leaf_blocks(page)
    block_text = {block.info.node_id: block.text for block in blocks}
    main = find_main(blocks)
    navs = (found.index for found in page.found if found.info.region == "nav")
    first_nav = next(navs, -1)
    ends: dict[int, list[int]] = {}  # sentence ends of each block, found once
    for found in page.found:
        found.link.position = _position(found, main, first_nav)
        if found.link.position == "content":
            block = block_text.get(found.info.block, "")
            if found.info.block not in ends:
                ends[found.info.block] = sentence_ends(block)
            found.link.context = sentence_around(
                block, found.link.anchor, settings.context_chars, ends[found.info.block]
            )
    main_text = "\n".join(block.text for block in main.blocks)
    facts.links = [found.link for found in page.found]
    facts.word_count = len(main_text.split())
    facts.content_hash = content_hash(main_text)
    if settings.keep_main_text and main_text:
        facts.main_text = _marked_main(nodes.codes, page, main, main_text)
    return facts
