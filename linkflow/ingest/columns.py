"""Typed columns from raw strings: URLs, hosts and domains, vectorised over unique values.

URL canonicalisation calls :func:`linkflow.urls.normalize` once per *distinct* value and maps
the results back with Arrow kernels, so a million rows with repeated targets cost one call
per distinct URL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from linkflow.ingest.values import (
    parse_bools,
    parse_dates,
    parse_numbers,
    parse_percents,
    parse_ratios,
    parse_text,
)
from linkflow.urls import normalize, registrable_domain

__all__ = [
    "PARSE",
    "canonical_mask",
    "domains_of",
    "hosts_of",
    "map_unique",
    "normalize_urls",
    "unescape_html",
]

Array: TypeAlias = Any  # pa.Array | pa.ChunkedArray (pyarrow ships no type hints)

PARSE: dict[str, Callable[[Array], Array]] = {
    "text": parse_text,
    "url": parse_text,  # canonicalised later by normalize_urls, which needs the site origin
    "bool": parse_bools,
    "number": parse_numbers,
    "count": parse_numbers,  # read strictly (whole, 0 or more) by linkflow.ingest.checks
    "ratio": parse_ratios,
    "percent": parse_percents,
    "date": parse_dates,
}
"""Value parser of each kind named in :data:`linkflow.ingest.formats.PARSERS`."""

# Encoded or literal NBSPs at the end of a URL (Semrush) make near-duplicate URLs.
_TRAILING_NBSP = "(%[cC]2%[aA]0|\u00a0)+$"


def map_unique(values: Array, func: Callable[[str], str | None]) -> pa.Array:
    """``func`` applied to every distinct non-null string of ``values``, mapped back."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    uniques = pc.unique(values)
    mapped = pa.array(
        [None if v is None else func(v) for v in uniques.to_pylist()], type=pa.string()
    )
    return pc.take(mapped, pc.index_in(values, value_set=uniques))


# A URL already in the canonical form of linkflow.urls.normalize: lower-case http(s) scheme
# and host, no port, user info, fragment, percent-escape or dot segment, a path, and only
# characters normalize() never escapes. normalize() returns such a URL unchanged, so it can
# skip the Python call (a property test checks this).
_CANONICAL = (
    r"^https?://[a-z0-9-]+(\.[a-z0-9-]+)*/[A-Za-z0-9\-._~/!$&'()*+,;=:@]*"
    r"(\?[A-Za-z0-9\-._~/!$&'()*+,;=:@?]+)?$"
)
# Besides: dot segments, empty query parts, and a host whose last label is a number (all
# digits, or "0x" and hex digits): the URL parser reads such a host as an IPv4 address,
# which normalize() rewrites ("1.2.3.04" is 1.2.3.4) or refuses ("www.example.com.0").
_NOT_CANONICAL = (
    r"(/\.\.?(/|\?|$))|(\?&)|(&&)|(&$)"
    r"|(^https?://([a-z0-9-]+\.)*([0-9]+|0x[0-9a-f]*)/)"
)


def canonical_mask(values: Array, strip_params: tuple[str, ...] = ()) -> Array:
    """True where a string is already canonical (``normalize`` would return it unchanged)."""
    mask = pc.and_(
        pc.match_substring_regex(values, _CANONICAL),
        pc.invert(pc.match_substring_regex(values, _NOT_CANONICAL)),
    )
    if strip_params:
        keys = "|".join(re.escape(p) for p in strip_params)
        stripped = pc.match_substring_regex(values, f"[?&]({keys})(=|&|$)", ignore_case=True)
        mask = pc.and_(mask, pc.invert(stripped))
    return pc.fill_null(mask, False)


def normalize_urls(
    values: Array, *, base: str | None = None, strip_params: tuple[str, ...] = ()
) -> pa.Array:
    """Canonical URLs (``None`` where a value is not an http(s) URL).

    ``base`` resolves paths such as GA4's ``/blog/post?x=1`` against the site origin. Values
    already canonical are kept as they are; only the others go through ``normalize``.
    """
    cleaned = pc.replace_substring_regex(parse_text(values), _TRAILING_NBSP, "")
    if isinstance(cleaned, pa.ChunkedArray):
        cleaned = cleaned.combine_chunks()
    fast = canonical_mask(cleaned, strip_params)
    slow = pc.if_else(fast, pa.scalar(None, pa.string()), cleaned)
    fixed = map_unique(slow, lambda v: normalize(v, base, strip_params=strip_params))
    return pc.if_else(fast, cleaned, fixed)


def hosts_of(urls: Array) -> Array:
    """Host (without port) of each canonical URL."""
    parts = pc.extract_regex(urls, r"^[a-z]+://(?P<host>[^/:?#]+)")
    return pc.struct_field(parts, "host")


def domains_of(hosts: Array) -> pa.Array:
    """Registrable domain of each host (Public Suffix List)."""
    return map_unique(hosts, registrable_domain)


_ENTITY = r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+[0-9]*);"


def unescape_html(values: Array) -> Array:
    """HTML entities decoded (Semrush writes ``&amp;`` in titles and anchors)."""
    has = pc.fill_null(pc.match_substring_regex(values, _ENTITY), False)
    if not pc.any(has).as_py():
        return values
    fixed = map_unique(pc.if_else(has, values, pa.scalar(None, pa.string())), html.unescape)
    return pc.if_else(has, fixed, values)
