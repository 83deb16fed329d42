"""Crawl the served demo with linkflow's crawler (``base_url`` = the public origin) and
compare what it stored with the generator's answer keys."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from linkflow.crawl import crawl_site
from linkflow.demo import DEMO_EXPECTED_LINKS, DEMO_ORIGIN, DEMO_SITE, serve_site
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store


def test_crawl_stores_exactly_the_expected_links(tmp_path: Path, planted: dict) -> None:
    with Store.open(tmp_path / "demo.duckdb") as store:
        with serve_site(DEMO_SITE) as base:
            settings = CrawlSettings(base_url=DEMO_ORIGIN)
            summary = crawl_site(store, [base + "/"], settings, ExtractSettings(), recrawl=True)
        cid = summary.crawl_id
        pages = store.read("pages", ["url_id", "status"], crawl_id=cid).to_pylist()
        links = store.read("links", ["src_id", "dst_id", "anchor", "rel_nofollow"], crawl_id=cid)
        ids = sorted({p["url_id"] for p in pages} | set(links.column("dst_id").to_pylist()))
        url = dict(zip(ids, store.urls_by_id(ids), strict=True))

    status = {url[p["url_id"]]: p["status"] for p in pages}
    # Every page reachable by links is fetched with 200; orphans are not reachable by links.
    reachable = set(planted["pages"]) - set(planted["orphan_pages"])
    assert {u for u, s in status.items() if s == 200} == reachable
    assert all(status[u] == 404 for u in planted["broken_targets"])
    for rule in planted["redirects"]:
        if rule["from"] in status:
            assert status[rule["from"]] == 301

    ok_sources = {u for u, s in status.items() if s == 200}
    got = Counter(
        (url[r["src_id"]], url[r["dst_id"]], r["anchor"] or "", bool(r["rel_nofollow"]))
        for r in links.to_pylist()
        if url[r["src_id"]] in ok_sources
    )
    expected = Counter(
        (e["source"], e["target"], e["anchor"], e["nofollow"])
        for e in json.loads(DEMO_EXPECTED_LINKS.read_text(encoding="utf-8"))
        if e["source"] in ok_sources
    )
    assert got == expected
