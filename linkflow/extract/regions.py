"""Page regions: which part of the layout (nav, footer, main content ...) an element is in.

Each element's region is its parent's region refined by the element's own signal, looked
for in this order: an ``aria-label`` naming breadcrumbs or pagination; class/id words for
metadata ("other": bylines, tag lists, share bars) and for the specific regions
(breadcrumb, pagination, comment, related); an ARIA ``role``; the tag (``nav``, ``header``,
``footer``, ``aside``, ``main``, ``article``); ``itemprop=articleBody``; generic class/id
words (sidebar, footer, header, content, nav) from the trafilatura and Readability
vocabularies.

Nesting: the nearest specific signal always wins; a page region (nav, header, footer,
sidebar) overrides the main content around it but not another page region (a menu inside
the footer is footer), except that a menu inside the header is nav; content never overrides
boilerplate around it unless it is declared strongly (``<main>``, ``role=main``,
``itemprop=articleBody``). A ``<header>``/``<footer>`` inside an article, quote or figure
belongs to it, not to the page (HTML standard).

:class:`RegionIndex` computes this once per element (memoised by node identity), so the
cost per page is one pass over the ancestors of links and text blocks, not over the DOM.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import ahocorasick_rs

from linkflow.extract.tags import tag_name

__all__ = [
    "BLOCK_TAGS", "Attributes", "NodeInfo", "RegionIndex", "names_region", "step",
]  # fmt: skip

Attributes = Mapping[str, str | None]
"""An element's attributes as the parser gives them; an attribute without a value is ``None``."""

BLOCK_TAGS: Final = frozenset({
    "body", "div", "p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "blockquote", "section", "article", "figcaption", "address", "caption", "main",
    "aside", "nav", "header", "footer", "table", "ul", "ol", "dl", "tr", "form", "figure",
})  # fmt: skip
"""Tags that delimit text blocks (jusText): text inside one of them is one block."""

SPECIFIC: Final = frozenset({"breadcrumb", "pagination", "comment", "related"})
_PAGE_REGIONS: Final = frozenset({"nav", "header", "footer", "sidebar"})

_ROLES: Final = {
    "navigation": "nav",
    "banner": "header",
    "contentinfo": "footer",
    "complementary": "sidebar",
    "main": "content",
    "article": "content",
    "comment": "comment",
}
_TAGS: Final = {
    "nav": "nav",
    "header": "header",
    "footer": "footer",
    "aside": "sidebar",
    "main": "content",
    "article": "content",
}
# Class/id vocabularies (trafilatura xpaths.py, Readability REGEXPS), searched in the
# lower-cased "id class" string. Metadata (bylines, tag lists, sort/filter bars, share
# buttons, cookie notices) is "other". Patterns avoid utility classes such as Bootstrap's
# "justify-content-between", "fixed-bottom" or "card-header".
_META_WORDS: Final = (
    (
        "other",
        re.compile(
            r"(?:entry|post|article)-meta|byline|posted-on|cat-links|tags?-links|post-tags"
            r"|entry-footer|comments?-link|(?<![a-z])(?:filters?|facets?|sort-by|sorting)(?![a-z])"
            r"|(?<![a-z])(?:share|sharing|social-share|cookies?|consent|gdpr)(?![a-z])"
            r"|author-(?:box|bio|info|card)|about-(?:the-)?author|newsletter|subscribe"
        ),
    ),
)
_SPECIFIC_WORDS: Final = (
    ("breadcrumb", re.compile(r"breadcrumb|crumb")),
    (
        "pagination",
        re.compile(
            r"paginat|pager(?![a-z])|page-numbers|(?<![a-z])paging|pagenav|page-nav|post-nav"
        ),
    ),
    ("comment", re.compile(r"comment|disqus|(?<![a-z])respond|replies")),
    (
        "related",
        re.compile(
            r"related|similar|recommend|upsell|cross-?sell|also-(?:like|bought|viewed)"
            r"|you-may|read-next|more-(?:on|from|like|posts|stories|articles)"
        ),
    ),
)
_GENERIC_WORDS: Final = (
    (
        "sidebar",
        re.compile(
            r"sidebar|side-bar|widget|(?<![a-z-])(?:aside|secondary)(?![a-z-])"
            r"|(?<![a-z])(?:right|left|side)-?col(?:umn)?(?![a-z])|most-(?:read|popular|viewed)"
            r"|(?<![a-z])(?:advert|adverts|sponsor|sponsors)(?![a-z])"
        ),
    ),
    (
        "footer",
        re.compile(
            r"(?<![a-z0-9-])(?:(?:site|page|global|main|md|app|layout)[-_]?)?footer"
            r"|colophon|copyright|site-info|(?<![a-z-])bottom(?![a-z-])"
        ),
    ),
    (
        "header",
        re.compile(
            r"(?<![a-z0-9-])(?:(?:site|page|global|main|md|app|layout|top)[-_]?)?header"
            r"|masthead|site-branding|announcement|(?<![a-z])top-?(?:bar|strip)"
        ),
    ),
    # "content" must be a whole token ending in a content word ("entry-content",
    # "wy-nav-content", "md-content__inner"), checked before "nav" so that a content
    # wrapper named after the menu beside it is still content.
    (
        "content",
        re.compile(
            r"(?<!\S)(?:[a-z0-9]+[-_]{1,2})*"
            r"(?:content|main|maincontent|article|entry|story|prose|markdown-body|postbody)"
            r"(?:[-_]{1,2}(?:area|inner|body|wrapper|wrap|container|content|text|main))?(?!\S)"
        ),
    ),
    # Layout-state classes such as "wy-grid-for-nav" or "nav-open" name no menu.
    (
        "nav",
        re.compile(
            r"(?<![a-z])(?<!for-)(?<!has-)(?<!with-)(?:sub|side|top|main|primary|site)?nav"
            r"(?![a-z]|-?(?:shift|open|toggle|wrap))|navbar|navigation|menu"
            r"|(?<![a-z])toc(?![a-z])|table-of-contents"
        ),
    ),
)
_LABEL_WORDS: Final = (("breadcrumb", "breadcrumb"), ("pagination", "pagination"))
# A header/footer inside one of these belongs to it, not to the page (HTML standard;
# "section" is left out because sites use it as a plain wrapper around the whole layout).
_SECTIONING: Final = frozenset({
    "article", "aside", "nav", "main", "blockquote", "details", "dialog", "fieldset",
    "figure", "td",
})  # fmt: skip
_NO_SIGNAL: Final = frozenset({"html", "body", "-document"})
_MAX_PATH: Final = 400
_DIGITS: Final = re.compile(r"[0-9]+")


@dataclass(slots=True)
class NodeInfo:
    """What is known about one element: its region, tag path and nearest block.

    ``block`` is the node id (``mem_id``) of the nearest block-level ancestor-or-self, 0 when
    there is none; ``parent`` links to the parent's info so ancestry can be tested.
    """

    node_id: int
    path: str
    region: str | None
    block: int
    parent: NodeInfo | None
    sectioned: bool = False  # inside a sectioning element (article, section, blockquote ...)


def _token_at(text: str, start: int) -> str:
    """The whitespace-delimited token of ``text`` that contains index ``start``."""
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", start)
    return text[left : right if right >= 0 else len(text)]


def _search(words: str, vocab: tuple[tuple[str, re.Pattern[str]], ...]) -> tuple[str, str]:
    """The first region of ``vocab`` whose pattern matches ``words``, and the matched token."""
    for region, pattern in vocab:
        match = pattern.search(words)
        if match:
            return region, _token_at(words, match.start())
    return "", ""


def _signal(tag: str, attrs: Attributes) -> tuple[str | None, str, bool]:
    """(region signal, class token that gave it, whether it came from an ARIA role).

    Order: ``aria-label``, metadata and specific class words, ``role``, tag, ``itemprop``,
    generic class words: a ``<nav class="breadcrumb">`` is a breadcrumb, not a menu.
    """
    label = attrs.get("aria-label")
    if label:
        label = label.lower()
        for word, region in _LABEL_WORDS:
            if word in label:
                return region, "", False
    # Classes first: they name the component, while ids are often per item ("comment-88").
    words = " ".join(filter(None, (attrs.get("class"), attrs.get("id")))).lower()
    if words and not may_name_region(words):
        words = ""  # no vocabulary pattern can match it
    if words:
        region, token = _search(words, _META_WORDS)
        if not region:
            region, token = _search(words, _SPECIFIC_WORDS)
        if region:
            return region, token, False
    role = attrs.get("role")
    if role:
        role_region = _ROLES.get(role.strip().lower())
        if role_region is not None:
            return role_region, "", True
    tag_region = _TAGS.get(tag)
    if tag_region is not None:
        return tag_region, "", False
    if attrs.get("itemprop") == "articleBody":
        return "content", "", False
    if words:
        region, token = _search(words, _GENERIC_WORDS)
        if region:
            return region, token, False
    return None, "", False


def _is_main(tag: str, attrs: Attributes) -> bool:
    """Whether an element declares itself the page's main content (not just an article)."""
    role = attrs.get("role")
    return (
        tag == "main"
        or attrs.get("itemprop") == "articleBody"
        or (isinstance(role, str) and role.strip().lower() == "main")
    )


def _combine(outer: str | None, signal: str | None, strong: bool) -> str | None:
    """The region of an element whose parent is in ``outer`` and whose own signal is given."""
    if signal is None or signal == outer:
        return outer
    if signal in SPECIFIC:
        return signal
    if signal == "content":
        # Only a strong signal (<main>, role=main, itemprop=articleBody) may override a page
        # region: the main content is never really inside a menu, header or footer.
        if outer is None or (strong and outer in _PAGE_REGIONS):
            return "content"
        return outer
    if outer in SPECIFIC:
        return outer
    if signal == "other":
        return signal if outer is None or outer == "content" else outer
    if outer is None or outer == "content" or (signal == "nav" and outer == "header"):
        return signal
    return outer


_ANY_WORD: Final = re.compile(
    "|".join(
        f"(?:{pattern.pattern})" for _, pattern in (*_META_WORDS, *_SPECIFIC_WORDS, *_GENERIC_WORDS)
    )
)
"""Matches where any of the class/id vocabularies does."""

# Every match of a vocabulary pattern contains one of these (each pattern's alternatives, in
# order, reduced to a literal every match of them holds): a class/id text without any of
# them matches no pattern. One Aho-Corasick pass finds out (0.4 us an id) where the joined
# patterns, with their lookarounds, take 6-7 us; the many ids that name one item each
# (Python and Rust docs: hundreds a page) are mostly told apart this way.
_LITERALS: Final = (
    # other (metadata)
    "-meta", "byline", "posted-on", "-links", "post-tags", "footer", "comment", "filter",
    "facet", "sort-by", "sorting", "shar", "cookie", "consent", "gdpr", "author",
    "newsletter", "subscribe",
    # breadcrumb, pagination ("pag": paginat, pager, page-numbers, paging, pagenav,
    # page-nav; "nav": post-nav), comment, related ("sell": upsell, cross-sell, crosssell)
    "crumb", "pag", "nav", "disqus", "respond", "replies", "related", "similar",
    "recommend", "sell", "also-", "you-may", "read-next", "more-",
    # sidebar ("side": sidebar, side-bar, aside, side-col; "col": right/left-col(umn))
    "side", "widget", "secondary", "col", "most-", "advert", "sponsor",
    # footer, header ("top": top-bar, topbar, top-strip)
    "colophon", "copyright", "site-info", "bottom", "header", "masthead", "site-branding",
    "announcement", "top",
    # content ("main": maincontent), nav ("nav": navbar, navigation)
    "content", "main", "article", "entry", "story", "prose", "markdown-body", "postbody",
    "menu", "toc", "table-of-contents",
)  # fmt: skip


_ANY_LITERAL: Final = ahocorasick_rs.AhoCorasick(_LITERALS)


def may_name_region(words: str) -> bool:
    """Whether the lower-cased class/id text ``words`` holds a literal of :data:`_LITERALS`,
    which every match of the vocabularies does: ``False`` means no pattern matches it."""
    return bool(_ANY_LITERAL.find_matches_as_indexes(words))


_NAMING: dict[str, bool] = {}
_MEMO_SIZE: Final = 65_536


def names_region(value: str) -> bool:
    """Whether a word of any vocabulary is in the class/id value ``value`` (memoised)."""
    hit = _NAMING.get(value)
    if hit is None:
        if len(_NAMING) >= _MEMO_SIZE:
            _NAMING.clear()
        low = value.lower()
        hit = _NAMING[value] = may_name_region(low) and _ANY_WORD.search(low) is not None
    return hit


_Class = tuple[str | None, str, bool, bool, bool, bool]
_MEMO: dict[tuple[str | None, ...], _Class] = {}
_PLAIN: dict[str, _Class] = {}  # the classes of elements without attributes, by tag
_NO_ATTRIBUTES: Final = (None, None, None, None, None)


def _classify(tag: str, attrs: Attributes) -> _Class:
    """(region signal, path segment, whether it is a plain header/footer, strong content,
    whether it is a block, whether it is a sectioning element).

    A plain header/footer (from the tag, not from a class word or a role) belongs to the
    page only outside sectioning elements: the caller decides. Memoised by the tag and the
    few attributes the rules read: a page repeats the same classes on many elements and a
    site on every page, so the class/id patterns run once per distinct combination, not per
    element (the answer is the same function of the same inputs: results are unchanged).
    """
    if attrs:
        get = attrs.get
        ident = get("id")
        if ident and not names_region(ident):
            # Most ids name one item ("abs", "method.push"): one per element, they would
            # make every key new. An id no vocabulary word matches gives no signal (and a
            # match never spans the space between class and id), so it is left out.
            ident = None
        key = (tag, get("class"), ident, get("role"), get("aria-label"), get("itemprop"))
    else:  # most elements have no attributes: their tag is their key
        known = _PLAIN.get(tag)
        if known is not None:
            return known
        key = (tag, None, None, None, None, None)
    hit = _MEMO.get(key)
    if hit is not None:
        return hit
    if attrs and key[2] is None and attrs.get("id"):
        attrs = {**attrs, "id": None}  # the id left out of the key: left out of the rules
    if tag.startswith("-"):  # the document node: no signal and no path segment
        region, segment, plain, strong = None, "", False, False
    elif tag in _NO_SIGNAL:
        region, segment, plain, strong = None, tag, False, False
    else:
        region, token, from_role = _signal(tag, attrs)
        plain = region in ("header", "footer") and not token and not from_role
        strong = region == "content" and _is_main(tag, attrs)
        # Digits are folded so that "widget-3" and "widget-7" give one template path.
        segment = f"{tag}.{_DIGITS.sub('N', token)}" if token else tag
    if len(_MEMO) >= _MEMO_SIZE:  # per-item ids ("post-123") must not grow it forever
        _MEMO.clear()
    result = _MEMO[key] = (region, segment, plain, strong, tag in BLOCK_TAGS, tag in _SECTIONING)
    if key[1:] == _NO_ATTRIBUTES:
        if len(_PLAIN) >= _MEMO_SIZE:  # custom elements: any name, many on a junk page
            _PLAIN.clear()
        _PLAIN[tag] = result
    return result


_ROOT: Final = NodeInfo(0, "", None, 0, None)
_PATHS: dict[tuple[str, str], str] = {}
"""Tag paths by their parent's path and their own segment: one string for each path of a
site, however many links and blocks share it (a page of 19,000 links held 4 MB of copies)."""


def _make(node_id: int, parent: NodeInfo, tag: str, attrs: Attributes) -> NodeInfo:
    """The info of the element ``node_id`` (tag ``tag``, attributes ``attrs``) inside the
    element of ``parent``."""
    region, path, block, sectioning = _below(parent, tag, attrs)
    return NodeInfo(
        node_id,
        path,
        region,
        node_id if block else parent.block,
        parent,
        parent.sectioned or sectioning,
    )


def _below(parent: NodeInfo, tag: str, attrs: Attributes) -> tuple[str | None, str, bool, bool]:
    """(region, tag path, is a block, opens a section) of an element with ``tag`` and
    ``attrs`` under an element whose info is ``parent``: what :meth:`RegionIndex.info` and
    :meth:`RegionIndex.place` derive for every block and link of a page."""
    region, segment, plain, strong, block, sectioning = _classify(tag, attrs)
    if plain and parent.sectioned:
        region = None  # a <header>/<footer> of an article, quote, figure ...
    outer = parent.region
    if region is None or region == outer:
        region = outer
    else:
        region = _combine(outer, region, strong)
    path = parent.path
    if segment:
        key = (path, segment)
        grown = _PATHS.get(key)
        if grown is None:
            if len(_PATHS) >= _MEMO_SIZE:
                _PATHS.clear()
            grown = f"{path}>{segment}" if path else segment
            if len(grown) > _MAX_PATH:  # junk nesting: stop growing, keep it stable
                grown = path
            _PATHS[key] = grown
        path = grown
    return region, path, block, sectioning


def step(
    region: str | None,
    path: str,
    sectioned: bool,
    tag: str,
    class_: str | None,
    ident: str | None,
    role: str | None,
    aria_label: str | None,
    itemprop: str | None,
) -> tuple[str | None, str, bool, bool]:
    """(region, tag path, is a block, inside a section) of an element with ``tag`` and
    these attributes (``None``: absent) under an element with ``region``, ``path`` and
    ``sectioned``: what :meth:`RegionIndex.info` derives, for the compiled walk
    (``linkflow/extract/_regions.c``), which asks once per distinct case. ``ident`` is
    given only when :func:`names_region` is true of it (an id that names no region gives
    no signal)."""
    parent = NodeInfo(0, path, region, 0, None, sectioned)
    attrs = {
        "class": class_, "id": ident, "role": role, "aria-label": aria_label, "itemprop": itemprop,
    }  # fmt: skip
    region, path, block, sectioning = _below(parent, tag, attrs)
    return region, path, block, sectioned or sectioning


class RegionIndex:
    """Memoised :class:`NodeInfo` of the elements of one parsed page."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[int, NodeInfo] = {}

    def info(self, node: Any, tag: str) -> NodeInfo:
        """Info of ``node`` (a selectolax element whose tag is ``tag``), computing uncached
        ancestors first."""
        cache = self._cache
        node_id: int = node.mem_id
        current: Any = node.parent
        parent = cache.get(current.mem_id) if current is not None else None
        if parent is None:  # not the usual case, where the parent is a block
            hit = cache.get(node_id)
            if hit is not None:
                return hit
            parent = self._ancestors(current)
        result = cache[node_id] = _make(node_id, parent, tag, node.attributes)
        return result

    def place(self, node: Any, tag: str, attrs: Attributes) -> tuple[str | None, str, int]:
        """(region, tag path, node id of the nearest block) of a link element ``node``
        (tag ``tag``, attributes ``attrs``), as its :meth:`info` has them, without building
        or keeping one (a block inside a link, rare, has it computed as an ancestor)."""
        current: Any = node.parent
        parent = self._cache.get(current.mem_id) if current is not None else None
        if parent is None:
            parent = self._ancestors(current)
        region, path, block, _ = _below(parent, tag, attrs)
        return region, path, node.mem_id if block else parent.block

    def _ancestors(self, current: Any) -> NodeInfo:
        """Info of element ``current`` (``None``: above the document), computing it and its
        uncached ancestors."""
        cache = self._cache
        chain: list[tuple[Any, int]] = []
        parent_info = _ROOT
        while current is not None:
            current_id: int = current.mem_id
            hit = cache.get(current_id)
            if hit is not None:
                parent_info = hit
                break
            chain.append((current, current_id))
            current = current.parent
        for element, element_id in reversed(chain):
            parent_info = cache[element_id] = _make(
                element_id, parent_info, tag_name(element), element.attributes
            )
        return parent_info

    @staticmethod
    def inside(info: NodeInfo, ancestor_id: int) -> bool:
        """Whether the element of ``info`` is the element ``ancestor_id`` or inside it."""
        current: NodeInfo | None = info
        while current is not None:
            if current.node_id == ancestor_id:
                return True
            current = current.parent
        return False
