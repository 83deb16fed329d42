"""The actions that move the verdict most, each with its expected effect.

Internal actions are content links from trapping pages to money pages, their effect on
``F = πᵀr`` exact by the gain formula (:func:`linkflow.analyses.flow.best_fixes`).
Reclaiming authority that backlinks send to broken or missing pages is solved again with the
authority moved to the page a redirect would reach. External actions (links from the
competitors' referring domains, followed links, spam clean-up) are scored by the verdict's
own model: the external score recomputed as if the action were done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from linkflow.analyses.flow import FlowResult
from linkflow.analyses.flow_solve import seeded_teleport
from linkflow.analyses.internal_queries import url_ids_of
from linkflow.analyses.verdict_scores import EXTERNAL, components, side_score
from linkflow.graph import pagerank
from linkflow.store import Store

__all__ = ["Candidate", "external_actions", "internal_actions", "money_label", "rank_actions"]

Values = dict[str, float | None]
"""Component values of a side, by name."""

LOST_TARGETS = 3
"""Lost backlink targets whose redirect is solved again."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One action: ``side`` it moves, ``priority`` within that side (larger first)."""

    side: str
    action: str
    url: str | None
    target_url: str | None
    effect: str
    gain: float | None
    why: str
    priority: float


def money_label(flow: FlowResult) -> str:
    """What F is called: a share when every money page weighs 1."""
    weights = flow.money.weights[flow.money.mask]
    if weights.size and np.allclose(weights, 1.0):
        return "money pages' share of authority"
    return "revenue-weighted money authority"


def _moved(flow: FlowResult, before: float, after: float) -> str:
    return f"{money_label(flow)} {before:.1%} → {after:.1%}"


def internal_actions(flow: FlowResult) -> list[Candidate]:
    """A content link from each reported trapping page to its best money page."""
    urls = flow.graph.urls
    out = []
    for fix in flow.fixes:
        s = fix.source
        lost = 1.0 - float(flow.reach.reach[s])
        share = float(flow.flow_in[s] / flow.flow_in.sum()) if flow.flow_in.sum() else 0.0
        why = (
            f"{urls[s]} receives {share:.1%} of the authority entering the site and "
            f"{lost:.0%} of it never reaches a money page along links"
        )
        out.append(
            Candidate(
                "internal",
                "add a content link",
                urls[s],
                urls[fix.target],
                _moved(flow, fix.before, fix.before + fix.gain),
                fix.gain,
                why,
                fix.gain / fix.before if fix.before > 0 else fix.gain,
            )
        )
    return out


def _closest_node(store: Store, flow: FlowResult, url: str) -> int:
    """The graph node of the nearest parent path of ``url`` (the home page at worst)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    tries = [
        f"{parts.scheme}://{parts.netloc}/" + "".join(f"{s}/" for s in segments[:k])
        for k in range(len(segments) - 1, -1, -1)
    ]
    known = url_ids_of(store, tries)
    assert flow.graph.targets is not None
    for candidate in tries:
        if candidate in known:
            node = int(flow.graph.targets.node_of(np.asarray([known[candidate]]))[0])
            if node >= 0:
                return node
    return -1


def lost_actions(store: Store, flow: FlowResult) -> list[Candidate]:
    """301-redirect the strongest lost backlink targets to their nearest live parent page;
    the effect is the flow solved again with that authority landing there."""
    out = []
    gs = flow.settings.graph
    before = flow.money_flow
    total = float(flow.lost["authority"].to_numpy().sum()) + float(flow.authority.sum())
    for row in flow.lost.slice(0, LOST_TARGETS).to_pylist():
        node = _closest_node(store, flow, row["url"])
        if node < 0 or flow.graph.n == 0:
            continue
        authority = flow.authority.copy()
        authority[node] += row["authority"]
        v = seeded_teleport(flow.graph.n, authority, flow.settings.analyse.backlink_beta)
        again = pagerank(
            flow.graph,
            damping=gs.damping,
            teleport=v,
            tolerance=gs.tolerance,
            x0=flow.flow,
            max_iterations=gs.max_iterations,
        )
        after = float(again.scores @ flow.money.weights)
        share = row["authority"] / total if total else 0.0
        out.append(
            Candidate(
                "external",
                "301-redirect a page that backlinks point at",
                row["url"],
                flow.graph.urls[node],
                _moved(flow, before, after),
                after - before,
                f"backlinks carrying {share:.0%} of the site's backlink authority point at "
                f"it, and it {row['reason']}: their authority is lost",
                max(after - before, 0.0) / before if before > 0 else share,
            )
        )
    return out


def _rescore(values: Mapping[str, float | None]) -> float:
    return side_score(components(values, EXTERNAL)) or 0.0


def external_actions(store: Store, values: Mapping[str, float | None]) -> list[Candidate]:
    """Links from the link gap's best domains, followed links from the strongest nofollow
    domains, and removing spam: each with the external score it would give."""
    if values.get("domains") is None:
        return []
    now = _rescore(values)
    out = []

    def add(action: str, target: str | None, why: str, change: Callable[[Values], None]) -> None:
        new = dict(values)
        change(new)
        after = _rescore(new)
        if after > now + 0.05:
            effect = f"external authority score {now:.0f} → {after:.0f}"
            out.append(
                Candidate("external", action, None, target, effect, after - now, why, after - now)
            )

    gap = store.query("SELECT domain, authority FROM link_gap ORDER BY rank LIMIT 3").to_pylist()
    if gap:
        names = ", ".join(g["domain"] for g in gap)
        gained = sum((g["authority"] or 0.0) for g in gap) / 100.0
        rd = store.count("referring_domains")
        gap_n = store.count("link_gap")

        def earn(v: Values) -> None:
            v["domains"] = (v["domains"] or 0.0) + gained
            v["gap"] = (gap_n - len(gap)) / (gap_n + rd) if v.get("gap") is not None else None

        add(
            "earn links from the competitors' referring domains",
            names,
            f"{names} link to competitors but not to this site",
            earn,
        )
    nofollow = store.query(
        "SELECT domain, authority FROM referring_domains WHERE followed = 0 "
        "ORDER BY authority DESC NULLS LAST, domain LIMIT 3"
    ).to_pylist()
    if nofollow:
        names = ", ".join(d["domain"] for d in nofollow)
        rd = store.count("referring_domains")

        def follow(v: Values) -> None:
            v["follow"] = min(1.0, (v["follow"] or 0.0) + len(nofollow) / rd)
            v["domains"] = (v["domains"] or 0.0) + sum(
                (d["authority"] or 0.0) for d in nofollow
            ) / 100.0

        why = f"{names} link here with nofollow only: their authority does not count"
        add("ask for followed links", names, why, follow)
    spam = store.scalar("SELECT count(*) FROM referring_domains WHERE spam_score > 0")
    if spam:

        def clean(v: Values) -> None:
            v["spam"] = 0.0

        why = "referring domains with spam flags (see spam_flags) dilute the profile"
        add("remove or disavow links from flagged domains", f"{spam} domain(s)", why, clean)
    return out


def rank_actions(
    candidates: list[Candidate], weaker: str | None, limit: int = 5
) -> list[Candidate]:
    """The weaker side's actions first (each side by priority), at most ``limit``."""
    order = {weaker: 0} if weaker else {}
    return sorted(candidates, key=lambda c: (order.get(c.side, 1), -c.priority))[:limit]
