"""Storing the authority flow: page_metrics' flow columns, flow_paths and the run row.

:func:`persist_flow` stores a :class:`~linkflow.analyses.flow.FlowResult` in one
transaction and returns its :class:`FlowSummary`, which is also the ``analysis_runs``
details of the ``flow`` run.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from linkflow.analyses.flow import FlowResult
from linkflow.analyses.persist import next_run_id, record_run
from linkflow.graph import equity_scores
from linkflow.store import Store

__all__ = ["FlowSummary", "persist_flow", "summarise_flow"]


@dataclass(frozen=True, slots=True)
class FlowSummary:
    """Headline numbers of the flow (shares are of the whole flow, which sums to 1).

    ``money_share``: the money pages' share; ``money_flow``: the same weighted by revenue
    (equal without weights); ``reach``: the share of outside authority that reaches a money
    page along links; ``backlink_authority`` / ``lost_authority``: backlink authority that
    lands on graph pages / on none (broken, redirected off the graph, not crawled).
    """

    crawl_id: int
    run_id: int
    nodes: int
    iterations: int
    l1_bound: float
    relative_bound: float
    converged: bool
    money_source: str
    money_pages: int
    money_share: float
    money_flow: float
    reach: float
    backlink_authority: float
    lost_authority: float
    leaks: dict[str, float] = field(default_factory=dict)
    external_leak: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)


def summarise_flow(result: FlowResult, run_id: int = 0) -> FlowSummary:
    """The summary of ``result`` (stored as run ``run_id``)."""
    solver = result.solver
    return FlowSummary(
        crawl_id=result.crawl_id,
        run_id=run_id,
        nodes=result.graph.n,
        iterations=solver.iterations,
        l1_bound=solver.l1_bound,
        relative_bound=solver.relative_bound,
        converged=solver.converged,
        money_source=result.money.source,
        money_pages=result.money.count,
        money_share=result.money_share,
        money_flow=result.money_flow,
        reach=float(result.teleport @ result.reach.reach),
        backlink_authority=float(result.authority.sum()),
        lost_authority=float(np.sum(result.lost["authority"].to_numpy())),
        leaks=dict(result.leaks),
        external_leak=result.external,
        seconds=dict(result.seconds),
    )


def _metrics(result: FlowResult) -> pa.Table:
    guessed = result.money.source == "guessed"
    return pa.table(
        {
            "url_id": pa.array(result.graph.node_url_ids, pa.int64()),
            "flow": pa.array(result.flow, pa.float64()),
            "flow_score": pa.array(equity_scores(result.flow), pa.float64()),
            "flow_in": pa.array(result.flow_in, pa.float64()),
            "trapped": pa.array(result.trapped, pa.float64()),
            "trapped_low_value": pa.array(result.trapped_low_value, pa.float64()),
            "guessed_money": pa.array(result.money.mask & guessed),
        }
    )


def persist_flow(store: Store, result: FlowResult) -> FlowSummary:
    """Store ``result``: the flow columns of the crawl's page_metrics (0 off the graph;
    guessed money pages get ``is_money``), its ``flow_paths`` (replacing the crawl's) and a
    ``flow`` row in ``analysis_runs``, in one transaction. Run after the internal analysis
    stored the crawl's page_metrics."""
    start = time.perf_counter()
    crawl = result.crawl_id
    with store.transaction(), store.registered("_lf_flow", _metrics(result)):
        run_id = next_run_id(store)
        store.execute(
            "UPDATE page_metrics SET flow = 0, flow_score = 0, flow_in = 0, trapped = 0, "
            "trapped_low_value = 0 "
            "WHERE crawl_id = ?",
            [crawl],
        )
        store.execute(
            "UPDATE page_metrics pm SET flow = f.flow, flow_score = f.flow_score, "
            "flow_in = f.flow_in, trapped = f.trapped, trapped_low_value = f.trapped_low_value, "
            "is_money = pm.is_money OR f.guessed_money "
            "FROM _lf_flow f WHERE pm.crawl_id = ? AND pm.url_id = f.url_id",
            [crawl],
        )
        store.delete("flow_paths", crawl_id=crawl)
        with store.registered("_lf_paths", result.paths):
            store.execute(
                "INSERT INTO flow_paths BY NAME SELECT ? AS crawl_id, m.url AS money_url, "
                "s.url AS source_url, p.rank, p.share, p.flow FROM _lf_paths p "
                "JOIN urls m ON m.id = p.money_id JOIN urls s ON s.id = p.source_id",
                [crawl],
            )
        summary = summarise_flow(result, run_id)
        seconds = {**summary.seconds, "write": round(time.perf_counter() - start, 3)}
        summary = dataclasses.replace(summary, seconds=seconds)
        record_run(
            store,
            run_id,
            crawl,
            "flow",
            settings=dataclasses.asdict(result.settings),
            started_at=result.started_at,
            details=dataclasses.asdict(summary),
        )
    return summary
