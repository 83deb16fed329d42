"""The crawl stage: pages and links of a live site (:func:`crawl_site`) or a build folder
(:func:`crawl_folder`) into the audit store.

Both run the same engine (:mod:`linkflow.crawl.engine`) over a different fetcher, so a build
folder gives the same rows a web server serving it would. A crawl is resumable: running the
same call again continues the newest unfinished crawl of the same seeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import dataclasses
import gc
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from linkflow.crawl.engine import Engine
from linkflow.crawl.fetch import Fetcher, HttpFetcher
from linkflow.crawl.folder import FolderFetcher, folder_urls
from linkflow.crawl.hosts import OriginMap
from linkflow.crawl.progress import CrawlProgress, CrawlStats, JsonProgress, RichProgress
from linkflow.crawl.robots import RobotsCache
from linkflow.crawl.sitemaps import collect_sitemaps
from linkflow.crawl.template_pass import apply_template_pass
from linkflow.errors import CrawlError
from linkflow.models import CrawlSummary
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store
from linkflow.store.crawl import (
    crawl_totals,
    has_sitemap_rows,
    load_frontier,
    resumable_crawl,
    sitemap_url_list,
)
from linkflow.store.spool import (
    CrawlBatch,
    CrawlSpool,
    capped,
    checkpoint,
    load_spool,
    recover_spools,
)
from linkflow.urls import Scope, normalize, origin_of

__all__ = [
    "CrawlProgress",
    "CrawlStats",
    "JsonProgress",
    "RichProgress",
    "check_urls",
    "crawl_folder",
    "crawl_site",
]


@dataclasses.dataclass(slots=True)
class _Plan:
    """What one crawl run needs, whatever its source."""

    source: str
    key: list[str]  # identifies "the same crawl" for resume
    seeds: list[str]  # stored (public) form
    origins: OriginMap
    make_fetcher: Callable[[], Fetcher]
    orphans: Callable[[set[str]], list[str]] = lambda _seen: []
    """URLs no link reached (given the URLs seen), visited when the link frontier is empty."""
    check_external: bool = False
    preflight: bool = True


def crawl_site(
    store: Store,
    seeds: Sequence[str],
    settings: CrawlSettings,
    extract: ExtractSettings,
    *,
    progress: CrawlProgress | None = None,
    recrawl: bool = False,
) -> CrawlSummary:
    """Crawl a live site from ``seeds`` into ``store`` and return what was done.

    Resumes the newest unfinished crawl of the same seeds unless ``recrawl`` is True (then a
    new crawl starts in the same store). Ctrl-C stops cleanly: fetched pages are committed,
    the crawl is marked ``interrupted`` and the summary says ``interrupted=True``.

    Raises :class:`CrawlError` for a seed that is not an http(s) URL, invalid settings, or a
    start page whose server cannot be reached.

    Big crawls parse pages in worker processes (:mod:`linkflow.crawl.workers`).
    """
    _check_settings(settings)
    if not seeds:
        raise CrawlError("no seed URL given; pass the site's home page, e.g. https://example.com/")
    fetch_seeds: list[str] = []
    for raw in seeds:
        url = normalize(raw, strip_params=settings.strip_params)
        if url is None:
            raise CrawlError(f"{raw!r} is not an http(s) URL; give a full URL like https://{raw}")
        fetch_seeds.append(url)
    origins = OriginMap()
    if settings.base_url:
        base = _base(settings.base_url)
        origins = OriginMap(public=origin_of(base), fetch=origin_of(fetch_seeds[0]))
    plan = _Plan(
        source="http",
        key=fetch_seeds,
        seeds=[origins.to_public(u) for u in fetch_seeds],
        origins=origins,
        make_fetcher=lambda: HttpFetcher(settings),
        check_external=settings.check_external,
    )
    return _run(store, plan, settings, extract, progress=progress, recrawl=recrawl)


def crawl_folder(
    store: Store,
    folder: Path,
    base_url: str,
    settings: CrawlSettings,
    extract: ExtractSettings,
    *,
    progress: CrawlProgress | None = None,
) -> CrawlSummary:
    """Crawl the static site built into ``folder`` as if served at ``base_url``; no network.

    Pages are found by following links from ``base_url`` (with robots.txt and sitemaps read
    from the folder); HTML files no link reaches are added afterwards with no depth. Links to
    missing files are stored as 404 pages. Resumes like :func:`crawl_site`.
    """
    _check_settings(settings)
    if not folder.is_dir():
        raise CrawlError(f"{folder}: not a folder; give the site's build output (e.g. public/)")
    base = _base(base_url)
    root = folder.resolve()
    plan = _Plan(
        source="folder",
        key=[str(root), base],
        seeds=[base],
        origins=OriginMap(),
        make_fetcher=lambda: FolderFetcher(root, base, max_bytes=settings.max_body_bytes),
        orphans=lambda seen: [
            urls[0] for urls in folder_urls(root, base) if not any(u in seen for u in urls)
        ],
        preflight=False,
    )
    return _run(store, plan, settings, extract, progress=progress, recrawl=False)


def check_urls(
    store: Store,
    crawl_id: int,
    urls: Sequence[str],
    settings: CrawlSettings,
    extract: ExtractSettings,
) -> int:
    """Fetch the ``urls`` a finished crawl never reached (e.g. backlink targets) into it.

    List mode: each URL in the crawl's scope that has no page row yet gets one (no depth),
    fetched the way the crawl fetched (same site or folder, same ``base_url`` mapping,
    robots.txt); its links are stored but not followed. Returns how many pages were added.
    Raises :class:`CrawlError` if ``crawl_id`` is not a crawl of a site or folder.
    """
    info = store.crawl_info(crawl_id)
    key = [str(k) for k in info["seeds"]]
    if info["source"] == "folder":
        root, base = Path(key[0]), key[1]
        plan = _Plan(
            source="folder",
            key=key,
            seeds=[base],
            origins=OriginMap(),
            make_fetcher=lambda: FolderFetcher(root, base, max_bytes=settings.max_body_bytes),
            preflight=False,
        )
    elif info["source"] == "http":
        public = info.get("base_url") or ""
        origins = OriginMap(public=public, fetch=origin_of(key[0])) if public else OriginMap()
        plan = _Plan(
            source="http",
            key=key,
            seeds=[origins.to_public(u) for u in key],
            origins=origins,
            make_fetcher=lambda: HttpFetcher(settings),
            preflight=False,
        )
    else:
        raise CrawlError(f"crawl {crawl_id} was imported ({info['source']}); it cannot fetch")
    wanted = [u for raw in urls if (u := normalize(raw, strip_params=settings.strip_params))]
    recover_spools(store)
    before = crawl_totals(store, crawl_id)[0]
    seen = load_frontier(store, crawl_id).seen
    spool = CrawlSpool(store, crawl_id)
    try:
        asyncio.run(_check(spool, seen, plan, settings, extract, wanted))
    finally:
        spool.close()
        load_spool(store, crawl_id)
    return crawl_totals(store, crawl_id)[0] - before


async def _check(
    spool: CrawlSpool,
    seen: set[str],
    plan: _Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    urls: list[str],
) -> None:
    fetcher = plan.make_fetcher()
    try:
        engine = Engine(
            spool,
            fetcher,
            settings=dataclasses.replace(settings, max_pages=2**62),
            extract=extract,
            scope=Scope(plan.seeds, subdomains=settings.subdomains, prefixes=settings.scope),
            origins=plan.origins,
        )
        engine.seen = seen
        engine.follow_links = False
        for url in urls:
            if engine.scope.contains(url):
                engine.add(url, -1, force=True)
        await engine.run(asyncio.Event())
    finally:
        await fetcher.close()


def _base(base_url: str) -> str:
    base = normalize(base_url)
    if base is None:
        raise CrawlError(
            f"base URL {base_url!r} is not an http(s) URL; give e.g. https://www.example.com/"
        )
    return base


def _check_settings(settings: CrawlSettings) -> None:
    for pattern in (*settings.include, *settings.exclude):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CrawlError(
                f"include/exclude pattern {pattern!r} is not a valid regex ({exc})"
            ) from exc
    if settings.concurrency < 1 or settings.per_host_concurrency < 1:
        raise CrawlError("concurrency and per_host_concurrency must be at least 1")
    if settings.auth and ":" not in settings.auth:
        raise CrawlError("auth must be 'user:password'")


def _settings_json(settings: CrawlSettings) -> dict[str, Any]:
    data = dataclasses.asdict(settings)
    # Secrets stay out of the store: it is shared, exported and attached to bug reports.
    if data["auth"]:
        data["auth"] = data["auth"].split(":", 1)[0] + ":***"
    data["headers"] = [h.split(":", 1)[0] + ": ***" for h in settings.headers]
    return data


def _run(
    store: Store,
    plan: _Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    *,
    progress: CrawlProgress | None,
    recrawl: bool,
) -> CrawlSummary:
    started = time.monotonic()
    state: dict[str, Any] = {"crawl_id": None, "resumed": False, "spool": None}
    recover_spools(store)  # what a killed run left, before its frontier is read
    try:
        interrupted = asyncio.run(_crawl(store, plan, settings, extract, progress, recrawl, state))
    except KeyboardInterrupt:
        if state["crawl_id"] is None:
            raise
        interrupted = True
    finally:
        if state["spool"] is not None:
            state["spool"].close()
            _release_memory(store)
            if progress is not None:
                progress.stage("store", "storing the crawl")
            load_spool(store, state["crawl_id"])
    crawl_id: int = state["crawl_id"]
    store.finish_crawl(crawl_id, "interrupted" if interrupted else "finished")
    if not interrupted:
        if progress is not None:
            progress.stage("templates", "finding templates")
        capped(store, lambda: apply_template_pass(store, crawl_id, extract))
    checkpoint(store)
    pages, links, errors, by_status = crawl_totals(store, crawl_id)
    summary = CrawlSummary(
        crawl_id=crawl_id,
        pages=pages,
        links=links,
        errors=errors,
        by_status=by_status,
        seconds=time.monotonic() - started,
        interrupted=interrupted,
        resumed=bool(state["resumed"]),
    )
    if progress is not None:
        progress.finish(summary)
    return summary


def _release_memory(store: Store) -> None:
    """Hand the crawl's freed heap back to the system before the store loads the journal,
    so the two phases' peaks do not add up (glibc keeps freed memory otherwise).

    The URL dictionary goes too (it is read back from the store when next needed): its
    strings were made all through the crawl, so they hold on to memory pages that are
    otherwise free.
    """
    store.forget_urls()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


async def _crawl(
    store: Store,
    plan: _Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    progress: CrawlProgress | None,
    recrawl: bool,
    state: dict[str, Any],
) -> bool:
    fetcher = plan.make_fetcher()
    try:
        robots = RobotsCache(fetcher, settings.user_agent, obey=settings.obey_robots)
        if plan.preflight:
            await _preflight(robots, plan)
        crawl_id = None if recrawl else resumable_crawl(store, plan.source, plan.key)
        state["resumed"] = crawl_id is not None
        if crawl_id is None:
            crawl_id = store.new_crawl(
                source=plan.source,
                seeds=plan.key,
                settings=_settings_json(settings),
                base_url=plan.origins.public or (plan.seeds[0] if plan.source == "folder" else ""),
            )
        state["crawl_id"] = crawl_id
        spool = state["spool"] = CrawlSpool(store, crawl_id)
        scope = Scope(plan.seeds, subdomains=settings.subdomains, prefixes=settings.scope)
        engine = Engine(
            spool,
            fetcher,
            settings=settings,
            extract=extract,
            scope=scope,
            origins=plan.origins,
            progress=progress,
            check_external=plan.check_external,
            robots=robots,
        )
        if progress is not None:
            progress.start(
                crawl_id=crawl_id, seeds=plan.seeds, resumed=state["resumed"], store=str(store.path)
            )
        if state["resumed"]:
            frontier = load_frontier(store, crawl_id)
            engine.restore(frontier.pending, frontier.seen, frontier.fetched)
        else:
            for seed in plan.seeds:
                engine.add(seed, 0, force=True)
        sitemap_urls = await _sitemap_urls(store, crawl_id, engine, plan, settings)
        engine.later = lambda: list(dict.fromkeys(plan.orphans(engine.seen) + sitemap_urls))
        return await _run_engine(engine)
    finally:
        await fetcher.close()


async def _preflight(robots: RobotsCache, plan: _Plan) -> None:
    for seed in plan.seeds:
        rules = await robots.rules(plan.origins.to_fetch(seed))
        if rules.unreachable:
            raise CrawlError(
                f"{seed}: the server cannot be reached ({rules.note}); "
                "check the address and that the site is up"
            )


async def _sitemap_urls(
    store: Store, crawl_id: int, engine: Engine, plan: _Plan, settings: CrawlSettings
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
        await asyncio.to_thread(engine.spool.write, CrawlBatch(sitemaps=rows))
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
