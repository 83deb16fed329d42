"""The authority Sankey: referring domains → landing pages → money pages or trapped.

Every value is a share of the authority entering the site, Σ ``flow_in`` over the crawl's
pages (docs/model.md §7), so the sources add up to 1 and every node in the middle passes on
exactly what it receives:

- **sources → landing pages.** ``flow_in_i = (1 − α)·v_i`` with ``v_i = (1 − β)/n + β·E_i/ΣE``:
  the uniform part (``(1 − α)(1 − β)/n`` on each graph page; all of it without backlink
  authority) comes from *direct visits and random entry*, the rest from backlinks. The
  backlink part of a page is divided among referring domains in proportion to the authority
  each brings to the backlink targets that resolve to it (the same capped sum as
  ``backlink_targets.authority``: a domain's best ``ingest.domain_cap`` followed, live links
  per target); a part no target resolves to (a canonical or a longer redirect chain) comes
  from "other domains".
- **landing pages → outcomes.** ``trapped_i`` never reaches a money page (exact, stored);
  of it, ``trapped_low_value_i`` ends on a low-value URL (a leak, its own node) and the rest
  on other pages; ``flow_in_i − trapped_i`` reaches a money page. A money page that is
  itself a landing page keeps its own. Another page's reaching part is divided among the
  money pages in proportion to what it contributes to each one's flow (``flow_paths``), or,
  when it is not listed there, in proportion to the money pages' flow. The money pages
  together receive exactly the "reach" share the report states (Σ(flow_in − trapped) /
  Σ flow_in).

The flow on each low-value URL class and the external leak are shares of the flow, not of
the entering authority; they come with the diagram as :attr:`Sankey.leaks` and
:attr:`Sankey.external`. External links carry no authority in the model (as in Screaming
Frog's Link Score), so the external leak is a measure beside the diagram, not a flow in it.

The largest ``top`` nodes of each column are shown on their own, the rest as one "other"
node. All the grouping runs in SQL, so a million pages cost a few aggregate queries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from linkflow.analyses.backlinks_profile import EDGES_SQL
from linkflow.settings import Settings
from linkflow.store import Store
from linkflow.store.export import has_rows, table_columns

__all__ = ["Sankey", "SankeyLink", "SankeyNode", "authority_sankey", "sankey_rows", "sankey_spec"]

TOP = 8
"""Nodes shown on their own in each column; the rest are grouped."""

OTHER = ""
"""The group key of the "other" node of a column."""


@dataclass(frozen=True, slots=True)
class SankeyNode:
    """One node: ``id`` unique over the diagram, ``label`` shown, ``title`` the full text
    (a URL), ``column`` 0-2, ``kind`` source | direct | landing | money | trapped, ``value``
    its share of the entering authority."""

    id: str
    label: str
    title: str
    column: int
    kind: str
    value: float


@dataclass(frozen=True, slots=True)
class SankeyLink:
    """A flow of ``value`` (share of the entering authority) from node ``source`` to
    ``target`` (node ids)."""

    source: str
    target: str
    value: float


@dataclass(frozen=True, slots=True)
class Sankey:
    """The diagram (see the module docstring); ``reach`` the money pages' total, ``leaks``
    the flow share on each low-value URL class, ``external`` the external leak (both None
    when the flow run did not record them)."""

    nodes: tuple[SankeyNode, ...]
    links: tuple[SankeyLink, ...]
    reach: float
    leaks: dict[str, float] | None = None
    external: float | None = None


def _path(url: str, limit: int = 40) -> str:
    parts = urlsplit(url)
    text = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flow_run(store: Store, crawl_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Settings and details of the crawl's latest flow run ({} when none is recorded)."""
    if not has_rows(store, "analysis_runs"):
        return {}, {}
    rows = store.rows(
        "SELECT settings_json, details_json FROM analysis_runs "
        "WHERE crawl_id = ? AND kind = 'flow' ORDER BY id DESC LIMIT 1",
        [crawl_id],
    )
    if not rows:
        return {}, {}
    out = []
    for text in rows[0]:
        try:
            value = json.loads(text) if isinstance(text, str) else {}
        except ValueError:
            value = {}
        out.append(value if isinstance(value, dict) else {})
    return out[0], out[1]


def _uniform(
    store: Store, crawl_id: int, settings: dict[str, Any], details: dict[str, Any]
) -> float | None:
    """``(1 − α)(1 − β)/n``: what each graph page receives from direct visits and random
    entry, or None when all of ``flow_in`` is that (no backlink authority)."""
    defaults = Settings()
    graph, analyse = settings.get("graph", {}), settings.get("analyse", {})
    alpha = float(graph.get("damping", defaults.graph.damping))
    beta = float(analyse.get("backlink_beta", defaults.analyse.backlink_beta))
    authority = details.get("backlink_authority")
    if authority is None:
        present = has_rows(store, "backlink_targets")
        authority = store.scalar("SELECT sum(authority) FROM backlink_targets") if present else 0
    nodes = store.scalar(
        "SELECT count(*) FROM page_metrics WHERE crawl_id = ? AND flow_in > 0", [crawl_id]
    )
    if not authority or not nodes:
        return None
    return (1.0 - alpha) * (1.0 - beta) / float(nodes)


_PAGES = """
    SELECT url, coalesce(is_money, FALSE) AS is_money, coalesce(flow, 0) AS flow, flow_in,
           least(greatest(coalesce(trapped, 0), 0), flow_in) AS trapped,
           least(greatest(coalesce(trapped_low_value, 0), 0),
                 greatest(coalesce(trapped, 0), 0), flow_in) AS trapped_low,
           CASE WHEN row_number() OVER (ORDER BY flow_in DESC, url) <= $top
                THEN url ELSE '' END AS lg
    FROM page_metrics WHERE crawl_id = $crawl AND flow_in > 0
"""


def _money_groups(store: Store, crawl_id: int, top: int) -> dict[str, tuple[str, float]]:
    """Each money page's group key (its URL for the ``top`` largest by flow, else OTHER)
    and its flow."""
    rows = store.rows(
        "SELECT url, coalesce(flow, 0) FROM page_metrics WHERE crawl_id = ? AND is_money "
        "ORDER BY flow DESC NULLS LAST, url",
        [crawl_id],
    )
    return {url: (url if i < top else OTHER, float(f)) for i, (url, f) in enumerate(rows)}


def _source_bands(
    store: Store, crawl_id: int, top: int, uniform: float | None, cap: int
) -> tuple[dict[tuple[str, str], float], int]:
    """(domain group, landing group) → value (absolute); the domain group "" is the other
    domains, None-keyed direct entry is ``"\\0direct"``; and the number of other domains."""
    params: dict[str, Any] = {"crawl": crawl_id, "top": top}
    if uniform is None:
        direct = store.rows(
            f"WITH p AS ({_PAGES}) SELECT lg, sum(flow_in) FROM p GROUP BY lg", params
        )
    else:
        params["u"] = uniform
        direct = store.rows(
            f"WITH p AS ({_PAGES}) SELECT lg, sum(least(flow_in, $u)) FROM p GROUP BY lg", params
        )
    bands: dict[tuple[str, str], float] = defaultdict(float)
    for lg, value in direct:
        bands[("\0direct", lg)] += float(value or 0)
    if uniform is None:
        return bands, 0
    # the capped sum of backlink_targets.authority, domain by domain: the backlink
    # profile's own edges (its authority and followed rules), best `cap` links per target
    sql = f"""
        WITH p AS ({_PAGES}),
        e AS (SELECT source_domain AS domain, target_url, source_url, authority AS a
              FROM ({EDGES_SQL}) x
              WHERE followed AND NOT lost AND source_domain IS NOT NULL),
        r AS (SELECT *, row_number() OVER (PARTITION BY target_url, domain
                                           ORDER BY a DESC, source_url) AS n FROM e),
        c AS (SELECT target_url, domain, sum(a) AS a FROM r WHERE n <= $cap AND a > 0
              GROUP BY target_url, domain),
        t AS (SELECT c.domain, c.a, coalesce(p1.url, p2.url) AS url
              FROM c LEFT JOIN backlink_targets bt ON bt.url = c.target_url
              LEFT JOIN p p1 ON p1.url = c.target_url
              LEFT JOIN p p2 ON p2.url = bt.redirect_url),
        w0 AS (SELECT url, domain, sum(a) AS a FROM t WHERE url IS NOT NULL
               GROUP BY url, domain),
        w AS (SELECT *, sum(a) OVER (PARTITION BY url) AS total FROM w0),
        part AS (SELECT url, lg, greatest(flow_in - $u, 0) AS b FROM p),
        split AS (SELECT part.lg, coalesce(w.domain, '') AS domain,
                         part.b * coalesce(w.a / w.total, 1) AS value
                  FROM part LEFT JOIN w USING (url) WHERE part.b > 0),
        ranked AS (SELECT domain, row_number() OVER (ORDER BY sum(value) DESC, domain) AS rn
                   FROM split WHERE domain <> '' GROUP BY domain)
        SELECT split.lg, CASE WHEN ranked.rn <= $top THEN split.domain ELSE '' END AS dg,
               sum(split.value), (SELECT count(*) FROM ranked) AS domains
        FROM split LEFT JOIN ranked USING (domain) GROUP BY 1, 2
    """
    rows = store.rows(sql, {**params, "cap": cap})
    domains = max((int(n) for *_, n in rows), default=0)
    for lg, dg, value, _ in rows:
        bands[(dg, lg)] += float(value or 0)
    return bands, max(domains - top, 0)


def _outcome_bands(
    store: Store, crawl_id: int, top: int, money: dict[str, tuple[str, float]]
) -> dict[tuple[str, str], float]:
    """(landing group, outcome) → value (absolute); outcome "trapped-low" (trapped, ends
    on a low-value URL), "trapped" (trapped, ends on another page) or a money group ("m:" +
    URL, "m:" for the other money pages)."""
    params = {"crawl": crawl_id, "top": top}
    bands: dict[tuple[str, str], float] = defaultdict(float)
    for lg, low, other in store.rows(
        f"WITH p AS ({_PAGES}) SELECT lg, sum(trapped_low), sum(trapped - trapped_low) "
        "FROM p GROUP BY lg",
        params,
    ):
        bands[(lg, "trapped-low")] += float(low or 0)
        bands[(lg, "trapped")] += float(other or 0)
    # a money page reaches itself first
    for lg, url, value in store.rows(
        f"WITH p AS ({_PAGES}) SELECT lg, url, flow_in FROM p WHERE is_money", params
    ):
        bands[(lg, "m:" + money.get(url, (OTHER, 0.0))[0])] += float(value or 0)
    listed = has_rows(store, "flow_paths")
    paths = (
        "SELECT source_url AS url, money_url, flow FROM flow_paths WHERE crawl_id = $crawl "
        "AND flow > 0"
        if listed
        else "SELECT NULL::VARCHAR AS url, NULL::VARCHAR AS money_url, 0.0 AS flow WHERE FALSE"
    )
    rows = store.rows(
        f"""
        WITH p AS ({_PAGES}), f AS ({paths}),
        s AS (SELECT url, money_url, flow / sum(flow) OVER (PARTITION BY url) AS w FROM f),
        reach AS (SELECT url, lg, flow_in - trapped AS v FROM p WHERE NOT is_money)
        SELECT reach.lg, s.money_url, sum(reach.v * coalesce(s.w, 1))
        FROM reach LEFT JOIN s USING (url) WHERE reach.v > 0 GROUP BY 1, 2
        """,
        params,
    )
    total = sum(f for _, f in money.values())
    for lg, money_url, value in rows:
        value = float(value or 0)
        if money_url is not None and money_url in money:
            bands[(lg, "m:" + money[money_url][0])] += value
        elif total > 0:  # not listed in flow_paths: the money pages' shares of the flow
            for group, flow in money.values():
                bands[(lg, "m:" + group)] += value * flow / total
        elif money:
            for group, _ in money.values():
                bands[(lg, "m:" + group)] += value / len(money)
        else:  # reach without a money page: the data contradicts itself; kept, not dropped
            bands[(lg, "m:")] += value
    return bands


def authority_sankey(store: Store, crawl_id: int, top: int = TOP) -> Sankey | None:
    """The authority Sankey of ``crawl_id`` (see the module docstring), or ``None`` when
    the flow was not computed or no authority enters the site."""
    present = {name for name, _ in table_columns(store, "page_metrics")}
    if not {"flow", "flow_in", "trapped", "trapped_low_value", "is_money"} <= present:
        return None
    total = float(
        store.scalar(
            "SELECT sum(flow_in) FROM page_metrics WHERE crawl_id = ? AND flow_in > 0",
            [crawl_id],
        )
        or 0.0
    )
    if total <= 0:
        return None
    settings, details = _flow_run(store, crawl_id)
    uniform = _uniform(store, crawl_id, settings, details) if has_rows(store, "backlinks") else None
    cap = int(settings.get("ingest", {}).get("domain_cap", Settings().ingest.domain_cap))
    sources, other_domains = _source_bands(store, crawl_id, top, uniform, cap)
    money = _money_groups(store, crawl_id, top)
    outcomes = _outcome_bands(store, crawl_id, top, money)
    landing_count = int(
        store.scalar(
            "SELECT count(*) FROM page_metrics WHERE crawl_id = ? AND flow_in > 0", [crawl_id]
        )
        or 0
    )
    names = _Names(other_domains, max(landing_count - top, 0), max(len(money) - top, 0))
    links = [
        SankeyLink(names.source(dg), "l:" + lg, value / total)
        for (dg, lg), value in sources.items()
        if value > 0
    ] + [
        SankeyLink("l:" + lg, out, value / total)
        for (lg, out), value in outcomes.items()
        if value > 0
    ]
    links.sort(key=lambda link: (link.source == "s:", -link.value, link.source, link.target))
    into: dict[str, float] = defaultdict(float)
    out_of: dict[str, float] = defaultdict(float)
    for link in links:
        into[link.target] += link.value
        out_of[link.source] += link.value
    ids = list(dict.fromkeys([*(k.source for k in links), *(k.target for k in links)]))
    nodes = [names.node(i, max(into[i], out_of[i])) for i in ids]
    # groups below the pages, trapped last
    last = {"s:": 1, "l:": 1, "m:": 1, "direct": 2, "trapped-low": 2, "trapped": 3}
    nodes.sort(key=lambda n: (n.column, last.get(n.id, 0), -n.value))
    leaks = details.get("leaks")
    external = details.get("external_leak")
    return Sankey(
        nodes=tuple(nodes),
        links=tuple(links),
        reach=sum(v for k, v in into.items() if k.startswith("m:")),
        leaks={str(k): float(v) for k, v in leaks.items()} if isinstance(leaks, dict) else None,
        external=float(external) if isinstance(external, int | float) else None,
    )


@dataclass(frozen=True, slots=True)
class _Names:
    """How the group keys become node ids, labels and columns."""

    other_domains: int
    other_pages: int
    other_money: int

    def source(self, group: str) -> str:
        return "direct" if group == "\0direct" else "s:" + group

    def node(self, node_id: str, value: float) -> SankeyNode:
        kind, _, key = node_id.partition(":")
        if node_id == "direct":
            return SankeyNode(node_id, "Direct visits and random entry",
                              "Direct visits and random entry: the share of the teleport "
                              "not seeded by backlinks", 0, "direct", value)  # fmt: skip
        if node_id == "trapped":
            return SankeyNode(node_id, "Trapped on other pages",
                              "Trapped: never reaches a money page along links and ends on "
                              "a page that is not a low-value URL", 2, "trapped",
                              value)  # fmt: skip
        if node_id == "trapped-low":
            return SankeyNode(node_id, "Trapped on low-value URLs",
                              "Leaks: never reaches a money page along links and ends on a "
                              "low-value URL (tag, category or date archive, login, legal, "
                              "faceted, paginated ...)", 2, "trapped", value)  # fmt: skip
        if kind == "s":
            label = key or _other(self.other_domains, "domain", "other backlinks")
            return SankeyNode(node_id, label, label, 0, "source", value)
        if kind == "l":
            label = _path(key) if key else _other(self.other_pages, "page", "other pages")
            return SankeyNode(node_id, label, key or label, 1, "landing", value)
        label = _path(key) if key else _other(self.other_money, "money page", "money pages")
        return SankeyNode(node_id, label, key or label, 2, "money", value)


def _other(count: int, noun: str, fallback: str) -> str:
    if count <= 0:
        return fallback
    return f"other {count:,} {noun}{'' if count == 1 else 's'}"


def sankey_spec(sankey: Sankey, title: str) -> dict[str, Any]:
    """What report.js draws with ECharts (``data-echart``): nodes with their column
    (``depth``), kind and value, and the links. The template puts it in an attribute with
    ``tojson``, which escapes every character that could end it."""
    return {
        "kind": "sankey",
        "title": title,
        "nodes": [
            {"name": n.id, "label": n.label, "title": n.title, "depth": n.column,
             "kind": n.kind, "value": n.value}
            for n in sankey.nodes
        ],
        "links": [{"source": k.source, "target": k.target, "value": k.value} for k in sankey.links],
    }  # fmt: skip


def sankey_rows(sankey: Sankey) -> list[dict[str, Any]]:
    """The links as table rows (from, to: node labels; title: full texts; value), column
    by column, biggest first: the diagram's numbers for print and for a browser without
    JavaScript."""
    nodes = {n.id: n for n in sankey.nodes}
    links = sorted(sankey.links, key=lambda k: (nodes[k.source].column, -k.value))
    return [
        {"from": nodes[k.source].label, "from_title": nodes[k.source].title,
         "to": nodes[k.target].label, "to_title": nodes[k.target].title,
         "column": nodes[k.source].column, "value": k.value}
        for k in links
    ]  # fmt: skip
