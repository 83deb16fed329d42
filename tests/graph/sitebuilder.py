"""Write a small crawl straight into a Store (pages, links, sitemap), for unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from linkflow.store import Store

ORIGIN = "https://example.com"


def u(path: str) -> str:
    """Absolute URL of ``path`` on the test origin."""
    return path if path.startswith("http") else ORIGIN + path


@dataclass
class Site:
    """Pages (path → pages columns) and links (src, dst, links columns) of one crawl."""

    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    sitemap: list[str] = field(default_factory=list)

    def page(self, path: str, status: int | None = 200, **cols: Any) -> Site:
        self.pages[path] = {"status": status, **cols}
        return self

    def link(self, src: str, dst: str, **cols: Any) -> Site:
        self.links.append((src, dst, cols))
        return self

    def write(self, store: Store, seeds: Sequence[str] = ("/",)) -> int:
        """Store the crawl; returns its id."""
        crawl = store.new_crawl(source="http", seeds=[u(s) for s in seeds], settings={})
        urls = {*self.pages, *self.sitemap, *(s for s, _, _ in self.links),
                *(d for _, d, _ in self.links)}  # fmt: skip
        for cols in self.pages.values():
            urls.update(c for k, c in cols.items() if k in ("redirect", "canonical") and c)
        ordered = sorted(urls)
        ids = dict(zip(ordered, store.url_ids([u(p) for p in ordered]), strict=True))
        rows = []
        for path, cols in self.pages.items():
            row = {"crawl_id": crawl, "url_id": ids[path], "internal": True, **cols}
            for key in ("redirect", "canonical"):
                target = row.pop(key, None)
                row[f"{key}_url_id"] = ids[target] if target else None
            row.setdefault("indexable", True)
            rows.append(row)
        store.append("pages", rows)
        counter: dict[str, int] = {}
        link_rows = []
        for src, dst, cols in self.links:
            ordinal = counter[src] = counter.get(src, -1) + 1
            link_rows.append({"crawl_id": crawl, "src_id": ids[src], "dst_id": ids[dst],
                              "ordinal": ordinal, "anchor": f"page {dst}",
                              "position": "content", **cols})  # fmt: skip
        if link_rows:
            keys = sorted({k for r in link_rows for k in r})
            store.append("links", {k: [r.get(k) for r in link_rows] for k in keys})
        if self.sitemap:
            store.append("sitemap_urls", [{"crawl_id": crawl, "url_id": ids[p]}
                                          for p in self.sitemap])  # fmt: skip
        store.finish_crawl(crawl)
        return crawl
