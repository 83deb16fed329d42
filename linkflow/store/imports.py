"""SQL of imported exports and of the backlink profile (the ingest and backlinks stages).

Import writes are grouped by the caller in one :meth:`Store.transaction`; the profile
functions rebuild their tables from ``backlinks`` and friends each time they run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from linkflow.store.db import Store

__all__ = [
    "IMPORT_TABLES",
    "PROFILE_TABLES",
    "crawl_origin",
    "delete_import",
    "find_import",
    "next_import_id",
    "record_import",
]

IMPORT_TABLES = (
    "backlinks", "traffic", "domain_authority", "backlink_counts", "domain_counts", "queries",
)  # fmt: skip
"""Tables holding rows of one import, keyed by ``import_id``."""

PROFILE_TABLES = (
    "referring_domains", "backlink_targets", "anchor_profile", "link_velocity",
    "backlink_spread", "spam_flags", "link_gap",
)  # fmt: skip
"""Tables rebuilt by the backlink analysis."""


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
    """Remove an import and every row it brought in."""
    with store.transaction():
        for table in IMPORT_TABLES:
            store.delete(table, import_id=import_id)
        store.delete("imports", id=import_id)


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
    rejected: int,
    rejects: Sequence[Mapping[str, Any]],
) -> None:
    """Write the ``imports`` row (``rejects`` are the first rejected lines with reasons)."""
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
                "rejects": json.dumps(list(rejects), ensure_ascii=False),
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
    row = store.query("SELECT base_url, seeds FROM crawls WHERE id = ?", [crawl_id]).to_pylist()
    if not row:
        return None
    if row[0]["base_url"]:
        return str(row[0]["base_url"])
    seeds = json.loads(row[0]["seeds"] or "[]")
    return str(seeds[0]) if seeds else None


def import_table_rows(store: Store, table: str, import_id: int) -> pa.Table:
    """Rows of one import in one of :data:`IMPORT_TABLES` (for tests and exports)."""
    if table not in IMPORT_TABLES:
        raise ValueError(f"{table!r} is not an import table")
    return store.read(table, import_id=import_id)
