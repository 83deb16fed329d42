"""The ``imports`` table: one row per imported file, written the same way by every importer.

Both the export importer (:func:`linkflow.ingest.import_file`) and the Screaming Frog crawl
import (:func:`linkflow.ingest.screaming_frog.import_screaming_frog`) write their rows with
:func:`record_import`, so a reader of ``imports`` meets one shape whatever the file was:
``site`` is always set (``'self'`` for the audited site, else a competitor's label), and
``rejects`` is always JSON text: a list, empty when nothing was rejected, of at most
:data:`MAX_REJECTS` objects ``{"line", "reason", "value"}`` (``line`` is the 1-based line of
the file, ``value`` the offending text cut to 200 characters), as docs/formats.md states.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, TypedDict

from linkflow.store import Store

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "IMPORT_TABLES",
    "MAX_REJECTS",
    "REJECT_KEYS",
    "Reject",
    "crawl_origin",
    "delete_import",
    "encode_rejects",
    "find_import",
    "import_table_rows",
    "next_import_id",
    "record_import",
]

IMPORT_TABLES: Final = (
    "backlinks", "traffic", "domain_authority", "backlink_counts", "domain_counts", "queries",
)  # fmt: skip
"""Tables holding rows of one import, keyed by ``import_id``."""

MAX_REJECTS: Final = 20
"""Rejected lines kept (with reasons) in ``imports.rejects``."""

REJECT_KEYS: Final = ("line", "reason", "value")
"""The keys of one entry of ``imports.rejects``, in order."""


class Reject(TypedDict):
    """One entry of ``imports.rejects``: a rejected line of an imported file."""

    line: int
    """The 1-based line of the file."""
    reason: str
    value: str
    """The offending text (cut to 200 characters when stored)."""


def find_import(store: Store, sha256: str, site: str) -> int | None:
    """Id of an earlier import of the same bytes for the same site, if any."""
    value = store.scalar(
        "SELECT min(id) FROM imports WHERE sha256 = ? AND site = ?", [sha256, site]
    )
    return None if value is None else int(value)


def next_import_id(store: Store) -> int:
    """A new import id (one more than the largest so far)."""
    return int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM imports"))


def delete_import(store: Store, import_id: int) -> None:
    """Remove an import and every row it brought in, in one transaction."""
    with store.transaction():
        for table in IMPORT_TABLES:
            store.delete(table, import_id=import_id)
        store.delete("imports", id=import_id)


def encode_rejects(rejects: Sequence[Reject]) -> str:
    """``imports.rejects`` of ``rejects``: a JSON list (``[]`` when empty) of the first
    :data:`MAX_REJECTS` entries, each ``{"line", "reason", "value"}`` (value cut to 200
    characters), non-ASCII kept as is.

    Raises ``ValueError`` for an entry without those keys: a reader relies on them.
    """
    out: list[Reject] = []
    for entry in list(rejects)[:MAX_REJECTS]:
        missing = [k for k in REJECT_KEYS if k not in entry]
        if missing:
            raise ValueError(f"a rejected line lacks {', '.join(missing)}: {dict(entry)!r}")
        out.append({"line": entry["line"], "reason": entry["reason"],
                    "value": str(entry["value"])[:200]})  # fmt: skip
    return json.dumps(out, ensure_ascii=False)


def record_import(
    store: Store,
    *,
    import_id: int,
    path: str,
    sha256: str,
    kind: str,
    provider: str,
    report: str,
    site: str,
    rows: int,
    rejected: int = 0,
    rejects: Sequence[Reject] = (),
) -> None:
    """Write the ``imports`` row of one file (see the module docstring for its shape).

    ``rows`` counts the data rows read, ``rejected`` those not stored; ``rejects`` are the
    first rejected lines with reasons (entries past :data:`MAX_REJECTS` are dropped).
    """
    store.append(
        "imports",
        [
            {
                "id": import_id,
                "path": path,
                "sha256": sha256,
                "kind": kind,
                "provider": provider,
                "report": report,
                "site": site,
                "rows": rows,
                "rejected": rejected,
                "rejects": encode_rejects(rejects),
                "imported_at": datetime.now(UTC).replace(tzinfo=None),
            }
        ],
    )


def crawl_origin(store: Store, crawl_id: int | None = None) -> str | None:
    """The public origin of a crawl (its base URL, else its first seed); newest crawl default."""
    if crawl_id is None:
        crawl_id = store.latest_crawl_id()
    if crawl_id is None:
        return None
    row = store.rows("SELECT base_url, seeds FROM crawls WHERE id = ?", [crawl_id])
    if not row:
        return None
    base_url, seeds = row[0]
    if base_url:
        return str(base_url)
    first = json.loads(seeds or "[]")
    return str(first[0]) if first else None


def import_table_rows(store: Store, table: str, import_id: int) -> pa.Table:
    """Rows of one import in one of :data:`IMPORT_TABLES` (for tests and exports).

    Raises ``ValueError`` for any other table.
    """
    if table not in IMPORT_TABLES:
        raise ValueError(f"{table!r} is not an import table")
    return store.read(table, import_id=import_id)
