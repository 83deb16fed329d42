"""Bytes-level sniffing: compression, encoding, preamble, header line and delimiter.

Detection never looks at the file name: exports are renamed, truncated and re-downloaded
with `` (1)`` suffixes (research/data-formats.md §2.1, §7.1). It reads at most
:data:`HEAD_BYTES` of the (decompressed) content.
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from linkflow.errors import ImportFormatError

__all__ = [
    "HEAD_BYTES",
    "Head",
    "data_offset",
    "find_header",
    "normalize_header",
    "open_content",
    "read_head",
    "split_row",
]

HEAD_BYTES = 256 * 1024
_DELIMITERS = ("\t", ",", ";", "|")
_WS = re.compile(r"\s+")
_ZIP_PREFERRED = ("pages.csv",)  # the GSC Performance zip: traffic per page
T = TypeVar("T")


def normalize_header(name: str) -> str:
    """NFKC, strip surrounding quotes and spaces, collapse inner whitespace, casefold."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "")
    text = _WS.sub(" ", text.strip().strip('"').strip())
    return text.casefold()


@dataclass(frozen=True, slots=True)
class Head:
    """The decoded start of a file: ``lines`` keep their line endings."""

    encoding: str  # a Python codec name: utf-8, utf-16-le, utf-16-be or cp1252
    bom: int  # bytes of byte-order mark before the text
    compression: str  # '', 'gzip' or 'zip:<member>'
    lines: tuple[str, ...]
    complete: bool  # the whole content fits in the head


def _zip_member(path: Path, zf: zipfile.ZipFile) -> str:
    names = [n for n in zf.namelist() if n.lower().endswith((".csv", ".txt", ".tsv"))]
    for preferred in _ZIP_PREFERRED:
        for name in names:
            if name.rsplit("/", 1)[-1].lower() == preferred:
                return name
    if len(names) == 1:
        return names[0]
    raise ImportFormatError(
        f"{path}: zip holds {len(names)} CSV files ({', '.join(names[:8]) or 'none'}); "
        "unzip it and import the one you mean"
    )


@contextmanager
def open_content(path: Path) -> Iterator[tuple[BinaryIO, str]]:
    """Open ``path`` for binary reading, decompressing gzip and zip (by magic bytes)."""
    try:
        with path.open("rb") as raw:
            magic = raw.read(4)
            raw.seek(0)
            if magic[:2] == b"\x1f\x8b":
                with gzip.open(raw, "rb") as gz:
                    yield gz, "gzip"  # type: ignore[misc]
                return
            if magic == b"PK\x03\x04":
                with zipfile.ZipFile(raw) as zf:
                    member = _zip_member(path, zf)
                    with zf.open(member) as inner:
                        yield inner, f"zip:{member}"  # type: ignore[misc]
                return
            yield raw, ""
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc})") from exc


def _sniff_encoding(data: bytes) -> tuple[str, int]:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le", 2
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    sample = data[:4096]
    if sample and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le", 0  # UTF-16 without BOM: NULs at odd offsets
    if sample and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be", 0
    return "utf-8", 0


def _decode_head(path: Path, data: bytes, encoding: str, complete: bool) -> tuple[str, str]:
    import codecs

    for enc in (encoding, "cp1252") if encoding == "utf-8" else (encoding,):
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
        try:
            return decoder.decode(data, final=complete), enc
        except UnicodeDecodeError:
            continue
    raise ImportFormatError(
        f"{path}: not text in {encoding} (or cp1252); export it again as CSV (UTF-8)"
    )


def read_head(path: Path) -> Head:
    """Decode the first :data:`HEAD_BYTES` of ``path`` (after decompression)."""
    with open_content(path) as (stream, compression):
        try:
            data = stream.read(HEAD_BYTES + 1)
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ImportFormatError(f"{path}: cannot be read ({exc})") from exc
    complete = len(data) <= HEAD_BYTES
    data = data[:HEAD_BYTES]
    encoding, bom = _sniff_encoding(data)
    text, encoding = _decode_head(path, data[bom:], encoding, complete)
    if "\x00" in text:
        raise ImportFormatError(f"{path}: binary data, not a CSV export; export it as CSV")
    lines = text.split("\n")
    kept = [line + "\n" for line in lines[:-1]]
    if complete and lines[-1]:
        kept.append(lines[-1])
    return Head(encoding, bom, compression, tuple(kept), complete)


def split_row(line: str, delimiter: str) -> list[str]:
    """Split one CSV line honouring quotes (``""`` inside a quoted field is one ``"``)."""
    rows = list(csv.reader([line.rstrip("\r\n")], delimiter=delimiter))
    return rows[0] if rows else []


def _delimiters(line: str) -> list[str]:
    counts = {d: line.count(d) for d in _DELIMITERS}
    return sorted((d for d in _DELIMITERS if counts[d]), key=lambda d: -counts[d]) or [","]


def find_header(
    head: Head, match: Callable[[list[str]], T | None], *, max_lines: int = 60
) -> tuple[int, str, list[str], T] | None:
    """The first line (0-based), its delimiter, raw names and ``match`` result that matches.

    ``match`` receives the normalised names of a candidate line and returns a truthy value
    when they are a known header; preamble lines (GA4 ``#`` blocks, title rows) never match.
    """
    for number, line in enumerate(head.lines[:max_lines]):
        if not line.strip():
            continue
        for delimiter in _delimiters(line):
            try:
                names = split_row(line, delimiter)
            except csv.Error:
                continue
            result = match([normalize_header(n) for n in names])
            if result is not None:
                return number, delimiter, names, result
    return None


def data_offset(head: Head, header_line: int) -> int:
    """Byte offset of the first line after ``header_line`` in the decompressed content."""
    text = "".join(head.lines[: header_line + 1])
    return head.bom + len(text.encode(head.encoding))
