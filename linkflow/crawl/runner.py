"""The fetching half of a crawl run: the engine over a fetcher, with robots.txt, sitemaps and
Ctrl-C, writing the crawl's journal.

Imported only by a run that fetches (:func:`linkflow.crawl.crawl_site` and friends), so a
process that only stores a crawl's journal or reads the store loads neither asyncio, the
HTML parser nor the robots.txt parser.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import sys
import threading
from collections.abc import AsyncIterator

from linkflow.crawl.engine import Engine, parse_pool
from linkflow.crawl.fetch import Fetcher
from linkflow.crawl.journal import CrawlBatch, Journal
from linkflow.crawl.memory import rest_duckdb
from linkflow.crawl.plan import Plan
from linkflow.crawl.progress import CrawlProgress
from linkflow.crawl.robots import RobotsCache
from linkflow.crawl.sitemaps import collect_sitemaps
from linkflow.crawl.state import (
    has_sitemap_rows,
    load_frontier,
    resumable_crawl,
    sitemap_url_list,
)
from linkflow.errors import CrawlError
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store
from linkflow.urls import Scope, normalize, origin_of

__all__ = ["RunState", "fetch_crawl", "fetch_urls"]

REST_SECONDS = 2.0
"""How long a crawl fetches before DuckDB's code is handed back (:func:`rest_duckdb`): the
code comes back, partly from the disk, as the store runs again, which costs a short crawl
more time than the memory is worth to it; a long one saves the memory for most of its
fetching."""


@dataclasses.dataclass(slots=True)
class RunState:
    """What a run's fetching has set up so far: its caller stores and finishes the crawl
    from it, even when the fetching failed or was interrupted."""

    crawl_id: int | None = None
    resumed: bool = False
    journal: Journal | None = None
    engine: Engine | None = None


def fetch_crawl(
    store: Store,
    plan: Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    progress: CrawlProgress | None,
    recrawl: bool,
    state: RunState,
) -> bool:
    """Fetch a crawl run into its journal; True if it was stopped early (Ctrl-C)."""
    return asyncio.run(_fetch_crawl(store, plan, settings, extract, progress, recrawl, state))


def fetch_urls(
    journal: Journal,
    seen: set[str],
    plan: Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    urls: list[str],
) -> None:
    """Fetch ``urls`` into a finished crawl's journal without following their links."""
    asyncio.run(_fetch_urls(journal, seen, plan, settings, extract, urls))


async def _fetch_urls(
    journal: Journal,
    seen: set[str],
    plan: Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    urls: list[str],
) -> None:
    # The workers first, so they start while the fetcher's HTTP client is imported.
    async with parse_pool(settings) as pool, _fetcher(plan) as fetcher:
        engine = Engine(
            journal,
            fetcher,
            settings=dataclasses.replace(settings, max_pages=2**62),
            extract=extract,
            scope=Scope(plan.seeds, subdomains=settings.subdomains, prefixes=settings.scope),
            origins=plan.origins,
            pool=pool,
        )
        engine.seen = seen
        engine.follow_links = False
        for url in urls:
            if engine.scope.contains(url):
                engine.add(url, -1, force=True)
        await engine.run(asyncio.Event())


def _settings_json(settings: CrawlSettings) -> dict[str, object]:
    """``settings`` as the crawl records them (JSON values), secrets masked."""
    data: dict[str, object] = dataclasses.asdict(settings)
    # Secrets stay out of the store: it is shared, exported and attached to bug reports.
    if settings.auth:
        data["auth"] = settings.auth.split(":", 1)[0] + ":***"
    data["headers"] = [h.split(":", 1)[0] + ": ***" for h in settings.headers]
    return data


async def _fetch_crawl(
    store: Store,
    plan: Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    progress: CrawlProgress | None,
    recrawl: bool,
    state: RunState,
) -> bool:
    # The workers first, so they start while the fetcher's HTTP client is imported.
    async with parse_pool(settings) as pool, _fetcher(plan) as fetcher:
        robots = RobotsCache(fetcher, settings.user_agent, obey=settings.obey_robots)
        if plan.preflight:
            await _preflight(robots, plan)
        crawl_id = None if recrawl else resumable_crawl(store, plan.source, plan.key)
        state.resumed = crawl_id is not None
        if crawl_id is None:
            crawl_id = store.new_crawl(
                source=plan.source,
                seeds=plan.key,
                settings=_settings_json(settings),
                base_url=plan.origins.public or (plan.seeds[0] if plan.source == "folder" else ""),
            )
        state.crawl_id = crawl_id
        journal = state.journal = Journal(store, crawl_id)
        scope = Scope(plan.seeds, subdomains=settings.subdomains, prefixes=settings.scope)
        engine = Engine(
            journal,
            fetcher,
            settings=settings,
            extract=extract,
            scope=scope,
            origins=plan.origins,
            progress=progress,
            check_external=plan.check_external,
            robots=robots,
            pool=pool,
        )
        state.engine = engine
        if progress is not None:
            progress.start(
                crawl_id=crawl_id, seeds=plan.seeds, resumed=state.resumed, store=str(store.path)
            )
        if state.resumed:
            frontier = load_frontier(store, crawl_id)
            engine.restore(frontier.pending, frontier.seen, frontier.fetched)
        if not engine.seen:  # a new crawl, or one stopped before its first batch was written
            for seed in plan.seeds:
                engine.add(seed, 0, force=True)
        sitemap_urls = await _sitemap_urls(store, crawl_id, engine, plan, settings)
        engine.later = lambda: list(dict.fromkeys(plan.orphans(engine.seen) + sitemap_urls))
        # The fetching writes the journal, not the store: with the URL ids read now (the
        # journal's first batch would read them), DuckDB's code can rest until the end, if
        # the fetching lasts (see REST_SECONDS).
        store.assign_url_ids(())
        rest = asyncio.get_running_loop().call_later(REST_SECONDS, rest_duckdb)
        try:
            return await _run_engine(engine)
        finally:
            rest.cancel()


@contextlib.asynccontextmanager
async def _fetcher(plan: Plan) -> AsyncIterator[Fetcher]:
    """The plan's fetcher, closed when the block ends."""
    fetcher = plan.make_fetcher()
    try:
        yield fetcher
    finally:
        await fetcher.close()


async def _preflight(robots: RobotsCache, plan: Plan) -> None:
    for seed in plan.seeds:
        rules = await robots.rules(plan.origins.to_fetch(seed))
        if rules.unreachable:
            raise CrawlError(
                f"{seed}: the server cannot be reached ({rules.note}); "
                "check the address and that the site is up"
            )


async def _sitemap_urls(
    store: Store, crawl_id: int, engine: Engine, plan: Plan, settings: CrawlSettings
) -> list[str]:
    """Read the sitemaps (once per crawl); return the URLs to seed from them, if asked."""
    if not has_sitemap_rows(store, crawl_id):
        starts: list[str] = []
        for origin in dict.fromkeys(origin_of(plan.origins.to_fetch(s)) for s in plan.seeds):
            rules = await engine.robots.rules(origin + "/")
            starts += [plan.origins.to_fetch(u) for u in rules.sitemaps]
            starts.append(origin + "/sitemap.xml")

        def stored(raw: str) -> str | None:
            url = normalize(raw, strip_params=settings.strip_params)
            return None if url is None else plan.origins.to_public(url)

        def locate(raw: str) -> str | None:
            url = stored(raw)
            return plan.origins.to_fetch(url) if url and engine.scope.contains(url) else None

        entries, _problems = await collect_sitemaps(engine.fetcher, starts, stored, locate=locate)
        rows = [(e.url, e.sitemap, e.lastmod) for e in entries]
        await asyncio.to_thread(engine.journal.write, CrawlBatch(sitemaps=rows))
        urls = list(dict.fromkeys(e.url for e in entries))
    else:
        urls = sitemap_url_list(store, crawl_id)
    return urls if settings.sitemap_seed else []


async def _run_engine(engine: Engine) -> bool:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Ctrl-C sets ``stop``, so the engine ends its batch and commits it. asyncio installs
    # signal handlers only on Unix and in the main thread; anywhere else Ctrl-C raises
    # KeyboardInterrupt, which ``_run`` turns into the same clean, resumable stop.
    handled = sys.platform != "win32" and threading.current_thread() is threading.main_thread()
    if handled:
        loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        return await engine.run(stop)
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)
