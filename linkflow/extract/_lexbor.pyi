"""Types of the compiled extension ``linkflow/extract/_lexbor.c`` (see its comments)."""

from collections.abc import Sequence

def configure(text_tag: int, code_tags: tuple[int, ...], /) -> None:
    """Set the tag id of text nodes and those of the code elements."""

def fields(address: int, /) -> tuple[int, int | None, int | None, int | None, int]:
    """(tag id, parent, first child, next sibling, node type) of the node at ``address``."""

def block_texts(
    leaves: Sequence[int], codes: Sequence[int] | None, /
) -> tuple[list[str], list[int]]:
    """The collapsed texts of the leaf blocks at ``leaves`` with the code marks of
    ``codes``, and the addresses of the leaves that hold marked code."""
