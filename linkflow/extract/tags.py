"""Tag names by Lexbor's numeric tag id: reading ``node.tag_id`` and a dict costs a fraction
of ``node.tag``, which decodes the name from C on every call.

Lexbor numbers the tags it knows (those of the HTML standard) with small fixed ids; any other
element (a custom element, ``<my-widget>``) gets an id that is a pointer, different from page
to page, so those are always read by name.
"""

from __future__ import annotations

from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser

__all__ = ["TAG_NAMES", "tag_name"]

_HTML_TAGS: Final = (
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
    "big", "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite", "code",
    "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "div", "dl",
    "dt", "em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe",
    "img", "input", "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark",
    "menu", "meta", "meter", "nav", "nobr", "noscript", "object", "ol", "optgroup", "option",
    "output", "p", "param", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp",
    "script", "search", "section", "select", "slot", "small", "source", "span", "strong",
    "style", "sub", "summary", "sup", "svg", "table", "tbody", "td", "template", "textarea",
    "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video",
    "wbr",
)  # fmt: skip
_MAX_FIXED_ID: Final = 1 << 16  # Lexbor's own ids run up to a few hundred; pointers are larger


def _tag_names() -> dict[int, str]:
    scratch = LexborHTMLParser("")
    names: dict[int, str] = {}
    for name in _HTML_TAGS:
        node = scratch.create_node(name)
        tag_id: int = node.tag_id
        if tag_id < _MAX_FIXED_ID and node.tag == name:
            names[tag_id] = name
    return names


TAG_NAMES: Final = _tag_names()
"""The name of each tag id Lexbor fixes, for the tags of the HTML standard."""


def tag_name(node: Any) -> str:
    """``node.tag`` of an element or the document node (``""`` if it has none)."""
    name = TAG_NAMES.get(node.tag_id)
    if name is not None:
        return name
    tag: str | None = node.tag
    return tag or ""
