"""The rows a crawl hands from stage to stage: a page row and a batch's link columns, typed.

:func:`linkflow.crawl.page.build_result` fills one :class:`PageRow` per fetched URL; the
engine appends each page's links to the batch's :class:`LinkColumns`, column by column;
:func:`linkflow.crawl.journal_rows.batch_files` writes both to the journal in the order of
:data:`PAGE_COLUMNS` and :data:`LINK_COLUMNS`, swapping URLs for their ids.

URLs are strings in their stored (public) form. Both types are plain ``dict`` and ``list``
at run time (a ``TypedDict`` adds nothing to the dict it describes), so the crawl's hot
loop costs what it did untyped. The tests check the keys against the column lists and the
``pages``/``links`` tables of the store, so the three cannot drift apart.
"""

# No ``from __future__ import annotations`` here: TypedDict reads ``NotRequired`` from the
# evaluated annotations, so with string annotations every key would count as required.
from datetime import datetime
from typing import Literal, NotRequired, TypedDict

from linkflow.linkrows import LINK_COLUMNS as _LINK_COLUMNS

__all__ = [
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "LinkColumn",
    "LinkColumns",
    "PageColumn",
    "PageRow",
    "new_link_columns",
]

PageColumn = Literal[
    "internal", "depth", "status", "content_type", "fetched_at", "response_ms", "bytes",
    "meta_robots", "x_robots_tag", "indexable", "title", "meta_description", "h1", "lang",
    "word_count", "content_hash", "other_scheme_links", "error", "schema_types",
]  # fmt: skip
"""A key of :class:`PageRow` written as is (its URL keys are written as ids)."""

PAGE_COLUMNS: tuple[PageColumn, ...] = (
    "internal", "depth", "status", "content_type", "fetched_at", "response_ms", "bytes",
    "meta_robots", "x_robots_tag", "indexable", "title", "meta_description", "h1", "lang",
    "word_count", "content_hash", "other_scheme_links", "error", "schema_types",
)  # fmt: skip
"""Columns of a page row besides its URLs (``url``, ``redirect_url``, ``canonical_url``),
in the order of the journal's ``pages`` file."""

LinkColumn = Literal[
    "ordinal", "anchor", "alt", "is_image", "rel", "rel_nofollow", "rel_sponsored", "rel_ugc",
    "target", "fragment", "position", "dom_path", "context",
]  # fmt: skip
"""A column of :class:`LinkColumns` written as is (``src``/``dst`` are written as ids)."""

LINK_COLUMNS: tuple[LinkColumn, ...] = _LINK_COLUMNS
"""Columns of a link row besides ``src``/``dst`` (URL strings), in the order of the
journal's ``links`` file (the order parse workers encode them in: see
:mod:`linkflow.linkrows`)."""


class PageRow(TypedDict):
    """One ``pages`` row as the crawl builds it, URLs not yet swapped for ids.

    The keys every response fills are required. The others are filled only for some
    pages: ``redirect_url`` for a redirect, the rest for a parsed HTML page. A key left out
    is stored as NULL, which is not the same as a parsed page's value (``word_count`` 0,
    ``other_scheme_links`` 0), so they are left out rather than defaulted.
    """

    url: str
    internal: bool
    depth: int | None
    """``None`` for a URL no link reached (a sitemap seed, an orphan file)."""
    status: int | None
    """``None`` when no response arrived."""
    content_type: str | None
    fetched_at: datetime
    """UTC, without a time zone (as the store keeps it)."""
    response_ms: float
    bytes: int
    x_robots_tag: str | None
    error: str | None
    indexable: bool
    redirect_url: NotRequired[str | None]
    """``None`` for a Location that is not an http(s) URL (``error`` says so)."""
    canonical_url: NotRequired[str | None]
    meta_robots: NotRequired[str | None]
    title: NotRequired[str | None]
    meta_description: NotRequired[str | None]
    h1: NotRequired[str | None]
    lang: NotRequired[str | None]
    word_count: NotRequired[int]
    content_hash: NotRequired[str | None]
    other_scheme_links: NotRequired[int]
    schema_types: NotRequired[str | None]
    """The schema.org types the page declares, space-separated (``None``: none)."""


class LinkColumns(TypedDict):
    """A batch's links, one list per column, all of the same length (row ``i`` is the
    ``i``-th item of every list). Columns rather than row dicts: a row costs one object a
    value instead of a dict besides, and the journal writes columns."""

    src: list[str]
    dst: list[str]
    ordinal: list[int]
    anchor: list[str]
    alt: list[str | None]
    is_image: list[bool]
    rel: list[str | None]
    """The lower-cased rel tokens, sorted and space-separated; ``None`` without any."""
    rel_nofollow: list[bool]
    rel_sponsored: list[bool]
    rel_ugc: list[bool]
    target: list[str | None]
    fragment: list[str | None]
    position: list[str]
    dom_path: list[str | None]
    context: list[str | None]


def new_link_columns() -> LinkColumns:
    """Empty :class:`LinkColumns`."""
    return LinkColumns(
        src=[], dst=[], ordinal=[], anchor=[], alt=[], is_image=[], rel=[], rel_nofollow=[],
        rel_sponsored=[], rel_ugc=[], target=[], fragment=[], position=[], dom_path=[],
        context=[],
    )  # fmt: skip
