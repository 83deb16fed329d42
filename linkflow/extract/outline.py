"""A page's walk in C (``linkflow/extract/_outline.c``): what :func:`~linkflow.extract.walk.walk`
finds, without a Python object per element.

The Python walk makes a selectolax object for every element of a page (2,000 on a page of
the Python docs), and :mod:`~linkflow.extract.regions` then works out, in Python, the
region of each link and block and of each of their ancestors (on the Python docs, each
page's 850 such elements cost more than parsing it). :func:`outline` does both in one walk
in C: each element's region state comes from its parent's and its own tag and attributes
(``linkflow/extract/_regions.c``, which asks :func:`~linkflow.extract.regions.step` once
per distinct case, so the rules stay in Python), and only what extraction reads goes back
to Python: the links with their region, tag path, block and attributes (see
:data:`LinkEntry`), the leaf text blocks, and the code elements, head elements, images in
links and dropped elements by address. It then changes the tree as
:func:`~linkflow.extract.walk.walk` does (dropped elements removed, line breaks made
spaces). The few elements read further (head elements, images, scripts) are
:class:`Element` objects that read the tree through the extension.

It is available (:data:`AVAILABLE`) when the extension is compiled, its node layout
passed the check of :mod:`linkflow.extract.block_text`, and lexbor's functions were found
in selectolax's module; :mod:`linkflow.extract.parse` then checks that two sample pages
give the same facts both ways before it uses it.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborHTMLParser

from linkflow.extract import block_text
from linkflow.extract.regions import BLOCK_TAGS, names_region, step
from linkflow.extract.structured import schema_types
from linkflow.extract.tags import TAG_NAMES
from linkflow.extract.walk import CODE_TAGS, DROP_TAGS, SCHEMA_SELECTOR, Nodes

__all__ = ["AREA", "AVAILABLE", "Element", "LinkEntry", "inside", "outline"]

LinkEntry = tuple[int, int, int, str | None, str, int, dict[str, str | None]]
"""(index, address, kind, region, tag path, block, attributes) of an ``a`` or ``area``
element: its index among the page's links and blocks (as the Python walk's ``main`` has
them), its kind (:data:`AREA` for an ``area``), the address of the nearest block around it
(0: none), and its href, rel, target and alt, those it has."""

# The kinds of _outline.c.
_A, _AREA, _BLOCK, _PRE, _H1, _CODE, _BR, _IMG, _DROP, _META, _LINK, _BASE, _HEAD = range(1, 14)
AREA: Final = _AREA
"""The kind of an ``area`` link."""
_KINDS: Final = {
    "a": _A, "area": _AREA, "pre": _PRE, "h1": _H1, "br": _BR, "img": _IMG, "meta": _META,
    "link": _LINK, "base": _BASE, "title": _HEAD, "html": _HEAD,
    **{tag: _BLOCK for tag in BLOCK_TAGS if tag not in ("pre", "h1")},
    **{tag: _CODE for tag in CODE_TAGS if tag != "pre"},
    **dict.fromkeys(DROP_TAGS, _DROP),
}  # fmt: skip
_HEAD_TAGS: Final = {_H1: "h1", _META: "meta", _LINK: "link", _BASE: "base"}


class Element:
    """An element read by address: what head facts, images and schema types read of it."""

    __slots__ = ("_attributes", "mem_id", "tag")

    def __init__(self, address: int, tag: str) -> None:
        self.mem_id = address
        self.tag = tag
        self._attributes: dict[str, str | None] | None = None

    @property
    def attributes(self) -> dict[str, str | None]:
        """Every attribute, as selectolax's ``attributes``."""
        if self._attributes is None:
            self._attributes = _lexbor.attributes(self.mem_id)
        return self._attributes

    def text(self, deep: bool = True) -> str:
        """The text of the element's descendants, as selectolax's ``text(deep=True)``."""
        return _lexbor.raw_text(self.mem_id)


def outline(tree: LexborHTMLParser, itemtype: bool) -> Nodes | None:
    """What :func:`~linkflow.extract.walk.walk` finds in ``tree``, read in C: ``main``
    holds the :data:`LinkEntry` of each link, ``leaves`` the leaf text blocks (as
    ``parse`` keeps them: index, address, region, outer block, grandparent's block,
    address), ``codes`` and the keys of ``images`` are addresses. ``itemtype``: whether
    the page may declare microdata types. Changes the tree as the Python walk does. Only
    when :data:`AVAILABLE`, on a tree with a root, for a page that does not write the code
    marks' characters itself (whose code is marked in the tree, which needs its
    elements). ``None``, the tree untouched, while another thread walks a page in C: the
    caller reads this one with the Python walk."""
    root = tree.root
    assert root is not None
    nodes = Nodes(own_marks=False)
    if itemtype:  # read before the scripts go
        matches = {node.mem_id: node for node in tree.css(SCHEMA_SELECTOR)}
        nodes.schema_types = schema_types(matches.values())
    walked = _lexbor.outline(root.mem_id)
    if walked is None:
        return None
    links, leaves, codes, heads, images, dropped = walked
    nodes.main, nodes.leaves, nodes.codes = links, leaves, codes
    if not itemtype:
        nodes.schema_types = schema_types(Element(address, _tag(address)) for address in dropped)
    head = nodes.head
    for kind, address in heads:
        tag = _HEAD_TAGS.get(kind) or _tag(address)
        head.add(Element(address, tag), tag)
    nodes.images = {link: Element(image, "img") for link, image in images.items()}
    return nodes


def _tag(address: int) -> str:
    return TAG_NAMES.get(_lexbor.fields(address)[0], "")


def inside(node: int, ancestor: int) -> bool:
    """Whether the element at address ``node`` is the one at ``ancestor`` or inside it (0:
    above the document, which holds every element); while the page's tree lives."""
    return _lexbor.inside(node, ancestor)


def _bind() -> bool:
    """Whether the extension's walk can be used: bound to lexbor's functions and
    configured."""
    if not block_text.COMPILED:
        return False
    import selectolax.lexbor

    import linkflow.extract._lexbor as _lexbor

    try:
        if not _lexbor.bind_lexbor(selectolax.lexbor.__file__):
            return False
        names = {name: tag_id for tag_id, name in TAG_NAMES.items()}
        if not set(_KINDS) <= set(names):
            return False
        document = LexborHTMLParser("").root
        if document is None or document.parent is None:
            return False
        special = {document.parent.tag_id: "-document"}
        _lexbor.configure_outline(
            {names[tag]: kind for tag, kind in _KINDS.items()}, dict(TAG_NAMES), special
        )
        _lexbor.configure_regions(step, names_region)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


AVAILABLE: Final = _bind()
"""Whether :func:`outline` can be used (the page check in :mod:`linkflow.extract.parse`
comes on top)."""
if AVAILABLE:  # bound above; its import cannot fail here
    import linkflow.extract._lexbor as _lexbor
