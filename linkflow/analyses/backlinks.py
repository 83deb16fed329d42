"""The backlink profile: who links to the site, how strongly, with which anchors.

:func:`analyse_backlinks` rebuilds the profile tables from every import of the store
(``referring_domains``, ``backlink_targets``, ``anchor_profile``, ``link_velocity``,
``backlink_spread``, ``spam_flags``, ``link_gap``), writes ``backlink-to-broken`` and
``backlink-to-redirect`` findings for the crawl, and fills the backlink and traffic columns
of its ``page_metrics``. docs/formats.md describes the authority scale and the dedup rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from linkflow.analyses.backlinks_anchors import (
    GENERIC_ANCHORS,
    brand_terms_for,
    classify_anchor,
    keywords_for,
)
from linkflow.analyses.backlinks_spam import POINTS_PER_FLAG, spam_flags
from linkflow.models import ANCHOR_CLASSES
from linkflow.settings import Settings
from linkflow.store import Store
from linkflow.store import imports as sql

__all__ = ["BROKEN_STATUSES", "BacklinkSummary", "analyse_backlinks", "anchor_rows"]

BROKEN_STATUSES = frozenset({404, 410})
_KEYWORD_CLASSES = frozenset({"exact", "partial"})


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


def anchor_rows(
    edges: list[dict[str, Any]], context: dict[str, tuple[str | None, str | None]],
    settings: Settings,
) -> tuple[list[dict[str, Any]], dict[str, float]]:  # fmt: skip
    """Anchor class counts per target, and per referring domain the share of its links
    with a keyword (exact or partial) anchor."""
    brands = brand_terms_for((e["target_url"] for e in edges), settings.analyse.brand_terms)
    generic = GENERIC_ANCHORS | {a.casefold() for a in settings.analyse.generic_anchors}
    keywords: dict[str, list[str]] = {}
    per_target: dict[tuple[str, Any], Counter[str]] = defaultdict(Counter)
    per_domain: dict[str, Counter[bool]] = defaultdict(Counter)
    for e in edges:
        target = e["target_url"]
        if target not in keywords:
            title, h1 = context.get(target, (None, None))
            keywords[target] = keywords_for(target, title, h1) if target else []
        label = classify_anchor(
            e["anchor"], is_image=bool(e["is_image"]), brand_terms=brands,
            keywords=keywords[target], generic=generic,
        )  # fmt: skip
        if target:
            per_target[(target, e["target_url_id"])][label] += 1
        if e["source_domain"]:
            per_domain[e["source_domain"]][label in _KEYWORD_CLASSES] += 1
    rows = [
        {"url": url, "url_id": uid, "anchor_class": label, "backlinks": n,
         "share": n / sum(counts.values())}
        for (url, uid), counts in per_target.items()
        for label, n in sorted(counts.items(), key=lambda kv: ANCHOR_CLASSES.index(kv[0]))
    ]  # fmt: skip
    shares = {d: c[True] / (c[True] + c[False]) for d, c in per_domain.items()}
    return rows, shares


def _findings(targets: pa.Table, crawl_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for t in targets.to_pylist():
        if t["lost"]:  # every link to it is already gone: nothing left to save
            continue
        links = f"{t['backlinks']} backlinks from {t['referring_domains']} domains"
        if t["status"] in BROKEN_STATUSES:
            rows.append({
                "crawl_id": crawl_id, "kind": "backlink-to-broken", "severity": "high",
                "url_id": t["url_id"], "url": t["url"], "value": t["authority"],
                "detail": f"{links} point at a page that answers {t['status']}",
                "why": "their authority is lost; restore the page or 301-redirect it to its "
                       "closest live page",
            })  # fmt: skip
        elif t["redirect_url"]:
            rows.append({
                "crawl_id": crawl_id, "kind": "backlink-to-redirect", "severity": "medium",
                "url_id": t["url_id"], "url": t["url"], "value": t["authority"],
                "detail": f"{links} point at a redirect to {t['redirect_url']}",
                "why": "each redirect hop risks equity; ask the linking sites to link to "
                       f"{t['redirect_url']} directly",
            })  # fmt: skip
    return rows


def _summary(
    store: Store, edges: list[dict[str, Any]], anchors: list[dict[str, Any]]
) -> BacklinkSummary:
    targets = store.read("backlink_targets", ["status", "redirect_url"]).to_pylist()
    domains = store.read("referring_domains", ["followed", "spam_score"]).to_pylist()
    counts: Counter[str] = Counter()
    for row in anchors:
        counts[row["anchor_class"]] += row["backlinks"]
    return BacklinkSummary(
        backlinks=len(edges),
        referring_domains=len(domains),
        followed_domains=sum(1 for d in domains if d["followed"]),
        targets=len(targets),
        lost=sum(1 for e in edges if e["lost"]),
        broken_targets=sum(1 for t in targets if t["status"] in BROKEN_STATUSES),
        redirected_targets=sum(1 for t in targets if t["redirect_url"]),
        spam_domains=sum(1 for d in domains if (d["spam_score"] or 0) > 0),
        gap_domains=store.count("link_gap"),
        anchors=dict(counts),
        providers=sorted({p for e in edges for p in (e["providers"] or "").split(",") if p}),
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
        edges = sql.profile_edges(store).to_pylist()
        context = {
            r["url"]: (r["title"], r["h1"]) for r in sql.target_context(store, crawl_id).to_pylist()
        }
        anchors, keyword_share = anchor_rows(edges, context, settings)
        store.append("anchor_profile", anchors)
        sql.build_referring_domains(store)
        flags = spam_flags(
            sql.domain_signals(store).to_pylist(), keyword_share, settings.ingest.spam_tlds
        )
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
        return _summary(store, edges, anchors)
