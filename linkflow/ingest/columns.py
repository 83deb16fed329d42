"""Typed columns from raw strings: URLs, hosts and domains, vectorised over unique values.

URL canonicalisation calls :func:`linkflow.urls.normalize` once per *distinct* value and maps
the results back with Arrow kernels, so a million rows with repeated targets cost one call
per distinct URL.
"""

from __future__ import annotations

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

__all__ = ["PARSE", "domains_of", "hosts_of", "map_unique", "normalize_urls"]

Array: TypeAlias = Any  # pa.Array | pa.ChunkedArray (pyarrow ships no type hints)

PARSE: dict[str, Callable[[Array], Array]] = {
    "text": parse_text,
    "url": parse_text,  # canonicalised later by normalize_urls, which needs the site origin
    "bool": parse_bools,
    "number": parse_numbers,
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


def normalize_urls(
    values: Array, *, base: str | None = None, strip_params: tuple[str, ...] = ()
) -> pa.Array:
    """Canonical URLs (``None`` where a value is not an http(s) URL).

    ``base`` resolves paths such as GA4's ``/blog/post?x=1`` against the site origin.
    """
    cleaned = pc.replace_substring_regex(parse_text(values), _TRAILING_NBSP, "")
    return map_unique(cleaned, lambda v: normalize(v, base, strip_params=strip_params))


def hosts_of(urls: Array) -> Array:
    """Host (without port) of each canonical URL."""
    parts = pc.extract_regex(urls, r"^[a-z]+://(?P<host>[^/:?#]+)")
    return pc.struct_field(parts, "host")


def domains_of(hosts: Array) -> pa.Array:
    """Registrable domain of each host (Public Suffix List)."""
    return map_unique(hosts, registrable_domain)
