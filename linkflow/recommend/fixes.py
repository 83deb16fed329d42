"""Fix lists: each row says what to do, where, why, and the expected effect.

- ``orphan``: a page no link reaches, with the page to link it from (the relevant source
  whose link raises the money pages' flow most; else the closest parent section page);
- ``generic-anchor``: anchor text such as "click here", with a phrase of the target to
  use instead;
- ``broken-link``, ``redirect-chain``, ``link-to-redirect``, ``backlinked-404``
  (:mod:`linkflow.recommend.fixes_links`);
- ``overlinking``: the links of an over-linked page whose removal raises the money pages'
  flow most (they dilute it most), each with its exact effect.

Effects on the flow are exact (closed form, :mod:`linkflow.recommend.gain`).
"""

from __future__ import annotations

import re

import numpy as np

from linkflow.analyses.anchors import classify_anchors
from linkflow.analyses.findings_text import WHY
from linkflow.recommend.candidates import Candidates
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.fixes_links import (
    Matcher,
    broken_link_fixes,
    dead_backlink_fixes,
    redirect_fixes,
)
from linkflow.recommend.gain import local
from linkflow.recommend.inputs import Site
from linkflow.recommend.optimise import PROBE_LOOSENESS
from linkflow.recommend.phrases import Phrase, title_parts
from linkflow.recommend.records import Fix, share
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["build_fixes", "finding_nodes"]

_DROP_PER_PAGE = 10
_ORPHAN_SOURCES = 5  # most relevant sources whose link to an orphan is evaluated exactly
_OVERLINKED_PAGES = 50


_ERROR_PAGE = re.compile(r"(^|/)(4\d\d|5\d\d|error|not-found)(\.html?)?/?$", re.IGNORECASE)
"""A site's own error page (404.html ...): an orphan on purpose, never worth a link."""


def finding_nodes(store: Store, site: Site, kind: str, limit: int) -> list[int]:
    """The nodes of the pages with a ``kind`` finding, in node order, at most ``limit``."""
    ids = store.query(
        "SELECT DISTINCT url_id::BIGINT AS id FROM findings WHERE crawl_id = ? AND kind = ? "
        "AND url_id IS NOT NULL",
        [site.crawl_id, kind],
    )["id"].to_numpy()
    nodes = site.graph.nodes_of(ids)
    return sorted({int(n) for n in nodes if n >= 0})[:limit]


def _path_index(site: Site) -> dict[str, int]:
    """Each node's path without its trailing ``/`` (``/`` for the root), to the last node
    with that path."""
    return {p.rstrip("/") or "/": i for i, p in enumerate(site.path)}


def _parent(site: Site, node: int, by_path: dict[str, int]) -> int:
    """The node whose path is the longest proper prefix section of ``node``'s path
    (``by_path``: the site's :func:`_path_index`, built once: a node's own path is never a
    proper prefix of itself, so the node may stay in it)."""
    path = site.path[node].rstrip("/")
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        hit = by_path.get(path or "/")
        if hit is not None:
            return hit
    return -1


def _name(site: Site, node: int, phrases: dict[int, list[Phrase]]) -> str:
    """What to call ``node`` in an anchor: the best phrase that names it, else its H1,
    else the first part of its title, else its path."""
    named = [p for p in phrases.get(node, []) if p.names]
    if named:
        return named[0].text
    parts = title_parts(site.title[node], (), ())
    return site.h1[node] or (parts[0] if parts else site.title[node]) or site.path[node]


def orphan_fixes(
    site: Site,
    cache: ColumnCache,
    cands: Candidates,
    phrases: dict[int, list[Phrase]],
    orphans: list[int],
    weight: float,
) -> list[Fix]:
    """For each orphan node, the link to add and where (see module docstring)."""
    st = cache.state
    out = []
    by_path: dict[str, int] | None = None  # built for the first orphan without candidates
    for o in orphans:
        if _ERROR_PAGE.search(site.path[o]):
            continue
        rows = np.flatnonzero(cands.dst == o)
        rows = rows[np.argsort(-cands.relevance[rows], kind="stable")][:_ORPHAN_SOURCES]
        if rows.size:
            srcs = cands.src[rows].tolist()
        else:
            by_path = _path_index(site) if by_path is None else by_path
            srcs = [_parent(site, o, by_path)]
        if srcs[0] < 0:
            continue
        loc = local(cache, srcs, [o], [o], PROBE_LOOSENESS * cache.eps)
        gains = loc.singles(np.asarray(srcs), np.full(len(srcs), o), np.full(len(srcs), weight))
        best = int(np.argmax(gains))
        s = srcs[best]
        page_gain = loc.effect([(s, o, weight)], [o])[1][0]
        if rows.size:
            option = cands.options[int(rows[best])][0]
            proposal = f"link '{option.anchor}' in: {option.sentence}"
        else:
            proposal = f"add a link '{_name(site, o, phrases)}' on this section page"
        out.append(
            Fix(
                "orphan",
                site.urls[s],
                site.urls[o],
                proposal,
                WHY["orphan-page"],
                f"the page gets {share(page_gain, float(st.pi[o]))} flow; money pages' flow "
                f"{share(float(gains[best]), st.objective)}",
                float(gains[best]),
            )
        )
    return out


def generic_anchor_fixes(
    store: Store, site: Site, phrases: dict[int, list[Phrase]], limit: int
) -> list[Fix]:
    """Links whose anchor is generic, with a descriptive anchor for their target."""
    graph = site.graph
    assert graph.targets is not None
    anchors = store.query(
        "SELECT DISTINCT anchor FROM links WHERE crawl_id = ? AND anchor IS NOT NULL "
        "AND NOT coalesce(is_image, FALSE)",
        [site.crawl_id],
    )["anchor"]
    classes, _ = classify_anchors(anchors.combine_chunks(), site.generic)
    generic = [
        a for a, c in zip(anchors.to_pylist(), classes.to_pylist(), strict=True) if c == "generic"
    ]
    if not generic:
        return []
    rows = store.query(
        "SELECT src_id::BIGINT AS s, dst_id::BIGINT AS d, anchor FROM links "
        "WHERE crawl_id = ? AND anchor IN (SELECT unnest(?::VARCHAR[])) "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        [site.crawl_id, generic],
    )
    sources = graph.nodes_of(rows["s"].to_numpy())
    targets = graph.targets.node_of(rows["d"].to_numpy())
    kept = np.flatnonzero((sources >= 0) & (targets >= 0)).tolist()
    labels = rows["anchor"].to_pylist()
    found = [(int(sources[i]), int(targets[i]), str(labels[i])) for i in kept]
    # Strongest source first; equal ones (to 15 decimals: the solver's last bits depend on
    # the order the crawl numbered the pages in) by URLs and anchor, so that two audits of
    # one site list the same fixes in the same order.
    pi = np.round(site.internal.equity, 15)
    urls = site.urls
    found.sort(key=lambda f: (-pi[f[0]], urls[f[0]], urls[f[1]], f[2]))
    return [
        Fix(
            "generic-anchor",
            site.urls[s],
            site.urls[t],
            f"replace the anchor '{a}' with '{_name(site, t, phrases)}'",
            WHY["generic-anchor"],
            "the same flow, and the link now says what its target is about",
        )
        for s, t, a in found[:limit]
    ]


def overlinking_fixes(site: Site, cache: ColumnCache, pages: list[int]) -> list[Fix]:
    """For each over-linked page, the links whose removal helps the money pages most."""
    graph, st = site.graph, cache.state
    out = []
    pages = sorted(pages, key=lambda p: -st.pi[p])[:_OVERLINKED_PAGES]
    cache.ensure(pages)  # all columns in batched pushes, not one push per page
    for s in pages:
        lo, hi = graph.indptr[s], graph.indptr[s + 1]
        dst, w = graph.indices[lo:hi].astype(np.int64), graph.weights[lo:hi]
        if dst.size < 2:
            continue
        loc = local(cache, [s], dst)
        gains = loc.singles(np.full(dst.size, s), dst, -w)
        best = np.argsort(-gains, kind="stable")[:_DROP_PER_PAGE]
        best = best[gains[best] > 0]
        if best.size == 0:
            continue
        joint, _ = loc.effect([(s, int(dst[i]), -float(w[i])) for i in best])
        for i in best.tolist():
            out.append(
                Fix(
                    "overlinking",
                    site.urls[s],
                    site.urls[int(dst[i])],
                    f"remove the link to {site.urls[int(dst[i])]}",
                    WHY["overlinking"],
                    f"money pages' flow {share(float(gains[i]), st.objective)} "
                    f"({share(joint, st.objective)} with all {best.size} removals on this page)",
                    float(gains[i]),
                )
            )
    return out


def build_fixes(
    store: Store,
    site: Site,
    cache: ColumnCache,
    cands: Candidates,
    phrases: dict[int, list[Phrase]],
    orphans: list[int],
    settings: Settings,
    weight: float,
) -> tuple[Fix, ...]:
    """Every fix list of the crawl (see the module docstring); ``orphans``: the nodes of its
    orphan pages (:func:`finding_nodes`, at most ``recommend.max_fixes``)."""
    limit = settings.recommend.max_fixes
    out: list[Fix] = []
    out += orphan_fixes(site, cache, cands, phrases, orphans, weight)
    out += generic_anchor_fixes(store, site, phrases, limit)
    matcher: Matcher | None = None
    out += broken_link_fixes(store, site, cache, matcher, settings, weight)
    out += redirect_fixes(store, site, settings)
    out += dead_backlink_fixes(store, site, cache, matcher, settings)
    out += overlinking_fixes(site, cache, finding_nodes(store, site, "overlinking", limit))
    return tuple(out)
