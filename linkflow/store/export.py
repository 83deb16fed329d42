"""Generic access to any table of the audit file: its columns, whether it has rows, a
bounded preview, and a full export.

Exports stream through DuckDB ``COPY ... TO`` so a table of any size is written without
passing through Python. Table and column names are never used here without being checked
against the file's own catalogue (:func:`table_columns`), and every value travels as a
bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkflow.store.db import Store

__all__ = [
    "EXPORT_FORMATS",
    "catalogue_snapshot",
    "copy_query",
    "copy_table",
    "has_rows",
    "table_columns",
    "table_preview",
]

EXPORT_FORMATS = ("csv", "json", "jsonl", "parquet")
"""Formats :func:`copy_query` writes (``jsonl`` is one JSON object per line)."""

_TEXT_TYPES = ("VARCHAR", "JSON")
_FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
# OWASP CSV injection rule: a cell starting with one of these is read as a formula.
_FORMULA_START = "^[=+\\-@\\t\\r]"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _rows(store: Store, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return list(store.query(sql, params or []).to_pylist())


# ---------------------------------------------------------------------- catalogue
@dataclass
class _Snapshot:
    """The catalogue of one store read once, and the tables found to have rows or not."""

    store: Store
    columns: dict[str, list[tuple[str, str]]]
    filled: dict[str, bool] = field(default_factory=dict)


_SNAPSHOT: ContextVar[_Snapshot | None] = ContextVar("linkflow_catalogue", default=None)


@contextmanager
def catalogue_snapshot(store: Store) -> Iterator[None]:
    """Within the block, :func:`table_columns` and :func:`has_rows` of ``store`` answer from
    one read of the file's catalogue, and each table's rows are looked for once.

    For a reader that asks about many tables and changes none of them (the report asks
    about 60 times, each question a scan of DuckDB's catalogue): a table created, altered
    or filled inside the block is not seen.
    """
    rows = store.rows(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY table_name, column_index"
    )
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, name, dtype in rows:
        columns.setdefault(table, []).append((name, dtype))
    token = _SNAPSHOT.set(_Snapshot(store, columns))
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


def _snapshot(store: Store) -> _Snapshot | None:
    snapshot = _SNAPSHOT.get()
    return snapshot if snapshot is not None and snapshot.store is store else None


def table_columns(store: Store, table: str) -> list[tuple[str, str]]:
    """``(name, type)`` of each column of ``table`` in the file, in order; ``[]`` if absent."""
    if (snapshot := _snapshot(store)) is not None:
        return list(snapshot.columns.get(table, []))
    # duckdb_columns(), not information_schema.columns: the same rows, 25x faster to ask
    rows = store.query(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [table],
    ).to_pylist()
    return [(r["column_name"], r["data_type"]) for r in rows]


def has_rows(store: Store, table: str) -> bool:
    """Whether ``table`` exists and holds at least one row (without counting them all)."""
    snapshot = _snapshot(store)
    if snapshot is not None and table in snapshot.filled:
        return snapshot.filled[table]
    filled = bool(table_columns(store, table)) and bool(
        store.scalar(f"SELECT EXISTS (SELECT 1 FROM {_quote_ident(table)})")
    )
    if snapshot is not None:
        snapshot.filled[table] = filled
    return filled


# ---------------------------------------------------------------------- exports
def copy_table(
    store: Store, table: str, fmt: str, output: Path, *, neutralise: bool, bom: bool = False
) -> int:
    """Write every row of ``table`` (a table of the file: check it with
    :func:`table_columns` first) to ``output``, as :func:`copy_query` does."""
    select = f"SELECT * FROM {_quote_ident(table)}"
    return copy_query(store, select, fmt, output, neutralise=neutralise, bom=bom)


def copy_query(
    store: Store, select: str, fmt: str, output: Path, *, neutralise: bool, bom: bool = False
) -> int:
    """Write the rows of the query ``select`` (the caller's own SQL, never user text) to
    ``output`` with ``COPY ... TO``; return the row count.

    ``neutralise`` prefixes an apostrophe to text cells that a spreadsheet would run as a
    formula (OWASP: a leading ``= + - @``, TAB or CR). ``bom`` starts a ``csv`` file with the
    UTF-8 byte-order mark that spreadsheets need to read it as UTF-8. JSON has no NaN or
    infinity, so those become ``null`` in ``json``/``jsonl`` (as ``JSON.stringify`` does).
    Raises :class:`StoreError` when DuckDB cannot write the file.
    """
    select_list = []
    for i, row in enumerate(store.query(f"DESCRIBE {select}").to_pylist()):
        col, dtype = _quote_ident(row["column_name"]), row["column_type"]
        # DuckDB cannot write a byte-order mark, but the header row starts the file: the mark
        # goes in front of the first column's name (a plain word, so never quoted).
        alias = (
            _quote_ident("\ufeff" + row["column_name"]) if bom and fmt == "csv" and not i else col
        )
        if neutralise and dtype in _TEXT_TYPES:
            select_list.append(
                f"CASE WHEN regexp_matches({col}, '{_FORMULA_START}') "
                f"THEN '''' || {col} ELSE {col} END AS {alias}"
            )
        elif fmt in ("json", "jsonl") and dtype in _FLOAT_TYPES:
            select_list.append(f"CASE WHEN isfinite({col}) THEN {col} END AS {alias}")
        else:
            select_list.append(f"{col} AS {alias}")
    options = {
        "csv": "FORMAT csv, HEADER true",
        "json": "FORMAT json, ARRAY true",
        "jsonl": "FORMAT json",
        "parquet": "FORMAT parquet",
    }[fmt]
    sql = (
        f"COPY (SELECT {', '.join(select_list)} FROM ({select}) AS _lf_rows) "
        f"TO {_quote_literal(str(output))} ({options})"
    )
    result = store.query(sql)
    return int(result.column(0)[0].as_py()) if result.num_rows else 0


# ---------------------------------------------------------------------- preview
def table_preview(
    store: Store,
    table: str,
    limit: int,
    *,
    columns: tuple[str, ...] = (),
    order_by: tuple[tuple[str, bool], ...] = (),
) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and the first ``limit`` rows of any table of the file.

    Tables of other stages may change shape, so this reads whatever exists: the wanted
    ``columns`` the table has (all of its columns if it has none of them), sorted by the
    first ``(column, descending)`` of ``order_by`` it has. ``([], [])`` when there is no
    such table.
    """
    present = [name for name, _ in table_columns(store, table)]
    if not present:
        return [], []
    shown = [c for c in columns if c in present] or present
    order = next(((c, desc) for c, desc in order_by if c in present), None)
    clause = ""
    if order:
        clause = f" ORDER BY {_quote_ident(order[0])} {'DESC' if order[1] else 'ASC'} NULLS LAST"
    select = ", ".join(_quote_ident(c) for c in shown)
    rows = _rows(store, f"SELECT {select} FROM {_quote_ident(table)}{clause} LIMIT ?", [limit])
    return shown, rows
