"""Crawl writers and readers: batched page/link/frontier writes and the resume state.

A :class:`CrawlBatch` is written in ONE transaction: the pages, their links, text and
hreflang, the URLs they queued and the ``done`` marks of the pages themselves. A process
killed at any moment therefore leaves either the whole batch or none of it, so a resumed
crawl neither loses a committed page nor stores one twice.

The frontier is append-only: a URL gets a ``queued`` row when discovered and a ``done`` row
when its page is stored; the pending URLs are the queued ones without a done row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from linkflow.store.db import Store

__all__ = [
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "CrawlBatch",
    "FrontierState",
    "crawl_totals",
    "has_sitemap_rows",
    "load_frontier",
    "memory_cap",
    "resumable_crawl",
    "sitemap_url_list",
    "write_batch",
    "write_sitemap_urls",
]

PAGE_COLUMNS = (
    "internal", "depth", "status", "content_type", "fetched_at", "response_ms", "bytes",
    "meta_robots", "x_robots_tag", "indexable", "title", "meta_description", "h1", "lang",
    "word_count", "content_hash", "other_scheme_links", "error",
)  # fmt: skip
"""Columns of a page row besides the ids; the URL ids come from ``url``, ``redirect_url`` and
``canonical_url`` (strings)."""

LINK_COLUMNS = (
    "ordinal", "anchor", "alt", "is_image", "rel", "rel_nofollow", "rel_sponsored", "rel_ugc",
    "target", "fragment", "position", "dom_path", "context",
)  # fmt: skip
"""Columns of a link row besides ``src``/``dst`` (URL strings)."""

BLOCKED = "blocked by robots.txt"


def _link_columns() -> dict[str, list[Any]]:
    return {name: [] for name in ("src", "dst", *LINK_COLUMNS)}


@dataclass(slots=True)
class CrawlBatch:
    """Rows to store together. URLs are normalised strings; ids are assigned on write."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, list[Any]] = field(default_factory=_link_columns)
    texts: list[tuple[str, str]] = field(default_factory=list)
    hreflang: list[tuple[str, str, str]] = field(default_factory=list)
    queued: list[tuple[str, int, int]] = field(default_factory=list)
    """(url, depth, hops) discovered by this batch's pages."""
    done: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.pages)

    @property
    def link_count(self) -> int:
        return len(self.links["src"])


@dataclass(slots=True)
class FrontierState:
    """What a resumed crawl starts from."""

    pending: list[tuple[str, int, int]]
    seen: set[str]
    fetched: int


def _ids(store: Store, urls: Iterable[str | None]) -> dict[str, int]:
    unique = list(dict.fromkeys(u for u in urls if u is not None))
    return dict(zip(unique, store.url_ids(unique), strict=True))


def write_batch(store: Store, crawl_id: int, batch: CrawlBatch) -> None:
    """Store ``batch`` atomically (see the module docstring)."""
    if not batch.pages and not batch.queued:
        return
    with store.transaction():
        ids = _ids(
            store,
            [p["url"] for p in batch.pages]
            + [p.get("redirect_url") for p in batch.pages]
            + [p.get("canonical_url") for p in batch.pages]
            + batch.links["dst"]
            + [h[1] for h in batch.hreflang]
            + [q[0] for q in batch.queued],
        )
        if batch.pages:
            store.append("pages", _page_table(crawl_id, batch.pages, ids))
        if batch.links["src"]:
            cols = dict(batch.links)
            cols["src_id"] = [ids[u] for u in cols.pop("src")]
            cols["dst_id"] = [ids[u] for u in cols.pop("dst")]
            cols["crawl_id"] = [crawl_id] * len(cols["src_id"])
            store.append("links", cols)
        if batch.texts:
            store.append(
                "page_text",
                {
                    "crawl_id": [crawl_id] * len(batch.texts),
                    "url_id": [ids[u] for u, _ in batch.texts],
                    "main_text": [t for _, t in batch.texts],
                },
            )
        if batch.hreflang:
            store.append(
                "hreflang",
                {
                    "crawl_id": [crawl_id] * len(batch.hreflang),
                    "src_id": [ids[s] for s, _, _ in batch.hreflang],
                    "dst_id": [ids[d] for _, d, _ in batch.hreflang],
                    "lang": [lang for _, _, lang in batch.hreflang],
                },
            )
        rows = [(ids[u], d, h, "queued") for u, d, h in batch.queued]
        rows += [(ids[u], 0, 0, "done") for u in batch.done]
        if rows:
            store.append(
                "frontier",
                {
                    "crawl_id": [crawl_id] * len(rows),
                    "url_id": [r[0] for r in rows],
                    "depth": [r[1] for r in rows],
                    "hops": [r[2] for r in rows],
                    "state": [r[3] for r in rows],
                },
            )


def _page_table(crawl_id: int, pages: Sequence[dict[str, Any]], ids: dict[str, int]) -> pa.Table:
    cols: dict[str, list[Any]] = {
        "crawl_id": [crawl_id] * len(pages),
        "url_id": [ids[p["url"]] for p in pages],
        "redirect_url_id": [ids.get(p.get("redirect_url") or "") for p in pages],
        "canonical_url_id": [ids.get(p.get("canonical_url") or "") for p in pages],
    }
    for name in PAGE_COLUMNS:
        cols[name] = [p.get(name) for p in pages]
    cols["internal"] = [bool(p.get("internal", True)) for p in pages]
    cols["other_scheme_links"] = [int(p.get("other_scheme_links") or 0) for p in pages]
    return pa.table(cols)


def resumable_crawl(store: Store, source: str, seeds: Sequence[str]) -> int | None:
    """The newest crawl of exactly these seeds, if it did not finish; else ``None``."""
    row = store.query(
        "SELECT id, status FROM crawls WHERE source = ? AND seeds = ? ORDER BY id DESC LIMIT 1",
        [source, json.dumps(list(seeds))],
    ).to_pylist()
    if row and row[0]["status"] in ("running", "interrupted"):
        return int(row[0]["id"])
    return None


def load_frontier(store: Store, crawl_id: int) -> FrontierState:
    """The pending URLs (breadth-first order), every URL ever queued, and pages fetched."""
    pending = store.query(
        """
        WITH done AS (SELECT DISTINCT url_id FROM frontier WHERE crawl_id = ? AND state = 'done')
        SELECT u.url, f.depth, f.hops
        FROM frontier f JOIN urls u ON u.id = f.url_id
        WHERE f.crawl_id = ? AND f.state = 'queued' AND f.url_id NOT IN (SELECT url_id FROM done)
        ORDER BY f.depth < 0, f.depth, f.rowid
        """,
        [crawl_id, crawl_id],
    )
    seen = store.query(
        "SELECT DISTINCT u.url FROM frontier f JOIN urls u ON u.id = f.url_id WHERE f.crawl_id = ?",
        [crawl_id],
    )
    fetched = store.scalar(
        "SELECT count(*) FROM pages WHERE crawl_id = ? AND internal "
        "AND (error IS NULL OR error <> ?)",
        [crawl_id, BLOCKED],
    )
    return FrontierState(
        pending=list(
            zip(
                pending.column(0).to_pylist(),
                pending.column(1).to_pylist(),
                pending.column(2).to_pylist(),
                strict=True,
            )
        ),
        seen=set(seen.column(0).to_pylist()),
        fetched=int(fetched or 0),
    )


def crawl_totals(store: Store, crawl_id: int) -> tuple[int, int, int, dict[int, int]]:
    """``(pages, links, errors, pages by status)`` of a crawl; status 0 means no response."""
    by_status = {
        int(r["s"]): int(r["n"])
        for r in store.query(
            "SELECT coalesce(status, 0) AS s, count(*) AS n FROM pages WHERE crawl_id = ? "
            "GROUP BY ALL",
            [crawl_id],
        ).to_pylist()
    }
    links = int(store.count("links", crawl_id=crawl_id))
    errors = int(
        store.scalar(
            "SELECT count(*) FROM pages WHERE crawl_id = ? AND error IS NOT NULL", [crawl_id]
        )
    )
    return sum(by_status.values()), links, errors, by_status


def has_sitemap_rows(store: Store, crawl_id: int) -> bool:
    """True once the sitemaps of a crawl were read (a resumed crawl does not reread them)."""
    return store.count("sitemap_urls", crawl_id=crawl_id) > 0


def write_sitemap_urls(
    store: Store, crawl_id: int, entries: Sequence[tuple[str, str, str | None]]
) -> None:
    """Store ``(url, sitemap_url, lastmod)`` rows of a crawl."""
    if not entries:
        return
    with store.transaction():
        ids = _ids(store, [e[0] for e in entries] + [e[1] for e in entries])
        store.append(
            "sitemap_urls",
            {
                "crawl_id": [crawl_id] * len(entries),
                "url_id": [ids[e[0]] for e in entries],
                "sitemap_url_id": [ids[e[1]] for e in entries],
                "lastmod": [e[2] for e in entries],
            },
        )


def sitemap_url_list(store: Store, crawl_id: int) -> list[str]:
    """The distinct URLs listed in a crawl's sitemaps, in the order first stored."""
    table = store.query(
        "SELECT u.url FROM (SELECT url_id, min(rowid) AS r FROM sitemap_urls WHERE crawl_id = ? "
        "GROUP BY url_id) s JOIN urls u ON u.id = s.url_id ORDER BY s.r",
        [crawl_id],
    )
    return [str(u) for u in table.column(0).to_pylist()]


_SIZE = re.compile(r"^\d+(\.\d+)?\s*[KMGT]i?B$")


@contextmanager
def memory_cap(store: Store, limit: str) -> Iterator[None]:
    """Cap DuckDB's buffer memory (e.g. ``"512MB"``) while the block runs, then restore it.

    A crawl writes far more than it reads back; without a cap DuckDB keeps every written
    page cached (up to 80 % of RAM), so the crawler's memory would grow with the site.
    """
    if not _SIZE.match(limit):
        raise ValueError(f"not a memory size: {limit!r}")
    old = str(store.scalar("SELECT current_setting('memory_limit')"))
    store.query(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        # RESET restores the default exactly; a value someone set before is re-set from its
        # (rounded) display form.
        store.query("RESET memory_limit")
        now = store.scalar("SELECT current_setting('memory_limit')")
        if now != old and _SIZE.match(old):
            store.query(f"SET memory_limit = '{old}'")
