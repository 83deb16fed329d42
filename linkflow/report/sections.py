"""The report's sections as plain data, read from the store with bounded queries.

Each function returns what one section of the template needs, or ``None`` when the data
for that section is absent (no backlinks imported, no traffic, no suggestions), so the
report degrades to the sections it can fill. Values are raw; the template formats them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from linkflow.models import SEVERITIES
from linkflow.report import queries as q
from linkflow.report.charts import BarChart, ColumnChart, bar_chart, column_chart
from linkflow.store import Store
from linkflow.store.export import has_rows, table_preview

__all__ = [
    "PROFILE_TABLES",
    "backlinks_section",
    "charts_section",
    "findings_section",
    "overview_section",
    "pages_section",
    "traffic_section",
]

PROFILE_TABLES: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, bool], ...]]] = {
    "referring_domains": (
        "Referring domains by authority",
        ("domain", "authority", "backlinks", "followed", "nofollow", "first_seen", "last_seen",
         "spam_score", "spam_flags"),
        (("authority", True), ("backlinks", True)),
    ),
    "backlink_targets": (
        "Top linked pages",
        ("url", "referring_domains", "followed_domains", "backlinks", "authority", "status",
         "redirect_url", "lost"),
        (("authority", True), ("referring_domains", True)),
    ),
    "anchor_profile": (
        "Anchor classes per page",
        ("url", "anchor_class", "backlinks", "share"),
        (("backlinks", True),),
    ),
    "backlink_spread": (
        "TLD and language spread",
        ("dimension", "value", "domains", "backlinks"),
        (("domains", True),),
    ),
    "spam_flags": ("Spam flags", ("domain", "flag", "why"), (("domain", False),)),
    "link_gap": (
        "Link gap: domains that link to competitors but not to you",
        ("rank", "domain", "competitors", "sites", "authority"),
        (("rank", False), ("authority", True)),
    ),
}  # fmt: skip
"""Backlink profile tables of the backlink analysis: title, columns shown, sort order.

Each is rendered only if the audit file has it and it has rows. The listed columns the table
has are shown (every column if it has none of them), so the report keeps working when that
analysis adds or renames a column.
"""

VELOCITY_MONTHS = 24
"""Months shown in the link-velocity chart, ending at the newest month with data."""

CONCENTRATION_SHARE = 0.1
"""Equity concentration = share of internal equity held by this top fraction of pages."""


def _label(kind: str) -> str:
    return kind.replace("-", " ").replace("_", " ").capitalize()


def _path(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def overview_section(store: Store, crawl_id: int) -> dict[str, Any]:
    """Headline numbers, the equity concentration, and the biggest problems in words."""
    head = q.headline(store, crawl_id)
    concentration = q.equity_concentration(store, crawl_id, CONCENTRATION_SHARE)
    kinds = q.finding_kinds(store, crawl_id)
    problems = [
        {
            "label": _label(k["kind"]),
            "severity": _severity(k["rank"]),
            "count": k["count"],
            "why": k["why"],
        }
        for k in kinds[:5]
    ]
    return {
        "numbers": head,
        "concentration": concentration,
        "concentration_share": CONCENTRATION_SHARE,
        "problems": problems,
    }


def _severity(rank: int) -> str:
    return SEVERITIES[rank - 1] if 1 <= rank <= len(SEVERITIES) else SEVERITIES[-1]


def pages_section(store: Store, crawl_id: int, top_n: int) -> dict[str, Any]:
    """The ``top_n`` pages by equity, and how many pages have metrics in total."""
    rows = q.top_pages(store, crawl_id, top_n)
    for row in rows:
        row["path"] = _path(row["url"])
    return {"rows": rows, "total": store.count("page_metrics", crawl_id=crawl_id)}


def findings_section(store: Store, crawl_id: int, per_kind: int) -> list[dict[str, Any]]:
    """Findings grouped by kind (most severe, then most frequent first), each with examples."""
    examples: dict[str, list[dict[str, Any]]] = {}
    for row in q.finding_examples(store, crawl_id, per_kind):
        examples.setdefault(row["kind"], []).append(row)
    return [
        {
            "kind": k["kind"],
            "label": _label(k["kind"]),
            "severity": _severity(k["rank"]),
            "count": k["count"],
            "why": k["why"],
            "examples": examples.get(k["kind"], []),
            "has_target": any(e["target_url"] for e in examples.get(k["kind"], [])),
        }
        for k in q.finding_kinds(store, crawl_id)
    ]


def charts_section(store: Store, crawl_id: int, deep_after: int = 3) -> dict[str, BarChart]:
    """Depth distribution (pages deeper than ``deep_after`` highlighted) and top equity."""
    depths = q.depth_distribution(store, crawl_id)
    depth_chart = bar_chart(
        [
            (
                "unreachable" if d["depth"] is None else f"depth {d['depth']}",
                d["pages"],
                f"{d['pages']:,}",
            )
            for d in depths
        ],
        highlight=[d["depth"] is None or d["depth"] > deep_after for d in depths],
        label_width=110,
    )
    top = [r for r in q.top_pages(store, crawl_id, 15) if r["equity"]]
    equity_chart = bar_chart(
        [(_shorten(_path(r["url"]), 34), float(r["equity"]), _pct(r["equity"])) for r in top],
        titles=[r["url"] for r in top],
        highlight=[bool(r["is_money"]) for r in top],
    )
    return {"depth": depth_chart, "equity": equity_chart}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(value: float) -> str:
    return f"{value * 100:.3g}%"


def backlinks_section(store: Store, top_n: int) -> dict[str, Any] | None:
    """The audited site's backlink profile, or ``None`` when no backlinks were imported."""
    if not has_rows(store, "backlinks"):
        return None
    overview = q.backlink_overview(store)
    if not overview["backlinks"]:
        return None  # only competitors' backlinks were imported
    velocity = _last_months(q.link_velocity(store), VELOCITY_MONTHS)
    chart: ColumnChart | None = None
    if velocity:
        chart = column_chart(velocity)
    profile = {}
    for table, (title, wanted, order) in PROFILE_TABLES.items():
        if has_rows(store, table):
            columns, rows = table_preview(store, table, top_n, columns=wanted, order_by=order)
            profile[table] = {"title": title, "columns": _typed(columns, rows), "rows": rows}
    rels = [(rel, int(overview[rel])) for rel in ("followed", "nofollow", "sponsored", "ugc")]
    all_links = int(overview["backlinks"]) or 1
    classes = q.anchor_class_totals(store)
    total = sum(c["backlinks"] for c in classes) or 1
    return {
        "overview": overview,
        "anchor_classes": bar_chart(
            [(c["anchor_class"], c["backlinks"], _pct(c["backlinks"] / total)) for c in classes],
            label_width=110,
        ),
        # a link may be both nofollow and sponsored: the shares need not add up to 100 %
        "follow": bar_chart(
            [(rel, n, f"{n:,} ({n / all_links * 100:.1f}%)") for rel, n in rels],
            label_width=110,
        ),
        "domains": q.top_referring_domains(store, top_n),
        "pages": q.top_linked_pages(store, top_n),
        "anchors": q.top_anchors(store, min(top_n, 25)),
        "lost": q.lost_backlinks(store, top_n),
        "missing": q.backlinked_404s(store, top_n),
        "velocity": chart,
        "profile": profile,
    }


def _typed(columns: list[str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Columns as ``{name, numeric}``: numeric when every value present is a number."""

    def numeric(name: str) -> bool:
        values = [r[name] for r in rows if r[name] is not None]
        return bool(values) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        )

    return [{"name": c, "numeric": numeric(c)} for c in columns]


def _last_months(rows: list[dict[str, Any]], months: int) -> list[tuple[str, float, float]]:
    """``(month, new, lost)`` for the last ``months`` calendar months up to the newest month
    with data, months without links included as zeros so the time axis is even."""
    if not rows:
        return []
    data = {r["month"]: (r["new"], r["lost"]) for r in rows}
    year, month = (int(part) for part in rows[-1]["month"].split("-"))
    out = []
    for _ in range(months):
        key = f"{year:04d}-{month:02d}"
        new, lost = data.get(key, (0, 0))
        out.append((key, float(new), float(lost)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    while out and out[-1][0] < rows[0]["month"]:
        out.pop()  # no padding before the first month with data
    return out[::-1]


def traffic_section(store: Store, crawl_id: int, top_n: int) -> dict[str, Any] | None:
    """Traffic totals and the top pages by clicks, or ``None`` when no traffic was imported."""
    if not has_rows(store, "traffic"):
        return None
    return {
        "overview": q.traffic_overview(store),
        "pages": q.traffic_top_pages(store, crawl_id, top_n),
    }
