"""Strict reading of one column: every value given is read, or its row is rejected.

:mod:`linkflow.ingest.values` reads what it can and leaves the rest null. Here a cell that
holds something (not empty, not a "no value" marker such as ``-``) but cannot be read, or is
read but impossible (a negative count, a rate above 100 %, a date before the web), becomes a
*problem*: a short text naming what is wrong. The importer rejects the row of any problem
(docs/formats.md, "Values"), so a value is never silently changed into another one or
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, TypeAlias

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

__all__ = [
    "COUNT_MAX",
    "DATE_YEARS",
    "KINDS",
    "NO_VALUE",
    "Checked",
    "check_column",
    "given",
]

Array: TypeAlias = Any  # pa.Array | pa.ChunkedArray (pyarrow ships no type hints)

NO_VALUE: Final = ("", "-", "--", "–", "—", "n/a")
"""Cell texts (trimmed, any case) that mean "no value": read as null, never a problem."""

COUNT_MAX: Final = 2**53
"""The largest count read: every whole number up to it is exact in a float64 too."""

DATE_YEARS: Final = (1990, 2099)
"""Years a date of an export may fall in; anything else is a typing or export error."""

KINDS: Final = ("text", "url", "bool", "number", "count", "ratio", "percent", "date")
"""Value kinds (:data:`linkflow.ingest.formats.PARSERS`); ``count`` is a whole number ≥ 0."""

_NOT_READ: Final = {
    "bool": "not true or false", "number": "not a number", "count": "not a number",
    "ratio": "not a rate", "percent": "not a percentage", "date": "not a date",
}  # fmt: skip
_TYPES: Final = {
    "bool": pa.bool_(), "number": pa.float64(), "count": pa.int64(), "ratio": pa.float64(),
    "percent": pa.float64(), "date": pa.timestamp("s"),
}  # fmt: skip
_DEFAULT_RANGE: Final[dict[str, tuple[float | None, float | None]]] = {
    "count": (0, COUNT_MAX), "ratio": (0.0, 1.0), "percent": (0.0, 100.0),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Checked:
    """One column read strictly: ``values`` (typed; null where the cell was empty or its
    value is a problem) and ``problems`` (text per row; null where the value is fine)."""

    values: Array
    problems: Array


def given(values: Array) -> Array:
    """True where a cell holds a value: not null, not blank, not a :data:`NO_VALUE` marker."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(_as_strings(values)))
    marker = pc.is_in(text, value_set=pa.array(NO_VALUE))  # False, not null, for a null cell
    return pc.and_(pc.is_valid(text), pc.invert(marker))


def _as_strings(values: Array) -> Array:
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return values


def _number_text(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{int(x):,}"


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"out of range: must be from {_number_text(low)} to {_number_text(high)}"
    if low is not None:
        return f"out of range: must be {_number_text(low)} or more"
    if high is not None:
        return f"out of range: must be {_number_text(high)} or less"
    return "out of range"


def _problem(mask: Array, text: str) -> Array:
    return pc.if_else(pc.fill_null(mask, False), text, pa.scalar(None, pa.string()))


def _numbers(kind: str, values: Array) -> Array:
    if kind == "ratio":
        return parse_ratios(values)
    if kind == "percent":
        return parse_percents(values)
    return parse_numbers(values)


def check_column(
    kind: str, values: Array, *, low: float | None = None, high: float | None = None
) -> Checked:
    """Read ``values`` (strings) as ``kind`` (one of :data:`KINDS`), strictly.

    Problems: a given value that does not read as ``kind`` (``not a number`` ...); a number
    outside [``low``, ``high``] (for ``count`` also a fraction, and by default: counts 0 to
    :data:`COUNT_MAX`, rates 0–1, percentages 0–100; infinities always); a date outside
    :data:`DATE_YEARS`. ``text`` and ``url`` never have one (URLs are checked as keys).
    ``count`` values come back as int64, dates as ``timestamp[s]``. Never raises on any text.

    Raises ``ValueError`` for an unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown value kind {kind!r}; one of {', '.join(KINDS)}")
    values = _as_strings(values)
    if kind in ("text", "url"):
        parsed = parse_text(values)
        return Checked(parsed, pa.nulls(len(parsed), pa.string()))
    has = given(values)
    if not pc.any(has).as_py():  # an empty column (a lost date nothing lost): nothing to read
        return Checked(pa.nulls(len(values), _TYPES[kind]), pa.nulls(len(values), pa.string()))
    if kind == "bool":
        parsed = parse_bools(values)
        return Checked(parsed, _problem(pc.and_(has, pc.is_null(parsed)), _NOT_READ[kind]))
    if kind == "date":
        return _check_dates(values, has)
    return _check_numbers(kind, values, has, low, high)


def _check_dates(values: Array, has: Array) -> Checked:
    parsed = parse_dates(values)
    year = pc.year(parsed)
    inside = pc.and_(pc.greater_equal(year, DATE_YEARS[0]), pc.less_equal(year, DATE_YEARS[1]))
    unread = _problem(pc.and_(has, pc.is_null(parsed)), _NOT_READ["date"])
    outside = _problem(pc.invert(inside), _range_text(*DATE_YEARS).replace("must be", "year"))
    problems = pc.coalesce(unread, outside)
    kept = pc.if_else(pc.is_null(problems), parsed, pa.scalar(None, pa.timestamp("s")))
    return Checked(kept, problems)


def _check_numbers(
    kind: str, values: Array, has: Array, low: float | None, high: float | None
) -> Checked:
    parsed = _numbers(kind, values)
    default_low, default_high = _DEFAULT_RANGE.get(kind, (None, None))
    low = default_low if low is None else low
    high = default_high if high is None else high
    unread = _problem(pc.and_(has, pc.is_null(parsed)), _NOT_READ[kind])
    # A count's upper bound is a technical limit: name only the side that was crossed.
    wide = kind == "count"
    below = _problem(
        pc.less(parsed, low if low is not None else float("-inf")),
        _range_text(low, None if wide else high),
    )
    above = _problem(
        pc.greater(parsed, high if high is not None else float("inf")),
        _range_text(None if wide else low, high),
    )
    infinite = _problem(pc.invert(pc.is_finite(parsed)), _range_text(low, high))
    problems = pc.coalesce(unread, infinite, below, above)
    if kind == "ratio":  # written as a percentage or a fraction: say it as users read it
        problems = pc.replace_substring(
            problems, _range_text(low, high), "out of range: a rate must be from 0 to 100 %"
        )
    if kind == "count":
        fraction = _problem(pc.not_equal(pc.floor(parsed), parsed), "not a whole number")
        problems = pc.coalesce(problems, fraction)
    kept = pc.if_else(pc.is_null(problems), parsed, pa.scalar(None, pa.float64()))
    if kind == "count":
        kept = pc.cast(kept, pa.int64())  # whole numbers within ±2**53: exact, never overflows
    return Checked(kept, problems)
