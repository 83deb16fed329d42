"""Storing and reading analysis results: page_metrics, findings and analysis_runs.

Rows arrive as Arrow tables keyed by url id; URL strings of findings are joined here in SQL,
so an analysis of a million pages never formats a million URLs in Python.
:func:`persist_internal` stores an :class:`InternalResult` in one transaction: its run row,
page metrics and findings are all stored, or none.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import pyarrow as pa

from linkflow.analyses.findings_text import INTERNAL_KINDS
from linkflow.analyses.internal_result import InternalResult, InternalSummary, summarise
from linkflow.models import SEVERITIES
from linkflow.store import Store

__all__ = [
    "FINDING_SCHEMA",
    "conform_findings",
    "finding_counts",
    "next_run_id",
    "persist_internal",
    "read_findings",
    "record_run",
    "write_findings",
    "write_page_metrics",
]

FINDING_SCHEMA: Final = pa.schema(
    [
        ("kind", pa.string()),
        ("severity", pa.string()),
        ("url_id", pa.int64()),
        ("ref_id", pa.int64()),
        ("detail", pa.string()),
        ("why", pa.string()),
        ("value", pa.float64()),
        ("target_id", pa.int64()),
    ]
)
"""Columns an analysis hands to :func:`write_findings`. ``url_id`` names the page the
finding is about (NULL for site-wide findings); ``{ref}`` in ``detail`` is replaced by the
URL of ``ref_id``; ``target_id`` is, for a finding about a link, where the link points (its
URL is stored as ``findings.target_url``, so nobody has to read it out of ``detail``)."""

_OTHER_METRICS = (
    "backlinks", "referring_domains", "external_authority", "clicks", "impressions", "sessions",
)  # fmt: skip
"""page_metrics columns other analyses fill; a rewrite of the internal columns keeps them.
The flow columns are not kept: they derive from the graph being rewritten."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json(values: Mapping[str, Any]) -> str:
    return json.dumps(dict(values), default=str, sort_keys=True)


def next_run_id(store: Store) -> int:
    """The id the next ``analysis_runs`` row takes (call inside the transaction that
    stores it)."""
    return int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM analysis_runs"))


def record_run(
    store: Store,
    run_id: int,
    crawl_id: int,
    kind: str,
    *,
    settings: Mapping[str, Any],
    started_at: datetime,
    details: Mapping[str, Any],
) -> None:
    """Store the finished analysis run ``run_id`` of ``crawl_id``, ending now.

    ``details`` are its results (iterations, error bound, timings); ``started_at`` is UTC.
    """
    store.append(
        "analysis_runs",
        [
            {
                "id": run_id,
                "crawl_id": crawl_id,
                "kind": kind,
                "settings_json": _json(settings),
                "started_at": started_at.replace(tzinfo=None),
                "finished_at": _now(),
                "details_json": _json(details),
            }
        ],
    )


def write_page_metrics(store: Store, crawl_id: int, metrics: pa.Table) -> int:
    """Replace ``crawl_id``'s page_metrics rows with ``metrics`` (url_id plus any of the
    table's columns but crawl_id), keeping the columns other analyses fill
    (backlinks, clicks ...) for URLs that stay. Returns the number of rows.
    """
    kept = ", ".join(f"k.{c}" for c in _OTHER_METRICS)
    with store.transaction(), store.registered("_lf_metrics", metrics):
        store.execute(
            "CREATE OR REPLACE TEMP TABLE _lf_kept AS SELECT url_id, "
            f"{', '.join(_OTHER_METRICS)} FROM page_metrics WHERE crawl_id = ?",
            [crawl_id],
        )
        store.delete("page_metrics", crawl_id=crawl_id)
        store.execute(
            f"INSERT INTO page_metrics BY NAME SELECT ? AS crawl_id, m.*, {kept} "
            "FROM _lf_metrics m LEFT JOIN _lf_kept k ON k.url_id = m.url_id",
            [crawl_id],
        )
        store.execute("DROP TABLE _lf_kept")
    return int(metrics.num_rows)


def conform_findings(parts: Sequence[pa.Table]) -> pa.Table:
    """One table of :data:`FINDING_SCHEMA` from ``parts`` (missing columns are NULL)."""
    tables = [_conform(t) for t in parts if t.num_rows]
    return pa.concat_tables(tables) if tables else FINDING_SCHEMA.empty_table()


def _conform(table: pa.Table) -> pa.Table:
    columns = []
    for fld in FINDING_SCHEMA:
        if fld.name in table.column_names:
            columns.append(table[fld.name].cast(fld.type))
        else:
            columns.append(pa.nulls(table.num_rows, fld.type))
    return pa.Table.from_arrays(columns, schema=FINDING_SCHEMA)


def write_findings(
    store: Store, crawl_id: int, parts: Sequence[pa.Table], *, kinds: Sequence[str] | None = None
) -> int:
    """Replace ``crawl_id``'s findings (only those of ``kinds`` when given) with ``parts``.

    Each part has the columns of :data:`FINDING_SCHEMA` (missing ones are NULL). Returns the
    number of rows written.
    """
    combined = conform_findings(parts)
    with store.transaction(), store.registered("_lf_findings", combined):
        if kinds is None:
            store.delete("findings", crawl_id=crawl_id)
        else:
            store.execute(
                "DELETE FROM findings WHERE crawl_id = ? AND kind IN (SELECT unnest(?))",
                [crawl_id, list(kinds)],
            )
        store.execute(
            "INSERT INTO findings BY NAME SELECT ? AS crawl_id, f.kind, f.severity, "
            "f.url_id::INTEGER AS url_id, u.url, "
            "replace(f.detail, '{ref}', coalesce(r.url, '')) AS detail, f.why, f.value, "
            "t.url AS target_url "
            "FROM _lf_findings f LEFT JOIN urls u ON u.id = f.url_id "
            "LEFT JOIN urls r ON r.id = f.ref_id LEFT JOIN urls t ON t.id = f.target_id",
            [crawl_id],
        )
    return int(combined.num_rows)


def read_findings(store: Store, crawl_id: int, kinds: Sequence[str]) -> list[dict[str, Any]]:
    """Findings of ``kinds`` in ``crawl_id``, most severe first, then by kind and URL."""
    return list(
        store.query(
            "SELECT kind, severity, url, detail, why, value FROM findings "
            "WHERE crawl_id = ? AND kind IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY coalesce(list_position(?::VARCHAR[], severity), 99), kind, url, detail",
            [crawl_id, list(kinds), list(SEVERITIES)],
        ).to_pylist()
    )


def finding_counts(store: Store, crawl_id: int) -> dict[str, int]:
    """Number of findings of each kind in ``crawl_id``."""
    rows = store.rows(
        "SELECT kind, count(*) FROM findings WHERE crawl_id = ? GROUP BY kind ORDER BY kind",
        [crawl_id],
    )
    return {str(kind): int(n) for kind, n in rows}


def persist_internal(store: Store, result: InternalResult) -> InternalSummary:
    """Store ``result``: its page_metrics rows (replacing the crawl's, keeping the columns
    other analyses fill), its findings (replacing the crawl's internal kinds only) and an
    ``analysis_runs`` row, all in one transaction. Returns the summary of the run; its
    ``seconds`` add ``write``, the time this took.
    """
    start = time.perf_counter()
    with store.transaction():
        run_id = next_run_id(store)
        write_page_metrics(store, result.crawl_id, result.pages)
        write_findings(store, result.crawl_id, [result.findings], kinds=INTERNAL_KINDS)
        counts = finding_counts(store, result.crawl_id)
        summary = summarise(result, run_id, counts)
        seconds = {**summary.seconds, "write": round(time.perf_counter() - start, 3)}
        summary = dataclasses.replace(summary, seconds=seconds)
        details = dataclasses.asdict(summary)
        details.pop("findings")
        record_run(
            store,
            run_id,
            result.crawl_id,
            "internal",
            settings=dataclasses.asdict(result.settings),
            started_at=result.started_at,
            details=details,
        )
    return summary
