"""Writers of analysis results: page_metrics, findings and analysis_runs.

Rows arrive as Arrow tables keyed by url id; URL strings are joined here in SQL, so an
analysis of a million pages never formats a million URLs in Python.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from linkflow.store.db import Store
from linkflow.store.graph import _registered

__all__ = [
    "FINDING_SCHEMA",
    "finding_counts",
    "finish_run",
    "read_findings",
    "start_run",
    "write_findings",
    "write_page_metrics",
]

FINDING_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("severity", pa.string()),
        ("url_id", pa.int64()),
        ("ref_id", pa.int64()),
        ("detail", pa.string()),
        ("why", pa.string()),
        ("value", pa.float64()),
    ]
)
"""Columns an analysis hands to :func:`write_findings`. ``url_id`` names the page the
finding is about (NULL for site-wide findings); ``{ref}`` in ``detail`` is replaced by the
URL of ``ref_id``."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_run(store: Store, crawl_id: int, kind: str, settings: Mapping[str, Any]) -> int:
    """Record the start of an analysis of ``crawl_id`` and return the run id."""
    with store.transaction():
        run_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM analysis_runs"))
        store.append(
            "analysis_runs",
            [
                {
                    "id": run_id,
                    "crawl_id": crawl_id,
                    "kind": kind,
                    "settings_json": json.dumps(dict(settings), default=str, sort_keys=True),
                    "started_at": _now(),
                }
            ],
        )
    return run_id


def finish_run(store: Store, run_id: int, details: Mapping[str, Any]) -> None:
    """Record the end of run ``run_id`` with its details (iterations, error bound, timings)."""
    with store._lock:
        store.con.execute(
            "UPDATE analysis_runs SET finished_at = ?, details_json = ? WHERE id = ?",
            [_now(), json.dumps(dict(details), default=str, sort_keys=True), run_id],
        )


_OTHER_METRICS = (
    "backlinks", "referring_domains", "external_authority", "authority", "authority_score",
    "clicks", "impressions", "sessions",
)  # fmt: skip
"""page_metrics columns other analyses fill; a rewrite of the internal columns keeps them."""


def write_page_metrics(store: Store, crawl_id: int, metrics: pa.Table) -> int:
    """Replace the internal columns of ``crawl_id``'s page_metrics with ``metrics``.

    ``metrics`` has url_id plus any of in_graph, equity, equity_score, depth, inlinks,
    content_inlinks, outlinks, content_outlinks, external_outlinks, is_money; url, status,
    indexable and in_sitemap are filled from the crawl here, and the columns the backlink
    analysis fills are kept for URLs that stay. Returns the number of rows.
    """
    cols = [c for c in metrics.column_names if c != "url_id"]
    picked = ", ".join(f"m.{c}" for c in cols)
    kept = ", ".join(f"k.{c}" for c in _OTHER_METRICS)
    with store.transaction(), _registered(store, "_lf_metrics", metrics):
        store.con.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_kept AS SELECT url_id, "
            f"{', '.join(_OTHER_METRICS)} FROM page_metrics WHERE crawl_id = ?",
            [crawl_id],
        )
        store.delete("page_metrics", crawl_id=crawl_id)
        store.con.execute(
            "INSERT INTO page_metrics BY NAME "
            f"SELECT ? AS crawl_id, m.url_id, u.url, p.status, p.indexable, {picked}, {kept}, "
            "m.url_id IN (SELECT url_id FROM sitemap_urls WHERE crawl_id = ?) AS in_sitemap "
            "FROM _lf_metrics m JOIN urls u ON u.id = m.url_id "
            "LEFT JOIN (SELECT url_id, first(status ORDER BY fetched_at DESC NULLS LAST) "
            "  AS status, first(indexable ORDER BY fetched_at DESC NULLS LAST) AS indexable "
            "  FROM pages WHERE crawl_id = ? GROUP BY url_id) p ON p.url_id = m.url_id "
            "LEFT JOIN _lf_kept k ON k.url_id = m.url_id",
            [crawl_id, crawl_id, crawl_id],
        )
        store.con.execute("DROP TABLE _lf_kept")
    return int(metrics.num_rows)


def write_findings(
    store: Store, crawl_id: int, parts: Sequence[pa.Table], *, kinds: Sequence[str] | None = None
) -> int:
    """Replace ``crawl_id``'s findings (only those of ``kinds`` when given) with ``parts``.

    Each part has the columns of :data:`FINDING_SCHEMA` (missing ones are NULL). Returns the
    number of rows written.
    """
    tables = [_conform(t) for t in parts if t.num_rows]
    combined = pa.concat_tables(tables) if tables else FINDING_SCHEMA.empty_table()
    with store.transaction(), _registered(store, "_lf_findings", combined):
        if kinds is None:
            store.delete("findings", crawl_id=crawl_id)
        else:
            store.con.execute(
                "DELETE FROM findings WHERE crawl_id = ? AND kind IN (SELECT unnest(?))",
                [crawl_id, list(kinds)],
            )
        store.con.execute(
            "INSERT INTO findings BY NAME SELECT ? AS crawl_id, f.kind, f.severity, "
            "f.url_id::INTEGER AS url_id, u.url, "
            "replace(f.detail, '{ref}', coalesce(r.url, '')) AS detail, f.why, f.value "
            "FROM _lf_findings f LEFT JOIN urls u ON u.id = f.url_id "
            "LEFT JOIN urls r ON r.id = f.ref_id",
            [crawl_id],
        )
    return int(combined.num_rows)


def _conform(table: pa.Table) -> pa.Table:
    columns = []
    for fld in FINDING_SCHEMA:
        if fld.name in table.column_names:
            columns.append(table[fld.name].cast(fld.type))
        else:
            columns.append(pa.nulls(table.num_rows, fld.type))
    return pa.Table.from_arrays(columns, schema=FINDING_SCHEMA)


def read_findings(store: Store, crawl_id: int, kinds: Sequence[str]) -> list[dict[str, Any]]:
    """Findings of ``kinds`` in ``crawl_id``, most severe first, then by kind and URL."""
    return list(
        store.query(
            "SELECT kind, severity, url, detail, why, value FROM findings "
            "WHERE crawl_id = ? AND kind IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 "
            "WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, kind, url, detail",
            [crawl_id, list(kinds)],
        ).to_pylist()
    )


def finding_counts(store: Store, crawl_id: int) -> dict[str, int]:
    """Number of findings of each kind in ``crawl_id``."""
    rows = store.query(
        "SELECT kind, count(*) AS n FROM findings WHERE crawl_id = ? GROUP BY kind ORDER BY kind",
        [crawl_id],
    ).to_pylist()
    return {r["kind"]: int(r["n"]) for r in rows}
