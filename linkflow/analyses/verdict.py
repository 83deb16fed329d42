"""The verdict: internal structure against external authority, and what to do first.

:func:`analyse_flow` runs the authority flow on an internal analysis' result, stores it, and
builds, stores and returns the :class:`Verdict`; :func:`read_verdict` reads a stored one.
Each side's score is explained by its components (:mod:`linkflow.analyses.verdict_scores`);
the verdict names the weaker side, the actions that move it most
(:mod:`linkflow.analyses.verdict_actions`), and what the data lacks.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from linkflow.analyses.flow import FlowResult, run_flow
from linkflow.analyses.flow_persist import FlowSummary, persist_flow
from linkflow.analyses.internal_result import InternalResult
from linkflow.analyses.money import suggest_patterns
from linkflow.analyses.verdict_actions import (
    Candidate,
    external_actions,
    internal_actions,
    lost_actions,
    rank_actions,
)
from linkflow.analyses.verdict_scores import (
    EXTERNAL,
    INTERNAL,
    Component,
    components,
    external_inputs,
    internal_inputs,
    side_score,
)
from linkflow.errors import ConfigError
from linkflow.graph.engine import LOCAL, GraphEngine
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["Action", "Side", "Verdict", "analyse_flow", "build_verdict", "read_verdict"]

SIDES = {"internal": "internal structure", "external": "external authority"}


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the verdict: its 0–100 score (None when the data cannot tell), whether it
    is the weaker one, the components that make it, and what the data lacks."""

    side: str
    score: float | None
    weaker: bool
    explanation: str
    components: tuple[Component, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    """One ranked action: what to do where, the side it moves and by how much."""

    rank: int
    side: str
    action: str
    url: str | None
    target_url: str | None
    effect: str
    gain: float | None
    why: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verdict of one crawl: both sides, the ranked actions and the flow's headline."""

    crawl_id: int
    internal: Side
    external: Side
    actions: tuple[Action, ...]
    flow: FlowSummary | None = None

    @property
    def weaker(self) -> str | None:
        """``internal`` or ``external``; None when one side cannot be scored."""
        return next((s.side for s in (self.internal, self.external) if s.weaker), None)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the data lacks, both sides together."""
        return tuple(dict.fromkeys([*self.internal.notes, *self.external.notes]))

    def headline(self) -> str:
        """One sentence: which side is weaker, or why that cannot be said."""
        a, b = self.internal.score, self.external.score
        if self.weaker is None:
            missing = [SIDES[s.side] for s in (self.internal, self.external) if s.score is None]
            return f"Not enough data to compare: {' and '.join(missing)} cannot be scored."
        return (
            f"The {SIDES[self.weaker]} is the weaker side (internal {a:.0f}, "
            f"external {b:.0f} out of 100)."
        )

    def lines(self) -> list[str]:
        """The verdict and its actions as plain lines of text (what ``linkflow verdict``
        prints)."""
        out = [self.headline()]
        for side in (self.internal, self.external):
            score = "not scored" if side.score is None else f"{side.score:.0f}/100"
            out.append(f"{SIDES[side.side]}: {score}")
            out.extend(f"  - {c.text}" for c in side.components)
        out.extend(self._flow_lines())
        out.extend(f"note: {n}" for n in self.notes)
        for a in self.actions:
            where = " → ".join(x for x in (a.url, a.target_url) if x)
            out.append(f"{a.rank}. {a.action}{': ' + where if where else ''}")
            out.append(f"   effect: {a.effect}")
            out.append(f"   why: {a.why}")
        return out

    def _flow_lines(self) -> list[str]:
        f = self.flow
        if f is None:
            return []
        out = []
        if f.money_pages:
            out.append(
                f"flow: the {f.money_pages} money pages ({f.money_source}) hold "
                f"{f.money_share:.1%} of the authority; {f.reach:.0%} of the authority entering "
                "the site reaches one along links"
            )
        leaks = [f"{k} {v:.1%}" for k, v in sorted(f.leaks.items(), key=lambda kv: -kv[1])]
        out.append(
            f"leaks: {', '.join(leaks) or 'no low-value pages'}; "
            f"external links {f.external_leak:.1%}"
        )
        return out


def _crawl_notes(store: Store, crawl_id: int) -> list[str]:
    info = store.crawl_info(crawl_id)
    notes = []
    if info.get("status") not in (None, "finished"):
        notes.append(f"the crawl is {info['status']}: the scores cover the pages fetched so far")
    try:
        limit = int(json.loads(info.get("settings_json") or "{}").get("max_pages") or 0)
    except (ValueError, TypeError, AttributeError):
        limit = 0
    pages = store.count("pages", crawl_id=crawl_id)
    if limit and pages >= limit:
        notes.append(
            f"the crawl stopped at crawl.max_pages = {limit:,} pages: pages beyond it "
            "are missing from the graph; raise --max-pages"
        )
    return notes


def _money_notes(flow: FlowResult) -> list[str]:
    how = (
        "name them with --money '/services/*' (repeatable), --money-file FILE, or "
        "money = [...] under [analyse] in linkflow.toml"
    )
    urls = flow.graph.urls
    if flow.money.source == "guessed":
        nodes = flow.money.mask.nonzero()[0].tolist()
        paths = ["/" + urls[i].split("/", 3)[-1] for i in nodes]
        why = [flow.money.reasons.get(i, ()) for i in nodes]
        shown = ", ".join(
            f"{p} ({'; '.join(w)})" if w else p for p, w in zip(paths[:5], why, strict=False)
        ) + (" ..." if len(paths) > 5 else "")
        example = " ".join(f"--money '{p}'" for p in suggest_patterns(paths))
        return [f"{flow.money.note} ({len(paths)}: {shown}); {how}, e.g. {example}"]
    if flow.money.source == "none":
        return [f"{flow.money.note}: the flow to money pages cannot be measured; {how}"]
    return []


def _side(name: str, parts: list[Component], notes: list[str], weaker: bool) -> Side:
    score = side_score(parts)
    head = (
        f"{SIDES[name].capitalize()} scores {score:.0f} out of 100."
        if score is not None
        else f"{SIDES[name].capitalize()} is not scored."
    )
    text = " ".join([head, *(c.text + "." for c in parts), *(n + "." for n in notes)])
    return Side(name, score, weaker, text, tuple(parts), tuple(notes))


def build_verdict(store: Store, internal: InternalResult, flow: FlowResult) -> Verdict:
    """Score both sides from ``flow``, the stored findings and the backlink profile; rank
    the actions (3 to 5 when the data allows)."""
    inner = components(internal_inputs(store, flow, internal.depth), INTERNAL)
    values = external_inputs(store, flow)
    outer = components(values, EXTERNAL)
    crawl = _crawl_notes(store, internal.crawl_id)
    inner_notes = [*crawl, *_money_notes(flow)]
    outer_notes = list(crawl)
    if values.get("domains") is None:
        outer_notes.append(
            "no backlinks imported: import a backlink export (Ahrefs, Semrush, "
            "Majestic, Moz, Search Console ...) with `linkflow import FILE` to "
            "score external authority and seed the flow with it"
        )
    a, b = side_score(inner), side_score(outer)
    weaker = None if a is None or b is None else ("internal" if a <= b else "external")
    cands: list[Candidate] = [*internal_actions(flow), *lost_actions(store, flow)]
    cands += external_actions(store, values)
    chosen = rank_actions(cands, weaker)
    actions = tuple(
        Action(i, c.side, c.action, c.url, c.target_url, c.effect, c.gain, c.why)
        for i, c in enumerate(chosen, 1)
    )
    return Verdict(
        crawl_id=internal.crawl_id,
        internal=_side("internal", inner, inner_notes, weaker == "internal"),
        external=_side("external", outer, outer_notes, weaker == "external"),
        actions=actions,
    )


def persist_verdict(store: Store, verdict: Verdict) -> None:
    """Replace the crawl's ``verdict`` and ``actions`` rows with ``verdict``'s."""
    crawl = verdict.crawl_id
    sides = [
        {
            "crawl_id": crawl,
            "side": s.side,
            "score": s.score,
            "weaker": s.weaker,
            "explanation": s.explanation,
            "components": json.dumps([c.as_dict() for c in s.components]),
            "notes": json.dumps(list(s.notes)),
        }
        for s in (verdict.internal, verdict.external)
    ]
    actions = [{"crawl_id": crawl, **dataclasses.asdict(a)} for a in verdict.actions]
    with store.transaction():
        store.delete("verdict", crawl_id=crawl)
        store.delete("actions", crawl_id=crawl)
        store.append("verdict", sides)
        if actions:
            store.append("actions", actions)


def analyse_flow(
    store: Store,
    internal: InternalResult,
    settings: Settings | None = None,
    *,
    engine: GraphEngine = LOCAL,
) -> Verdict:
    """Run, store and judge the authority flow of ``internal``'s crawl (run after the
    internal analysis was stored and the backlink profile rebuilt for that crawl);
    ``engine`` solves its seeded PageRank (see :func:`.flow.run_flow`)."""
    flow = run_flow(store, internal, settings, engine=engine)
    summary = persist_flow(store, flow)
    verdict = dataclasses.replace(build_verdict(store, internal, flow), flow=summary)
    persist_verdict(store, verdict)
    return verdict


def _side_of(row: dict[str, Any]) -> Side:
    parts = tuple(Component(**c) for c in json.loads(row["components"]))
    return Side(
        row["side"],
        row["score"],
        bool(row["weaker"]),
        row["explanation"],
        parts,
        tuple(json.loads(row["notes"])),
    )


def read_verdict(store: Store, crawl_id: int) -> Verdict:
    """The stored verdict of ``crawl_id``; :class:`ConfigError` if it has none yet."""
    rows = {r["side"]: r for r in store.read("verdict", crawl_id=crawl_id).to_pylist()}
    if set(rows) != set(SIDES):
        raise ConfigError(
            f"{store.path}: no verdict for crawl {crawl_id} yet; run `linkflow analyse` first"
        )
    acts = store.query(
        "SELECT rank, side, action, url, target_url, effect, gain, why FROM actions "
        "WHERE crawl_id = ? ORDER BY rank",
        [crawl_id],
    ).to_pylist()
    run = store.rows(
        "SELECT details_json FROM analysis_runs WHERE crawl_id = ? AND kind = 'flow' "
        "ORDER BY id DESC LIMIT 1",
        [crawl_id],
    )
    summary = FlowSummary(**json.loads(run[0][0])) if run else None
    return Verdict(
        crawl_id,
        _side_of(rows["internal"]),
        _side_of(rows["external"]),
        tuple(Action(**a) for a in acts),
        summary,
    )
