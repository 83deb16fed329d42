"""The texts of a page's leaf text blocks, with code marks around the code they hold.

Each leaf block's text is its whitespace-collapsed text content; a code element (``pre``,
``code``, ``kbd``, ``samp``, ``tt``) that has content and sits in a leaf block, with no other
code element between them, has :data:`~linkflow.extract.text.CODE_OPEN` before its content
and :data:`~linkflow.extract.text.CODE_CLOSE` after it.

Two readings give the same texts. In Python (:func:`python_block_texts`) the marks are
inserted into the tree as text nodes and each block's text is copied out by selectolax,
then split and joined. The compiled one (``linkflow/extract/_lexbor.c``) walks each
block's nodes in C and writes the same characters into one buffer, without touching the
tree: under a third of the time on the PostgreSQL and Python docs
(``bench/block_text_bench.py``). It reads lexbor's node structs at the addresses selectolax
gives, so it is used only once checked: a sample document's nodes are read both ways (tag
id, parent, first child, next sibling, node type, a text's length) and its texts compared
with the Python reading. Where it was not built (no C compiler at install) or the check
fails (a selectolax that bundles another lexbor layout), :data:`COMPILED` is false and
pages are read in Python alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser

from linkflow.extract.tags import TAG_NAMES
from linkflow.extract.text import CODE_CLOSE, CODE_OPEN, collapse, unmark_collapsed
from linkflow.extract.walk import CODE_TAGS

__all__ = [
    "COMPILED",
    "READ_AT",
    "block_texts",
    "mark_code_in_tree",
    "node_text",
    "python_block_texts",
]

_CODE_IDS: Final = tuple(sorted(i for i, name in TAG_NAMES.items() if name in CODE_TAGS))

_Reader = Callable[[Sequence[int], Sequence[int] | None], tuple[list[str], dict[int, str]]]
_TextReader = Callable[[int], str]


def _code_block(node: Any, blocks: set[int]) -> int | None:
    """The node id of the block of ``blocks`` that holds code element ``node``; ``None``
    when the element is inside another code element within that block (that one is
    marked), or in no such block. The walk stops at the block: a code element around a
    whole block is not looked for (its marks would nest, which reads the same)."""
    current = node
    while current is not None:
        node_id: int = current.mem_id
        if node_id in blocks:
            return node_id
        current = current.parent
        if current is not None and current.tag_id in _CODE_IDS:
            return None
    return None


def mark_code_in_tree(codes: Sequence[Any], blocks: set[int]) -> set[int]:
    """Put the code marks around the code elements (``codes``) held by the blocks
    ``blocks`` (node ids, see :func:`_code_block`), in the tree; return the ids of the
    blocks that hold marked code."""
    marked: set[int] = set()
    for node in codes:
        first = node.first_child
        if first is None:
            continue
        block = _code_block(node, blocks)
        if block is not None:
            first.insert_before(CODE_OPEN)
            node.insert_child(CODE_CLOSE)
            marked.add(block)
    return marked


def python_block_texts(
    leaves: Sequence[Any], codes: Sequence[Any] | None
) -> tuple[list[str], dict[int, str]]:
    """:func:`block_texts` read in Python: the marks go into the tree."""
    marked = mark_code_in_tree(codes, {leaf.mem_id for leaf in leaves}) if codes else set()
    texts = [collapse(leaf.text(deep=True)) for leaf in leaves]
    plain = {
        leaf.mem_id: unmark_collapsed(text)
        for leaf, text in zip(leaves, texts, strict=True)
        if leaf.mem_id in marked
    }
    return texts, plain


def block_texts(
    leaves: Sequence[Any], codes: Sequence[Any] | None
) -> tuple[list[str], dict[int, str]]:
    """The whitespace-collapsed texts of the leaf blocks ``leaves`` (selectolax elements
    that hold no other block), in their order, with the code marks of ``codes`` (the
    page's code elements, in document order; ``None``: no marks); and the text without
    marks of each leaf that holds marked code, by node id.

    The compiled reading leaves the tree as it is; the Python one puts the marks into it.
    """
    if _COMPILED is None:
        return python_block_texts(leaves, codes)
    return _COMPILED(
        [leaf.mem_id for leaf in leaves], None if codes is None else [c.mem_id for c in codes]
    )


# What the check reads: elements, text, a comment, code to mark, code in code, empty code,
# white space to collapse, and characters of two and three bytes.
_SAMPLE: Final = (
    "<!doctype html><html><head><title>t</title></head><body>"
    "<div><p>one <b>two</b>\n three<!-- note --></p>"
    "<p>see <code>x = 1</code> and <kbd>Ctrl</kbd><span>, <code></code> <tt>y</tt></span></p>"
    "<pre>a <code>b</code>  c\n  d</pre><ul><li>\u00e9 \u00fcn\u00ef <samp>\u20ac</samp></li>"
    "<li></li><li><code><span>z</span></code></li></ul></div></body></html>"
)
_SAMPLE_BLOCKS: Final = frozenset({"p", "pre", "li"})


def _sample() -> tuple[LexborHTMLParser, list[Any], list[Any], list[Any]]:
    """The parsed sample (its nodes live as long as it does), every node of it, its blocks
    and its code elements, in document order."""
    tree = LexborHTMLParser(_SAMPLE)
    root = tree.root
    assert root is not None
    nodes = [root, *root.traverse(include_text=True)]
    elements = [n for n in nodes if n.is_element_node]
    blocks = [n for n in elements if n.tag in _SAMPLE_BLOCKS]
    return tree, nodes, blocks, [n for n in elements if n.tag in CODE_TAGS]


def _address(node: Any) -> int | None:
    return None if node is None else int(node.mem_id)


def _checked(module: Any) -> tuple[_Reader, _TextReader] | None:
    """``module``'s ``block_texts`` and ``text`` if it reads the sample as selectolax
    does."""
    _tree, nodes, blocks, codes = _sample()
    text_tag = next(n.tag_id for n in nodes if n.is_text_node)
    module.configure(text_tag, _CODE_IDS)
    # Every node's fields first, the text lengths among them, so that no text is read
    # through a pointer before the layout is known to match.
    for node in nodes:
        kind = 1 if node.is_element_node else 3 if node.is_text_node else 8
        length = len((node.text_content or "").encode()) if kind == 3 else -1
        expected = (
            node.tag_id,
            _address(node.parent),
            _address(node.first_child),
            _address(node.next),
            kind,
            length,
        )
        if tuple(module.fields(node.mem_id)) != expected:
            return None
    for node in nodes:
        if node.is_element_node and module.text(node.mem_id) != _python_text(node):
            return None
    texts, marked = module.block_texts([b.mem_id for b in blocks], [c.mem_id for c in codes])
    order = {b.mem_id: i for i, b in enumerate(blocks)}
    compiled = (texts, {order[m]: plain for m, plain in marked.items()})
    # The Python reading marks the tree, so it reads a tree of its own, after.
    _tree, _, blocks, codes = _sample()
    python, python_marked = python_block_texts(blocks, codes)
    order = {b.mem_id: i for i, b in enumerate(blocks)}
    if compiled != (python, {order[m]: plain for m, plain in python_marked.items()}):
        return None
    return module.block_texts, module.text


def _load() -> tuple[_Reader, _TextReader] | None:
    try:
        import linkflow.extract._lexbor as _lexbor
    except ImportError:
        return None
    try:
        return _checked(_lexbor)
    except (TypeError, ValueError, RuntimeError, OverflowError, AssertionError):
        return None


def _python_text(node: Any) -> str:
    return collapse(node.text(deep=True))


_LOADED: Final = _load()
_COMPILED: Final = None if _LOADED is None else _LOADED[0]
COMPILED: Final = _COMPILED is not None
"""Whether texts are read by the compiled extension."""
READ_AT: Final = _LOADED
"""The compiled readings by address, where :data:`COMPILED`: :func:`block_texts` of the
leaves and code elements at the addresses given, and the collapsed text of the element at
an address."""

if _LOADED is None:
    node_text = _python_text
else:
    _text: Final = _LOADED[1]

    def node_text(node: Any) -> str:
        """The whitespace-collapsed text of element ``node``'s content: its
        ``collapse(node.text(deep=True))``."""
        return _text(node.mem_id)
