"""The report's first sections: the answer (verdict, scores, actions), the authority flow
and the recommendations, as plain data for the template.

Each builder returns ``None`` (or an empty list) when its data was not computed, and the
template says "not computed" rather than showing a zero. The flow diagram's geometry is
computed here, so the template only places shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from linkflow.report import queries_flow as qf
from linkflow.store import Store

__all__ = [
    "FlowDiagram",
    "answer_section",
    "flow_diagram",
    "flow_section",
    "highlight",
    "recommendations_section",
]

LANDING_PAGES = 6
"""Landing pages drawn in the flow diagram; the rest are one "other pages" node."""

MONEY_ROWS = 50
"""Money pages listed in the flow section's table."""

FIXES_PER_KIND = 25
"""Fixes listed per kind (the fixes export has all of them)."""


def answer_section(store: Store, crawl_id: int) -> dict[str, Any]:
    """The verdict sides, the flow totals and the ranked actions.

    ``sentence`` is the verdict in one sentence (the weaker side's explanation's first
    sentence, or a statement that the verdict was not computed).
    """
    sides = qf.verdict_rows(store, crawl_id)
    for side in sides:
        side["label"] = "Internal structure" if side["side"] == "internal" else "External authority"
        side["drivers"] = sorted(
            (c for c in side["components"] if isinstance(c, dict) and "text" in c),
            key=lambda c: float(c.get("weight") or 0) * (100 - float(c.get("score") or 0)),
            reverse=True,
        )
    weaker = next((s for s in sides if s["weaker"]), None)
    scored = [s for s in sides if s["score"] is not None]
    if weaker is not None:
        others = [s for s in scored if s is not weaker]
        sentence = (
            f"{weaker['label']} is the weaker side: it scores {weaker['score']:.0f} out of 100"
            + "".join(f", {o['label'].lower()} {o['score']:.0f}" for o in others)
            + "."
        )
    elif scored:
        sentence = "; ".join(f"{s['label']} scores {s['score']:.0f} out of 100" for s in scored)
        sentence += "."
    else:
        sentence = ""
    return {
        "sentence": sentence,
        "sides": sides,
        "totals": qf.flow_totals(store, crawl_id),
        "actions": qf.action_rows(store, crawl_id),
    }


# ---------------------------------------------------------------------- flow diagram
@dataclass
class Node:
    """A bar of the diagram: its box and what it stands for."""

    x: float
    y: float
    height: float
    label: str
    text: str
    kind: str  # source | page | money | trapped
    url: str | None = None


@dataclass
class Band:
    """A flow between two nodes, drawn as a filled band (``path``: SVG path data)."""

    path: str
    kind: str  # in | reach | trapped
    title: str


@dataclass
class FlowDiagram:
    """A two-stage Sankey diagram: outside authority → landing pages → money pages or
    trapped. Shares are of all the authority entering the site."""

    width: int
    height: int
    node_width: int
    nodes: list[Node] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)


def _band(x0: float, top0: float, x1: float, top1: float, size: float) -> str:
    mid = (x0 + x1) / 2
    return (
        f"M{x0:.1f},{top0:.1f} C{mid:.1f},{top0:.1f} {mid:.1f},{top1:.1f} {x1:.1f},{top1:.1f} "
        f"L{x1:.1f},{top1 + size:.1f} C{mid:.1f},{top1 + size:.1f} {mid:.1f},{top0 + size:.1f} "
        f"{x0:.1f},{top0 + size:.1f} Z"
    )


def _path(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    path += f"?{parts.query}" if parts.query else ""
    return path if len(path) <= 38 else path[:37] + "…"


def flow_diagram(
    pages: list[dict[str, Any]], domains: int | None, *, width: int = 760, height: int = 320
) -> FlowDiagram | None:
    """The diagram of ``pages`` (rows of :func:`queries_flow.landing_pages`), or ``None``
    when no authority enters the site. ``domains``: referring domains, for the source label."""
    total = sum(float(p["flow_in"] or 0) for p in pages)
    if total <= 0:
        return None
    nw, gap = 12, 8
    d = FlowDiagram(width, height, nw)
    scale = (height - gap * max(0, len(pages) - 1)) / total
    mid_x, right_x = width * 0.36, width - nw
    source = "backlinks" if not domains else f"{domains:,} referring domains"
    d.nodes.append(
        Node(0, 0, total * scale, "Entering the site", f"{source} and direct visits", "source")
    )
    reach_total = sum(float(p["flow_in"]) - float(p["trapped"]) for p in pages)
    trapped_total = total - reach_total
    right_gap = gap if reach_total > 0 and trapped_total > 0 else 0
    reach_top, trapped_top = 0.0, reach_total * scale + right_gap
    for name, top, value, kind in (
        ("Reaches money pages", reach_top, reach_total, "money"),
        ("Trapped: never reaches a money page", trapped_top, trapped_total, "trapped"),
    ):
        if value > 0:
            d.nodes.append(Node(right_x, top, value * scale, name, _share(value / total), kind))
    y, left = 0.0, 0.0
    for p in pages:
        value = float(p["flow_in"])
        size = value * scale
        reach = (value - float(p["trapped"])) * scale
        label = _path(p["url"]) if p["url"] else "all other pages"
        full = p["url"] or "all other pages"
        d.nodes.append(Node(mid_x, y, size, label, _share(value / total), "page", p["url"]))
        d.bands.append(
            Band(
                _band(nw, left, mid_x, y, size),
                "in",
                f"{full}: {_share(value / total)} enters here",
            )
        )
        if reach > 0:
            d.bands.append(
                Band(
                    _band(mid_x + nw, y, right_x, reach_top, reach),
                    "reach",
                    f"{full}: {_share(reach / scale / total)} reaches money pages",
                )
            )
            reach_top += reach
        if size - reach > 0.01:
            d.bands.append(
                Band(
                    _band(mid_x + nw, y + reach, right_x, trapped_top, size - reach),
                    "trapped",
                    f"{full}: {_share((size - reach) / scale / total)} is trapped",
                )
            )
            trapped_top += size - reach
        left += size
        y += size + gap
    return d


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def flow_section(store: Store, crawl_id: int, domains: int | None) -> dict[str, Any] | None:
    """The flow diagram and the money pages' table, or ``None`` when the flow was not
    computed."""
    totals = qf.flow_totals(store, crawl_id)
    if totals is None:
        return None
    return {
        "totals": totals,
        "diagram": flow_diagram(qf.landing_pages(store, crawl_id, LANDING_PAGES), domains),
        "money": qf.money_pages(store, crawl_id, MONEY_ROWS),
        "money_limit": MONEY_ROWS,
    }


# ---------------------------------------------------------------------- recommendations
def highlight(sentence: str | None, anchor: str | None) -> list[tuple[str, bool]]:
    """``sentence`` cut into ``(text, is_anchor)`` parts around the first case-insensitive
    occurrence of ``anchor``, so the template can mark the anchor while escaping every part.
    """
    if not sentence:
        return []
    at = sentence.lower().find(anchor.lower()) if anchor else -1
    if at < 0 or not anchor:
        return [(sentence, False)]
    end = at + len(anchor)
    parts = [(sentence[:at], False), (sentence[at:end], True), (sentence[end:], False)]
    return [p for p in parts if p[0]]


def recommendations_section(store: Store, crawl_id: int, top_n: int) -> dict[str, Any] | None:
    """The suggested links (each sentence cut by :func:`highlight`) and the fixes grouped by
    kind, or ``None`` when neither was computed."""
    suggestions = qf.suggestion_rows(store, crawl_id, top_n)
    for s in suggestions:
        s["parts"] = highlight(s.get("sentence"), s.get("anchor"))
    fixes: dict[str, dict[str, Any]] = {}
    for row in qf.fix_rows(store, crawl_id, FIXES_PER_KIND):
        group = fixes.setdefault(
            row["kind"],
            {"label": row["kind"].replace("-", " ").replace("_", " ").capitalize(),
             "total": row["total"], "rows": []},
        )  # fmt: skip
        group["rows"].append(row)
    if not suggestions and not fixes:
        return None
    return {"suggestions": suggestions, "fixes": list(fixes.values()), "fix_limit": FIXES_PER_KIND}
