"""Read Common Crawl's host- and domain-level web graph release files into arrays.

A release folder holds ``host/`` and ``domain/``, each with gzipped TAB-separated part files
(docs/formats.md, "Domain authority from Common Crawl"):

- vertices: ``<id>\\t<reversed name>`` (the domain graph adds ``\\t<n_hosts>``), sorted by
  reversed name, ids 0..n-1 in that order across the parts;
- edges: ``<from_id>\\t<to_id>``, hyperlinks and redirects alike.

The parts are found through the ``*-vertices.paths.gz`` / ``*-edges.paths.gz`` lists (paths
relative to the release root) when present, else as the ``*vertices*.txt[.gz]`` /
``*edges*.txt[.gz]`` files of the folder or of its ``vertices/`` and ``edges/`` folders.
Rows are parsed by ``pyarrow.csv`` block by block: ids go straight into numpy arrays, names
stay one Arrow string array. A bad row (an id that
is not an integer, ids out of order, an edge to an unknown vertex) or a missing part raises
:class:`~linkflow.errors.ImportFormatError` naming the file and line.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from linkflow.errors import ImportFormatError

__all__ = ["GraphFiles", "find_graph_files", "iter_edges", "read_vertices"]

_BLOCK = 16 * 1024 * 1024
_PARSE = pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False)


@dataclass(frozen=True, slots=True)
class GraphFiles:
    """The part files of one graph level, in id order."""

    vertices: tuple[Path, ...]
    edges: tuple[Path, ...]


def _text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _listed(paths_file: Path, roots: tuple[Path, ...]) -> list[Path]:
    """The part files a ``*.paths.gz`` list names, found under one of ``roots``.

    Common Crawl writes them relative to its bucket (``projects/hyperlinkgraph/<release>/
    domain/vertices/part-0.txt.gz``); a downloaded release keeps some tail of that path, so
    the longest tail that exists under a root is taken.
    """
    found: list[Path] = []
    with _text(paths_file) as fh:
        for number, line in enumerate(fh, 1):
            name = line.strip()
            if not name:
                continue
            parts = Path(name).parts
            hit = next(
                (root.joinpath(*parts[k:]) for k in range(len(parts)) for root in roots
                 if root.joinpath(*parts[k:]).is_file()),
                None,
            )  # fmt: skip
            if hit is None:
                raise ImportFormatError(
                    f"{paths_file} line {number}: part file {name} not found; download it "
                    "into the release folder, keeping its path"
                )
            found.append(hit)
    return found


def _parts(folder: Path, root: Path, kind: str, level: str) -> list[Path]:
    for where in (folder, root):
        lists = sorted(where.glob(f"*{kind}.paths.gz")) + sorted(where.glob(f"*{kind}.paths"))
        # a folder may hold both levels' lists: this level's, else those naming no level
        other = "host" if level == "domain" else "domain"
        lists = [p for p in lists if level in p.name] or [p for p in lists if other not in p.name]
        if lists:
            return _listed(lists[0], (root, folder, lists[0].parent))
    # part files named for their kind (``*-vertices.txt.gz``) or inside a ``vertices/`` folder
    files = [
        p for p in folder.rglob("*.txt*")
        if p.is_file() and p.name.endswith((".txt", ".txt.gz"))
        and kind in p.relative_to(folder).as_posix() and "ranks" not in p.name
    ]  # fmt: skip
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def find_graph_files(folder: Path, level: str = "domain") -> GraphFiles:
    """The vertex and edge part files of ``level`` (``domain`` or ``host``) in ``folder``:
    a release root (with ``host/`` and ``domain/``) or the level's own folder."""
    if level not in ("domain", "host"):
        raise ImportFormatError(f"graph level must be 'domain' or 'host', got {level!r}")
    if not folder.is_dir():
        raise ImportFormatError(f"{folder}: no such folder; pass a Common Crawl web graph release")
    sub = folder / level
    base = sub if sub.is_dir() else folder
    vertices = _parts(base, folder, "vertices", level)
    edges = _parts(base, folder, "edges", level)
    if not vertices or not edges:
        missing = "vertices" if not vertices else "edges"
        raise ImportFormatError(
            f"{base}: no {level} {missing} files (*-{missing}.paths.gz or *{missing}*.txt.gz); "
            "download both the vertices and the edges of the release"
        )
    return GraphFiles(tuple(vertices), tuple(edges))


def _columns(path: Path) -> int:
    """Number of TAB-separated columns of the file's first line (0 if it is empty)."""
    try:
        with _text(path) as fh:
            first = fh.readline().rstrip("\r\n")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ImportFormatError(f"{path}: cannot be read ({exc})") from None
    return first.count("\t") + 1 if first else 0


def _first_bad_line(path: Path, ints: int, columns: int) -> str | None:
    """Where and why Arrow refused ``path``: the first line whose column count is not
    ``columns`` or whose first ``ints`` cells are not integers (the slow path of an error);
    None when the file has no rows at all (an empty part is allowed)."""
    rows = 0
    with _text(path) as fh:
        for number, line in enumerate(fh, 1):
            cells = line.rstrip("\r\n").split("\t")
            if cells == [""]:
                continue
            rows += 1
            if len(cells) != columns:
                return f"line {number}: {len(cells)} columns, expected {columns}"
            for cell in cells[:ints]:
                if not cell.lstrip("-").isdigit():
                    return f"line {number}: {cell[:40]!r} is not an integer id"
    return None if rows == 0 else "is not a TAB-separated text file"


def _batches(
    path: Path, names: list[str], types: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    options = pacsv.ReadOptions(column_names=names, block_size=_BLOCK)
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False)
    ints = sum(1 for t in types.values() if pa.types.is_integer(t))
    try:
        reader = pacsv.open_csv(
            path, read_options=options, parse_options=_PARSE, convert_options=convert
        )
        yield from reader
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        try:
            where = _first_bad_line(path, ints, len(names))
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile):
            where = f"cannot be read ({str(exc).splitlines()[0]})"
        if where is None:
            return
        raise ImportFormatError(
            f"{path} {where}; Common Crawl web graph files are TAB-separated ids and names"
        ) from None


def read_vertices(paths: tuple[Path, ...]) -> tuple[pa.ChunkedArray, np.ndarray | None]:
    """The reversed names (index = id) and, in a domain graph, each vertex's host count."""
    width = next((w for w in map(_columns, paths) if w), 2)  # the first part with a row
    names = ["id", "name", "n_hosts"][:width] if 2 <= width <= 3 else None
    if names is None:
        raise ImportFormatError(f"{paths[0]}: {width} columns; a vertices file has 2 or 3")
    types = {"id": pa.int64(), "name": pa.string()} | (
        {"n_hosts": pa.int64()} if width == 3 else {}
    )
    chunks: list[pa.Array] = []
    hosts: list[np.ndarray] = []
    n = 0
    for path in paths:
        line = 0
        for batch in _batches(path, names, types):
            ids = batch.column(0).to_numpy()
            wrong = np.flatnonzero(ids != np.arange(n, n + ids.size))
            if wrong.size:
                at = int(wrong[0])
                raise ImportFormatError(
                    f"{path} line {line + at + 1}: vertex id {ids[at]}, expected {n + at}; "
                    "ids must run 0, 1, 2 ... in file order across the parts"
                )
            chunks.append(batch.column(1))
            if width == 3:
                hosts.append(batch.column(2).to_numpy())
            n += ids.size
            line += ids.size
    counts = np.concatenate(hosts) if hosts else None
    return pa.chunked_array(chunks, pa.string()), counts


def iter_edges(paths: tuple[Path, ...], n: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(from_ids, to_ids)`` block by block (int64), every id checked to be a vertex."""
    types = {"src": pa.int64(), "dst": pa.int64()}
    for path in paths:
        line = 0
        for batch in _batches(path, ["src", "dst"], types):
            src, dst = batch.column(0).to_numpy(), batch.column(1).to_numpy()
            bad = np.flatnonzero((src < 0) | (src >= n) | (dst < 0) | (dst >= n))
            if bad.size:
                at = int(bad[0])
                raise ImportFormatError(
                    f"{path} line {line + at + 1}: edge {src[at]} -> {dst[at]} names a vertex "
                    f"that is not in the vertices files (ids 0..{n - 1}); use the vertices "
                    "and edges of one release"
                )
            line += src.size
            yield src, dst
