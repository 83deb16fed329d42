"""A page's links as rows of the crawl journal's CSV, encoded where the page is parsed.

The crawl stores each link as one CSV row of its journal's ``links`` file: the ids of its
two URLs, then :data:`LINK_COLUMNS`. Those columns come from the page alone, so a parse
worker encodes them (:func:`link_lines`) and the crawl process only puts the two ids in
front of each line: it never rebuilds a :class:`~linkflow.models.Link` nor a list per
column for a worker's page (on the Rust docs' 1.7 million links, writing them as CSV in the
crawl process took a fifth of its CPU, and held the interpreter lock while it fetched).

The dialect, one for every journal file (see :mod:`linkflow.crawl.journal_rows`): every
string is quoted (quotes doubled), ``None`` is an empty unquoted field, so DuckDB reads NULL
and ``""`` apart (``allow_quoted_nulls=false``); text is UTF-8, a lone surrogate replaced.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Final

from linkflow.models import POSITIONS, Link

__all__ = [
    "LINK_COLUMNS", "NULL", "Cell", "Columns", "LinkRows", "csv_lines", "link_lines",
    "quoted", "write_csv",
]  # fmt: skip

LINK_COLUMNS: Final = (
    "ordinal", "anchor", "alt", "is_image", "rel", "rel_nofollow", "rel_sponsored", "rel_ugc",
    "target", "fragment", "position", "dom_path", "context",
)  # fmt: skip
"""Columns of a link row besides its URLs' ids, in the order of the journal's ``links`` file."""

Cell = str | int | float | datetime
"""A value as the CSV writer gets it (``bool`` is an ``int``); ``None`` is :data:`NULL` by then."""

Columns = list[Sequence[Cell]]
"""Rows, a sequence a column."""


class _Null(int):
    """What the CSV writer gets for ``None``: a number (so it is written unquoted) that
    prints as nothing. Strings are always quoted, so an empty field is NULL and ``""`` is
    an empty string when DuckDB reads the file back (``allow_quoted_nulls=false``)."""

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


NULL: Final = _Null()


def _writer(write: Callable[[str], object]) -> Callable[[Iterable[Iterable[Cell]]], None]:
    sink = _Sink(write)
    return csv.writer(sink, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows


class _Sink:
    """What ``csv.writer`` writes to: each row goes to ``write`` as one string."""

    __slots__ = ("write",)

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


def write_csv(f: IO[bytes], columns: Columns) -> None:
    """Append the rows of ``columns`` to ``f`` as CSV, streamed: a batch's text is never
    built whole in memory (a 50-page batch of links is megabytes of text, held four bytes a
    character by ``StringIO``; glibc kept those blocks resident, about 40 MB over a crawl)."""
    # A lone surrogate (undecodable input kept by a lenient decoder) must not kill a crawl.
    text = io.TextIOWrapper(f, encoding="utf-8", errors="replace", newline="")
    try:
        _writer(text.write)(zip(*columns, strict=True))
        text.flush()
    finally:
        text.detach()  # leave ``f`` open


def csv_lines(columns: Columns) -> list[str]:
    """The rows of ``columns`` as CSV lines, each ending in a newline (a quoted field may
    hold newlines too, so the lines are kept apart rather than joined)."""
    lines: list[str] = []
    _writer(lines.append)(zip(*columns, strict=True))
    return lines


def quoted(text: str) -> str:
    """``text`` as one quoted CSV field, as :func:`csv_lines` writes a string.

    For long text: ``str.replace`` scans it in C at memory speed, where the csv module
    handles it a character at a time (about 30 MB/s; on the PostgreSQL docs, writing the
    pages' main text took a sixth of the crawl process's time).
    """
    return '"' + text.replace('"', '""') + '"'


_POSITION_FIELDS: Final = {position: quoted(position) for position in POSITIONS}
_NO_REL: Final = ",False,False,False,"
"""The rel columns of a link without rel: no text, and none of the three flags."""


def _rel_fields(rel: frozenset[str]) -> str:
    """The rel columns of a link with ``rel``: its words sorted, then the three flags."""
    return (
        f"{quoted(' '.join(sorted(rel)))},{'nofollow' in rel},{'sponsored' in rel},{'ugc' in rel},"
    )


def link_lines(links: Sequence[Link]) -> list[str]:
    """Each link's :data:`LINK_COLUMNS` as one CSV line, in the order of ``links``: the
    lines :func:`csv_lines` writes for them, built with ``str.replace`` instead of the csv
    module, which reads a field a character at a time (with the long fields, the DOM path
    and the sentence, that took 6 to 11 % of a parse worker's CPU on the Python docs).

    A parse worker runs this for every link, so the fields that are mostly absent (alt,
    target, fragment) and the closed ones (position) are written without a call each
    (1.0 against 1.55 us a link on the Rust docs' API pages, 1.2 against 1.7 on the Python
    docs).
    """
    lines: list[str] = []
    append = lines.append
    positions = _POSITION_FIELDS
    for lk in links:
        rel, alt, target, fragment = lk.rel, lk.alt, lk.target, lk.fragment
        path, context, position = lk.dom_path, lk.context, lk.position
        append(
            f"{lk.ordinal},{quoted(lk.anchor)},{'' if alt is None else quoted(alt)},"
            f"{lk.is_image},{_rel_fields(rel) if rel else _NO_REL}"
            f"{'' if target is None else quoted(target)},"
            f"{'' if fragment is None else quoted(fragment)},"
            f"{positions.get(position) or quoted(position)},"
            f"{quoted(path) if path else ''},{'' if context is None else quoted(context)}\n"
        )
    return lines


@dataclass(slots=True)
class LinkRows:
    """A page's links as the crawl stores them: each link's URL (normalised, absolute, as
    parsed) and its :data:`LINK_COLUMNS` as one CSV line, in the page's order."""

    urls: list[str]
    lines: list[str]

    @classmethod
    def of(cls, links: Sequence[Link]) -> LinkRows:
        return cls([lk.url for lk in links], link_lines(links))
