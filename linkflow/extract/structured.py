"""The schema.org types a page declares: JSON-LD ``@type`` and microdata ``itemtype``.

Both come from the page, so both are untrusted: malformed JSON is skipped (never an error),
a type is kept only as a plain name (``https://schema.org/Product``, ``schema:Product`` and
``Product`` are all ``Product``) of at most :data:`MAX_TYPE_CHARS` characters, and at most
:data:`MAX_TYPES` distinct types are kept, the first found (top-level objects before the
objects nested in them). RDFa ``typeof`` is not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Final

__all__ = ["MAX_TYPES", "MAX_TYPE_CHARS", "SELECTOR", "schema_types", "type_name"]

MAX_TYPES: Final = 20
"""Distinct types kept for one page."""
MAX_TYPE_CHARS: Final = 64
"""A longer type name is dropped, not cut: a cut name would be a type nobody declared."""
MAX_SCRIPT_CHARS: Final = 1_000_000
"""A larger JSON-LD block is skipped: product pages with every review inline stay far
below this, and decoding a huge blob on every page of a crawl would cost more than it tells."""
MAX_OBJECTS: Final = 5_000
"""JSON objects looked at on one page, at most (a bound on the work an odd page causes)."""

SELECTOR: Final = "script[type], [itemtype]"
"""The elements :func:`schema_types` reads, in one query (before scripts are stripped)."""

_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_JSON_LD: Final = "application/ld+json"


def type_name(value: str) -> str | None:
    """The plain type name of a declared type (an IRI, a prefixed or a bare name), or ``None``
    if it is not one a vocabulary would use.

    >>> type_name("https://schema.org/Product"), type_name("schema:Offer"), type_name("a b")
    ('Product', 'Offer', None)
    """
    name = re.split(r"[/#:]", value.strip().rstrip("/"))[-1]
    if len(name) > MAX_TYPE_CHARS or not _NAME.fullmatch(name):
        return None
    return name


def _json_types(text: str) -> Iterable[str]:
    """The ``@type`` values of one JSON-LD block, top-level objects first (breadth-first)."""
    if len(text) > MAX_SCRIPT_CHARS:
        return
    try:
        data: Any = json.loads(text, strict=False)  # raw newlines in strings are common
    except (ValueError, RecursionError):  # broken or absurdly nested JSON: not our problem
        return
    queue: list[Any] = [data]
    seen = 0
    for item in queue:  # the list grows while it is walked: breadth-first, no recursion
        if isinstance(item, list):
            queue.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        seen += 1
        if seen > MAX_OBJECTS:
            return
        declared = item.get("@type")
        for value in declared if isinstance(declared, list) else [declared]:
            if isinstance(value, str):
                yield value
        queue.extend(v for v in item.values() if isinstance(v, dict | list))


def _declared(nodes: Iterable[Any]) -> Iterable[str]:
    """Every type declared by ``nodes`` (matches of :data:`SELECTOR`), in document order."""
    for node in nodes:
        attrs = node.attributes
        if node.tag == "script":
            kind = attrs.get("type")
            if isinstance(kind, str) and kind.split(";")[0].strip().lower() == _JSON_LD:
                yield from _json_types(node.text(deep=True) or "")
        itemtype = attrs.get("itemtype")
        if isinstance(itemtype, str):
            yield from itemtype.split()


def schema_types(nodes: Iterable[Any]) -> list[str]:
    """The distinct schema.org type names declared by ``nodes`` (the matches of
    :data:`SELECTOR` in a parsed page), sorted; at most :data:`MAX_TYPES`. Never raises on
    page content."""
    found: dict[str, None] = {}
    for value in _declared(nodes):
        name = type_name(value)
        if name is not None:
            found[name] = None
            if len(found) >= MAX_TYPES:
                break
    return sorted(found)
