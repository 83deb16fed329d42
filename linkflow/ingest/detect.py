"""Recognise an export from its bytes and header: :func:`detect`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linkflow.errors import ImportFormatError
from linkflow.ingest.formats import FORMATS, TRANCO, FormatSpec, column_map_spec, match_header
from linkflow.ingest.sniff import Head, find_header, normalize_header, read_head, split_row

__all__ = ["DetectedFormat", "detect", "detect_head"]

_TRANCO_LINE = re.compile(r"^\s*\d+\s*,\s*[^,\s]+\.[^,\s]+\s*$")


@dataclass(slots=True)
class DetectedFormat:
    """What :func:`detect` learned: who made the file and how to read it.

    ``header_line`` is 0-based in the decompressed text (``-1`` for a file without a
    header); ``columns`` are the raw header names (or the canonical names of a headerless
    file).
    """

    provider: str
    report: str
    kind: str  # backlinks | traffic | authority
    encoding: str
    delimiter: str
    header_line: int
    columns: list[str]
    spec: FormatSpec = field(repr=False)
    head: Head = field(repr=False)


def _unknown(path: Path, head: Head) -> ImportFormatError:
    known = ", ".join(sorted({s.name for s in FORMATS} | {TRANCO.name}))
    first = next((ln.strip() for ln in head.lines if ln.strip()), "")[:80]
    return ImportFormatError(
        f"{path}: unknown export format (first line {first!r}); known formats: {known}; "
        "for any other CSV pass a column map, e.g. "
        "--column-map 'source_url=Linking URL' --column-map 'target_url=My page'"
    )


def detect_head(path: Path, head: Head, column_map: Sequence[str] = ()) -> DetectedFormat:
    """Detect the format of ``path`` from its already-read ``head``."""
    if column_map:
        mapped = column_map_spec(column_map)
        wanted = {names[0] for names in mapped.columns.values()}
        found = find_header(head, lambda names: mapped if wanted <= set(names) else None)
        if found is None:
            raise ImportFormatError(
                f"{path}: no header line holds all column-map headers "
                f"({', '.join(sorted(wanted))}); check the names against the file"
            )
    else:
        found = find_header(head, match_header)
    if found is None:
        first = next((ln for ln in head.lines if ln.strip()), "")
        if not _TRANCO_LINE.match(first):
            raise _unknown(path, head)
        return DetectedFormat(
            TRANCO.provider, TRANCO.report, TRANCO.kind, head.encoding, ",", -1,
            ["rank", "domain"], TRANCO, head,
        )  # fmt: skip
    number, delimiter, names, spec = found
    return DetectedFormat(
        spec.provider, spec.report, spec.kind, head.encoding, delimiter, number, names, spec, head
    )


def detect(path: Path, *, column_map: Sequence[str] = ()) -> DetectedFormat:
    """Detect provider, report, encoding, delimiter and header line of the export at ``path``.

    Reads only the start of the file (after gzip/zip decompression) and never looks at the
    file name. ``column_map`` (``canonical=Header Name`` pairs) reads any other CSV.

    Raises :class:`ImportFormatError` when the file is not text or its header matches no
    known format; the message lists the known formats and how to pass a column map.

    >>> detect(Path("ahrefs-backlinks.csv")).provider  # doctest: +SKIP
    'ahrefs'
    """
    path = Path(path)
    return detect_head(path, read_head(path), column_map)


def header_names(fmt: DetectedFormat) -> list[str]:
    """Normalised header names of ``fmt`` (canonical names for a headerless file)."""
    if fmt.header_line < 0:
        return list(fmt.columns)
    return [normalize_header(n) for n in split_row(fmt.head.lines[fmt.header_line], fmt.delimiter)]
