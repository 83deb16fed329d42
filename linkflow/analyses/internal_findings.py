"""Internal findings computed from the link graph (numpy) or by the store (SQL).

Every function returns Arrow tables in :data:`linkflow.store.results.FINDING_SCHEMA` form,
built column-wise so that a million findings cost no per-row Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.analyses.findings_text import SEVERITY, WHY
from linkflow.graph import LinkGraph, Targets
from linkflow.store import Store
from linkflow.store.graph import (
    anchor_findings,
    anchor_spread,
    link_target_findings,
    orphan_candidates,
)

__all__ = [
    "ANCHOR_MANY_TARGETS",
    "EQUITY_SINK_OUTLINKS",
    "TARGET_MANY_ANCHORS",
    "TOP_EQUITY_SHARE",
    "GraphFacts",
    "anchor_rows",
    "graph_rows",
    "orphan_rows",
    "target_rows",
]

TOP_EQUITY_SHARE = 0.1
"""Share of graph pages, by equity, treated as the site's strongest pages."""
EQUITY_SINK_OUTLINKS = 3
"""A strong page with fewer content links out than this is an equity sink."""
ANCHOR_MANY_TARGETS = 2
"""A descriptive anchor text pointing at this many different pages is reported."""
TARGET_MANY_ANCHORS = 10
"""A page reached by this many different descriptive anchors is reported."""


@dataclass(frozen=True, slots=True)
class GraphFacts:
    """Per-node arrays the graph findings read (all of length graph.n)."""

    equity: np.ndarray
    depth: np.ndarray
    roots: np.ndarray
    content_inlinks: np.ndarray
    content_outlinks: np.ndarray
    links_on_page: np.ndarray
    is_money: np.ndarray
    html: np.ndarray


def _text(*parts: object) -> pa.Array:
    """Element-wise string concatenation of arrays and scalars."""
    arrays = [p if isinstance(p, pa.Array | pa.ChunkedArray) else pa.scalar(str(p)) for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def _num(values: np.ndarray, decimals: int | None = None) -> pa.Array:
    if decimals is not None:
        values = np.round(values, decimals)
    return pc.cast(pa.array(values), pa.string())


def rows(
    kind: str,
    url_ids: np.ndarray,
    detail: pa.Array | pa.ChunkedArray | str,
    value: np.ndarray | None = None,
    ref_ids: np.ndarray | None = None,
) -> pa.Table:
    """A findings table of one kind (severity and why from the vocabulary)."""
    n = len(url_ids)
    details = (
        detail
        if isinstance(detail, pa.Array | pa.ChunkedArray)
        else pa.array([detail] * n, pa.string())
    )
    return pa.table(
        {
            "kind": pa.array([kind] * n, pa.string()),
            "severity": pa.array([SEVERITY[kind]] * n, pa.string()),
            "url_id": pa.array(np.asarray(url_ids, dtype=np.int64)),
            "ref_id": pa.array(ref_ids, pa.int64()) if ref_ids is not None else pa.nulls(n),
            "detail": details,
            "why": pa.array([WHY[kind]] * n, pa.string()),
            "value": pa.array(value, pa.float64()) if value is not None else pa.nulls(n),
        }
    )


def graph_rows(
    graph: LinkGraph, facts: GraphFacts, deep: int, overlink: int, min_in: int, damping: float
) -> list[pa.Table]:
    """deep-page, unreachable-page, nofollow-only, dead-end, overlinking, equity-sink,
    weak-money-page and few-content-inlinks findings."""
    ids = graph.node_url_ids
    depth = facts.depth
    is_root = np.zeros(graph.n, bool)
    is_root[facts.roots] = True
    out: list[pa.Table] = []
    sel = np.flatnonzero(depth > deep)
    out.append(
        rows(
            "deep-page",
            ids[sel],
            _text(_num(depth[sel]), " clicks from the home page"),
            depth[sel].astype(float),
        )
    )
    if facts.roots.size:
        sel = np.flatnonzero((depth < 0) & (graph.in_degree > 0))
        out.append(
            rows(
                "unreachable-page",
                ids[sel],
                "no chain of followed links from the home page reaches this page",
            )
        )
    sel = np.flatnonzero((graph.in_degree == 0) & (graph.nofollow_in > 0) & ~is_root)
    out.append(
        rows(
            "nofollow-only",
            ids[sel],
            _text("only nofollow links point here (", _num(graph.nofollow_in[sel]), ")"),
            graph.nofollow_in[sel].astype(float),
        )
    )
    sel = np.flatnonzero((graph.out_degree == 0) & facts.html)  # a PDF is no dead end
    out.append(rows("dead-end", ids[sel], "no followed link to another page of the site"))
    out.append(_overlinking(graph, facts, overlink, damping))
    out.extend(_important(graph, facts, min_in))
    return out


def _overlinking(graph: LinkGraph, facts: GraphFacts, threshold: int, damping: float) -> pa.Table:
    sel = np.flatnonzero((facts.links_on_page > threshold) & (graph.out_degree > 0))
    lo, hi = np.zeros(graph.n), np.zeros(graph.n)
    filled = np.flatnonzero(graph.out_degree > 0)
    if filled.size:
        rows_of = np.repeat(np.arange(graph.n), graph.out_degree)
        share = damping * graph.weights / graph.out_weight[rows_of]
        # rows with edges own contiguous, increasing segments, so reduceat sees each alone
        lo[filled] = np.minimum.reduceat(share, graph.indptr[filled])
        hi[filled] = np.maximum.reduceat(share, graph.indptr[filled])
    lo, hi = lo[sel], hi[sel]
    detail = _text(
        _num(facts.links_on_page[sel]),
        " links; each followed link passes ",
        _num(lo * 100, 3),
        "–",
        _num(hi * 100, 3),
        " % of the page's equity",
    )
    return rows("overlinking", graph.node_url_ids[sel], detail, facts.links_on_page[sel] * 1.0)


def _important(graph: LinkGraph, facts: GraphFacts, min_in: int) -> list[pa.Table]:
    ids = graph.node_url_ids
    top = np.zeros(graph.n, bool)
    if graph.n:
        k = max(1, int(np.ceil(TOP_EQUITY_SHARE * graph.n)))
        top[np.argsort(-facts.equity, kind="stable")[:k]] = True
    few_in = facts.content_inlinks < min_in
    few_in[facts.roots] = False  # every page's logo and menu reach the home page
    money = np.flatnonzero(facts.is_money & few_in)
    strong = np.flatnonzero(top & ~facts.is_money & few_in)
    sink = np.flatnonzero(top & (facts.content_outlinks < EQUITY_SINK_OUTLINKS))

    def inl(sel: np.ndarray) -> pa.Array:
        return _text(_num(facts.content_inlinks[sel]), f" content inlinks (fewer than {min_in})")

    return [
        rows("weak-money-page", ids[money], inl(money), facts.content_inlinks[money] * 1.0),
        rows("few-content-inlinks", ids[strong], inl(strong), facts.content_inlinks[strong] * 1.0),
        rows(
            "equity-sink",
            ids[sink],
            _text(
                "top ",
                str(int(TOP_EQUITY_SHARE * 100)),
                " % equity but ",
                _num(facts.content_outlinks[sink]),
                " content links out",
            ),
            facts.equity[sink],
        ),
    ]


def orphan_rows(store: Store, crawl_id: int, graph: LinkGraph, roots: np.ndarray) -> pa.Table:
    """Pages known from the sitemap, backlinks or traffic that no followed link reaches."""
    assert graph.targets is not None
    cand = orphan_candidates(store, crawl_id)
    url_id = cand["url_id"].to_numpy().astype(np.int64)
    node = graph.targets.node_of(url_id)
    crawled = cand["crawled"].to_numpy(zero_copy_only=False)
    linked = cand["linked"].to_numpy(zero_copy_only=False)
    is_root = np.zeros(graph.n + 1, bool)
    is_root[roots] = True
    safe = np.where(node >= 0, node, graph.n)
    no_in = np.r_[graph.in_degree, 0][safe] == 0
    # A URL never crawled counts only on the site's own word (sitemap) or real visits
    # (traffic): a backlink alone may point at a page long gone.
    seen = cand["sitemap"].to_numpy(zero_copy_only=False) | cand["traffic"].to_numpy(
        zero_copy_only=False
    )
    orphan = np.where(crawled, (node >= 0) & no_in & ~is_root[safe], ~linked & seen)
    sub = cand.filter(pa.array(orphan))
    backlinks = pc.cast(sub["backlinks"], pa.string())
    clicks = pc.cast(pc.round(pc.fill_null(sub["clicks"], 0.0), 0), pa.string())
    parts = [
        pc.if_else(sub["sitemap"], "listed in the sitemap; ", ""),
        pc.if_else(
            pc.greater(sub["backlinks"], 0),
            pc.binary_join_element_wise(backlinks, " backlink(s); ", ""),
            "",
        ),
        pc.if_else(
            sub["traffic"], pc.binary_join_element_wise(clicks, " clicks in traffic; ", ""), ""
        ),
    ]
    detail = pc.binary_join_element_wise(
        "known from: ", *parts, "but no followed internal link points here", ""
    )
    return rows("orphan-page", sub["url_id"].to_numpy(), detail)


def target_rows(store: Store, crawl_id: int, graph: LinkGraph, pages: pa.Table) -> list[pa.Table]:
    """broken-link, link-to-redirect, link-to-canonicalised, link-to-noindex (per link pair),
    redirect-chain and redirect-loop (per redirecting URL)."""
    t = graph.targets
    assert t is not None
    url_id = pages["url_id"].to_numpy().astype(np.int64)
    internal = pages["internal"].fill_null(False).to_numpy(zero_copy_only=False)
    redirect = internal & (pages["redirect_url_id"].fill_null(-1).to_numpy() >= 0)
    final, hops, loop = t.final[url_id], t.hops[url_id], t.loop[url_id]
    out = [link_target_findings(store, crawl_id, _problem_targets(t, pages, internal, redirect))]
    chain = np.flatnonzero(redirect & ~loop & (hops >= 2))
    detail = _text(_num(hops[chain]), " redirects before reaching {ref}")
    out.append(rows("redirect-chain", url_id[chain], detail, hops[chain] * 1.0, final[chain]))
    loops = np.flatnonzero(redirect & loop)
    out.append(rows("redirect-loop", url_id[loops], "the redirect chain from here never ends"))
    return out


def _problem_targets(
    t: Targets, pages: pa.Table, internal: np.ndarray, redirect: np.ndarray
) -> pa.Table:
    """Internal URLs a link should not point at, with the kind and a note for each."""
    url_id = pages["url_id"].to_numpy().astype(np.int64)
    status = pages["status"].fill_null(0).to_numpy().astype(np.int64)
    status_of = np.full(t.final.size, -1, dtype=np.int64)
    status_of[url_id] = status
    canonical = pages["canonical_url_id"].fill_null(-1).to_numpy().astype(np.int64)
    noindex = ~pages["indexable"].fill_null(True).to_numpy(zero_copy_only=False)
    final, hops, loop = t.final[url_id], t.hops[url_id], t.loop[url_id]
    final_status = np.where(final >= 0, status_of[np.maximum(final, 0)], -1)
    failed = internal & ~redirect & ((status == 0) | (status >= 400))
    redir_bad = redirect & (loop | (final_status == 0) | (final_status >= 400))
    canon = internal & ~redirect & (status == 200) & (canonical >= 0) & (canonical != url_id)
    to_final = _text("redirects to {ref}, which answers ", _status_text(final_status))
    groups = [
        ("broken-link", failed, _text(_status_text(status)), None),
        ("broken-link", redir_bad, pc.if_else(pa.array(loop), "redirect loop", to_final), final),
        ("link-to-redirect", redirect & ~redir_bad,
         _text("redirects ", _num(hops), " time(s) to {ref}"), final),
        ("link-to-canonicalised", canon, "canonical is {ref}", canonical),
        ("link-to-noindex", internal & ~redirect & ~canon & (status == 200) & noindex,
         "noindex", None),
    ]  # fmt: skip
    return pa.concat_tables(
        [_target_table(kind, url_id, m, note, ref) for kind, m, note, ref in groups]
    )


def _status_text(status: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(status <= 0), "no response", pc.cast(pa.array(status), pa.string()))


def _target_table(
    kind: str, url_id: np.ndarray, mask: np.ndarray, note: pa.Array | str, ref: np.ndarray | None
) -> pa.Table:
    sel = np.flatnonzero(mask)
    n = sel.size
    notes = pa.array([note] * n, pa.string()) if isinstance(note, str) else note.take(sel)
    return pa.table(
        {
            "url_id": pa.array(url_id[sel], pa.int64()),
            "kind": pa.array([kind] * n, pa.string()),
            "severity": pa.array([SEVERITY[kind]] * n, pa.string()),
            "why": pa.array([WHY[kind]] * n, pa.string()),
            "note": notes,
            "ref_id": pa.array(ref[sel], pa.int64())
            if ref is not None
            else pa.nulls(n, pa.int64()),
        }
    )


def anchor_rows(
    store: Store, crawl_id: int, graph: LinkGraph, internal_ids: np.ndarray, generic: Sequence[str]
) -> list[pa.Table]:
    """generic-anchor, empty-anchor, naked-url-anchor, image-link-no-alt (per link pair),
    anchor-many-targets (per anchor text) and target-many-anchors (per page)."""
    t = graph.targets
    assert t is not None
    kinds = ("generic-anchor", "empty-anchor", "naked-url-anchor", "image-link-no-alt")
    ids = pa.table({"url_id": pa.array(internal_ids, pa.int64())})
    out = [anchor_findings(store, crawl_id, ids, generic, {k: WHY[k] for k in kinds})]
    ok = np.flatnonzero(t.node >= 0)
    resolved = pa.table(
        {
            "url_id": pa.array(ok, pa.int64()),
            "final_id": pa.array(graph.node_url_ids[t.node[ok]], pa.int64()),
        }
    )
    anchors, targets = anchor_spread(
        store,
        crawl_id,
        resolved,
        generic,
        min_targets=ANCHOR_MANY_TARGETS,
        min_anchors=TARGET_MANY_ANCHORS,
    )
    n = anchors.num_rows
    detail = pc.binary_join_element_wise(
        '"',
        pc.utf8_slice_codeunits(anchors["anchor"], 0, 80),
        '" links to ',
        pc.cast(anchors["targets"], pa.string()),
        " different pages: ",
        anchors["sample"],
        "",
    )
    out.append(
        rows(
            "anchor-many-targets",
            np.full(n, -1),
            detail,
            anchors["targets"].to_numpy().astype(float),
        )
    )
    out[-1] = out[-1].set_column(2, "url_id", pa.nulls(n, pa.int64()))
    detail = pc.binary_join_element_wise(
        pc.cast(targets["anchors"], pa.string()),
        " different anchor texts, e.g. ",
        targets["sample"],
        "",
    )
    out.append(
        rows(
            "target-many-anchors",
            targets["url_id"].to_numpy(),
            detail,
            targets["anchors"].to_numpy().astype(float),
        )
    )
    return out
