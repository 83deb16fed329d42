"""The demo site's prose, read from the text files in ``content/``.

Each file holds entries. An entry starts with a line ``== <kind>`` (``post``, ``service``,
``page`` or ``location``), then ``key: value`` lines, a blank line, and the body. Body blocks
are separated by blank lines: ``## Heading``, a list of ``- item`` lines, or a paragraph.
Inline links are written ``[anchor](href)`` or ``[anchor](href nofollow)``. Text before the
first entry is the file's header comment and is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["LINK", "Entry", "entries", "plain_text"]

CONTENT_DIR = Path(__file__).with_name("content")

LINK = re.compile(r"\[([^\]]+)\]\((\S+?)(?: (nofollow))?\)")
"""An inline link: group 1 the anchor, group 2 the href, group 3 ``nofollow`` or None."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a content file: its kind, its ``key: value`` fields and body blocks."""

    kind: str
    meta: Mapping[str, str]
    blocks: tuple[str, ...]

    def __getitem__(self, key: str) -> str:
        return self.meta[key]

    def get(self, key: str, default: str = "") -> str:
        """The field ``key``, or ``default`` when the entry does not set it."""
        return self.meta.get(key, default)

    def items(self, key: str) -> tuple[str, ...]:
        """A comma-separated field split into stripped items (empty when absent)."""
        return tuple(x.strip() for x in self.get(key).split(",") if x.strip())


def _parse(text: str) -> list[Entry]:
    chunks = re.split(r"^== (\w+)\n", text, flags=re.MULTILINE)
    result: list[Entry] = []
    # re.split with one group gives [preamble, kind, body, kind, body, ...]
    for kind, chunk in zip(chunks[1::2], chunks[2::2], strict=True):
        head, _, body = chunk.partition("\n\n")
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        blocks = tuple(b.strip() for b in body.split("\n\n") if b.strip())
        result.append(Entry(kind, meta, blocks))
    return result


@cache
def entries(kind: str) -> tuple[Entry, ...]:
    """Every entry of ``kind`` across the content files, in file-name then file order."""
    found: list[Entry] = []
    for path in sorted(CONTENT_DIR.glob("*.txt")):
        found.extend(e for e in _parse(path.read_text(encoding="utf-8")) if e.kind == kind)
    return tuple(found)


def plain_text(block: str) -> str:
    """``block`` with inline link markup replaced by the anchor text."""
    return LINK.sub(lambda m: m.group(1), block)
