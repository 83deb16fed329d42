"""The link graph: which URLs are nodes, where each link really points, and its weight.

The rules (docs/model.md has them with examples):

- A node is an internal URL that answered 200, is indexable, does not redirect and is not
  canonicalised to another URL.
- A link to a redirecting URL follows the chain hop by hop to its end; a link to a
  canonicalised URL goes to its canonical (and on, if that redirects or canonicalises). A
  link whose chain ends anywhere but at a node (404, loop, noindex, not crawled) is dropped;
  so are links from non-nodes and self-links.
- Weight of one ``<a>``: the position weight × ``image_multiplier`` for an image link (all
  1.0 with ``weights='uniform'``). Several links i→j give one edge whose weight is the max,
  the sum or the first (in page order) of theirs.
- nofollow/sponsored/ugc links are dropped, or with ``nofollow='evaporate'`` counted in the
  source's total out-weight W_i without an edge, so their share leaves to the teleport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from numpy.typing import ArrayLike

from linkflow.errors import ConfigError
from linkflow.graph.load import crawl_links, crawl_pages
from linkflow.models import POSITIONS
from linkflow.settings import GraphSettings
from linkflow.store import Store

__all__ = [
    "LinkGraph",
    "Targets",
    "build_graph",
    "check_settings",
    "from_edges",
    "position_weights",
]

_MAX_DOUBLINGS = 40  # pointer doubling follows chains of up to 2**40 hops


@dataclass(frozen=True, slots=True)
class Targets:
    """Where a link to each URL id ends (arrays indexed by url id, length = max id + 1).

    ``final``: the URL the redirect/canonical chain ends at (itself when it neither redirects
    nor canonicalises); ``hops``: redirect hops before the redirect chain ends; ``loop``: the
    chain never ends; ``node``: the graph node the link lands on, or -1 if it is dropped.
    """

    final: np.ndarray
    hops: np.ndarray
    loop: np.ndarray
    node: np.ndarray

    def node_of(self, url_ids: np.ndarray) -> np.ndarray:
        """The node a link to each of ``url_ids`` lands on (-1: dropped, or an id this crawl
        never saw)."""
        ids = np.asarray(url_ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < self.node.size)
        return np.where(inside, self.node[np.where(inside, ids, 0)], -1)


@dataclass(eq=False)
class LinkGraph:
    """A weighted directed graph in CSR form (row i lists the edges out of node i).

    ``indices`` are int32 node ids, ``weights`` float64; ``out_weight[i]`` is W_i, the sum
    of node i's edge weights plus any evaporated nofollow weight. ``node_url_ids[i]`` is the
    url id of node i; nodes are numbered in URL order. ``content`` flags edges that include a
    link in the main content; ``nofollow_in[i]`` counts nofollow links landing on node i.

    A graph built from a store also keeps ``targets`` (where links to every URL land),
    ``pages`` (the crawl's pages table, in URL order), and per url id the number of stored
    links on the page (``links_by_url``) and of those whose target is not an internal page
    of the crawl (``external_by_url``).
    """

    n: int
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    out_weight: np.ndarray
    node_url_ids: np.ndarray
    content: np.ndarray
    nofollow_in: np.ndarray
    targets: Targets | None = None
    url_array: pa.Array | None = None
    pages: pa.Table | None = field(default=None, repr=False)
    links_by_url: np.ndarray | None = field(default=None, repr=False)
    external_by_url: np.ndarray | None = field(default=None, repr=False)
    _node_of: np.ndarray | None = field(default=None, repr=False)

    def node_of(self, url_id: int) -> int:
        """The node id of ``url_id``, or -1 if that URL is not a node."""
        if self._node_of is None:
            size = int(self.node_url_ids.max()) + 1 if self.n else 0
            self._node_of = np.full(size, -1, dtype=np.int64)
            self._node_of[self.node_url_ids] = np.arange(self.n)
        if 0 <= url_id < self._node_of.size:
            return int(self._node_of[url_id])
        return -1

    def nodes_of(self, url_ids: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`node_of`: node ids of ``url_ids`` (-1 where not a node)."""
        self.node_of(-1)  # builds the lookup table
        assert self._node_of is not None
        ids = np.asarray(url_ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < self._node_of.size)
        return np.where(inside, self._node_of[np.where(inside, ids, 0)], -1)

    @cached_property
    def urls(self) -> list[str]:
        """The URL of each node (empty strings when the graph was built without URLs)."""
        if self.url_array is None:
            return [""] * self.n
        return [str(u) for u in self.url_array.to_pylist()]

    @cached_property
    def out_degree(self) -> np.ndarray:
        """Number of edges out of each node."""
        return np.diff(self.indptr)

    @cached_property
    def in_degree(self) -> np.ndarray:
        """Number of edges into each node (distinct sources)."""
        return np.bincount(self.indices, minlength=self.n)

    def matrix(self) -> sp.csr_matrix:
        """The weighted adjacency matrix A (A[i, j] = w_ij)."""
        return sp.csr_matrix((self.weights, self.indices, self.indptr), shape=(self.n, self.n))

    @cached_property
    def transition_t(self) -> sp.csr_matrix:
        """Pᵀ in CSR: (Pᵀ)[j, i] = w_ij / W_i, the matrix a PageRank pull step multiplies."""
        rows = np.repeat(np.arange(self.n), self.out_degree)
        scale = np.divide(1.0, self.out_weight, out=np.zeros(self.n), where=self.out_weight > 0)
        data = self.weights * scale[rows]
        forward = sp.csr_matrix((data, self.indices, self.indptr), shape=(self.n, self.n))
        return forward.T.tocsr()


def position_weights(settings: GraphSettings) -> tuple[dict[str, float], float]:
    """Per-position weights and the image multiplier the settings ask for."""
    if settings.weights == "uniform":
        return dict.fromkeys(POSITIONS, 1.0), 1.0
    if settings.weights != "position":
        raise ConfigError(
            f"graph.weights must be 'position' or 'uniform', got {settings.weights!r}"
        )
    return {p: float(getattr(settings, f"weight_{p}")) for p in POSITIONS}, float(
        settings.image_multiplier
    )


def check_settings(settings: GraphSettings) -> None:
    """Raise :class:`ConfigError` unless ``settings.nofollow`` and ``settings.duplicates``
    name a known rule (``position_weights`` checks ``settings.weights``)."""
    if settings.nofollow not in ("drop", "evaporate"):
        raise ConfigError(
            f"graph.nofollow must be 'drop' or 'evaporate', got {settings.nofollow!r}"
        )
    if settings.duplicates not in ("max", "sum", "first"):
        raise ConfigError(
            f"graph.duplicates must be 'max', 'sum' or 'first', got {settings.duplicates!r}"
        )


def follow_chains(
    next_hop: np.ndarray, hop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Follow ``next_hop`` pointers to their end, by pointer doubling (loop-safe).

    ``next_hop[u] == u`` marks an end; ``hop[u]`` is the cost of leaving u (1 for a redirect).
    Returns (end, cost to reach it, loop flag). In a loop ``end`` is meaningless.
    """
    end = next_hop.copy()
    cost = hop.astype(np.int64)
    for _ in range(_MAX_DOUBLINGS):
        step = end[end]
        if np.array_equal(step, end):
            break
        cost = cost + cost[end]
        end = step
    loop = next_hop[end] != end
    return end, cost, loop


def resolve_targets(
    size: int,
    url_ids: np.ndarray,
    redirect: np.ndarray,
    canonical: np.ndarray,
    is_node: np.ndarray,
) -> Targets:
    """Resolve where a link to every url id lands (see :class:`Targets`).

    ``redirect``/``canonical`` are aligned with ``url_ids`` (-1 where absent); a canonical
    that names the page itself is no canonicalisation.
    """
    ident = np.arange(size, dtype=np.int64)
    redir_next = ident.copy()
    has_redirect = redirect >= 0
    redir_next[url_ids[has_redirect]] = redirect[has_redirect]
    _, hops, loop_r = follow_chains(redir_next, (redir_next != ident).astype(np.int64))
    full_next = redir_next.copy()
    canon = (~has_redirect) & (canonical >= 0) & (canonical != url_ids)
    full_next[url_ids[canon]] = canonical[canon]
    final, _, loop = follow_chains(full_next, np.zeros(size, dtype=np.int64))
    node_of = np.full(size, -1, dtype=np.int64)
    node_of[url_ids[is_node]] = np.arange(int(is_node.sum()))
    node = np.where(loop, -1, node_of[final])
    hops = np.where(loop_r, -1, hops)
    return Targets(final=np.where(loop, -1, final), hops=hops, loop=loop, node=node)


def _dedupe(
    key: np.ndarray, weight: np.ndarray, ordinal: np.ndarray, content: np.ndarray, how: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One edge per key: (sorted unique keys, their weights, their content flags)."""
    order = np.lexsort((ordinal, key)) if how == "first" else np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else key[:0]
    w = weight[order]
    if how == "sum":
        merged = np.add.reduceat(w, starts) if key.size else w
    elif how == "max":
        merged = np.maximum.reduceat(w, starts) if key.size else w
    else:
        merged = w[starts]
    flags = np.logical_or.reduceat(content[order], starts) if key.size else content[:0]
    return key[starts], merged, flags


def from_edges(
    n: int,
    src: ArrayLike,
    dst: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    nofollow: ArrayLike | None = None,
    content: ArrayLike | None = None,
    ordinal: ArrayLike | None = None,
    duplicates: str = "max",
    evaporate: bool = False,
) -> LinkGraph:
    """Build a graph from node-level link arrays (one entry per ``<a>``).

    Self-links are dropped; nofollow links are dropped or (``evaporate``) only add their
    deduplicated weight to W_i. ``duplicates`` merges several links of one (src, dst) pair.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    m = src.size
    weight = np.ones(m) if weight is None else np.asarray(weight, dtype=np.float64)
    nofollow = np.zeros(m, bool) if nofollow is None else np.asarray(nofollow, dtype=bool)
    content = np.ones(m, bool) if content is None else np.asarray(content, dtype=bool)
    ordinal = np.arange(m) if ordinal is None else np.asarray(ordinal)
    keep = src != dst
    nofollow_in = np.bincount(dst[keep & nofollow], minlength=n)
    followed = keep & ~nofollow
    key = src[followed] * n + dst[followed]
    keys, w, flags = _dedupe(
        key, weight[followed], ordinal[followed], content[followed], duplicates
    )
    rows = keys // n if n else keys
    indices = (keys % n if n else keys).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    out_weight = np.bincount(rows, weights=w, minlength=n).astype(np.float64)
    if evaporate:
        gone = keep & nofollow
        ekeys, ew, _ = _dedupe(
            src[gone] * n + dst[gone], weight[gone], ordinal[gone], content[gone], duplicates
        )
        out_weight += np.bincount(ekeys // max(n, 1), weights=ew, minlength=n)
    return LinkGraph(
        n=n,
        indptr=indptr,
        indices=indices,
        weights=w,
        out_weight=out_weight,
        node_url_ids=np.arange(n, dtype=np.int64),
        content=flags,
        nofollow_in=nofollow_in,
    )


def build_graph(store: Store, crawl_id: int, settings: GraphSettings) -> LinkGraph:
    """Build the equity graph of ``crawl_id`` from the store (rules in the module docstring)."""
    check_settings(settings)
    pos, image = position_weights(settings)
    pages = crawl_pages(store, crawl_id)
    links = crawl_links(store, crawl_id, pos, image)
    url_ids = pages["url_id"].to_numpy().astype(np.int64)
    status = pages["status"].fill_null(0).to_numpy()
    redirect = pages["redirect_url_id"].fill_null(-1).to_numpy().astype(np.int64)
    canonical = pages["canonical_url_id"].fill_null(-1).to_numpy().astype(np.int64)
    internal = pages["internal"].fill_null(False).to_numpy(zero_copy_only=False)
    indexable = pages["indexable"].fill_null(True).to_numpy(zero_copy_only=False)
    src = links["src_id"].to_numpy().astype(np.int64)
    dst = links["dst_id"].to_numpy().astype(np.int64)
    size = int(max(url_ids.max(initial=-1), redirect.max(initial=-1), canonical.max(initial=-1),
                   src.max(initial=-1), dst.max(initial=-1))) + 1  # fmt: skip
    is_node = (
        internal & (status == 200) & indexable & (redirect < 0)
        & ((canonical < 0) | (canonical == url_ids))
    )  # fmt: skip
    targets = resolve_targets(size, url_ids, redirect, canonical, is_node)
    node_of = np.full(size, -1, dtype=np.int64)
    node_of[url_ids[is_node]] = np.arange(int(is_node.sum()))
    s_node, d_node = node_of[src], targets.node[dst]
    keep = (s_node >= 0) & (d_node >= 0)
    graph = from_edges(
        int(is_node.sum()),
        s_node[keep],
        d_node[keep],
        links["weight"].to_numpy()[keep],
        nofollow=links["nofollow"].to_numpy(zero_copy_only=False)[keep],
        content=links["content"].fill_null(False).to_numpy(zero_copy_only=False)[keep],
        ordinal=links["ordinal"].to_numpy()[keep],
        duplicates=settings.duplicates,
        evaporate=settings.nofollow == "evaporate",
    )
    graph.node_url_ids = url_ids[is_node]
    graph.targets = targets
    graph.url_array = pages["url"].filter(pa.array(is_node))
    graph.pages = pages
    internal_url = np.zeros(size, bool)
    internal_url[url_ids[internal]] = True
    graph.links_by_url = np.bincount(src, minlength=size)
    graph.external_by_url = np.bincount(src[~internal_url[dst]], minlength=size)
    graph._node_of = node_of
    return graph
