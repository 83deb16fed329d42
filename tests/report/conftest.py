"""A small audit store written row by row through Store.append, for the report tests.

The rows are built here, independently of the analyses, so the tests can predict what the
report and the exports must show. Several strings are hostile on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from linkflow.store import Store

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/","click")'
SITE = "https://shop.example"


@dataclass
class Audit:
    """Where the fixture audit lives and what it holds."""

    path: Path
    crawl_id: int
    urls: list[str]
    equity: dict[str, float]
    money: set[str]
    broken_links: int
    findings: dict[str, int] = field(default_factory=dict)


def build_audit(path: Path, n_pages: int = 20, *, extras: bool = True) -> Audit:
    """Write a crawl of ``n_pages`` pages with metrics and findings (and, with ``extras``,
    backlinks, traffic and suggestions) to a new store at ``path``."""
    urls = [f"{SITE}/"] + [f"{SITE}/page-{i}" for i in range(1, n_pages)]
    broken = f"{SITE}/gone"
    with Store.open(path) as store:
        crawl_id = store.new_crawl(source="http", seeds=[urls[0]], settings={})
        ids = store.url_ids([*urls, broken])
        raw = [1.0 / (i + 1) for i in range(n_pages)]
        equity = {u: r / sum(raw) for u, r in zip(urls, raw, strict=True)}
        money = {urls[3], urls[7]} if n_pages > 7 else set()
        store.append("pages", _pages(crawl_id, urls, ids, broken))
        links = _links(crawl_id, ids, n_pages)
        store.append("links", links)
        store.append("page_metrics", _metrics(crawl_id, urls, ids, equity, money))
        findings = _findings(crawl_id, urls, ids)
        store.append("findings", findings)
        if extras:
            _add_extras(store, crawl_id, urls, ids)
        store.finish_crawl(crawl_id)
    counts: dict[str, int] = {}
    for f in findings:
        kind = str(f["kind"])
        counts[kind] = counts.get(kind, 0) + 1
    return Audit(path, crawl_id, urls, equity, money, broken_links=2, findings=counts)


def _pages(crawl_id: int, urls: list[str], ids: list[int], broken: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "crawl_id": crawl_id,
            "url_id": ids[i],
            "depth": min(i, 6),
            "status": 200,
            "indexable": True,
            "title": f"Page {i}" if i != 2 else f"Sale {SCRIPT} {FORMULA}",
            "word_count": 300,
        }
        for i in range(len(urls))
    ]
    rows.append(
        {
            "crawl_id": crawl_id,
            "url_id": ids[-1],
            "depth": 2,
            "status": 404,
            "indexable": False,
            "title": None,
            "word_count": 0,
        }
    )
    return rows


def _links(crawl_id: int, ids: list[int], n_pages: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for src in range(n_pages):
        for k, dst in enumerate({0, (src + 1) % n_pages}):
            rows.append(
                {
                    "crawl_id": crawl_id,
                    "src_id": ids[src],
                    "dst_id": ids[dst],
                    "ordinal": k,
                    "anchor": FORMULA if src == 2 else f"to {dst}",
                    "position": "content",
                }
            )
    # two links to the 404 page
    for src in (1, 2):
        rows.append(
            {
                "crawl_id": crawl_id,
                "src_id": ids[src],
                "dst_id": ids[-1],
                "ordinal": 9,
                "anchor": SCRIPT,
                "position": "content",
            }
        )
    return rows


def _metrics(
    crawl_id: int, urls: list[str], ids: list[int], equity: dict[str, float], money: set[str]
) -> list[dict[str, object]]:
    top = max(equity.values())
    return [
        {
            "crawl_id": crawl_id,
            "url_id": ids[i],
            "url": u,
            "status": 200,
            "indexable": True,
            "in_graph": True,
            "equity": equity[u],
            "equity_score": round(100 * equity[u] / top, 1),
            "depth": min(i, 6),
            "inlinks": len(urls) - i,
            "content_inlinks": 1,
            "outlinks": 2,
            "is_money": u in money,
            "backlinks": 3 if i == 0 else 0,
            "referring_domains": 2 if i == 0 else 0,
            "clicks": float(100 - i),
            # flow: half of what enters the site is trapped on page 1 (docs/model.md §7)
            "flow": equity[u],
            "flow_in": 0.15 / len(urls),
            "trapped": 0.15 / len(urls) * (0.5 if i == 1 else 0.0),
        }
        for i, u in enumerate(urls)
    ]


def _findings(crawl_id: int, urls: list[str], ids: list[int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for src in (1, 2):
        rows.append(
            {
                "crawl_id": crawl_id,
                "kind": "broken-link",
                "severity": "high",
                "url_id": ids[src],
                "url": urls[src],
                "detail": f"links to {SITE}/gone (404) with anchor {SCRIPT}",
                "why": "Broken links waste equity and frustrate visitors.",
                "value": None,
                "target_url": f"{SITE}/gone",
            }
        )
    for i in range(5, len(urls)):
        rows.append(
            {
                "crawl_id": crawl_id,
                "kind": "deep-page",
                "severity": "medium",
                "url_id": ids[i],
                "url": urls[i],
                "detail": f"depth {min(i, 6)}",
                "value": float(min(i, 6)),
                "why": "Pages many clicks from the home page get little equity.",
            }
        )
    rows.append(
        {
            "crawl_id": crawl_id,
            "kind": "orphan-page",
            "severity": "high",
            "url_id": ids[-1],
            "url": urls[-1],
            "detail": "in the sitemap, no internal inlink",
            "why": "Orphan pages receive no internal equity.",
            "value": None,
        }
    )
    return rows


def _add_extras(store: Store, crawl_id: int, urls: list[str], ids: list[int]) -> None:
    now = datetime(2026, 11, 1)
    store.append(
        "imports",
        [
            {
                "id": 1,
                "path": "ahrefs.csv",
                "kind": "backlinks",
                "provider": "ahrefs",
                "report": "backlinks",
                "site": "self",
                "rows": 4,
                "imported_at": now,
            },
            {
                "id": 2,
                "path": "rival.csv",
                "kind": "backlinks",
                "provider": "ahrefs",
                "report": "backlinks",
                "site": "rival",
                "rows": 1,
                "imported_at": now,
            },
        ],
    )
    backlinks = [
        ("https://news.example/a", "news.example", urls[0], SCRIPT + FORMULA, False, False, 70.0),
        ("https://news.example/b", "news.example", urls[0], "shop", True, False, 70.0),
        ("https://blog.example/x", "blog.example", urls[0], "", False, False, 30.0),
        ("https://old.example/y", "old.example", urls[3], "buy now", False, True, 50.0),
    ]
    store.append(
        "backlinks",
        [
            {
                "import_id": 1,
                "provider": "ahrefs",
                "source_url": s,
                "source_domain": d,
                "target_url": t,
                "target_url_id": store.url_ids([t])[0],
                "anchor": a,
                "nofollow": nf,
                "lost": lost,
                "domain_authority": da,
                "source_authority": da / 2,
                "first_seen": datetime(2026, 1 + i, 5),
                "last_seen": datetime(2026, 9, 1),
            }
            for i, (s, d, t, a, nf, lost, da) in enumerate(backlinks)
        ]
        + [
            {
                "import_id": 2,
                "provider": "ahrefs",
                "source_url": "https://rival.example/z",
                "source_domain": "rival.example",
                "target_url": "https://rival.example/",
                "target_url_id": None,
                "anchor": "rival",
                "nofollow": False,
                "lost": False,
                "domain_authority": 90.0,
                "source_authority": 45.0,
                "first_seen": None,
                "last_seen": None,
            }
        ],
    )
    store.append(
        "traffic",
        [
            {
                "import_id": 3,
                "source": "gsc",
                "url": u,
                "url_id": ids[i],
                "clicks": 50.0 - i,
                "impressions": 1000.0,
            }
            for i, u in enumerate(urls[:5])
        ],
    )
    store.append(
        "suggestions",
        [
            {
                "crawl_id": crawl_id,
                "rank": 1,
                "source_url": urls[1],
                "target_url": urls[3],
                "anchor": "blue widgets",
                "sentence": f"Our {SCRIPT} widgets are great.",
                "gain": 0.0123,
                "relevance": 0.8,
                "reason": "money page with few inlinks",
                "target_gain": 0.01,
            },
        ],
    )
    _add_verdict(store, crawl_id, urls)


def _add_verdict(store: Store, crawl_id: int, urls: list[str]) -> None:
    components = (
        '[{"name": "reach", "value": 0.6, "score": 70.0, "weight": 2.0, '
        '"text": "outside authority that reaches a money page: 60%"}]'
    )
    store.append(
        "verdict",
        [
            {"crawl_id": crawl_id, "side": "internal", "score": 41.0, "weaker": True,
             "explanation": "Internal structure scores 41.", "components": components,
             "notes": '["money pages guessed"]'},
            {"crawl_id": crawl_id, "side": "external", "score": 77.0, "weaker": False,
             "explanation": "External authority scores 77.", "components": "[]", "notes": "[]"},
        ],
    )  # fmt: skip
    store.append(
        "actions",
        [
            {"crawl_id": crawl_id, "rank": 1, "side": "internal", "action": "add a content link",
             "url": urls[1], "target_url": urls[3], "effect": f"share 10% → 12% {SCRIPT}",
             "gain": 0.02, "why": "it traps authority"},
        ],
    )  # fmt: skip
    store.append(
        "fixes",
        [
            {"crawl_id": crawl_id, "kind": "orphan-page", "url": urls[-1], "target_url": None,
             "proposal": f"link it {SCRIPT}", "why": "no inlink", "effect": "receives flow",
             "gain": None},
        ],
    )  # fmt: skip


@pytest.fixture
def audit(tmp_path: Path) -> Audit:
    """A 20-page audit with every optional section filled."""
    return build_audit(tmp_path / "audit.duckdb")
