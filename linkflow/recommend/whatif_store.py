"""Storing and reading a what-if: the ``whatif`` and ``whatif_pages`` tables and an
``analysis_runs`` row of kind ``whatif``, all in one transaction.

A crawl keeps the effect of its last plan only: storing another plan replaces the rows of
the first. ``whatif`` holds one row per planned edit (its action, the link, the anchor, its
own ``gain`` on the crawled site and ``lowers`` when that gain is negative);
``whatif_pages`` every money page (kind ``money``) and the pages that lose most (kind
``loser``) with their flow before and after the whole plan; the run row holds F before and
after the plan, the solver's error bound and the plan file's name.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from linkflow.analyses.persist import next_run_id, record_run
from linkflow.recommend.records import PageChange, PlannedEdit, WhatIf
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["persist_what_if", "read_what_if"]

RUN_KIND = "whatif"
"""The ``analysis_runs.kind`` of a stored what-if."""

_EDIT_TYPES = {
    "line": pa.int32(),
    "action": pa.string(),
    "source_url": pa.string(),
    "target_url": pa.string(),
    "anchor": pa.string(),
    "gain": pa.float64(),
    "lowers": pa.bool_(),
}
_PAGE_TYPES = {
    "kind": pa.string(),
    "rank": pa.int32(),
    "url": pa.string(),
    "money": pa.bool_(),
    "before": pa.float64(),
    "after": pa.float64(),
    "change": pa.float64(),
}


def _table(rows: Sequence[dict[str, Any]], types: dict[str, pa.DataType], crawl: int) -> pa.Table:
    cols = {"crawl_id": pa.array([crawl] * len(rows), pa.int32())}
    for name, dtype in types.items():
        cols[name] = pa.array([r[name] for r in rows], dtype)
    return pa.table(cols)


def _page_rows(kind: str, pages: Sequence[PageChange]) -> list[dict[str, Any]]:
    return [
        {**dataclasses.asdict(p), "kind": kind, "rank": rank, "change": p.change}
        for rank, p in enumerate(pages, 1)
    ]


def persist_what_if(
    store: Store,
    crawl_id: int,
    result: WhatIf,
    settings: Settings,
    started_at: datetime,
    plan_name: str,
) -> int:
    """Replace ``crawl_id``'s what-if rows with ``result`` (the effect of the plan file
    ``plan_name``) and record the run; returns the run's id."""
    edits = [dataclasses.asdict(e) for e in result.edits]
    pages = _page_rows("money", result.money_pages) + _page_rows("loser", result.losers)
    with store.transaction():
        run_id = next_run_id(store)
        store.replace("whatif", _table(edits, _EDIT_TYPES, crawl_id), crawl_id=crawl_id)
        store.replace("whatif_pages", _table(pages, _PAGE_TYPES, crawl_id), crawl_id=crawl_id)
        record_run(
            store,
            run_id,
            crawl_id,
            RUN_KIND,
            settings=dataclasses.asdict(settings),
            started_at=started_at,
            details={
                "plan": plan_name,
                "edits": len(edits),
                "lowering": sum(e.lowers for e in result.edits),
                "money_flow": result.money_flow,
                "after": result.after,
                "bound": result.bound,
            },
        )
    return run_id


def read_what_if(store: Store, crawl_id: int) -> WhatIf | None:
    """The what-if stored for ``crawl_id``, or None when there is none or an analysis of the
    crawl ran after it (the flow it measured may have changed)."""
    runs = store.rows(
        "SELECT id, details_json FROM analysis_runs WHERE crawl_id = ? AND kind = ? "
        "ORDER BY id DESC LIMIT 1",
        [crawl_id, RUN_KIND],
    )
    if not runs:
        return None
    run_id, raw = runs[0]
    later = store.scalar(
        "SELECT count(*) FROM analysis_runs WHERE crawl_id = ? AND id > ? "
        "AND kind NOT IN ('suggest', ?)",
        [crawl_id, run_id, RUN_KIND],
    )
    if later:
        return None
    details = json.loads(raw or "{}")
    edits = store.query(
        "SELECT line, action, source_url, target_url, coalesce(anchor, '') AS anchor, gain, "
        "lowers FROM whatif WHERE crawl_id = ? ORDER BY line",
        [crawl_id],
    ).to_pylist()
    pages = store.query(
        "SELECT kind, url, before, after, money FROM whatif_pages WHERE crawl_id = ? "
        "ORDER BY kind, rank",
        [crawl_id],
    ).to_pylist()
    by_kind: dict[str, list[PageChange]] = {"money": [], "loser": []}
    for p in pages:
        by_kind.setdefault(p.pop("kind"), []).append(PageChange(**p))
    return WhatIf(
        money_flow=float(details.get("money_flow", 0.0)),
        after=float(details.get("after", 0.0)),
        edits=tuple(PlannedEdit(**e) for e in edits),
        money_pages=tuple(by_kind["money"]),
        losers=tuple(by_kind["loser"]),
        bound=float(details.get("bound", 0.0)),
    )
