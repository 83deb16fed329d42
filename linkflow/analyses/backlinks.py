"""The backlink profile: who links to the site, how strongly, with which anchors.

:func:`analyse_backlinks` rebuilds the profile tables from every import of the store
(``referring_domains``, ``backlink_targets``, ``anchor_profile``, ``link_velocity``,
``backlink_spread``, ``spam_flags``, ``link_gap``), writes ``backlink-to-broken`` and
``backlink-to-redirect`` findings for the crawl, and fills the backlink and traffic columns
of its ``page_metrics``. Every figure counts the deduplicated links of the view
``backlink_edges`` (one link seen by several providers is one backlink). docs/formats.md
describes the authority scale and the dedup rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from linkflow.analyses import backlinks_profile as sql
from linkflow.analyses.anchors import generic_anchor_list
from linkflow.analyses.backlinks_anchors import (
    brand_terms_for,
    classify_anchor,
    keywords_for,
)
from linkflow.analyses.backlinks_spam import POINTS_PER_FLAG, spam_flags
from linkflow.analyses.findings_text import SEVERITY
from linkflow.settings import Settings
from linkflow.store import Store

__all__ = ["BROKEN_STATUSES", "BacklinkSummary", "analyse_backlinks", "label_anchors"]

BROKEN_STATUSES = frozenset({404, 410})


@dataclass(slots=True)
class BacklinkSummary:
    """Headline numbers of the backlink profile, for the report and the CLI."""

    backlinks: int = 0
    referring_domains: int = 0
    followed_domains: int = 0
    targets: int = 0
    lost: int = 0
    broken_targets: int = 0
    redirected_targets: int = 0
    spam_domains: int = 0
    gap_domains: int = 0
    anchors: dict[str, int] = field(default_factory=dict)
    providers: list[str] = field(default_factory=list)


def label_anchors(combos: pa.Table, settings: Settings) -> pa.Table:
    """``combos`` (distinct target_url, anchor, is_image, title, h1) with ``anchor_class``.

    An anchor no provider gave (NULL: the export has no anchor column, as Search Console's)
    is ``unknown``, unless the link is an image; ``""`` is a link without text, ``empty``.
    Classifying distinct combinations, not links, keeps this loop small: a million links
    typically share a few thousand (target, anchor) pairs.
    """
    rows = combos.to_pylist()
    brands = brand_terms_for({r["target_url"] for r in rows}, settings.analyse.brand_terms)
    generic = frozenset(generic_anchor_list(settings.analyse.generic_anchors))
    keywords: dict[str, list[str]] = {}
    labels: list[str] = []
    for r in rows:
        target = r["target_url"]
        if r["anchor"] is None and not r["is_image"]:
            labels.append("unknown")
            continue
        if target not in keywords:
            keywords[target] = keywords_for(target, r["title"], r["h1"]) if target else []
        labels.append(
            classify_anchor(
                r["anchor"],
                is_image=r["is_image"],
                brand_terms=brands,
                keywords=keywords[target],
                generic=generic,
            )
        )
    return combos.select(["target_url", "anchor", "is_image"]).append_column(
        "anchor_class", pa.array(labels, pa.string())
    )


def _findings(targets: pa.Table, crawl_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for t in targets.to_pylist():
        if t["lost"]:  # every link to it is already gone: nothing left to save
            continue
        links = f"{t['backlinks']} backlinks from {t['referring_domains']} domains"
        if t["status"] in BROKEN_STATUSES:
            rows.append({
                "crawl_id": crawl_id, "kind": "backlink-to-broken",
                "severity": SEVERITY["backlink-to-broken"],
                "url_id": t["url_id"], "url": t["url"], "value": t["authority"],
                "detail": f"{links} point at a page that answers {t['status']}",
                "why": "their authority is lost; restore the page or 301-redirect it to its "
                       "closest live page",
            })  # fmt: skip
        elif t["redirect_url"]:
            rows.append({
                "crawl_id": crawl_id, "kind": "backlink-to-redirect",
                "severity": SEVERITY["backlink-to-redirect"],
                "url_id": t["url_id"], "url": t["url"], "value": t["authority"],
                "detail": f"{links} point at a redirect to {t['redirect_url']}",
                "why": "each redirect hop risks equity; ask the linking sites to link to "
                       f"{t['redirect_url']} directly",
            })  # fmt: skip
    return rows


def _summary(store: Store) -> BacklinkSummary:
    totals = sql.profile_totals(store)
    targets = store.read("backlink_targets", ["status", "redirect_url", "lost"]).to_pylist()
    domains = store.read("referring_domains", ["followed", "spam_score"]).to_pylist()
    return BacklinkSummary(
        backlinks=int(totals["backlinks"]),
        referring_domains=len(domains),
        followed_domains=sum(1 for d in domains if d["followed"]),
        targets=len(targets),
        lost=int(totals["lost"]),
        broken_targets=sum(1 for t in targets if t["status"] in BROKEN_STATUSES and not t["lost"]),
        redirected_targets=sum(1 for t in targets if t["redirect_url"] and not t["lost"]),
        spam_domains=sum(1 for d in domains if (d["spam_score"] or 0) > 0),
        gap_domains=store.count("link_gap"),
        anchors=totals["anchors"],
        providers=[p for p in (totals["providers"] or "").split(",") if p],
    )


def analyse_backlinks(store: Store, crawl_id: int | None, settings: Settings) -> BacklinkSummary:
    """Rebuild the backlink profile from every import, in one transaction.

    With a ``crawl_id``, target pages get their crawl status and redirect target,
    ``backlink-to-broken``/``backlink-to-redirect`` findings are written for that crawl, and
    its ``page_metrics`` rows (if the internal analysis wrote them) get ``backlinks``,
    ``referring_domains``, ``external_authority``, ``clicks``, ``impressions`` and
    ``sessions``. Without imports the profile is empty and the summary all zeros.
    """
    with store.transaction():
        sql.clear_profile(store)
        if not sql.has_imports(store):
            # Nothing to build from: the profile stays empty, and the crawl is left as the
            # full rebuild leaves it (no backlink findings, no backlinks on any page), in
            # 2 statements instead of 20 (0.05 s of the PostgreSQL docs' audit).
            if crawl_id is not None:
                sql.write_backlink_findings(store, crawl_id, [])
                sql.reset_page_metrics(store, crawl_id)
            return BacklinkSummary()
        labels = label_anchors(sql.anchor_combos(store, crawl_id), settings)
        shares = sql.build_anchor_profile(store, labels).to_pylist()
        keyword_share = {r["domain"]: r["keyword_share"] for r in shares}
        sql.build_referring_domains(store)
        signals = sql.domain_signals(store).to_pylist()
        flags = spam_flags(signals, keyword_share, settings.ingest.spam_tlds)
        store.append(
            "spam_flags", [{"domain": f.domain, "flag": f.flag, "why": f.why} for f in flags]
        )
        sql.apply_spam_scores(store, POINTS_PER_FLAG)
        sql.build_backlink_targets(store, crawl_id, settings.ingest.domain_cap)
        sql.build_velocity_and_spread(store)
        sql.build_link_gap(store)
        if crawl_id is not None:
            targets = store.read("backlink_targets")
            sql.write_backlink_findings(store, crawl_id, _findings(targets, crawl_id))
            sql.update_page_metrics(store, crawl_id)
        return _summary(store)
