"""Types of the compiled extension ``linkflow/extract/_lexbor.c`` (see its comments)."""

from collections.abc import Callable, Sequence

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

# The page walk of _outline.c (see linkflow.extract.outline).

def bind_lexbor(path: str, /) -> bool:
    """Whether lexbor's functions were found in the loaded module at ``path``."""

def configure_outline(
    kinds: dict[int, int], names: dict[int, str], special: dict[int, str], /
) -> None:
    """What the walk reads of each tag id, the tag names the caller knows by id, and the
    names of other nodes that may be ancestors, by id."""

def configure_regions(
    step: Callable[
        [str | None, str, bool, str, str | None, str | None, str | None, str | None, str | None],
        tuple[str | None, str, bool, bool],
    ],
    names: Callable[[str], bool],
    /,
) -> None:
    """How the walk works out an element's region state (see linkflow.extract.regions.step)
    and whether an id may name a region."""

def attributes(address: int, /) -> dict[str, str | None]:
    """Every attribute of the element at ``address``, as selectolax gives them."""

def raw_text(address: int, /) -> str:
    """The text of the descendants of the node at ``address``, not collapsed."""

_Walked = tuple[
    list[tuple[int, int, int, str | None, str, int, dict[str, str | None]]],
    list[tuple[int, int, str | None, int, int | None, int]],
    list[int],
    list[tuple[int, int]],
    dict[int, int],
    list[int],
]

def outline(root: int, /) -> _Walked | None:
    """(links, leaves, codes, heads, images, dropped) of the page whose root element is at
    ``root``; changes the tree (see linkflow.extract.outline). None while another page is
    walked."""

def inside(address: int, ancestor: int, /) -> bool:
    """Whether the node at ``address`` is ``ancestor`` or inside it (0: above the document)."""
