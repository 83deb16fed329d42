"""Statement parameters handed to DuckDB without its Python client binding them.

DuckDB's Python client (1.5) imports pandas, NumPy and pyarrow, when they are installed, the
first time it binds any Python value: about 80 MB of resident memory in a crawl or a journal
load that otherwise needs none of them. :func:`run` writes plain values into a prepared
statement as literals instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb

__all__ = ["Params", "literal", "run"]

Params = Sequence[Any] | Mapping[str, Any] | None
"""Statement parameters: positional (``?``, ``$1``) or named (``$name``)."""


def literal(value: object) -> str | None:
    """``value`` as SQL literal text, or ``None`` for a value left to DuckDB to bind.

    Only types whose literal reads back as the same value: ``None``, bools, ints, floats,
    strings without NUL, and datetimes.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)"
    if isinstance(value, str):
        return None if "\x00" in value else "'" + value.replace("'", "''") + "'"
    if isinstance(value, datetime):
        kind = "TIMESTAMPTZ" if value.tzinfo is not None else "TIMESTAMP"
        return f"{kind} '{value.isoformat(sep=' ')}'"
    return None


_PREPARABLE = re.compile(
    r"^(?:\s|--[^\n]*\n)*(?:SELECT|WITH|INSERT|UPDATE|DELETE|FROM|VALUES)\b", re.IGNORECASE
)
"""Statements DuckDB can prepare (``CREATE TABLE ... AS`` is not one of them)."""


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
    """Execute ``sql`` with ``params`` on ``con``; the result is read from the return value.

    Positional parameters of plain types are passed as literals to a prepared statement
    (see the module docstring). Other parameters (named, lists, other types), and those of
    statements DuckDB cannot prepare, are bound by DuckDB as given.
    """
    if not params:
        return con.execute(sql)
    if isinstance(params, Sequence) and _PREPARABLE.match(sql) is not None:
        literals = [literal(v) for v in params]
        if all(lit is not None for lit in literals):
            # One name for every statement: PREPARE replaces the previous one, and a
            # DEALLOCATE here would discard the result before the caller reads it.
            con.execute(f"PREPARE _lf_stmt AS {sql}")
            return con.execute(f"EXECUTE _lf_stmt({', '.join(map(str, literals))})")
    return con.execute(sql, params)
