"""What the authority flow starts from: backlink authority per node, the money pages; and
the per-money-page source table it hands on.

Backlink authority is ``backlink_targets.authority`` (followed, live, per-domain capped,
quality-weighted; docs/formats.md) moved through the graph's redirect and canonical
collapse: a backlink to a redirect feeds the page the chain ends at, one to a 404, a
noindex page or an uncrawled URL feeds nothing and is reported as lost.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from linkflow.analyses.internal_result import InternalResult
from linkflow.analyses.money import MoneyPages, match_weights, score_money
from linkflow.graph import LinkGraph
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["backlink_authority", "money_pages", "top_sources"]


def backlink_authority(store: Store, graph: LinkGraph) -> tuple[np.ndarray, pa.Table]:
    """E per node from ``backlink_targets`` (followed, live, per-domain-capped authority),
    through the graph's redirect and canonical collapse; and the targets landing on no node
    (url_id, url, authority, status, reason), strongest first."""
    assert graph.targets is not None
    rows = store.query(
        "SELECT coalesce(url_id, -1)::BIGINT AS url_id, url, authority, status, redirect_url "
        "FROM backlink_targets WHERE authority > 0 ORDER BY authority DESC, url"
    )
    node = graph.targets.node_of(rows["url_id"].to_numpy())
    authority = rows["authority"].to_numpy().astype(np.float64)
    e = np.bincount(node[node >= 0], weights=authority[node >= 0], minlength=graph.n)
    lost = rows.filter(pa.array(node < 0))
    reasons = [_reason(r["status"], r["redirect_url"]) for r in lost.to_pylist()]
    lost = lost.select(["url_id", "url", "authority", "status"])
    return e.astype(np.float64), lost.append_column("reason", pa.array(reasons, pa.string()))


def _reason(status: int | None, redirect: str | None) -> str:
    if status is None:
        return "not crawled"
    if status == 0 or status >= 400:
        return f"answers {status}" if status else "no response"
    if redirect:
        return "redirects to a page that is not indexable or does not answer"
    return "not indexable or canonicalised elsewhere"


def money_pages(store: Store, internal: InternalResult, settings: Settings) -> MoneyPages:
    """The declared money pages of the graph (with weights), else guessed ones, else none."""
    an = settings.analyse
    graph = internal.graph
    weights = match_weights(store, graph.node_url_ids, an.money, an.money_weights)
    if weights.any():
        return MoneyPages(weights, "declared")
    guessed = score_money(store, internal.crawl_id, graph, an.low_value)
    note = "analyse.money matches no page of the crawl; " if an.money else ""
    if guessed:
        weights = np.zeros(graph.n)
        weights[[g.node for g in guessed]] = 1.0
        reasons = {g.node: g.reasons for g in guessed}
        return MoneyPages(weights, "guessed", note + "money pages guessed", reasons)
    return MoneyPages(np.zeros(graph.n), "none", note + "no money pages known")


def top_sources(
    graph: LinkGraph,
    flow: np.ndarray,
    flow_in: np.ndarray,
    cols: np.ndarray,
    chosen: np.ndarray,
    top: int,
) -> pa.Table:
    """The ``top`` largest sources of each money node in ``chosen``: column j of ``cols`` is
    x = M·e_t for t = chosen[j], so source s brought ``flow_in_s·x_s`` of t's flow. Columns
    money_id, source_id (url ids), rank, share (of t's flow: the parts of all sources are
    scaled to add up to 1 exactly, a factor within the solvers' bounds of 1) and flow
    (share × π_t)."""
    ids = graph.node_url_ids
    parts: list[dict[str, np.ndarray]] = []
    for j, t in enumerate(chosen.tolist()):
        contrib = flow_in * cols[:, j]
        total = float(contrib.sum())
        k = min(top, contrib.size)
        best = np.argpartition(-contrib, k - 1)[:k] if k < contrib.size else np.arange(k)
        best = best[np.lexsort((best, -contrib[best]))]
        best = best[contrib[best] > 0]
        share = contrib[best] / total if total > 0 else contrib[best]
        parts.append(
            {
                "money_id": np.full(best.size, ids[t]),
                "source_id": ids[best],
                "rank": np.arange(1, best.size + 1),
                "share": share,
                "flow": share * flow[t],
            }
        )
    names = ("money_id", "source_id", "rank", "share", "flow")
    out = {k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in names}
    return pa.table(
        {
            "money_id": pa.array(out["money_id"], pa.int64()),
            "source_id": pa.array(out["source_id"], pa.int64()),
            "rank": pa.array(out["rank"], pa.int32()),
            "share": pa.array(out["share"], pa.float64()),
            "flow": pa.array(out["flow"], pa.float64()),
        }
    )
