"""The report's reads of the flow, the verdict and the recommendations.

Like :mod:`linkflow.report.queries`, every reader is bounded (aggregates or ``limit`` rows)
and returns plain data. The tables are filled by ``linkflow analyse`` (docs/model.md §7-8);
an empty table or an all-NULL column means "not computed", which callers report as such —
never as a zero.
"""

from __future__ import annotations

import json
from typing import Any

from linkflow.store import Store
from linkflow.store.export import has_rows, table_columns

__all__ = [
    "action_rows",
    "fix_rows",
    "flow_totals",
    "landing_pages",
    "money_pages",
    "suggestion_rows",
    "verdict_rows",
]


def _rows(store: Store, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return list(store.query(sql, params or []).to_pylist())


def _has(store: Store, table: str, *columns: str) -> bool:
    """Whether ``table`` holds rows and has every one of ``columns``."""
    present = {name for name, _ in table_columns(store, table)}
    return set(columns) <= present and has_rows(store, table)


def verdict_rows(store: Store, crawl_id: int) -> list[dict[str, Any]]:
    """The verdict's sides (internal first): side, score (None: not scored), weaker,
    explanation, components (parsed JSON list), notes (parsed JSON list). ``[]`` when the
    verdict was not computed."""
    if not _has(store, "verdict", "side", "score", "weaker", "explanation"):
        return []
    rows = _rows(
        store,
        "SELECT * FROM verdict WHERE crawl_id = ? ORDER BY side = 'external', side",
        [crawl_id],
    )
    for row in rows:
        for key in ("components", "notes"):
            row[key] = _json_list(row.get(key))
    return rows


def _json_list(text: Any) -> list[Any]:
    if not isinstance(text, str):
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def action_rows(store: Store, crawl_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The ranked actions (rank, side, action, url, target_url, effect, gain, why)."""
    if not _has(store, "actions", "rank", "action", "effect"):
        return []
    return _rows(
        store,
        "SELECT * FROM actions WHERE crawl_id = ? ORDER BY rank LIMIT ?",
        [crawl_id, limit],
    )


def flow_totals(store: Store, crawl_id: int) -> dict[str, Any] | None:
    """The money pages' share of the flow (``money_flow``), the share of the authority
    entering the site that reaches a money page along links (``reach`` = Σ(flow_in −
    trapped) / Σ flow_in) and its complement (``trapped``), the number of money pages, and
    the total ``gain`` of the suggested links (None without suggestions). ``None`` when the
    flow was not computed."""
    present = {name for name, _ in table_columns(store, "page_metrics")}
    if not {"flow", "flow_in", "trapped"} <= present:
        return None
    row = _rows(
        store,
        "SELECT count(flow) AS pages, "
        "sum(flow) FILTER (WHERE is_money) AS money_flow, "
        "count(*) FILTER (WHERE is_money) AS money_pages, "
        "sum(flow_in) AS flow_in, sum(trapped) AS trapped "
        "FROM page_metrics WHERE crawl_id = ?",
        [crawl_id],
    )[0]
    if not row["pages"]:
        return None
    entering = row["flow_in"] or 0.0
    trapped = row["trapped"] or 0.0
    row["reach"] = (entering - trapped) / entering if entering > 0 else None
    row["trapped"] = trapped / entering if entering > 0 else None
    row["gain"] = None
    row["suggestions"] = 0
    if _has(store, "suggestions", "gain"):
        gain = _rows(
            store,
            "SELECT sum(gain) AS gain, count(*) AS n FROM suggestions WHERE crawl_id = ?",
            [crawl_id],
        )[0]
        row["gain"], row["suggestions"] = gain["gain"], gain["n"]
    return row


def landing_pages(store: Store, crawl_id: int, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` pages receiving the most authority from outside, then one row for all
    the others (url None): url, is_money, flow_in, trapped (both absolute, as stored)."""
    return _rows(
        store,
        "WITH p AS (SELECT url, coalesce(is_money, FALSE) AS is_money, flow_in, "
        "  coalesce(trapped, 0) AS trapped, "
        "  row_number() OVER (ORDER BY flow_in DESC, url) AS rn "
        "  FROM page_metrics WHERE crawl_id = ? AND flow_in > 0) "
        "SELECT url, is_money, flow_in, trapped FROM ("
        "  SELECT url, is_money, flow_in, trapped, rn FROM p WHERE rn <= ? "
        "  UNION ALL "
        "  SELECT NULL, FALSE, sum(flow_in), sum(trapped), max(rn) FROM p WHERE rn > ? "
        "  HAVING count(*) > 0) "
        "ORDER BY rn",
        [crawl_id, limit, limit],
    )


def money_pages(store: Store, crawl_id: int, limit: int) -> list[dict[str, Any]]:
    """Money pages by flow: url, title, flow, flow_score, gain (the target gains of the
    suggested links to it; None without suggestions), inlinks, content_inlinks, depth,
    backlinks, referring_domains."""
    gains = (
        "(SELECT sum(target_gain) FROM suggestions s WHERE s.crawl_id = pm.crawl_id "
        "AND s.target_url = pm.url)"
        if _has(store, "suggestions", "target_gain")
        else "NULL"
    )
    return _rows(
        store,
        f"SELECT pm.url, p.title, pm.flow, pm.flow_score, {gains} AS gain, pm.inlinks, "
        "pm.content_inlinks, pm.depth, pm.backlinks, pm.referring_domains "
        "FROM page_metrics pm "
        "LEFT JOIN pages p ON p.crawl_id = pm.crawl_id AND p.url_id = pm.url_id "
        "WHERE pm.crawl_id = ? AND pm.is_money "
        "ORDER BY pm.flow DESC NULLS LAST, pm.url LIMIT ?",
        [crawl_id, limit],
    )


def suggestion_rows(store: Store, crawl_id: int, limit: int) -> list[dict[str, Any]]:
    """The best ``limit`` suggested links by rank (every column the table has)."""
    if not _has(store, "suggestions", "rank", "source_url", "target_url"):
        return []
    return _rows(
        store,
        "SELECT * FROM suggestions WHERE crawl_id = ? ORDER BY rank LIMIT ?",
        [crawl_id, limit],
    )


def fix_rows(store: Store, crawl_id: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` fixes per kind (kind, url, target_url, proposal, why, effect, gain),
    the biggest gain first within a kind, and the number of fixes of each kind (``total``)."""
    if not _has(store, "fixes", "kind", "url", "proposal"):
        return []
    return _rows(
        store,
        "SELECT * EXCLUDE (rn) FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY kind ORDER BY gain DESC NULLS LAST, url) "
        "  AS rn, count(*) OVER (PARTITION BY kind) AS total "
        "  FROM fixes WHERE crawl_id = ?) "
        "WHERE rn <= ? ORDER BY kind, rn",
        [crawl_id, limit],
    )
