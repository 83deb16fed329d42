"""The recommendation stage as the façade runs it: from the store to stored results.

:func:`suggest_links` recommends links and fix lists for a crawl and stores them;
:func:`plan_effect` computes a what-if plan's effect and stores it. Both start from the
internal analysis' in-memory result when the caller has it, else run it again (it writes
nothing); money settings must be prepared (:func:`linkflow.analyses.money.prepare_money`).
"""

from __future__ import annotations

from pathlib import Path

from linkflow.analyses.internal import run_internal
from linkflow.analyses.internal_result import InternalResult
from linkflow.progress import Step, no_step
from linkflow.recommend.chain import Chain, solve_state
from linkflow.recommend.columns import ColumnCache
from linkflow.recommend.inputs import load_site
from linkflow.recommend.persist import now, persist_recommendations
from linkflow.recommend.pipeline import COLUMN_EPS, SOLVE_TOLERANCE, recommend
from linkflow.recommend.records import Recommendations, WhatIf
from linkflow.recommend.whatif import read_plan, what_if
from linkflow.recommend.whatif_store import persist_what_if
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["plan_effect", "suggest_links"]


def _internal(
    store: Store, crawl_id: int, settings: Settings, internal: InternalResult | None
) -> InternalResult:
    if internal is not None and internal.crawl_id == crawl_id:
        return internal
    return run_internal(store, crawl_id, settings)


def suggest_links(
    store: Store,
    crawl_id: int,
    settings: Settings,
    *,
    internal: InternalResult | None = None,
    k: int | None = None,
    max_per_source: int | None = None,
    max_per_target: int | None = None,
    step: Step = no_step,
) -> Recommendations:
    """Recommend links and fixes for ``crawl_id`` and store them (replacing earlier ones).

    ``k`` and the caps default to the ``recommend`` settings. Run it after the internal
    analysis, the backlink profile and the flow were stored for that crawl (they name the
    orphans, broken links and money pages it works on).
    """
    started = now()
    step("link graph")
    internal = _internal(store, crawl_id, settings, internal)
    step("link suggestions")
    result = recommend(
        store, internal, settings, k=k, max_per_source=max_per_source, max_per_target=max_per_target
    )
    step("storing suggestions")
    persist_recommendations(store, result, settings, started)
    return result


def plan_effect(
    store: Store,
    crawl_id: int,
    settings: Settings,
    plan: Path,
    *,
    internal: InternalResult | None = None,
) -> WhatIf:
    """The exact effect of the link edits in the CSV file ``plan`` on ``crawl_id``'s flow
    (see :mod:`linkflow.recommend.whatif`), stored in the ``whatif`` and ``whatif_pages``
    tables (replacing the crawl's earlier plan) unless ``store`` is read-only. Raises
    :class:`linkflow.errors.ConfigError` naming the file and line of a bad row; then
    nothing is stored."""
    started = now()
    read_plan(plan)  # a bad file fails before the graph is built
    internal = _internal(store, crawl_id, settings, internal)
    site = load_site(store, internal, settings)
    chain = Chain.of(site.graph, site.teleport, settings.graph.damping)
    cache = ColumnCache(
        chain, solve_state(chain, site.reward, tolerance=SOLVE_TOLERANCE), eps=COLUMN_EPS
    )
    result = what_if(cache, site, plan, settings, store.lookup_url_ids)
    if not store.read_only:  # a read-only audit still answers, it keeps nothing
        persist_what_if(store, crawl_id, result, settings, started, plan.name)
    return result
