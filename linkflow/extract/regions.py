"""Page regions: which part of the layout (nav, footer, main content ...) an element is in.

Each element's region is its parent's region refined by the element's own signal: an ARIA
``role``, an ``aria-label`` naming breadcrumbs or pagination, its tag (``nav``, ``header``,
``footer``, ``aside``, ``main``, ``article``) or a class/id token from the trafilatura and
readability vocabularies. The nearest specific signal (breadcrumb, pagination, comment,
related) always wins; a page region (nav, header, footer, sidebar) overrides the main content
around it but not another page region; main content never overrides boilerplate around it.
A ``header``/``footer`` inside the main content belongs to an article, not to the page, so it
is ignored unless it carries ``role=banner``/``contentinfo`` (HTML standard).

:class:`RegionIndex` computes this once per element (memoised by node identity), so the
cost per page is one pass over the ancestors of links and text blocks, not over the DOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["BLOCK_TAGS", "NodeInfo", "RegionIndex"]

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
# Class/id vocabularies, most specific first (trafilatura xpaths.py, Readability REGEXPS).
_SPECIFIC_WORDS: Final = (
    ("breadcrumb", re.compile(r"breadcrumb|crumbs")),
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
            r"related|similar|recommend|upsell|cross-?sell|also-(?:like|bought|viewed)|you-may|read-next|more-(?:posts|stories|articles)"
        ),
    ),
)
_GENERIC_WORDS: Final = (
    ("sidebar", re.compile(r"sidebar|side-bar|widget|(?<![a-z-])(?:aside|secondary)(?![a-z-])")),
    ("footer", re.compile(r"footer|colophon|copyright|site-info")),
    ("nav", re.compile(r"(?<![a-z])(?:sub|side|top|main|primary|site)?nav|navigation|menu")),
    ("header", re.compile(r"header|masthead|topbar|top-bar|site-branding")),
    (
        "content",
        re.compile(
            r"content|(?<![a-z])main(?![a-z])|article|post-body|postbody|(?<![a-z])prose(?![a-z])|markdown-body|(?<![a-z])entry(?![a-z])"
        ),
    ),
)
_LABEL_WORDS: Final = (("breadcrumb", "breadcrumb"), ("pagination", "pagination"))
_NO_SIGNAL: Final = frozenset({"html", "body", "-document"})
_MAX_PATH: Final = 400


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


def _token_at(text: str, start: int) -> str:
    """The whitespace-delimited token of ``text`` that contains index ``start``."""
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", start)
    return text[left : right if right >= 0 else len(text)]


def _signal(tag: str, attrs: dict[str, Any]) -> tuple[str | None, str, bool]:
    """(region signal, class token that gave it, whether it came from an ARIA role)."""
    role = attrs.get("role")
    if role:
        region = _ROLES.get(role.strip().lower())
        if region is not None:
            return region, "", True
    label = attrs.get("aria-label")
    if label:
        label = label.lower()
        for word, region in _LABEL_WORDS:
            if word in label:
                return region, "", False
    words = " ".join(filter(None, (attrs.get("id"), attrs.get("class")))).lower()
    if words:
        for region, pattern in _SPECIFIC_WORDS:
            match = pattern.search(words)
            if match:
                return region, _token_at(words, match.start()), False
    region = _TAGS.get(tag)
    if region is not None:
        return region, "", False
    if attrs.get("itemprop") == "articleBody":
        return "content", "", False
    if words:
        for region, pattern in _GENERIC_WORDS:
            match = pattern.search(words)
            if match:
                return region, _token_at(words, match.start()), False
    return None, "", False


def _combine(outer: str | None, signal: str | None, from_role: bool) -> str | None:
    """The region of an element whose parent is in ``outer`` and whose own signal is given."""
    if signal is None or signal == outer:
        return outer
    if signal in SPECIFIC:
        return signal
    if signal == "content":
        return "content" if outer is None else outer
    if outer in SPECIFIC:
        return outer
    if signal in ("header", "footer") and outer == "content" and not from_role:
        return outer  # an article's own header/footer
    if outer is None or outer == "content" or (signal == "nav" and outer == "header"):
        return signal
    return outer


_ROOT: Final = NodeInfo(node_id=0, path="", region=None, block=0, parent=None)


class RegionIndex:
    """Memoised :class:`NodeInfo` of the elements of one parsed page."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[int, NodeInfo] = {}

    def info(self, node: Any) -> NodeInfo:
        """Info of ``node`` (a selectolax node), computing uncached ancestors first."""
        cache = self._cache
        hit = cache.get(node.mem_id)
        if hit is not None:
            return hit
        chain: list[Any] = []
        current: Any = node
        parent_info = _ROOT
        while current is not None:
            hit = cache.get(current.mem_id)
            if hit is not None:
                parent_info = hit
                break
            chain.append(current)
            current = current.parent
        for element in reversed(chain):
            parent_info = self._make(element, parent_info)
            cache[parent_info.node_id] = parent_info
        return parent_info

    @staticmethod
    def _make(element: Any, parent: NodeInfo) -> NodeInfo:
        tag: str = element.tag or ""
        node_id: int = element.mem_id
        if tag in _NO_SIGNAL or tag.startswith("-"):
            region, token, from_role = None, "", False
        else:
            region, token, from_role = _signal(tag, element.attributes)
        if tag.startswith("-"):
            path = parent.path
        else:
            segment = f"{tag}.{token}" if token else tag
            path = f"{parent.path}>{segment}" if parent.path else segment
            if len(path) > _MAX_PATH:  # junk nesting: stop growing, keep it stable
                path = parent.path
        return NodeInfo(
            node_id=node_id,
            path=path,
            region=_combine(parent.region, region, from_role),
            block=node_id if tag in BLOCK_TAGS else parent.block,
            parent=parent,
        )

    @staticmethod
    def inside(info: NodeInfo, ancestor_id: int) -> bool:
        """Whether the element of ``info`` is the element ``ancestor_id`` or inside it."""
        current: NodeInfo | None = info
        while current is not None:
            if current.node_id == ancestor_id:
                return True
            current = current.parent
        return False
