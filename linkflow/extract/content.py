"""Find the main content of a page among its leaf text blocks.

When regions mark content (``main``, ``article``, ``entry-content`` ...), the main content is
the text blocks in those regions. Otherwise it is guessed the Readability way, then widened
the jusText way: the element whose text blocks score best (text length minus twice the link
text, credited to the parent and half to the grandparent) gives a seed span of blocks; the
span grows over neighbouring blocks until it meets a region (nav, footer ...) or a run of
link-dense blocks (a menu or a link list), which is where boilerplate starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from linkflow.extract.text import is_line_numbers

__all__ = ["Block", "MainContent", "find_main"]

_DENSE: Final = 0.5  # link text / block text above which a block is a link list
_DENSE_LINKS: Final = 3  # a single block with this many links and dense ends the main span


@dataclass(slots=True)
class Block:
    """One leaf text block: its document index, node id and region, the node ids of the
    blocks around its parent and its grandparent (each element's nearest block, itself
    included; 0 above the document; ``grand`` ``None`` where there is no grandparent),
    its collapsed text, link count and link characters."""

    index: int
    node_id: int
    region: str | None
    outer: int
    grand: int | None
    text: str
    links: int = 0
    link_chars: int = 0

    @property
    def dense(self) -> bool:
        return self.links > 0 and self.link_chars > _DENSE * max(len(self.text), 1)


@dataclass(slots=True)
class MainContent:
    """The main text blocks; ``span`` is the first and last document index of the main area.

    ``guessed`` is true when no region said "content": then links in no region that lie
    inside the span are content links.
    """

    blocks: list[Block]
    span: tuple[int, int] | None
    guessed: bool


def _seed_root(blocks: list[Block]) -> int | None:
    scores: dict[int, float] = {}
    for block in blocks:
        score = len(block.text) - 2 * block.link_chars
        if block.region is not None or score <= 0:
            continue
        outer, grand = block.outer, block.grand
        scores[outer] = scores.get(outer, 0.0) + score
        if grand is not None and grand != outer:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    return max(scores, key=scores.__getitem__) if scores else None


def _stops(blocks: list[Block], at: int, step: int) -> bool:
    """Whether the block at ``at`` ends the main span when growing in direction ``step``."""
    block = blocks[at]
    if block.region is not None:
        return True
    if not block.dense:
        return False
    if block.links >= _DENSE_LINKS:
        return True
    after = at + step
    return 0 <= after < len(blocks) and blocks[after].dense and blocks[after].region is None


def _grow(blocks: list[Block], first: int, last: int) -> tuple[int, int]:
    while first > 0 and not _stops(blocks, first - 1, -1):
        first -= 1
    while last < len(blocks) - 1 and not _stops(blocks, last + 1, 1):
        last += 1
    return first, last


def _span(blocks: list[Block], first: int, last: int) -> tuple[int, int]:
    """Document indexes from block ``first`` up to just before the block after ``last``,
    so the links inside the last block are inside the span."""
    end = blocks[last + 1].index - 1 if last + 1 < len(blocks) else 1 << 62
    return blocks[first].index, end


def find_main(blocks: list[Block], inside: Callable[[int, int], bool]) -> MainContent:
    """The main content of a page, from its leaf blocks in document order; ``inside(node,
    ancestor)`` says whether the element ``node`` is ``ancestor`` or inside it (node ids;
    0 is above the document)."""
    marked = [i for i, b in enumerate(blocks) if b.region == "content" and b.text]
    if marked:
        main = [blocks[i] for i in marked if not is_line_numbers(blocks[i].text)]
        return MainContent(main, _span(blocks, marked[0], marked[-1]), guessed=False)
    root = _seed_root(blocks)
    if root is None:
        return MainContent([], None, guessed=True)
    # The first and the last block inside the root, looked for from each end: the main
    # content is most of a page, so this tests the blocks around it, not all of them.
    first = next(i for i, b in enumerate(blocks) if inside(b.node_id, root))
    last = next(i for i in range(len(blocks) - 1, first - 1, -1) if inside(blocks[i].node_id, root))
    first, last = _grow(blocks, first, last)
    kept = (b for b in blocks[first : last + 1] if b.text and not b.dense)
    main = [b for b in kept if not is_line_numbers(b.text)]
    return MainContent(main, _span(blocks, first, last), guessed=True)
