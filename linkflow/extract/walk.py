"""One walk over a parsed page that finds every element extraction reads.

Lexbor's CSS engine tests each element against each selector of a list in turn, so a
list of some 45 selectors costs about as much as parsing the page. Here the tree is walked
once (in C, by ``traverse``) and each element is sorted by its numeric tag id, a dict
lookup; attributes are read only for the few head tags whose selection depends on them
(``meta[name]``, ``link[rel][href]`` ...). The result is what the selectors would have
matched, in document order, after removing the elements whose content is no text
(``script``, ``svg`` ...); links are all ``a`` and ``area`` elements, their href left for
their reader to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import ahocorasick_rs
from selectolax.lexbor import LexborHTMLParser

from linkflow.extract.head import HeadNodes
from linkflow.extract.regions import BLOCK_TAGS
from linkflow.extract.structured import schema_types
from linkflow.extract.tags import TAG_NAMES
from linkflow.extract.text import CODE_CLOSE, CODE_OPEN

__all__ = [
    "CODE_TAGS", "DROP_TAGS", "LINK_TAGS", "SCHEMA_SELECTOR", "Nodes", "mentions", "page_marks",
    "walk",
]  # fmt: skip

DROP_TAGS: Final = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})
"""Elements whose content is no text: removed with everything inside them."""
CODE_TAGS: Final = frozenset({"pre", "code", "kbd", "samp", "tt"})
LINK_TAGS: Final = frozenset({"a", "area"})
MAIN_TAGS: Final = BLOCK_TAGS | LINK_TAGS
_HEAD_TAGS: Final = frozenset({"title", "meta", "link", "base", "html"})
_WANTED_TAGS: Final = MAIN_TAGS | CODE_TAGS | DROP_TAGS | _HEAD_TAGS | {"br", "img"}
_MARK_REFS: Final = tuple(
    f"{ord(mark):{form}}" for form in ("x", "d") for mark in (CODE_OPEN, CODE_CLOSE)
)
"""The code points of the code marks in hex and in decimal, as a character reference
writes them ("&#xFDD0;", "&#64977;")."""
_MENTIONS: Final = (*_MARK_REFS, "itemtype")
_FIND_STR: Final = ahocorasick_rs.AhoCorasick(_MENTIONS)
_FIND_BYTES: Final = ahocorasick_rs.BytesAhoCorasick([word.encode("ascii") for word in _MENTIONS])
_ITEMTYPE: Final = len(_MARK_REFS)
SCHEMA_SELECTOR: Final = ", ".join(["[itemtype]", *sorted(DROP_TAGS)])
"""The elements the schema.org types are read from, when microdata may be on the page
(every match of the structured-data selector ``script[type], [itemtype]`` is among them)."""

_WANTED: Final = {tag_id: name for tag_id, name in TAG_NAMES.items() if name in _WANTED_TAGS}
_A_ID: Final = next(tag_id for tag_id, name in TAG_NAMES.items() if name == "a")


@dataclass(slots=True)
class Nodes:
    """What one page is read from, each list in document order."""

    # Links (``a`` and ``area`` elements, with or without an href) and blocks, with their
    # tags and whether they are links. A link's attributes are read where it is used, one
    # link at a time: read here, a page of 19,000 links held 10 MB of them at once. (The
    # compiled walk puts its links here instead, see linkflow.extract.outline.)
    main: list[Any] = field(default_factory=list)
    leaves: list[Any] = field(default_factory=list)  # the compiled walk's leaf blocks
    head: HeadNodes = field(default_factory=HeadNodes)
    images: dict[int, Any] = field(default_factory=dict)  # first image in each link, by id
    codes: list[Any] = field(default_factory=list)  # code elements
    schema_types: list[str] = field(default_factory=list)
    own_marks: bool = True  # whether the page may hold the code marks' characters itself


def _last_element(node: Any) -> Any:
    """The last element inside ``node`` in document order (``node`` itself if none)."""
    while True:
        child = node.last_child
        while child is not None and not child.is_element_node:
            child = child.prev
        if child is None:
            return node
        node = child


def mentions(body: bytes, text: str, encoding: str) -> tuple[bool, bool]:
    """Whether the page's source writes a code mark as a character reference, and whether
    it writes "itemtype", in any case: one pass over the lower-cased source.

    In an ASCII-compatible encoding (all but UTF-16) ASCII letters are written as their
    ASCII bytes, so the raw bytes are searched: ``bytes.lower`` touches ASCII only, many
    times faster than ``str.lower``.
    """
    if encoding.startswith("utf-16"):
        found = _FIND_STR.find_matches_as_indexes(text.lower())
    else:
        found = _FIND_BYTES.find_matches_as_indexes(body.lower())
    words = {word for word, _, _ in found}
    return any(word < _ITEMTYPE for word in words), _ITEMTYPE in words


def page_marks(body: bytes, text: str, encoding: str) -> tuple[bool, bool]:
    """Whether the page may write the code marks' characters itself, and whether it may
    declare microdata types (see :func:`mentions`)."""
    references, itemtype = mentions(body, text, encoding)
    # The code marks are noncharacters: a page writes them literally or as a reference.
    return CODE_OPEN in text or CODE_CLOSE in text or references, itemtype


def _images(images: list[Any]) -> dict[int, Any]:
    """The first image inside each link, by the node id of its nearest ``a`` ancestor
    (``images``: images with at least one ``a[href]`` before them), as the selector
    ``a[href] img`` and a walk up to the nearest ``a`` would find them."""
    found: dict[int, Any] = {}
    for image in images:
        nearest: Any = None
        node = image.parent
        while node is not None:
            if node.tag_id == _A_ID:
                if nearest is None:
                    nearest = node
                if "href" in node.attributes:
                    found.setdefault(nearest.mem_id, image)
                    break
            node = node.parent
    return found


def walk(
    tree: LexborHTMLParser,
    body: bytes,
    text: str,
    encoding: str,
    marks: tuple[bool, bool] | None = None,
) -> Nodes:
    """Everything ``tree`` (parsed from ``text``, decoded from ``body`` in ``encoding``)
    is read from; ``marks``: the page's :func:`page_marks`, when known.

    Removes the elements of :data:`DROP_TAGS` with their content, after reading the
    schema.org types declared on the page, and turns every line break into a space
    ("one<br>two" is two words), so the tree is ready to have its text read.
    """
    nodes = Nodes()
    main, codes, head = nodes.main, nodes.codes, nodes.head
    wanted = _WANTED
    dropped: list[Any] = []  # every dropped element, nested ones too (schema types)
    removed: list[Any] = []  # the outermost ones, removed after the walk
    breaks: list[Any] = []
    images: list[Any] = []
    links_before = False  # whether an a came before (else no image is inside an a[href])
    skip_to = 0  # while inside a dropped element: the node id of its last element
    root = tree.root
    for node in root.traverse() if root is not None else ():
        tag = wanted.get(node.tag_id)
        if tag is None:  # most elements (span, em ...)
            if skip_to and node.mem_id == skip_to:
                skip_to = 0
            continue
        if skip_to:
            if tag in DROP_TAGS:
                dropped.append(node)
            if node.mem_id == skip_to:
                skip_to = 0
            continue
        if tag in MAIN_TAGS:
            if tag in LINK_TAGS:
                main.append((node, tag, True))
                links_before = links_before or tag == "a"
                continue
            main.append((node, tag, False))
            if tag == "pre":
                codes.append(node)
            elif tag == "h1":
                head.add(node, tag)
        elif tag in CODE_TAGS:
            codes.append(node)
        elif tag == "br":
            breaks.append(node)
        elif tag == "img":
            if links_before:
                images.append(node)
        elif tag in DROP_TAGS:
            dropped.append(node)
            removed.append(node)
            last = _last_element(node)
            if last is not node:
                skip_to = last.mem_id
        elif tag == "meta":
            if "name" in node.attributes:
                head.add(node, tag)
        elif tag == "link":
            attrs = node.attributes
            if "rel" in attrs and "href" in attrs:
                head.add(node, tag)
        elif tag == "base":
            if "href" in node.attributes:
                head.add(node, tag)
        else:  # title, html
            head.add(node, tag)
    nodes.own_marks, itemtype = marks if marks is not None else page_marks(body, text, encoding)
    if itemtype:  # read before the scripts go
        matches = {node.mem_id: node for node in tree.css(SCHEMA_SELECTOR)}
        nodes.schema_types = schema_types(matches.values())
    else:
        nodes.schema_types = schema_types(dropped)
    for node in removed:
        node.decompose(recursive=False)  # detached, as a whole: as strip_tags does
    for node in breaks:  # after the walk: replacing a node under the walk would end it
        node.replace_with(" ")
    nodes.images = _images(images)
    return nodes
