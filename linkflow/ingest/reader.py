"""Read a detected export into an Arrow table of canonical string columns, fast.

The rows are parsed by ``pyarrow.csv`` (multi-threaded C++), never by a Python loop; only
the columns the format maps are kept. A file that is not well-formed CSV (a row with the
wrong number of cells, an unterminated quote, bytes that are not in the sniffed encoding)
raises :class:`ImportFormatError` naming the file, the line and the problem.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from linkflow.errors import ImportFormatError
from linkflow.ingest.detect import DetectedFormat, header_names
from linkflow.ingest.sniff import data_offset, open_content

__all__ = ["RawTable", "file_sha256", "read_export"]

_CHUNK = 8 * 1024 * 1024
_TOTAL_MARKERS = ("grand total", "total")


@dataclass(slots=True)
class RawTable:
    """Canonical columns (all strings) of the data rows, where the data starts, and the
    file's own header name of each canonical column (reasons of rejects name it)."""

    table: pa.Table
    first_line: int  # 1-based line number of the first data row
    skipped_lines: tuple[int, ...]  # summary rows the parser dropped (GA4 "Grand total")
    headers: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes as stored (before decompression)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc})") from exc
    return digest.hexdigest()


def _looks_complete(path: Path, fmt: DetectedFormat) -> bool:
    """False when the content was cut short: an odd number of ``"`` (a quoted field never
    ends), or, in an export that quotes every field, a last line not ending in ``"``."""
    wide = fmt.encoding.startswith("utf-16")
    quote = 0x22 if fmt.encoding == "utf-16-le" else 0x2200
    total = 0
    tail = b""
    with open_content(path) as (stream, _):
        stream.read(fmt.head.bom)
        while chunk := stream.read(_CHUNK):
            if wide:
                usable = len(chunk) - len(chunk) % 2
                total += int(np.count_nonzero(np.frombuffer(chunk[:usable], "<u2") == quote))
            else:
                total += chunk.count(b'"')
            tail = (tail + chunk)[-64:]
    if total % 2:
        return False
    header = fmt.head.lines[fmt.header_line].strip() if fmt.header_line >= 0 else ""
    if len(header) > 1 and header.startswith('"') and header.endswith('"'):
        last = tail.decode(fmt.encoding, errors="replace").rstrip("\r\n")
        return last.endswith('"')
    return True


def _column_indices(path: Path, fmt: DetectedFormat) -> dict[str, int]:
    names = header_names(fmt)
    found: dict[str, int] = {}
    for canonical, aliases in fmt.spec.columns.items():
        for alias in aliases:
            if alias in names:
                found[canonical] = names.index(alias)
                break
    if not any(c in found for c in ("source_url", "url", "domain", "query")):
        raise ImportFormatError(f"{path}: {fmt.spec.name} export without its URL column")
    return found


def _is_total(text: str) -> bool:
    first = text.split(",", 2)
    return any(m in text.casefold() for m in _TOTAL_MARKERS) and (not first[0].strip('"'))


def _locate(path: Path, fmt: DetectedFormat, text: str) -> int | None:
    """1-based number of the first line reading ``text`` (multi-threaded parsing does not
    say which line it rejected; this runs only on the error path)."""
    try:
        with open_content(path) as (stream, _):
            reader = io.TextIOWrapper(stream, encoding=fmt.encoding, newline="")
            for number, line in enumerate(reader, start=1):
                if line.rstrip("\r\n").lstrip("\ufeff") == text:
                    return number
    except (UnicodeDecodeError, ImportFormatError, OSError, EOFError):
        return None
    return None


def _problem(path: Path, fmt: DetectedFormat, rows: list[Any], first_line: int) -> str:
    row = rows[0]
    number = first_line + row.number - 1 if row.number is not None else None
    number = number or _locate(path, fmt, row.text)
    where = f"line {number}" if number is not None else "a row"
    return (
        f"{path}: {where} has {row.actual_columns} cells where the header has "
        f"{row.expected_columns} ({row.text[:80]!r}); the file is truncated or not one export"
    )


def read_export(path: Path, fmt: DetectedFormat) -> RawTable:
    """Read every data row of ``path`` (as detected in ``fmt``) into canonical columns."""
    indices = _column_indices(path, fmt)
    width = len(fmt.columns)
    names = [f"c{i}" for i in range(width)]
    first_line = fmt.header_line + 2
    invalid: list[Any] = []

    def on_invalid(row: Any) -> str:
        invalid.append(row)
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=names,
        encoding="utf8" if fmt.encoding == "utf-8" else fmt.encoding,
        block_size=16 * 1024 * 1024,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=fmt.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    keep = [f"c{i}" for i in sorted(set(indices.values()))]
    convert_options = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in keep},
        include_columns=keep,
        strings_can_be_null=False,
    )
    if not _looks_complete(path, fmt):
        raise ImportFormatError(
            f"{path}: the last line is cut short (unbalanced quotes or a missing last "
            "field); the file is truncated or corrupt, export it again"
        )
    try:
        with open_content(path) as (stream, _):
            offset = data_offset(fmt.head, fmt.header_line) if fmt.header_line >= 0 else 0
            stream.read(offset)
            table = pacsv.read_csv(stream, read_options, parse_options, convert_options)
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError) as exc:
        problem = str(exc).splitlines()[0][:200]
        raise ImportFormatError(
            f"{path}: cannot be parsed as {fmt.spec.name} ({problem}); export it again"
        ) from exc
    bad = [row for row in invalid if not _is_total(row.text)]
    if bad:
        raise ImportFormatError(_problem(path, fmt, bad, first_line))
    skipped = sorted(_locate(path, fmt, row.text) or first_line for row in invalid)
    columns = {canonical: table.column(f"c{i}") for canonical, i in indices.items()}
    headers = {
        canonical: (fmt.columns[i].strip().lstrip("\ufeff").strip() or canonical)
        if i < len(fmt.columns) else canonical
        for canonical, i in indices.items()
    }  # fmt: skip
    return RawTable(pa.table(columns), first_line, tuple(skipped), headers)
