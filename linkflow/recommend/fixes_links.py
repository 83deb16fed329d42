"""Fix lists about where links and redirects point: broken links (with the page they most
likely meant), redirect chains and links to redirects, backlinked 404 pages.

The *likely intended page* of a dead URL is the live page closest to it by path and title:
BM25 (bm25s) of the dead URL's path words and anchor text over every live page's path and
title, the best five then ordered by how alike the paths are (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

import numpy as np
import pyarrow as pa

from linkflow.analyses.findings_text import WHY
from linkflow.analyses.flow_solve import seeded_teleport
from linkflow.recommend.chain import Chain, State
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.gain import local
from linkflow.recommend.inputs import Site
from linkflow.recommend.records import Fix, share
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["Matcher", "broken_link_fixes", "dead_backlink_fixes", "redirect_fixes"]

_SPLIT = re.compile(r"[^\w]+|_")
_EXTENSION = re.compile(r"\.\w{2,5}$")


def _path_words(path: str) -> str:
    """The words of a URL's ``path`` (decoded, its file extension left out)."""
    return " ".join(w for w in _SPLIT.split(_EXTENSION.sub("", unquote(path))) if w)


class Matcher:
    """The live page (node) a dead URL most likely meant (see the module docstring)."""

    def __init__(self, site: Site) -> None:
        import bm25s  # imported here: only needed when something is broken

        self.site = site
        # The paths as the site holds them (a URL split again per page: 0.2 s of the Rust
        # docs' 31,873), a node without one from its URL.
        docs = [
            f"{_path_words(p or urlsplit(u).path)} {t}"
            for u, p, t in zip(site.urls, site.path, site.title, strict=True)
        ]
        self.tokens = bm25s.tokenize(docs, stopwords="en", show_progress=False)
        self.index = bm25s.BM25()
        self.index.index(self.tokens, show_progress=False)
        self._bm25s = bm25s

    def best(self, url: str, anchor: str = "") -> int:
        """The node closest to ``url`` (-1 if no page shares a word with it)."""
        query = self._bm25s.tokenize(
            f"{_path_words(urlsplit(url).path)} {anchor}",
            stopwords="en",
            show_progress=False,
            return_ids=False,
        )
        vocab = self.index.vocab_dict
        terms = sorted({w for w in query[0] if w in vocab}) if query else []
        if not terms:
            return -1
        scores = self.index.get_scores(terms)
        top = np.argsort(-scores, kind="stable")[:5]
        top = top[scores[top] > 0]
        if top.size == 0:
            return -1
        path = urlsplit(url).path
        like = [difflib.SequenceMatcher(None, path, self.site.path[int(i)]).ratio() for i in top]
        score = scores[top] / scores[top[0]] + np.asarray(like)
        return int(top[int(np.argmax(score))])


def _single_gains(
    cache: ColumnCache, src: Sequence[int], dst: Sequence[int], weight: float
) -> np.ndarray:
    if not len(src):
        return np.zeros(0)
    loc = local(cache, src, dst)
    return loc.singles(np.asarray(src), np.asarray(dst), np.full(len(src), weight))


def _dead_links(store: Store, site: Site) -> list[tuple[int, int]]:
    """(source node, url id) of every link from a node to an internal URL that answers
    ≥ 400 or nothing, or redirects into a loop or to such a URL (the broken-link rule)."""
    graph, targets = site.graph, site.graph.targets
    assert targets is not None
    assert graph.pages is not None
    pairs = store.query(
        "SELECT DISTINCT src_id::BIGINT AS s, dst_id::BIGINT AS d FROM links WHERE crawl_id = ?",
        [site.crawl_id],
    )
    s_node = graph.nodes_of(pairs["s"].to_numpy())
    d_ids = pairs["d"].to_numpy()
    size = targets.final.size
    ids = graph.pages["url_id"].to_numpy().astype(np.int64)
    internal = np.zeros(size, bool)
    internal[ids] = graph.pages["internal"].fill_null(False).to_numpy(zero_copy_only=False)
    code = np.full(size, -2)  # -2: never fetched (not known to be dead), -1: no answer
    code[ids] = graph.pages["status"].fill_null(-1).to_numpy()
    inside = (d_ids >= 0) & (d_ids < size)
    d_safe = np.where(inside, d_ids, 0)
    final = np.where(inside, targets.final[d_safe], -1)
    end = np.where(final >= 0, code[np.maximum(final, 0)], -1)
    dead = (final < 0) | (end == -1) | (end == 0) | (end >= 400)
    keep = (s_node >= 0) & inside & internal[d_safe] & (targets.node_of(d_ids) < 0) & dead
    return list(zip(s_node[keep].tolist(), d_ids[keep].tolist(), strict=True))


def broken_link_fixes(
    store: Store,
    site: Site,
    cache: ColumnCache,
    matcher: Matcher | None,
    settings: Settings,
    weight: float,
) -> list[Fix]:
    """One row per (page, dead internal URL) link: point it at the likely intended page."""
    found = _dead_links(store, site)
    found.sort(key=lambda f: (-cache.state.pi[f[0]], f))
    found = found[: settings.recommend.max_fixes]
    if not found:
        return []
    with store.registered("_lf_dead", pa.table({"s": [site.graph.node_url_ids[s] for s, _ in found],
                                                "d": [d for _, d in found]})):  # fmt: skip
        rows = store.query(
            "SELECT x.s, x.d, u.url, coalesce(arg_min(l.anchor, l.ordinal), '') AS anchor "
            "FROM _lf_dead x JOIN urls u ON u.id = x.d LEFT JOIN links l ON l.crawl_id = ? "
            "AND l.src_id = x.s AND l.dst_id = x.d GROUP BY 1, 2, 3",
            [site.crawl_id],
        ).to_pylist()
    detail = {(int(r["s"]), int(r["d"])): (str(r["url"]), str(r["anchor"])) for r in rows}
    matcher = matcher or Matcher(site)
    out = []
    for s, d in found:
        url, anchor = detail[(int(site.graph.node_url_ids[s]), d)]
        out.append((s, matcher.best(url, anchor), url, anchor))
    ok = [(s, t) for s, t, _, _ in out if t >= 0 and t != s]
    single = _single_gains(cache, [s for s, _ in ok], [t for _, t in ok], weight)
    gains = dict(zip(ok, single.tolist(), strict=True))
    fixes = []
    for s, t, url, anchor in out:
        gain = gains.get((s, t))
        target = site.urls[t] if t >= 0 else None
        proposal = (
            f"change the link to {url} (anchor '{anchor}') into a link to {target}"
            if target
            else f"remove the link to {url} or restore that page"
        )
        effect = (
            f"money pages' flow {share(gain, cache.state.objective)}"
            if gain is not None
            else "no flow is lost any more to a dead end"
        )
        fixes.append(
            Fix("broken-link", site.urls[s], target, proposal, WHY["broken-link"], effect, gain)
        )
    return fixes


def redirect_fixes(store: Store, site: Site, settings: Settings) -> list[Fix]:
    """Redirect chains to flatten, and links to redirects to point at the final page."""
    graph = site.graph
    targets = graph.targets
    assert targets is not None
    limit = settings.recommend.max_fixes
    chains = store.query(
        "SELECT url_id::BIGINT AS id, url FROM findings WHERE crawl_id = ? "
        "AND kind = 'redirect-chain' AND url_id IS NOT NULL ORDER BY url LIMIT ?",
        [site.crawl_id, limit],
    ).to_pylist()
    out = []
    chain_nodes = targets.node_of(np.asarray([r["id"] for r in chains], dtype=np.int64))
    for r, node in zip(chains, chain_nodes.tolist(), strict=True):
        hops = int(targets.hops[r["id"]])
        if node >= 0:
            out.append(
                Fix(
                    "redirect-chain",
                    r["url"],
                    site.urls[node],
                    f"redirect {r['url']} straight to {site.urls[node]}",
                    WHY["redirect-chain"],
                    f"1 hop instead of {hops}; the flow model "
                    "already credits the final page, so the flow does not change",
                )
            )
    links = store.query(
        "SELECT DISTINCT l.src_id::BIGINT AS s, l.dst_id::BIGINT AS d, u.url FROM links l "
        "JOIN pages p ON p.crawl_id = l.crawl_id AND p.url_id = l.dst_id "
        "AND p.redirect_url_id IS NOT NULL JOIN urls u ON u.id = l.dst_id "
        "WHERE l.crawl_id = ? ORDER BY u.url, l.src_id",
        [site.crawl_id],
    )
    sources = graph.nodes_of(links["s"].to_numpy()).tolist()
    nodes = targets.node_of(links["d"].to_numpy()).tolist()
    rows = 0
    for s, node, url in zip(sources, nodes, links["url"].to_pylist(), strict=True):
        if s < 0 or node < 0 or rows >= limit:
            continue
        rows += 1
        out.append(
            Fix(
                "link-to-redirect",
                site.urls[s],
                site.urls[node],
                f"change the link to {url} into a link to {site.urls[node]}",
                WHY["link-to-redirect"],
                "saves visitors and crawlers the redirect; "
                "the flow model already credits the final page",
            )
        )
    return out


def teleport_gain(chain: Chain, state: State, new_teleport: np.ndarray) -> float:
    """Exact change of F when the teleport becomes ``new_teleport`` (Sherman–Morrison on
    the rank-one change ``d·(v' − v)ᵀ`` of P, then ``F' = (1−α)·v'ᵀ·M'·r``)."""
    alpha = chain.damping
    d = chain.deficit()
    md = state.g * (1.0 + alpha * float(state.pi @ d) / (1.0 - alpha))  # M·d
    u = new_teleport - chain.teleport
    a, b, c = float(u @ state.x), float(u @ md), float(new_teleport @ md)
    after = (1.0 - alpha) * (float(new_teleport @ state.x) + alpha * c * a / (1.0 - alpha * b))
    return after - state.objective


def dead_backlink_fixes(
    store: Store, site: Site, cache: ColumnCache, matcher: Matcher | None, settings: Settings
) -> list[Fix]:
    """Dead pages with backlinks: 301-redirect each to its likely successor."""
    rows = store.query(
        "SELECT url, coalesce(value, 0) AS authority FROM findings WHERE crawl_id = ? "
        "AND kind = 'backlink-to-broken' ORDER BY value DESC NULLS LAST, url LIMIT ?",
        [site.crawl_id, settings.recommend.max_fixes],
    ).to_pylist()
    if not rows:
        return []
    matcher = matcher or Matcher(site)
    beta = settings.analyse.backlink_beta
    out = []
    for r in rows:
        t = matcher.best(str(r["url"]))
        if t < 0:
            continue
        authority = site.authority.copy()
        authority[t] += float(r["authority"])
        v2 = seeded_teleport(site.graph.n, authority, beta)
        gain = teleport_gain(cache.chain, cache.state, v2)
        out.append(
            Fix(
                "backlinked-404",
                str(r["url"]),
                site.urls[t],
                f"301-redirect {r['url']} to {site.urls[t]}",
                "Backlinks to a dead page pass nothing; a redirect to the page they "
                "meant passes their authority on.",
                f"money pages' flow {share(gain, cache.state.objective)}",
                gain,
            )
        )
    return out
