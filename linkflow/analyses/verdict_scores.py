"""The two scores of the verdict, each the weighted mean of components with reference points.

A component's value maps linearly onto 0–100 between its ``bad`` and ``good`` reference
points (clipped; ``log`` compares ln(1 + value)); :data:`INTERNAL` and :data:`EXTERNAL`
hold the points and weights, docs/model.md ("Verdict") explains each. A component whose
value is unknown (no backlinks, no money pages, no competitors) is left out of its side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from linkflow.analyses.flow import FlowResult
from linkflow.store import Store

__all__ = [
    "EXTERNAL",
    "INTERNAL",
    "Component",
    "Scale",
    "components",
    "external_inputs",
    "internal_inputs",
    "side_score",
]


@dataclass(frozen=True, slots=True)
class Scale:
    """A component's reference points: ``bad`` scores 0, ``good`` scores 100; ``weight`` in
    its side's mean; ``unit`` how its value reads (share, clicks, domains, times)."""

    label: str
    bad: float
    good: float
    weight: float
    unit: str = "share"
    log: bool = False

    def score(self, value: float) -> float:
        """0–100 for ``value`` (linear between the points, clipped)."""
        lo, hi, x = self.bad, self.good, value
        if self.log:
            lo, hi, x = math.log1p(lo), math.log1p(hi), math.log1p(max(x, 0.0))
        return 100.0 * min(1.0, max(0.0, (x - lo) / (hi - lo)))

    def show(self, value: float) -> str:
        """``value`` as the component reads it."""
        if self.unit == "share":
            return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"
        if self.unit == "times":
            return f"{value:.1f}×"
        return f"{value:.1f}" if self.unit == "clicks" else f"{value:.0f}"


INTERNAL: Final[dict[str, Scale]] = {
    "reach": Scale("outside authority that reaches a money page", 0.25, 0.75, 2.0),
    "money_share": Scale(
        "money pages' authority against their share of pages", 0.5, 3.0, 1.0, "times"
    ),
    "money_depth": Scale("mean click depth of the money pages", 4.0, 1.0, 1.0, "clicks"),
    "orphans": Scale("orphan pages", 0.10, 0.0, 1.0),
    "broken": Scale("internal links that are broken", 0.05, 0.0, 1.0),
    "anchors": Scale("internal links with empty, generic or URL anchors", 0.30, 0.0, 1.0),
    "trapped": Scale("backlink authority that never reaches a money page", 0.75, 0.25, 2.0),
}
"""Internal structure: components, reference points and weights."""

EXTERNAL: Final[dict[str, Scale]] = {
    "domains": Scale("quality-weighted referring domains", 0.0, 50.0, 2.0, "domains", log=True),
    "follow": Scale("referring domains with a followed link", 0.3, 0.8, 1.0),
    "concentration": Scale("authority from the top 3 referring domains", 0.9, 0.3, 1.0),
    "spam": Scale("referring domains flagged as spam", 0.3, 0.0, 1.0),
    "anchors": Scale("backlinks with keyword-rich anchors", 0.6, 0.2, 1.0),
    "lost": Scale("backlink authority lost on broken or missing pages", 0.3, 0.0, 1.0),
    "gap": Scale("competitors' referring domains that do not link here", 0.8, 0.2, 1.0),
}
"""External authority: components, reference points and weights."""

MISSING_DEPTH: Final = 6.0
"""Depth counted for a money page no link chain from the home page reaches."""
_POOR_ANCHORS = ("generic-anchor", "empty-anchor", "naked-url-anchor", "image-link-no-alt")


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a side: its value, 0–100 score and weight, and a sentence."""

    name: str
    value: float
    score: float
    weight: float
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "score": self.score,
            "weight": self.weight,
            "text": self.text,
        }


def _link_counts(store: Store, crawl_id: int) -> tuple[int, dict[str, float]]:
    links = store.scalar(
        "SELECT count(*) FROM links l JOIN (SELECT DISTINCT url_id FROM pages "
        "WHERE crawl_id = $c AND internal) p ON p.url_id = l.dst_id "
        "WHERE l.crawl_id = $c AND NOT (coalesce(l.rel_nofollow, FALSE) "
        "OR coalesce(l.rel_sponsored, FALSE) OR coalesce(l.rel_ugc, FALSE))",
        {"c": crawl_id},
    )
    rows = store.rows(
        "SELECT kind, count(*), sum(coalesce(value, 1)) FROM findings WHERE crawl_id = ? "
        "GROUP BY kind",
        [crawl_id],
    )
    counts = {str(k): float(n) for k, n, _ in rows}
    counts.update({f"{k}:links": float(v) for k, _, v in rows})
    return int(links or 0), counts


def internal_inputs(store: Store, flow: FlowResult, depth: np.ndarray) -> dict[str, float | None]:
    """Values of the :data:`INTERNAL` components (None: not measurable)."""
    links, counts = _link_counts(store, flow.crawl_id)
    n = flow.graph.n
    mask = flow.money.mask
    money = int(mask.sum())
    out: dict[str, float | None] = dict.fromkeys(INTERNAL)
    if money and n:
        out["reach"] = float(flow.teleport @ flow.reach.reach)
        out["money_share"] = flow.money_share / (money / n)
        d = depth[mask].astype(float)
        out["money_depth"] = float(np.where(d < 0, MISSING_DEPTH, d).mean())
        if flow.has_backlinks:
            e = flow.authority
            out["trapped"] = float(e @ (1.0 - flow.reach.reach) / e.sum())
    if n:
        out["orphans"] = counts.get("orphan-page", 0.0) / n
    if links:
        out["broken"] = counts.get("broken-link:links", 0.0) / links
        out["anchors"] = sum(counts.get(f"{k}:links", 0.0) for k in _POOR_ANCHORS) / links
    return out


def external_inputs(store: Store, flow: FlowResult) -> dict[str, float | None]:
    """Values of the :data:`EXTERNAL` components (all None without backlinks)."""
    out: dict[str, float | None] = dict.fromkeys(EXTERNAL)
    domains = store.query(
        "SELECT authority, followed, spam_score FROM referring_domains"
    ).to_pylist()
    if not domains:
        return out
    followed = [d for d in domains if d["followed"]]
    strength = sorted(((d["authority"] or 0.0) for d in followed), reverse=True)
    out["domains"] = sum(strength) / 100.0
    out["follow"] = len(followed) / len(domains)
    out["concentration"] = sum(strength[:3]) / sum(strength) if sum(strength) > 0 else 1.0
    out["spam"] = sum(1 for d in domains if (d["spam_score"] or 0) > 0) / len(domains)
    anchors = store.rows(
        "SELECT sum(backlinks) FILTER (WHERE anchor_class IN ('exact', 'partial')), "
        "sum(backlinks) FROM anchor_profile"
    )[0]
    if anchors[1]:
        out["anchors"] = float(anchors[0] or 0) / float(anchors[1])
    lost = float(np.sum(flow.lost["authority"].to_numpy()))
    total = lost + float(flow.authority.sum())
    out["lost"] = lost / total if total > 0 else 0.0
    gap = store.count("link_gap")
    rivals = store.scalar("SELECT count(*) FROM imports WHERE site <> 'self'")
    if rivals:
        out["gap"] = gap / (gap + len(domains))
    return out


def components(values: Mapping[str, float | None], scales: Mapping[str, Scale]) -> list[Component]:
    """The measurable components of one side, in the order of ``scales``."""
    out = []
    for name, scale in scales.items():
        value = values.get(name)
        if value is None:
            continue
        points = scale.score(value)
        text = (
            f"{scale.label}: {scale.show(value)} (score {points:.0f}; "
            f"{scale.show(scale.bad)} scores 0, {scale.show(scale.good)} scores 100)"
        )
        out.append(Component(name, float(value), points, scale.weight, text))
    return out


def side_score(parts: list[Component]) -> float | None:
    """Weighted mean of the components' scores (None when there is none)."""
    weight = sum(c.weight for c in parts)
    if not parts or weight <= 0:
        return None
    return sum(c.score * c.weight for c in parts) / weight
