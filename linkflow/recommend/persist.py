"""Storing and reading recommendations: the ``suggestions`` and ``fixes`` tables and an
``analysis_runs`` row of kind ``suggest``, all in one transaction."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from linkflow.analyses.persist import next_run_id, record_run
from linkflow.recommend.records import Fix, Recommendations, Suggestion
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = [
    "persist_recommendations",
    "read_fixes",
    "read_recommendations",
    "read_suggestions",
]

_SUGGESTION_TYPES = {
    "rank": pa.int32(),
    "source_url": pa.string(),
    "target_url": pa.string(),
    "anchor": pa.string(),
    "sentence": pa.string(),
    "gain": pa.float64(),
    "target_gain": pa.float64(),
    "relevance": pa.float64(),
    "reason": pa.string(),
}
_FIX_TYPES = {
    "kind": pa.string(),
    "url": pa.string(),
    "target_url": pa.string(),
    "proposal": pa.string(),
    "why": pa.string(),
    "effect": pa.string(),
    "gain": pa.float64(),
}


def _table(rows: list[dict[str, Any]], types: dict[str, pa.DataType], crawl_id: int) -> pa.Table:
    cols = {"crawl_id": pa.array([crawl_id] * len(rows), pa.int32())}
    for name, dtype in types.items():
        cols[name] = pa.array([r[name] for r in rows], dtype)
    return pa.table(cols)


def persist_recommendations(
    store: Store, result: Recommendations, settings: Settings, started_at: datetime
) -> int:
    """Replace the crawl's suggestions and fixes with ``result`` and record the run;
    returns the run's id."""
    crawl = result.crawl_id
    suggestions = [dataclasses.asdict(s) for s in result.suggestions]
    fixes = [dataclasses.asdict(f) for f in result.fixes]
    with store.transaction():
        run_id = next_run_id(store)
        store.replace("suggestions", _table(suggestions, _SUGGESTION_TYPES, crawl), crawl_id=crawl)
        store.replace("fixes", _table(fixes, _FIX_TYPES, crawl), crawl_id=crawl)
        details = {
            "suggestions": len(suggestions),
            "fixes": len(fixes),
            "money_flow": result.money_flow,
            "after": result.after,
            "candidates": result.candidates,
            "lowering": result.lowering,
            "money_pages": result.money_pages,
            **result.details,
        }
        record_run(
            store,
            run_id,
            crawl,
            "suggest",
            settings=dataclasses.asdict(settings),
            started_at=started_at.astimezone(UTC),
            details=details,
        )
    return run_id


def read_suggestions(store: Store, crawl_id: int, limit: int | None = None) -> list[Suggestion]:
    """The stored suggestions of ``crawl_id``, best first."""
    sql = (
        "SELECT rank, source_url, target_url, coalesce(anchor, '') AS anchor, "
        "coalesce(sentence, '') AS sentence, coalesce(gain, 0) AS gain, "
        "coalesce(target_gain, 'NaN'::DOUBLE) AS target_gain, "
        "coalesce(relevance, 0) AS relevance, coalesce(reason, '') AS reason "
        "FROM suggestions WHERE crawl_id = ? ORDER BY rank"
    )
    params: list[object] = [crawl_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [Suggestion(**row) for row in store.query(sql, params).to_pylist()]


def read_fixes(store: Store, crawl_id: int) -> list[Fix]:
    """The stored fixes of ``crawl_id``, by kind, then largest effect first."""
    rows = store.query(
        "SELECT kind, url, target_url, proposal, why, effect, gain FROM fixes "
        "WHERE crawl_id = ? ORDER BY kind, gain DESC NULLS LAST, url, target_url",
        [crawl_id],
    ).to_pylist()
    return [Fix(**row) for row in rows]


def read_recommendations(store: Store, crawl_id: int) -> Recommendations | None:
    """The stored recommendations of ``crawl_id``, or None when there are none or an
    analysis of the crawl ran after them (they may no longer hold)."""
    runs = store.rows(
        "SELECT id, details_json FROM analysis_runs WHERE crawl_id = ? AND kind = 'suggest' "
        "ORDER BY id DESC LIMIT 1",
        [crawl_id],
    )
    if not runs:
        return None
    run_id, raw = runs[0]
    later = store.scalar(  # a what-if reads the flow, it changes nothing the links rest on
        "SELECT count(*) FROM analysis_runs WHERE crawl_id = ? "
        "AND kind NOT IN ('suggest', 'whatif') AND id > ?",
        [crawl_id, run_id],
    )
    if later:
        return None
    details = json.loads(raw or "{}")
    head = {k: details.pop(k, 0) for k in _HEAD}
    for key in ("suggestions", "fixes"):
        details.pop(key, None)
    return Recommendations(
        crawl_id=crawl_id,
        suggestions=tuple(read_suggestions(store, crawl_id)),
        fixes=tuple(read_fixes(store, crawl_id)),
        money_flow=float(head["money_flow"]),
        after=float(head["after"]),
        candidates=int(head["candidates"]),
        lowering=int(head["lowering"]),
        money_pages=int(head["money_pages"]),
        details=details,
    )


_HEAD = ("money_flow", "after", "candidates", "lowering", "money_pages")


def now() -> datetime:
    """The current time in UTC (when a run starts)."""
    return datetime.now(UTC)
