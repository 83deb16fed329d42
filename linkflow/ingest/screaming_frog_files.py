"""Reading Screaming Frog export files: encoding, preamble, delimiter and header sniffing,
a full UTF-8 check, and the :class:`~linkflow.ingest.screaming_frog_stage.CsvSource` DuckDB
reads.

Sniffing follows the data-formats research loader recipe (§0): the byte-order mark decides
the encoding, else strict UTF-8, else cp1252 (Excel re-saves); the header is the first of
the first lines whose names (NFKC, stripped, inner spaces collapsed, case-folded) match a
Screaming Frog signature, after an optional title line (``"All Inlinks"``); the delimiter is
the one of ``,``, ``;`` and TAB that makes the header match.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from linkflow.errors import ImportFormatError
from linkflow.ingest.screaming_frog_stage import CsvSource

__all__ = ["Layout", "csv_source", "sniff", "verify"]

_HEAD_BYTES = 65_536
_MAX_PREAMBLE = 5
_DELIMITERS = (",", ";", "\t")
_NEWLINE = re.compile(r"\r\n|\n|\r")
_GLOB = re.compile(r"[*?\[\]{}]")

# Normalised header name -> canonical field of linkflow.ingest.screaming_frog_stage.
_INLINK_NAMES: Final = {
    "type": "type", "source": "source", "destination": "destination", "anchor": "anchor",
    "alt text": "alt", "status code": "status_code", "status": "status", "follow": "follow",
    "target": "target", "rel": "rel", "link path": "link_path", "link position": "link_position",
}  # fmt: skip
_INTERNAL_NAMES: Final = {
    "address": "address", "content type": "content_type", "status code": "status_code",
    "status": "status", "indexability": "indexability", "canonical link element 1": "canonical",
    "meta robots 1": "meta_robots", "x-robots-tag 1": "x_robots_tag",
    "redirect url": "redirect_url", "crawl depth": "crawl_depth", "title 1": "title",
    "h1-1": "h1", "meta description 1": "meta_description", "word count": "word_count",
    "response time": "response_time", "size (bytes)": "size", "size": "size",
    "crawl timestamp": "crawl_timestamp", "hash": "hash",
}  # fmt: skip
_TITLES: Final = frozenset({"all inlinks", "all outlinks"})  # title line of old layouts
_EXPECTED = (
    "expected a Screaming Frog 'All Inlinks' export (Bulk Export > Links > All Inlinks: "
    "Type, Source, Destination ... columns) or an 'Internal: All' export (Address, "
    "Content Type, Status Code ... columns)"
)


@dataclass(frozen=True, slots=True)
class Layout:
    """What sniffing learnt about one export file."""

    kind: str  # 'inlinks' | 'internal'
    encoding: str  # Python codec; 'utf-8' files are read in place
    header_line: int  # 1-based line number of the header
    delimiter: str
    columns: dict[str, int]  # canonical field -> 0-based position
    width: int


def _norm(name: str) -> str:
    """Header name as matched: NFKC, stripped, inner whitespace collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _encoding(head: bytes) -> tuple[str, int]:
    """Codec of a file from its first bytes, and the length of its byte-order mark."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    sample = head[:4096]
    if len(sample) >= 8 and sample.count(0) > len(sample) // 4:  # UTF-16 without a BOM
        odd = sample[1::2].count(0)
        return ("utf-16-le" if odd > sample[0::2].count(0) else "utf-16-be"), 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252", 0  # re-saved by Excel on Windows
    return "utf-8", 0


def _head_lines(path: Path) -> tuple[str, list[str]]:
    """The codec and the first complete lines of ``path`` (raises ImportFormatError)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
            complete = len(head) < _HEAD_BYTES
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    encoding, bom = _encoding(head)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head[bom:], final=complete)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: not a text file; {_EXPECTED}") from exc
    lines = _NEWLINE.split(text.lstrip("\ufeff"))
    if not complete:
        lines = lines[:-1]  # the last one may be cut
    return encoding, lines[: _MAX_PREAMBLE + 1]


def _parse(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _match(tokens: list[str]) -> tuple[str, dict[str, int]] | None:
    """The kind of header ``tokens`` are and their canonical columns, if they are one."""
    names = [_norm(t) for t in tokens]
    for kind, table, required, signs in (
        ("inlinks", _INLINK_NAMES, {"type"}, {"source", "destination", "follow"}),
        ("internal", _INTERNAL_NAMES, {"address"}, {"status code", "content type"}),
    ):
        if required <= set(names) and signs & set(names):
            columns: dict[str, int] = {}
            for i, name in enumerate(names):
                if name in table:
                    columns.setdefault(table[name], i)
            return kind, columns
    return None


def sniff(path: Path) -> Layout:
    """Find the header of a Screaming Frog export, or raise :class:`ImportFormatError`."""
    encoding, lines = _head_lines(path)
    title_line = 0
    for number, line in enumerate(lines, start=1):
        if not title_line and _norm(line.strip().strip('"')) in _TITLES:
            title_line = number
        for delimiter in _DELIMITERS:
            tokens = _parse(line, delimiter)
            found = _match(tokens) if len(tokens) > 1 else None
            if found is None:
                continue
            kind, columns = found
            required = ("source", "destination") if kind == "inlinks" else ("address",)
            missing = [name for name in required if name not in columns]
            if missing:
                raise ImportFormatError(
                    f"{path}: line {number}: the header has no {missing[0].title()!r} column; "
                    "export Bulk Export > Links > All Inlinks from Screaming Frog again"
                )
            return Layout(kind, encoding, number, delimiter, columns, len(tokens))
    if title_line:
        raise ImportFormatError(
            f"{path}: line {title_line + 1}: the header lacks the Type, Source and Destination "
            "columns; export Bulk Export > Links > All Inlinks from Screaming Frog again"
        )
    raise ImportFormatError(f"{path}: not a Screaming Frog export; {_EXPECTED}")


@contextmanager
def csv_source(path: Path, layout: Layout) -> Iterator[CsvSource]:
    """How DuckDB reads ``path``: in place if it is UTF-8, else a temporary UTF-8 copy (line
    breaks kept, so line numbers in errors stay right).

    A UTF-8 file whose name has glob characters is linked under a plain name: DuckDB would
    expand ``*``, ``?`` and ``[...]`` in it.
    """
    encoding = layout.encoding
    if encoding == "utf-8" and not _GLOB.search(str(path)):
        yield _source(path, path, layout)
        return
    with tempfile.TemporaryDirectory(prefix="linkflow-sf-") as tmp:
        copy = Path(tmp) / "export.csv"
        if encoding == "utf-8":
            copy.symlink_to(path.resolve())
        else:
            _transcode(path, copy, encoding)
        yield _source(path, copy, layout)


def _transcode(path: Path, copy: Path, encoding: str) -> None:
    try:
        with (
            path.open(encoding=encoding, newline="") as src,
            copy.open("w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except UnicodeError as exc:
        raise ImportFormatError(
            f"{path}: not valid {encoding} text; export it from Screaming Frog again"
        ) from exc


def _source(shown: Path, readable: Path, layout: Layout) -> CsvSource:
    return CsvSource(
        path=readable,
        shown_path=shown,
        skip=layout.header_line,
        width=layout.width,
        delimiter=layout.delimiter,
        columns=layout.columns,
    )


def verify(path: Path, layout: Layout) -> tuple[Layout, str]:
    """Hash ``path`` (SHA-256) and, for a file sniffed as UTF-8, check all of it is.

    DuckDB must never meet invalid UTF-8 (some of its error paths abort the connection), and a
    file re-saved by Excel may show its first non-ASCII byte only after the sniffed head: when
    everything before the first invalid byte is ASCII, the file is read as cp1252 instead.
    Returns the (possibly updated) layout and the hex digest.

    Raises :class:`ImportFormatError` naming the line of an invalid byte in a file that is
    otherwise UTF-8.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    checking, line, ascii_only = layout.encoding == "utf-8", 1, True
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            if not checking:
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                checking = False
                bad = max(0, min(exc.start, len(chunk)))
                if not (ascii_only and chunk[:bad].isascii()):
                    where = line + chunk.count(b"\n", 0, bad)
                    raise ImportFormatError(
                        f"{path}: line {where}: the text is not valid UTF-8; save the file as "
                        "UTF-8 and import it again"
                    ) from exc
                layout = dataclasses.replace(layout, encoding="cp1252")
                continue
            line += chunk.count(b"\n")
            ascii_only = ascii_only and chunk.isascii()
    if checking and decoder.getstate()[0]:
        raise ImportFormatError(
            f"{path}: line {line}: the file ends inside a character; export it again"
        )
    return layout, digest.hexdigest()
