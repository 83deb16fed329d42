"""Types of the compiled extension ``linkflow/extract/_lexbor.c`` (see its comments)."""

from collections.abc import Sequence

def configure(text_tag: int, code_tags: tuple[int, ...], /) -> None:
    """Set the tag id of text nodes and those of the code elements."""

def fields(address: int, /) -> tuple[int, int | None, int | None, int | None, int, int]:
    """(tag id, parent, first child, next sibling, node type, text bytes or -1) of the node
    at ``address``."""

def block_texts(
    leaves: Sequence[int], codes: Sequence[int] | None, /
) -> tuple[list[str], dict[int, str]]:
    """The collapsed texts of the leaf blocks at ``leaves`` with the code marks of
    ``codes``, and the text without marks of each leaf that holds marked code, by address."""

def text(address: int, /) -> str:
    """The collapsed text of the descendants of the node at ``address``."""
