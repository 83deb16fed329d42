"""extract stage: HTML bytes → page facts and links with their layout position."""

from linkflow.extract.charset import decode_html
from linkflow.extract.parse import parse_page

__all__ = ["decode_html", "parse_page"]
