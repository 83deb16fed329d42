"""Per-column value parsers: vectorised over Arrow string arrays, with slow references.

Exports write numbers, booleans, rates and dates in many ways (research/data-formats.md §0.6,
§13). Each parser takes an Arrow string array and returns a typed array; a value it cannot
read becomes null, never an exception (:mod:`linkflow.ingest.checks` turns those into
rejected rows). The ``*_py`` functions are the plain-Python references the property tests
compare the fast versions against.
"""

from __future__ import annotations

import re
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "DATE_FORMATS",
    "parse_bools",
    "parse_bools_py",
    "parse_dates",
    "parse_dates_py",
    "parse_numbers",
    "parse_numbers_py",
    "parse_percents",
    "parse_ratios",
    "parse_ratios_py",
    "parse_text",
]

# Space-like thousands separators: NBSP, narrow NBSP, thin space, plain space.
_SPACES = "\u00a0\u202f\u2009 "
_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_DECIMAL_COMMA = r"^[+-]?\d+,\d+$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
    "%d/%m/%Y",
    "%b %d, %Y",
    "%d %b %Y",
)
"""Date layouts seen in exports, tried in this order (``Sep 15, 2026`` is GSC's)."""

# The day of the month as written, in every layout of DATE_FORMATS: Arrow's strptime rolls an
# impossible date over (2026-02-30 becomes 2026-03-02), so the parsed day must equal it.
_DAY = (
    r"^(?:\d{4}-\d{1,2}-(?P<iso>\d{1,2})|\d{6}(?P<compact>\d{2})$|(?P<dmy>\d{1,2})/\d{1,2}/\d{4}"
    r"|[A-Za-z]{3} (?P<mdy>\d{1,2}),|(?P<dmony>\d{1,2}) [A-Za-z]{3} )"
)
_SECOND_60 = r"\d:\d{1,2}:60Z?$"  # second 60 rolls over to the next minute likewise


def _strings(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.utf8_trim_whitespace(values)


def parse_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Trimmed strings; empty strings become null."""
    s = _strings(values)
    return pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)


def _clean_number(s: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    for ch in _SPACES:
        s = pc.replace_substring(s, ch, "")
    thousands = pc.match_substring_regex(s, _THOUSANDS)
    s = pc.if_else(thousands, pc.replace_substring(s, ",", ""), s)
    decimal_comma = pc.match_substring_regex(s, _DECIMAL_COMMA)
    return pc.if_else(decimal_comma, pc.replace_substring(s, ",", "."), s)


def _to_float(s: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    ok = pc.match_substring_regex(s, _NUMBER)
    kept = pc.if_else(ok, s, pa.scalar(None, pa.string()))
    return pc.cast(kept, pa.float64())


def parse_numbers(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Decimals as float64: thousands separators (``,``, NBSP, thin space), decimal commas
    (``2,5``), E-notation; ``-``, empty and anything else unreadable become null.

    A comma followed by exactly three digits groups thousands (``1,240`` is 1240); any other
    single comma is a decimal comma.
    """
    s = _strings(values)
    if pc.all(pc.match_substring_regex(s, _NUMBER)).as_py() is not False:
        return pc.cast(s, pa.float64())  # the common case: plain numbers (or all null)
    return _to_float(_clean_number(s))


def parse_ratios(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Rates as fractions: ``2.53%`` is 0.0253, a bare number is already a fraction."""
    s = _strings(values)
    percent = pc.ends_with(s, "%")
    number = _to_float(_clean_number(pc.utf8_rtrim(s, characters="%")))
    return pc.if_else(percent, pc.divide(number, 100.0), number)


def parse_percents(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Numbers on a 0–100 scale, with or without a ``%`` sign (``65%`` and ``65`` are 65)."""
    return _to_float(_clean_number(pc.utf8_rtrim(_strings(values), characters="%")))


def parse_bools(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``true/false``, ``1/0``, ``yes/no`` (any case) as booleans; anything else is null."""
    s = pc.utf8_lower(_strings(values))
    yes = pc.is_in(s, value_set=pa.array(_TRUE))
    no = pc.is_in(s, value_set=pa.array(_FALSE))
    return pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))


def parse_dates(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Timestamps (seconds) from any layout of :data:`DATE_FORMATS`; others are null, and so
    are impossible dates (``2026-02-30``, second 60) that a lenient parser would roll over."""
    s = _strings(values)
    s = pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)
    result = pc.strptime(s, format=DATE_FORMATS[0], unit="s", error_is_null=True)
    for fmt in DATE_FORMATS[1:]:
        missing = pc.and_(pc.is_null(result), pc.is_valid(s))
        if not pc.any(missing).as_py():
            break  # every value parsed: skip the other layouts (most files use one)
        retry = pc.if_else(missing, s, pa.scalar(None, pa.string()))
        result = pc.coalesce(result, pc.strptime(retry, format=fmt, unit="s", error_is_null=True))
    return pc.if_else(_as_written(s, result), result, pa.scalar(None, pa.timestamp("s")))


def _as_written(text: pa.Array | pa.ChunkedArray, parsed: pa.Array | pa.ChunkedArray) -> pa.Array:
    """True where ``parsed`` is the date written in ``text``, not a rolled-over one.

    A day past the month's end lands on day 1-3 of the next month, so only those rows are
    compared with the day as written (a regex is slow; most rows skip it). Second 60 rolls
    to the next minute: a time ending in ``:60`` is never valid.
    """
    early = pc.fill_null(pc.less_equal(pc.day(parsed), 3), False)
    same_day = pc.invert(early)
    if pc.any(early).as_py():
        groups = pc.extract_regex(pc.if_else(early, text, pa.scalar(None, pa.string())), _DAY)
        day = pc.binary_join_element_wise(
            *(pc.struct_field(groups, g) for g in ("iso", "compact", "dmy", "mdy", "dmony")), ""
        )
        written = pc.equal(pc.cast(pc.if_else(early, day, None), pa.int64()), pc.day(parsed))
        same_day = pc.or_(same_day, pc.fill_null(written, False))
    leap = pc.fill_null(pc.match_substring_regex(text, _SECOND_60), False)
    return pc.and_(same_day, pc.invert(leap))


# ---------------------------------------------------------------- slow references


def _clean_number_py(text: str) -> str:
    s = text.strip()
    for ch in _SPACES:
        s = s.replace(ch, "")
    if re.match(_THOUSANDS, s):
        s = s.replace(",", "")
    elif re.match(_DECIMAL_COMMA, s):
        s = s.replace(",", ".")
    return s


def parse_numbers_py(text: str | None) -> float | None:
    """Reference for :func:`parse_numbers` on one value."""
    if text is None:
        return None
    s = _clean_number_py(text)
    return float(s) if re.match(_NUMBER, s) else None


def parse_ratios_py(text: str | None) -> float | None:
    """Reference for :func:`parse_ratios` on one value."""
    if text is None:
        return None
    s = text.strip()
    if s.endswith("%"):
        value = parse_numbers_py(s.rstrip("%"))
        return None if value is None else value / 100.0
    return parse_numbers_py(s)


def parse_bools_py(text: str | None) -> bool | None:
    """Reference for :func:`parse_bools` on one value."""
    if text is None:
        return None
    s = text.strip().lower()
    return True if s in _TRUE else False if s in _FALSE else None


def parse_dates_py(text: str | None) -> datetime | None:
    """Reference for :func:`parse_dates` on one value."""
    if text is None:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None
