"""Authority flow: backlink-seeded equity, money pages, where their authority comes from and
where it is trapped (docs/model.md, "Flow").

:func:`run_flow` starts from the internal analysis' result (the graph and its redirect and
canonical collapse) and the backlink profile's ``backlink_targets``; it writes nothing.
:mod:`linkflow.analyses.flow_persist` stores the result, :mod:`linkflow.analyses.verdict`
turns it into the verdict.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from linkflow.analyses.flow_inputs import backlink_authority, money_pages, top_sources
from linkflow.analyses.flow_leaks import LowValue, classify_urls, external_leak
from linkflow.analyses.flow_solve import (
    FlowOperator,
    Hitting,
    columns,
    edge_gains,
    ends_on,
    hitting,
    reverse_values,
    seeded_teleport,
    source_values,
)
from linkflow.analyses.internal_result import InternalResult
from linkflow.analyses.money import MoneyPages
from linkflow.graph import LinkGraph, PageRankResult
from linkflow.graph.engine import LOCAL, GraphEngine
from linkflow.settings import GraphSettings, Settings
from linkflow.store import Store

__all__ = ["Fix", "FlowResult", "best_fixes", "run_flow", "trapping_sources"]


@dataclass(frozen=True, slots=True)
class Fix:
    """One content link of ``weight`` from a trapping page ``source`` to the money page
    ``target`` (nodes) that raises ``F = πᵀr`` most: by ``gain``, from ``before`` (the closed
    form of the gain is exact; its inputs carry the solvers' bounds)."""

    source: int
    target: int
    weight: float
    gain: float
    before: float


@dataclass(frozen=True, slots=True)
class FlowResult:
    """The authority flow of one crawl, in memory (per node unless said otherwise).

    ``teleport`` v (where outside surfers land), ``authority`` E (backlink authority landing
    on each node), ``solver`` the flow π and its bounds, ``values`` x = M·r (discounted
    money reward collected from each page), ``reach`` h (probability that authority on a
    page reaches a money page along links), ``money`` the money pages and their weights r.
    ``paths``: per money page its top sources (money_id, source_id: url ids; rank; share;
    flow). ``lost``: backlink targets whose authority lands on no node (url_id, url,
    authority, reason). ``fixes``: the best link from each reported trapping page.
    ``low_value``: the low-value URL class of each node; ``leaks``: the flow on each class;
    ``external``: the share of flow leaving by external links.
    """

    crawl_id: int
    settings: Settings
    started_at: datetime
    graph: LinkGraph
    teleport: np.ndarray
    authority: np.ndarray
    solver: PageRankResult
    operator: FlowOperator
    money: MoneyPages
    values: np.ndarray
    reach: Hitting
    ends_low: Hitting
    paths: pa.Table
    lost: pa.Table
    fixes: tuple[Fix, ...]
    low_value: LowValue
    leaks: dict[str, float]
    external: float
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def flow(self) -> np.ndarray:
        """π: the backlink-seeded equity of each node (sums to 1)."""
        return self.solver.scores

    @property
    def damping(self) -> float:
        return self.operator.damping

    @property
    def flow_in(self) -> np.ndarray:
        """``(1−α)·v_i``: authority each page receives from outside per step."""
        out: np.ndarray = (1.0 - self.damping) * self.teleport
        return out

    @property
    def trapped(self) -> np.ndarray:
        """``flow_in_i·(1 − h_i)``: outside authority a page receives that never reaches a
        money page along links (0 on money pages)."""
        out: np.ndarray = self.flow_in * (1.0 - self.reach.reach)
        return out

    @property
    def trapped_low_value(self) -> np.ndarray:
        """``flow_in_i·u_i``: the part of :attr:`trapped` that ends on a low-value URL (tag
        and date archives, login, legal pages ...); the rest ends on other pages."""
        out: np.ndarray = np.minimum(self.flow_in * self.ends_low.reach, self.trapped)
        return out

    @property
    def passed(self) -> np.ndarray:
        """``α·π_i·(1 − d_i)``: what each page passes on through its followed links."""
        out: np.ndarray = self.damping * self.flow * (1.0 - self.operator.deficit)
        return out

    @property
    def kept(self) -> np.ndarray:
        """``π_i`` less what it passes on: the teleport share and what dead ends or
        evaporated nofollow links hand back to the teleport."""
        out: np.ndarray = self.flow - self.passed
        return out

    @property
    def contributions(self) -> np.ndarray:
        """``(1−α)·v_s·x_s``: each landing page's part of F, scaled to add up to
        :attr:`money_flow` exactly (the scale is 1 within the solvers' bounds)."""
        raw = self.flow_in * self.values
        total = float(raw.sum())
        out: np.ndarray = raw * (self.money_flow / total) if total > 0 else raw
        return out

    @property
    def money_flow(self) -> float:
        """``F = πᵀr``: the money pages' (revenue-weighted) share of the flow."""
        return float(self.flow @ self.money.weights)

    @property
    def money_share(self) -> float:
        """The money pages' share of the flow, unweighted."""
        return float(self.flow[self.money.mask].sum())

    @property
    def has_backlinks(self) -> bool:
        return bool(self.authority.sum() > 0)


def trapping_sources(result: FlowResult, count: int, roots: np.ndarray) -> np.ndarray:
    """The ``count`` non-money nodes with the most trapped authority (and positive), then
    the home page when it is no money page: the sources whose best fix is computed."""
    trapped = result.trapped
    order = np.argsort(-trapped, kind="stable")
    order = order[(trapped[order] > 0) & ~result.money.mask[order]][:count]
    homes = [int(r) for r in roots[:1] if not result.money.mask[r] and not np.isin(r, order)]
    return np.asarray([*order.tolist(), *homes], dtype=np.int64)


def best_fixes(result: FlowResult, sources: np.ndarray, weight: float) -> tuple[Fix, ...]:
    """For each source, the money page a new content link of ``weight`` helps most, with its
    exact gain (one column of M per source). Targets it already links are left out."""
    money = np.flatnonzero(result.money.mask)
    if sources.size == 0 or money.size == 0:
        return ()
    # c_s ≥ 1 and c_t ≤ c_s keep the denominator above W_s/w + 1 − α, so an absolute error ε
    # on c moves ΔF by at most 2ε/(1 − α) relative: this ε keeps ΔF within the tolerance.
    tol = result.settings.graph.tolerance * (1.0 - result.damping) / 2.0
    cols = columns(result.operator, sources, tol, result.settings.graph.max_iterations).x
    graph, r = result.graph, result.money.weights
    before = result.money_flow
    out = []
    for j, s in enumerate(sources.tolist()):
        linked = graph.indices[graph.indptr[s] : graph.indptr[s + 1]]
        cand = money[~np.isin(money, linked) & (money != s)]
        if cand.size == 0:
            continue
        gains = edge_gains(
            result.operator, float(result.flow[s]), s, cols[:, j], result.values, r[s], weight
        )[cand]
        best = int(np.argmax(gains))
        if gains[best] > 0:
            out.append(Fix(s, int(cand[best]), weight, float(gains[best]), before))
    return tuple(sorted(out, key=lambda f: -f.gain))


def run_flow(
    store: Store,
    internal: InternalResult,
    settings: Settings | None = None,
    *,
    engine: GraphEngine = LOCAL,
) -> FlowResult:
    """The authority flow of ``internal``'s crawl, in memory (see :class:`FlowResult`).

    ``engine`` solves the backlink-seeded PageRank (the local engine, or e.g.
    :class:`linkflow.engines.spark.SparkEngine`); the decomposition towards the money pages
    and the fixes' what-ifs run in memory on the graph either way.

    Reads ``backlink_targets`` (run the backlink analysis on the same crawl first; without
    backlinks v is uniform and the flow is the internal equity). Raises
    :class:`linkflow.errors.ConfigError` for invalid settings or a money file that cannot
    be read.
    """
    started_at = datetime.now(UTC)
    settings = settings or internal.settings
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    graph, gs, an = internal.graph, settings.graph, settings.analyse
    authority, lost = backlink_authority(store, graph)
    money = money_pages(store, internal, settings)
    v = seeded_teleport(graph.n, authority, an.backlink_beta)
    t = _lap(seconds, "inputs", t)
    solver = engine.pagerank(
        graph,
        damping=gs.damping,
        teleport=v if graph.n else None,
        tolerance=gs.tolerance,
        x0=internal.equity if graph.n else None,  # the same flow when there are no backlinks
        max_iterations=gs.max_iterations,
    )
    t = _lap(seconds, "flow", t)
    op = FlowOperator.of(graph, v, gs.damping)
    values = reverse_values(op, money.weights, gs.tolerance, gs.max_iterations).x
    t = _lap(seconds, "decomposition", t)
    mask = money.mask
    chosen = np.flatnonzero(mask)
    chosen = chosen[np.argsort(-solver.scores[chosen], kind="stable")][: an.flow_money_pages]
    flow_in = (1.0 - gs.damping) * v
    paths = top_sources(
        graph,
        solver.scores,
        flow_in,
        _money_columns(op, chosen, solver.scores, gs),
        chosen,
        an.flow_sources,
    )
    t = _lap(seconds, "paths", t)
    reach = hitting(op, mask, gs.tolerance, gs.max_iterations)
    t = _lap(seconds, "reach", t)
    low_value = classify_urls(graph.url_array, an.low_value)
    ends_low = ends_on(op, mask, low_value.codes >= 0, gs.tolerance, gs.max_iterations)
    assert graph.links_by_url is not None
    assert graph.external_by_url is not None
    ids = graph.node_url_ids
    result = FlowResult(
        crawl_id=internal.crawl_id,
        settings=settings,
        started_at=started_at,
        graph=graph,
        teleport=v,
        authority=authority,
        solver=solver,
        operator=op,
        money=money,
        values=values,
        reach=reach,
        ends_low=ends_low,
        paths=paths,
        lost=lost,
        fixes=(),
        low_value=low_value,
        leaks=low_value.shares(solver.scores),
        external=external_leak(
            solver.scores, gs.damping, graph.links_by_url[ids], graph.external_by_url[ids]
        ),
        seconds=seconds,
    )
    t = _lap(seconds, "leaks", t)
    weight = gs.weight_content if gs.weights == "position" else 1.0
    sources = trapping_sources(result, an.trapped_pages, internal.facts.roots)
    result = dataclasses.replace(result, fixes=best_fixes(result, sources, weight))
    _lap(seconds, "fixes", t)
    return result


_BATCH = 8
"""Money pages solved together: one sparse product with a matrix right-hand side costs
about 2.5 single products for 8 columns on a 1M-page graph (bench/graph_bench.py)."""


def _money_columns(
    op: FlowOperator, chosen: np.ndarray, flow: np.ndarray, gs: GraphSettings
) -> np.ndarray:
    """x = M·e_t for each money node t of ``chosen``, until its sources account for its
    flow (:func:`linkflow.analyses.flow_solve.source_values`)."""
    out = np.zeros((op.n, chosen.size))
    for lo in range(0, chosen.size, _BATCH):
        part = chosen[lo : lo + _BATCH]
        rewards = np.zeros((op.n, part.size))
        rewards[part, np.arange(part.size)] = 1.0
        values = source_values(op, rewards, flow[part], gs.tolerance, gs.max_iterations)
        out[:, lo : lo + part.size] = values.x
    return out


def _lap(seconds: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    seconds[name] = round(now - since, 3)
    return now
