"""Link recommendations of one crawl, in memory: targets, candidates, the optimal set.

:func:`recommend` runs the whole stage on an internal analysis' result and writes nothing
(:mod:`linkflow.recommend.persist` stores it). Targets are the money pages first, then
orphans and strong pages with few content links in; candidates are the places where other
pages' main text already names a target (:mod:`~linkflow.recommend.candidates`), kept when
relevant enough (:mod:`~linkflow.recommend.relevance`); the optimiser picks the set that
raises the money pages' flow most (:mod:`~linkflow.recommend.optimise`).
"""

from __future__ import annotations

import time

import numpy as np

from linkflow.analyses.backlinks_anchors import brand_terms_for
from linkflow.analyses.flow_leaks import classify_urls
from linkflow.analyses.internal_result import InternalResult
from linkflow.recommend.candidates import Candidates, Option, Pairs, SourceText, find_pairs
from linkflow.recommend.chain import Chain, solve_state
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.fixes import build_fixes, finding_nodes
from linkflow.recommend.inputs import (
    Site,
    anchor_counts,
    exact_anchor_keys,
    link_contexts,
    linked_pairs,
    load_site,
    main_texts,
    search_queries,
)
from linkflow.recommend.optimise import Caps, Outcome, optimise
from linkflow.recommend.phrases import (
    Phrase,
    TargetText,
    assign_queries,
    build_phrases,
    keyword_rules,
    sitewide_title_parts,
    title_label_words,
)
from linkflow.recommend.records import Recommendations, Suggestion, share
from linkflow.recommend.relevance import relevance, stopwords_for
from linkflow.recommend.text import Spans, without_code
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["COLUMN_EPS", "SOLVE_TOLERANCE", "choose_targets", "find_candidates", "recommend"]

SOLVE_TOLERANCE = 1e-11
"""Absolute error of every solve of the chain (flow in L1, values in the max norm)."""
COLUMN_EPS = 1e-8
"""Absolute error of every entry of a column of M (it is at least 1 on its own page)."""

_LABEL = {
    "keyword": "your keyword for it",
    "query": "a search query it ranks for",
    "h1": "its H1",
    "title": "its title",
    "keyphrase": "a key phrase of its text",
}


def _low_value(site: Site, settings: Settings) -> np.ndarray:
    """Which nodes are low-value URLs (tag, category, date and paginated archives, search,
    login, legal pages ...: :mod:`linkflow.analyses.flow_leaks`): never a place for a new
    link (an archive repeats its posts' sentences) nor a page to link to, unless a money page."""
    codes = classify_urls(site.graph.url_array, settings.analyse.low_value).codes
    return np.asarray(codes >= 0) if codes.size else np.zeros(site.graph.n, bool)


def choose_targets(site: Site, pi: np.ndarray, settings: Settings) -> np.ndarray:
    """Money pages (heaviest, then strongest first), then orphans (no link in, not the home
    page), then strong pages (top 10 % by flow) with few content links in, neither of them
    low-value URLs; at most ``recommend.max_targets``."""
    graph, facts = site.graph, site.internal.facts
    money = np.flatnonzero(site.money.mask)
    money = money[np.lexsort((-pi[money], -site.reward[money]))]
    roots = np.asarray(facts.roots, dtype=np.int64)
    orphans = np.flatnonzero(graph.in_degree == 0)
    orphans = orphans[~np.isin(orphans, roots)]
    strong = pi >= np.quantile(pi, 0.9) if graph.n else np.zeros(0, bool)
    few = facts.content_inlinks < settings.analyse.min_content_inlinks
    under = np.flatnonzero(strong & few & ~site.money.mask)
    under = under[np.argsort(-pi[under], kind="stable")]
    low = _low_value(site, settings)
    orphans, under = orphans[~low[orphans]], under[~low[under]]
    order = np.concatenate([money, orphans, under]).astype(np.int64)
    _, first = np.unique(order, return_index=True)
    return order[np.sort(first)][: settings.recommend.max_targets]


def _target_phrases(
    store: Store,
    site: Site,
    targets: np.ndarray,
    texts: tuple[dict[int, str], dict[int, Spans]],
    settings: Settings,
) -> dict[int, list[Phrase]]:
    plain, code = texts
    infos = [
        TargetText(
            t,
            site.urls[t],
            site.path[t],
            site.title[t],
            site.h1[t],
            site.lang[t],
            without_code(plain.get(t, ""), code.get(t, ())),
        )
        for t in targets.tolist()
    ]
    brands = brand_terms_for(site.urls[:1], settings.analyse.brand_terms)
    return build_phrases(
        infos,
        keywords=keyword_rules(settings.recommend.keywords),
        queries=assign_queries(search_queries(store), infos),
        brands=brands,
        sitewide=sitewide_title_parts(site.title),
        generic=site.generic,
        labels=title_label_words(site.title),
    )


def find_candidates(
    store: Store, site: Site, targets: np.ndarray, settings: Settings, *, search: bool = True
) -> tuple[Candidates, dict[int, list[Phrase]]]:
    """Candidate links into ``targets`` (see the module docstring), with the targets'
    phrases; with ``search`` false, the phrases only, made from the targets' texts alone
    (and no candidate)."""
    rs = settings.recommend
    texts, code = main_texts(store, site, None if search else targets)
    phrases = _target_phrases(store, site, targets, (texts, code), settings)
    if not search:
        none = np.zeros(0, dtype=np.int64)
        return Candidates(none, none, np.zeros(0), [], [], 0), phrases
    counts = anchor_counts(store, site, np.fromiter(phrases, dtype=np.int64))
    avoid = {
        t: exact_anchor_keys(
            counts.get(t, {}), [p.key for p in ps], site.generic, rs.exact_anchor_share
        )
        for t, ps in phrases.items()
    }
    contexts = link_contexts(store, site)
    low = _low_value(site, settings)
    stop = stopwords_for(site.lang)
    sources = [
        SourceText(n, text, site.lang[n], contexts.get(n, ()), code.get(n, ()))
        for n, text in texts.items()
        if not low[n]
    ]
    pairs: Pairs = find_pairs(
        sources,
        phrases,
        linked=linked_pairs(store, site),
        n=site.graph.n,
        target_lang={t: site.lang[t] for t in phrases},
        exact_anchors=avoid,
        generic=site.generic,
        min_words=rs.min_sentence_words,
        max_words=rs.max_sentence_words,
        stopwords=stop,
    )
    src, dst = pairs.arrays()
    queries = {t: " ".join(p.text for p in ps) for t, ps in phrases.items()}
    rel = relevance(src, dst, texts, queries, stop)
    keep = np.flatnonzero(rel >= rs.min_relevance)
    cands = Candidates(
        src[keep],
        dst[keep],
        rel[keep],
        [pairs.options[i] for i in keep],
        [pairs.mentions[i] for i in keep],
        int(src.size),
    )
    return cands, phrases


def _placements(cands: Candidates, outcome: Outcome) -> list[Option]:
    """The sentence of each chosen link: its first option not taken by a better-ranked
    link on the same page."""
    used: set[tuple[int, int]] = set()
    out = []
    for e in outcome.chosen.tolist():
        s = int(cands.src[e])
        options = cands.options[e]
        pick = next((o for o in options if (s, o.start) not in used), options[0])
        used.add((s, pick.start))
        out.append(pick)
    return out


def _suggestions(site: Site, cands: Candidates, outcome: Outcome) -> tuple[Suggestion, ...]:
    out = []
    for rank, (e, option) in enumerate(
        zip(outcome.chosen.tolist(), _placements(cands, outcome), strict=True), 1
    ):
        s, t = int(cands.src[e]), int(cands.dst[e])
        gain, tgain = float(outcome.gains[rank - 1]), float(outcome.target_gains[rank - 1])
        money = " (a money page)" if site.money.mask[t] else ""
        reason = (
            f"This page's text names the target{money} with '{option.phrase.text}', "
            f"{_LABEL[option.phrase.kind]} (relevance {cands.relevance[e]:.2f}); the link "
            f"raises the money pages' flow by {share(gain, outcome.objective)}."
        )
        out.append(
            Suggestion(
                rank,
                site.urls[s],
                site.urls[t],
                option.anchor,
                option.sentence,
                gain,
                tgain,
                float(cands.relevance[e]),
                reason,
            )
        )
    return tuple(out)


def recommend(
    store: Store,
    internal: InternalResult,
    settings: Settings,
    *,
    k: int | None = None,
    max_per_source: int | None = None,
    max_per_target: int | None = None,
) -> Recommendations:
    """Suggestions and fix lists for ``internal``'s crawl (money settings prepared with
    :func:`linkflow.analyses.money.prepare_money`); writes nothing. ``k`` and the caps
    default to the ``recommend`` settings."""
    rs, t0 = settings.recommend, time.perf_counter()
    seconds: dict[str, float] = {}
    site = load_site(store, internal, settings)
    chain = Chain.of(site.graph, site.teleport, settings.graph.damping)
    state = solve_state(chain, site.reward, tolerance=SOLVE_TOLERANCE)
    cache = ColumnCache(chain, state, eps=COLUMN_EPS)
    seconds["flow"] = round(time.perf_counter() - t0, 3)
    targets = choose_targets(site, state.pi, settings)
    # Candidates serve the suggestions, which raise the money pages' flow, and the orphans'
    # fix list: a site without money pages and without an orphan among the targets needs
    # none (the PostgreSQL docs' audit: half of this stage's time).
    orphans = finding_nodes(store, site, "orphan-page", rs.max_fixes)
    search = bool(site.money.mask.any()) or bool(np.isin(orphans, targets).any())
    cands, phrases = find_candidates(store, site, targets, settings, search=search)
    seconds["candidates"] = round(time.perf_counter() - t0 - seconds["flow"], 3)
    gs = settings.graph
    weight = gs.weight_content if gs.weights == "position" else 1.0
    caps = Caps(
        rs.max_suggestions if k is None else k,
        rs.max_new_per_source if max_per_source is None else max_per_source,
        rs.max_new_per_target if max_per_target is None else max_per_target,
    )
    outcome = optimise(
        cache,
        cands.src,
        cands.dst,
        np.full(cands.src.size, weight),
        caps,
        batch=rs.batch,
        polish_seconds=rs.polish_seconds,
        tolerance=SOLVE_TOLERANCE,
    )
    seconds.update({f"optimise_{k_}": v for k_, v in outcome.seconds.items()})
    t1 = time.perf_counter()
    fixes = build_fixes(store, site, cache, cands, phrases, orphans, settings, weight)
    seconds["fixes"] = round(time.perf_counter() - t1, 3)
    details: dict[str, object] = {
        "targets": int(targets.size),
        "pairs": cands.considered,
        "rounds": outcome.rounds,
        "swaps": outcome.swaps,
        "predicted": outcome.predicted,
        "bound": outcome.bound,
        "money_source": site.money.source,
        "seconds": seconds,
    }
    if not site.money.mask.any():
        details["note"] = "no money pages: name them with analyse.money to get suggestions"
    return Recommendations(
        crawl_id=internal.crawl_id,
        suggestions=_suggestions(site, cands, outcome),
        fixes=fixes,
        money_flow=outcome.objective,
        after=outcome.recomputed,
        candidates=int(cands.src.size),
        lowering=outcome.nonpositive,
        money_pages=site.money.count,
        details=details,
    )
