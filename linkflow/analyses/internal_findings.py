"""Internal findings computed from the link graph (numpy), orphan candidates and problem
link targets (the anchor findings are in :mod:`linkflow.analyses.internal_anchors`).

A link is broken only when a fetch or a file lookup proved its target missing or failing:
a target the crawl did not check (robots.txt blocked it; it lies outside the build folder
or the base URL's path) gives an ``unchecked-link`` finding instead.

Every function returns Arrow tables in :data:`linkflow.analyses.persist.FINDING_SCHEMA`
form, built column-wise so that a million findings cost no per-row Python; severity and why
always come from :mod:`linkflow.analyses.findings_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.analyses.findings_text import SEVERITY, WHY
from linkflow.analyses.internal_queries import (
    link_target_findings,
    orphan_candidates,
    unchecked_pages,
)
from linkflow.graph import LinkGraph, Targets
from linkflow.store import Store

__all__ = [
    "EQUITY_SINK_OUTLINKS",
    "TOP_EQUITY_SHARE",
    "GraphFacts",
    "graph_rows",
    "orphan_rows",
    "rows",
    "target_rows",
]

TOP_EQUITY_SHARE = 0.1
"""Share of graph pages, by equity, treated as the site's strongest pages."""
EQUITY_SINK_OUTLINKS = 3
"""A strong page with fewer content links out than this is an equity sink."""


@dataclass(frozen=True, slots=True)
class GraphFacts:
    """Per-node arrays (all of length graph.n, indexed by node id).

    ``equity``: PageRank scores (sum to 1); ``depth``: clicks from the nearest root (-1:
    unreachable); ``roots``: the node ids click depth starts from; ``content_inlinks`` /
    ``content_outlinks``: edges in / out that include a link in the main content;
    ``links_on_page``: every stored link of the page; ``is_money``: a money page;
    ``html``: an HTML page (a PDF is no dead end).
    """

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
    """Pages known from the sitemap, backlinks, traffic or (folder crawls) as an HTML file of
    the build folder that no followed link reaches."""
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
        pc.if_else(sub["file"], "file in the build folder; ", ""),
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


@dataclass(frozen=True, slots=True)
class _Marks:
    """Per pages row: ``outside`` the copy audited (never parsed), ``unchecked`` (no status
    because the crawl did not fetch it), ``note`` (the row's error, for the finding)."""

    outside: np.ndarray
    unchecked: np.ndarray
    note: pa.Array


def _marks(store: Store, crawl_id: int, url_id: np.ndarray) -> _Marks:
    """:func:`unchecked_pages` aligned with ``url_id`` (one pages row per URL)."""
    table = unchecked_pages(store, crawl_id)
    if table.num_rows == 0:
        none = np.zeros(url_id.size, bool)
        return _Marks(none, none, pa.nulls(url_id.size, pa.string()))
    ids = table["url_id"].to_numpy().astype(np.int64)
    row_of = np.full(int(max(url_id.max(initial=-1), ids.max())) + 1, -1, np.int64)
    row_of[ids] = np.arange(ids.size)
    row = row_of[url_id]
    hit = row >= 0
    at = np.where(hit, row, 0)
    outside = table["outside"].to_numpy(zero_copy_only=False)
    unchecked = table["unchecked"].to_numpy(zero_copy_only=False)
    notes = pc.if_else(pa.array(hit), table["note"].take(pa.array(at)), None)
    return _Marks(hit & outside[at], hit & unchecked[at], notes)


def target_rows(store: Store, crawl_id: int, graph: LinkGraph, pages: pa.Table) -> list[pa.Table]:
    """broken-link, unchecked-link, link-to-redirect, link-to-canonicalised, link-to-noindex
    (per link pair), redirect-chain and redirect-loop (per redirecting URL)."""
    t = graph.targets
    assert t is not None
    url_id = pages["url_id"].to_numpy().astype(np.int64)
    internal = pages["internal"].fill_null(False).to_numpy(zero_copy_only=False)
    redirect = internal & (pages["redirect_url_id"].fill_null(-1).to_numpy() >= 0)
    final, hops, loop = t.final[url_id], t.hops[url_id], t.loop[url_id]
    marks = _marks(store, crawl_id, url_id)
    problems = _problem_targets(t, pages, internal, redirect, marks)
    out = [link_target_findings(store, crawl_id, problems)]
    chain = np.flatnonzero(redirect & ~loop & (hops >= 2))
    detail = _text(_num(hops[chain]), " redirects before reaching {ref}")
    out.append(rows("redirect-chain", url_id[chain], detail, hops[chain] * 1.0, final[chain]))
    loops = np.flatnonzero(redirect & loop)
    out.append(rows("redirect-loop", url_id[loops], "the redirect chain from here never ends"))
    return out


def _problem_targets(
    t: Targets, pages: pa.Table, internal: np.ndarray, redirect: np.ndarray, marks: _Marks
) -> pa.Table:
    """Internal URLs a link should not point at, with the kind and a note for each.

    A target with no status is broken only if it was fetched (no answer came); one the crawl
    did not check is ``unchecked-link`` (a redirect ending at one, ``link-to-redirect``). A
    target outside the copy audited was never parsed: it is never noindex nor canonicalised.
    """
    url_id = pages["url_id"].to_numpy().astype(np.int64)
    status = pages["status"].fill_null(0).to_numpy().astype(np.int64)
    status_of = np.full(t.final.size, -1, dtype=np.int64)
    status_of[url_id] = status
    unchecked_of = np.zeros(t.final.size, bool)
    unchecked_of[url_id] = marks.unchecked
    canonical = pages["canonical_url_id"].fill_null(-1).to_numpy().astype(np.int64)
    # A PDF or a download is "not indexable" as stored (it is no HTML page), but a link to
    # it is no mistake: only an HTML page can carry a noindex a link should avoid.
    noindex = ~pages["indexable"].fill_null(True).to_numpy(zero_copy_only=False) & pages[
        "html"
    ].fill_null(True).to_numpy(zero_copy_only=False)
    final, hops, loop = t.final[url_id], t.hops[url_id], t.loop[url_id]
    final_status = np.where(final >= 0, status_of[np.maximum(final, 0)], -1)
    final_unchecked = (final >= 0) & unchecked_of[np.maximum(final, 0)]
    unchecked, parsed = internal & marks.unchecked, ~marks.outside
    failed = internal & ~redirect & ~unchecked & ((status == 0) | (status >= 400))
    ends_bad = ((final_status == 0) | (final_status >= 400)) & ~final_unchecked
    redir_bad = redirect & (loop | ends_bad)
    canon = (
        internal & parsed & ~redirect & (status == 200) & (canonical >= 0) & (canonical != url_id)
    )
    to_final = _text("redirects to {ref}, which answers ", _status_text(final_status))
    groups = [
        ("broken-link", failed, _text(_status_text(status)), None),
        ("broken-link", redir_bad, pc.if_else(pa.array(loop), "redirect loop", to_final), final),
        ("unchecked-link", unchecked & ~redirect, marks.note, None),
        ("link-to-redirect", redirect & ~redir_bad,
         _text("redirects ", _num(hops), " time(s) to {ref}"), final),
        ("link-to-canonicalised", canon, "canonical is {ref}", canonical),
        ("link-to-noindex", internal & parsed & ~redirect & ~canon & (status == 200) & noindex,
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
