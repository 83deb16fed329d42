"""What the recommendation stage hands back: suggestions, fixes, what-if effects.

Plain frozen dataclasses, the rows of the ``suggestions`` and ``fixes`` tables (and of a
what-if) as the Python API returns them. Flow figures are shares of the site's flow π (it
sums to 1): a ``gain`` of 0.002 moves 0.2 % of all the flow onto the money pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = [
    "Fix",
    "PageChange",
    "PlannedEdit",
    "Recommendations",
    "Suggestion",
    "WhatIf",
    "share",
]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One internal link to add: on ``source_url``, in ``sentence``, around ``anchor``,
    pointing at ``target_url``.

    ``gain`` is the exact increase of the money pages' total flow from this link given the
    links ranked before it (so the gains of the first k rows add up to the effect of adding
    all k); ``target_gain`` the same for the target page's own flow; ``relevance`` (0-1)
    how much the source's text is about the target; ``reason`` one sentence on why.
    """

    rank: int
    source_url: str
    target_url: str
    anchor: str
    sentence: str
    gain: float
    target_gain: float
    relevance: float
    reason: str


@dataclass(frozen=True, slots=True)
class Fix:
    """One row of a fix list: what to do (``kind``, ``proposal``), where (``url``: the page
    to edit or the URL to redirect; ``target_url``: where the link or redirect should
    point), ``why`` it matters and the expected ``effect`` (``gain``: the change of the
    money pages' flow, when the fix changes the flow at all)."""

    kind: str
    url: str
    target_url: str | None
    proposal: str
    why: str
    effect: str
    gain: float | None = None


@dataclass(frozen=True, slots=True)
class Recommendations:
    """The suggestions (best first) and fixes of one crawl, and what the optimiser saw.

    ``money_flow`` is F, the money pages' share of the flow, before any suggestion;
    ``after`` F once every suggestion is added (solved again, not predicted);
    ``candidates`` the candidate links considered and ``lowering`` how many of them
    would have lowered F on their own (they are never suggested).
    """

    crawl_id: int
    suggestions: tuple[Suggestion, ...]
    fixes: tuple[Fix, ...]
    money_flow: float
    after: float
    candidates: int
    lowering: int
    money_pages: int
    details: dict[str, object] = field(default_factory=dict)

    def lines(self, limit: int | None = None) -> list[str]:
        """The suggestions (the first ``limit``) and a summary, as plain text lines."""
        out = []
        base = self.money_flow
        for s in self.suggestions[:limit]:
            out += [
                f"{s.rank:>3}. {s.source_url} -> {s.target_url}",
                f"     anchor '{s.anchor}' | money pages' flow {share(s.gain, base)} | "
                f"relevance {s.relevance:.2f}",
                f"     in: {s.sentence}",
            ]
        if not self.suggestions:
            note = self.details.get("note")
            out.append(f"no link to suggest{': ' + str(note) if note else ''}")
        change = share(self.after - base, base)
        out.append(
            f"Money pages hold {100 * base:.2f} % of the flow; with these "
            f"{len(self.suggestions)} links {100 * self.after:.2f} % ({change})."
        )
        if self.candidates and self.money_pages:  # without money pages F is 0: none lowers it
            out.append(
                f"{self.lowering:,} of {self.candidates:,} candidate links "
                f"({100 * self.lowering / self.candidates:.0f} %) would lower it on their own: "
                "they are never suggested."
            )
        kinds = Counter(f.kind for f in self.fixes)
        if kinds:
            listed = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
            out.append(f"{len(self.fixes):,} fixes ({listed}): linkflow export --table fixes")
        return out


@dataclass(frozen=True, slots=True)
class PlannedEdit:
    """One row of a what-if plan: add or remove the link source→target, with the effect
    of that row alone on the crawled site (``gain``: change of the money pages' flow) and
    ``lowers`` when that effect is negative."""

    line: int
    action: str
    source_url: str
    target_url: str
    anchor: str
    gain: float
    lowers: bool


@dataclass(frozen=True, slots=True)
class PageChange:
    """The flow of one page before and after a plan (``money``: it is a money page)."""

    url: str
    before: float
    after: float
    money: bool

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The exact effect of a plan: F before and after, every money page, the pages that
    lose the most flow, and each planned edit on its own."""

    money_flow: float
    after: float
    edits: tuple[PlannedEdit, ...]
    money_pages: tuple[PageChange, ...]
    losers: tuple[PageChange, ...]
    bound: float

    def lines(self) -> list[str]:
        """The effect as plain text lines: F, each edit, money pages, losing pages."""
        base = self.money_flow
        out = [
            f"Money pages' flow: {100 * base:.3f} % -> {100 * self.after:.3f} % "
            f"({share(self.after - base, base)})",
            "Each planned edit on its own:",
        ]
        for e in self.edits:
            warn = "  LOWERS the money pages' flow" if e.lowers else ""
            out.append(
                f"  line {e.line}: {e.action} {e.source_url} -> {e.target_url} "
                f"{share(e.gain, base)}{warn}"
            )
        for title, pages in (
            ("Money pages:", self.money_pages),
            ("Pages that lose most:", self.losers),
        ):
            if pages:
                out.append(title)
                out += [
                    f"  {p.url}  {100 * p.before:.4f} % -> {100 * p.after:.4f} % "
                    f"({share(p.change, p.before)})"
                    for p in pages
                ]
        return out


def share(delta: float, base: float) -> str:
    """``delta`` as a signed percentage of ``base`` ("+1.25 %"), or as a number when
    ``base`` is not positive."""
    return f"{100 * delta / base:+.2f} %" if base > 0 else f"{delta:+.3g}"
