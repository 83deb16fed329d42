"""extract stage: HTML bytes → page facts and links with their layout position.

The parser is imported on first use (``linkflow.extract.parse_page``): a crawl's own
process only hands pages to its parse workers, and the stage's light modules (``text``,
``charset`` ...) are read without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["decode_html", "parse_page"]

if TYPE_CHECKING:
    from linkflow.extract.charset import decode_html
    from linkflow.extract.parse import parse_page


def __getattr__(name: str) -> Any:
    if name == "parse_page":
        from linkflow.extract.parse import parse_page

        return parse_page
    if name == "decode_html":
        from linkflow.extract.charset import decode_html

        return decode_html
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
