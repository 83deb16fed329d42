"""Exports of store tables to CSV, JSON (array or lines) and Parquet.

Every export streams inside DuckDB (``COPY ... TO``), so tables bigger than memory are fine.
A file is written under a temporary name and renamed into place, so a failed export never
leaves a truncated file where a complete one is expected.

CSV is UTF-8 with a header row, and text cells that a spreadsheet would evaluate as a
formula (OWASP: starting with ``= + - @``, TAB or CR) get a leading apostrophe. JSON and
Parquet keep every value exactly as stored.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from linkflow.errors import ReportError, StoreError
from linkflow.store import Store
from linkflow.store.export import copy_table, table_columns

__all__ = ["FORMATS", "export_all", "export_table"]

FORMATS = ("csv", "json", "parquet")
"""Formats accepted by :func:`export_table` (``json`` to a ``.jsonl`` file writes JSON lines)."""


def export_table(store: Store, table: str, fmt: str, output: Path) -> int:
    """Write every row of ``table`` to ``output`` as ``fmt``; return the number of rows.

    Parameters
    ----------
    store: the open audit.
    table: a table of the audit file (see :meth:`Store.tables`).
    fmt: ``csv``, ``json`` or ``parquet``. ``json`` writes a list of objects, or one object
        per line when ``output`` ends in ``.jsonl``.
    output: the file to write; its folder is created; an existing file is replaced.

    Raises
    ------
    ReportError: unknown table or format, or the file cannot be written.

    Example
    -------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with Store.open(folder / "audit.duckdb") as store:
    ...     export_table(store, "crawls", "csv", folder / "crawls.csv")
    0
    """
    output = Path(output)
    tables = store.tables()
    if table not in tables or not table_columns(store, table):
        raise ReportError(
            f"{store.path}: no table {table!r} to export; choose one of: {', '.join(tables)}"
        )
    if fmt not in FORMATS:
        raise ReportError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    kind = "jsonl" if fmt == "json" and output.suffix.lower() == ".jsonl" else fmt
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{output.parent}: cannot create the export folder ({exc})") from exc
    partial = output.with_name(f".{output.name}.partial")
    try:
        rows = copy_table(store, table, kind, partial, neutralise=kind == "csv")
        os.replace(partial, output)
    except (StoreError, OSError) as exc:
        _discard(partial)
        raise ReportError(
            f"{output}: cannot export {table} ({_first_line(exc)}); "
            "check the folder exists and is writable"
        ) from exc
    return rows


def export_all(store: Store, out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Export every table of the audit to ``out_dir/<table>.<fmt>``; return the paths written.

    Empty tables are exported too (a header-only CSV), so the set of files is predictable.
    Raises :class:`ReportError` as :func:`export_table` does.
    """
    out_dir = Path(out_dir)
    paths = []
    for table in store.tables():
        path = out_dir / f"{table}.{fmt}"
        export_table(store, table, fmt, path)
        paths.append(path)
    return paths


def _discard(path: Path) -> None:
    """Remove a half-written file; never mask the error being reported."""
    with contextlib.suppress(OSError):
        if path.is_file():
            path.unlink()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
