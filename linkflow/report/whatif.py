"""The report's what-if section: the effect of the last plan of link edits, as stored by
``linkflow suggest --what-if`` (:mod:`linkflow.recommend.whatif_store`)."""

from __future__ import annotations

import json
from typing import Any

from linkflow.recommend.whatif_store import RUN_KIND, read_what_if
from linkflow.store import Store

__all__ = ["whatif_section"]


def whatif_section(store: Store, crawl_id: int) -> dict[str, Any] | None:
    """The stored what-if of ``crawl_id`` for the template: ``plan`` (the plan file's name),
    F ``before`` and ``after`` the plan and their ``change``, the planned ``edits`` (line,
    action, link, anchor, own gain, ``lowers``), the ``money`` pages and the ``losers``
    (url, before, after, change). ``None`` when no plan was stored, or an analysis made it
    stale."""
    if "analysis_runs" not in store.tables():
        return None
    effect = read_what_if(store, crawl_id)
    if effect is None:
        return None
    raw = store.scalar(
        "SELECT details_json FROM analysis_runs WHERE crawl_id = ? AND kind = ? "
        "ORDER BY id DESC LIMIT 1",
        [crawl_id, RUN_KIND],
    )
    plan = str(json.loads(raw or "{}").get("plan", ""))

    def pages(rows: tuple[Any, ...]) -> list[dict[str, Any]]:
        return [
            {"url": p.url, "before": p.before, "after": p.after, "change": p.change} for p in rows
        ]

    return {
        "plan": plan,
        "before": effect.money_flow,
        "after": effect.after,
        "change": effect.after - effect.money_flow,
        "edits": [
            {
                "line": e.line,
                "action": e.action,
                "source_url": e.source_url,
                "target_url": e.target_url,
                "anchor": e.anchor,
                "gain": e.gain,
                "lowers": e.lowers,
            }
            for e in effect.edits
        ],
        "money": pages(effect.money_pages),
        "losers": pages(effect.losers),
    }
