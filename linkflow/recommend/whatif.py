"""What-if: the exact effect of a planned set of link edits, before anyone edits the site.

A plan is a CSV file with a header row and the columns ``source_url,target_url`` and
optionally ``anchor`` and ``action`` (``add``, the default, or ``remove``). An added link is
a link in the main content (weight ``graph.weight_content``), merged with an existing link
of the same pair by ``graph.duplicates``, as a re-crawl would merge it; a removed link
removes every followed link from the source to the target. URLs may be absolute or
site-relative paths (``/services/``); a link to a redirect counts for the page it ends at.

The plan is applied to the flow model and the chain solved again: the flow of every money
page and of the pages that lose most are exact (to the solver's bound), and each row's own
effect on the crawled site comes from the closed form (:mod:`linkflow.recommend.gain`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from linkflow.errors import ConfigError
from linkflow.recommend.chain import Chain, solve_state
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.gain import Edit, local
from linkflow.recommend.inputs import Site
from linkflow.recommend.records import PageChange, PlannedEdit, WhatIf
from linkflow.settings import Settings
from linkflow.urls import normalize, origin_of

__all__ = ["PlanRow", "read_plan", "what_if"]

_COLUMNS = ("source_url", "target_url", "anchor", "action")
Lookup = Callable[[Sequence[str]], Sequence[int | None]]
"""URL strings to url ids (None: a URL the audit never saw)."""
_LOSERS = 10


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One row of a plan file (``line``: its line number, the header being line 1)."""

    line: int
    source_url: str
    target_url: str
    anchor: str
    action: str


def read_plan(path: Path) -> list[PlanRow]:
    """The rows of a plan file; :class:`ConfigError` naming file and line for a bad one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the plan ({exc}); give a UTF-8 CSV file") from exc
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:2] != ["source_url", "target_url"] or any(h not in _COLUMNS for h in header):
        raise ConfigError(f"{path}:1: the header must be source_url,target_url[,anchor][,action]")
    rows = []
    for number, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ConfigError(f"{path}:{number}: {len(cells)} cells, the header has {len(header)}")
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        action = (row.get("action") or "add").lower()
        if action not in ("add", "remove"):
            raise ConfigError(f"{path}:{number}: action {action!r} must be add or remove")
        if not row["source_url"] or not row["target_url"]:
            raise ConfigError(f"{path}:{number}: source_url and target_url are both needed")
        rows.append(
            PlanRow(number, row["source_url"], row["target_url"], row.get("anchor", ""), action)
        )
    return rows


class _Resolver:
    """Plan URLs to graph nodes (sources must be pages of the graph; targets may redirect)."""

    def __init__(self, site: Site, path: Path) -> None:
        self.site, self.path = site, path
        self.node = {u: i for i, u in enumerate(site.urls)}
        self.origin = origin_of(site.urls[0]) if site.urls else ""
        assert site.graph.targets is not None
        self.targets = site.graph.targets

    def url(self, raw: str, line: int) -> str:
        text = self.origin + raw if raw.startswith("/") else raw
        url = normalize(text)
        if url is None:
            raise ConfigError(f"{self.path}:{line}: {raw!r} is not a URL or a /path")
        return url

    def source(self, raw: str, line: int) -> int:
        node = self.node.get(self.url(raw, line), -1)
        if node < 0:
            raise ConfigError(
                f"{self.path}:{line}: {raw} is not an indexable page of the crawl "
                "(not crawled, redirected, noindex or canonicalised); plan links on crawled pages"
            )
        return node

    def target(self, raw: str, line: int, lookup: Lookup) -> int:
        url = self.url(raw, line)
        node = self.node.get(url, -1)
        uid = lookup([url])[0] if node < 0 else None
        if uid is not None:
            node = int(self.targets.node_of(np.asarray([uid]))[0])
        if node < 0:
            raise ConfigError(
                f"{self.path}:{line}: {raw} does not lead to an indexable page of the crawl; "
                "link to a page that was crawled"
            )
        return node


def _edits(
    rows: list[PlanRow], nodes: list[tuple[int, int]], chain: Chain, settings: Settings, path: Path
) -> dict[tuple[int, int], tuple[float, int]]:
    """The weight change of each planned pair and the line that asked for it."""
    gs = settings.graph
    w_new = gs.weight_content if gs.weights == "position" else 1.0
    out: dict[tuple[int, int], tuple[float, int]] = {}
    for row, (s, t) in zip(rows, nodes, strict=True):
        if s == t:
            raise ConfigError(f"{path}:{row.line}: a page linking to itself passes nothing")
        if (s, t) in out:
            raise ConfigError(f"{path}:{row.line}: the plan names this link twice")
        old = chain.base_edge(s, t)
        if row.action == "remove":
            if old <= 0:
                raise ConfigError(
                    f"{path}:{row.line}: {row.source_url} has no followed link to "
                    f"{row.target_url} to remove"
                )
            out[(s, t)] = (-old, row.line)
        elif gs.duplicates == "sum":
            out[(s, t)] = (w_new, row.line)
        elif gs.duplicates == "max" or old == 0:
            out[(s, t)] = (max(old, w_new) - old, row.line)
        else:  # "first": a link already there comes first in the page and keeps its weight
            out[(s, t)] = (0.0, row.line)
    return out


def what_if(
    cache: ColumnCache, site: Site, plan: Path, settings: Settings, lookup: Lookup
) -> WhatIf:
    """The exact effect of the plan in ``plan`` on ``cache``'s chain (see module docstring);
    ``lookup`` gives the url ids of URLs (for targets that redirect)."""
    rows = read_plan(plan)
    resolve = _Resolver(site, plan)
    nodes = [
        (resolve.source(r.source_url, r.line), resolve.target(r.target_url, r.line, lookup))
        for r in rows
    ]
    chain, base = cache.chain, cache.state
    edits = _edits(rows, nodes, chain, settings, plan)
    merged: dict[int, dict[int, float]] = {}
    for (s, t), (dw, _) in edits.items():
        merged.setdefault(s, {})[t] = dw
    after = solve_state(chain.with_edits(merged), base.reward, tolerance=1e-11, warm=base)
    flat: list[Edit] = [(s, t, dw) for (s, t), (dw, _) in edits.items()]
    loc = local(cache, [e[0] for e in flat], [e[1] for e in flat])
    planned = []
    for row, edit in zip(rows, flat, strict=True):
        gain = loc.effect([edit])[0] if edit[2] != 0 else 0.0
        planned.append(
            PlannedEdit(
                row.line,
                row.action,
                site.urls[edit[0]],
                site.urls[edit[1]],
                row.anchor,
                gain,
                gain < 0,
            )
        )
    money = np.flatnonzero(site.money.mask)
    change = after.pi - base.pi
    losers = np.argsort(change, kind="stable")[:_LOSERS]
    losers = losers[change[losers] < 0]
    return WhatIf(
        money_flow=base.objective,
        after=after.objective,
        edits=tuple(planned),
        money_pages=tuple(
            PageChange(site.urls[i], float(base.pi[i]), float(after.pi[i]), True)
            for i in money.tolist()
        ),
        losers=tuple(
            PageChange(
                site.urls[i], float(base.pi[i]), float(after.pi[i]), bool(site.money.mask[i])
            )
            for i in losers.tolist()
        ),
        bound=base.bound + after.bound,
    )
