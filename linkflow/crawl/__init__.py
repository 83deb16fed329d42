"""The crawl stage: pages and links of a live site (:func:`crawl_site`) or a build folder
(:func:`crawl_folder`) into the audit store.

Both run the same engine (:mod:`linkflow.crawl.engine`) over a different fetcher, so a build
folder gives the same rows a web server serving it would. A crawl is resumable: running the
same call again continues the newest unfinished crawl of the same seeds. The crawl writes
its rows to a journal (:mod:`linkflow.crawl.journal`) and loads it into the store when the
fetching ends; :func:`recover` loads the journal a killed crawl left behind.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from linkflow.crawl.fetch import Fetcher
from linkflow.crawl.folder import (
    FolderOrigins,
    folder_fetcher,
    folder_urls,
    stand_in,
    stand_in_origins,
)
from linkflow.crawl.hosts import OriginMap
from linkflow.crawl.journal import Journal
from linkflow.crawl.journal_load import load_journal, recover
from linkflow.crawl.memory import cap_bytes, capped, checkpoint, memory_cap
from linkflow.crawl.plan import Plan
from linkflow.crawl.progress import (
    CrawlProgress,
    CrawlStats,
    JsonProgress,
    RichProgress,
    StepProgress,
    report_step,
)
from linkflow.crawl.state import crawl_totals, load_frontier
from linkflow.crawl.template_pass import apply_template_pass
from linkflow.errors import CrawlError
from linkflow.heap import Trimmer
from linkflow.models import CrawlSummary
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.store import Store
from linkflow.urls import normalize

if TYPE_CHECKING:
    from linkflow.crawl.runner import RunState

# The fetching itself (linkflow.crawl.runner: asyncio, the engine, the HTML and robots.txt
# parsers) is imported by the runs that fetch: a process that only opens an audit (and
# stores the journal a killed crawl left) never loads them.

__all__ = [
    "CrawlProgress",
    "CrawlStats",
    "JsonProgress",
    "RichProgress",
    "StepProgress",
    "check_urls",
    "crawl_folder",
    "crawl_site",
    "recover",
]


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
        origins = stand_in_origins(base, fetch_seeds[0])
    plan = Plan(
        source="http",
        key=fetch_seeds,
        seeds=[origins.to_public(u) for u in fetch_seeds],
        origins=origins,
        make_fetcher=lambda: stand_in(
            origins, _http_fetcher(settings), check=settings.check_external
        ),
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
    plan = Plan(
        source="folder",
        key=[str(root), base],
        seeds=[base],
        origins=FolderOrigins(base),
        make_fetcher=lambda: folder_fetcher(root, base, settings),
        check_external=settings.check_external,
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
        plan = Plan(
            source="folder",
            key=key,
            seeds=[base],
            origins=FolderOrigins(base),
            make_fetcher=lambda: folder_fetcher(root, base, settings),
            preflight=False,
        )
    elif info["source"] == "http":
        public = info.get("base_url") or ""
        origins = stand_in_origins(public, key[0]) if public else OriginMap()
        plan = Plan(
            source="http",
            key=key,
            seeds=[origins.to_public(u) for u in key],
            origins=origins,
            make_fetcher=lambda: stand_in(
                origins, _http_fetcher(settings), check=settings.check_external
            ),
            preflight=False,
        )
    else:
        raise CrawlError(f"crawl {crawl_id} was imported ({info['source']}); it cannot fetch")
    wanted = [u for raw in urls if (u := normalize(raw, strip_params=settings.strip_params))]
    _check_settings(settings)
    recover(store, settings.store_memory)
    before = crawl_totals(store, crawl_id)[0]
    seen = load_frontier(store, crawl_id).seen
    journal = Journal(store, crawl_id)
    try:
        from linkflow.crawl.runner import fetch_urls

        fetch_urls(journal, seen, plan, settings, extract, wanted)
    finally:
        journal.close()
        load_journal(store, crawl_id, settings.store_memory)
    return crawl_totals(store, crawl_id)[0] - before


def _http_fetcher(settings: CrawlSettings) -> Fetcher:
    # Imported here: aiohttp (about 25 MB) stays out of processes that never fetch over HTTP,
    # such as one that opens an audit to report on it.
    from linkflow.crawl.httpfetch import HttpFetcher

    return HttpFetcher(settings)


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
    if settings.parse_workers < 0:
        raise CrawlError("parse_workers must be 0 (one per core) or more")
    if settings.auth and ":" not in settings.auth:
        raise CrawlError("auth must be 'user:password'")
    cap_bytes(settings.store_memory)  # a ConfigError before anything is fetched


def _run(
    store: Store,
    plan: Plan,
    settings: CrawlSettings,
    extract: ExtractSettings,
    *,
    progress: CrawlProgress | None,
    recrawl: bool,
) -> CrawlSummary:
    started = time.monotonic()
    from linkflow.crawl.runner import RunState, fetch_crawl

    state = RunState()
    recover(store, settings.store_memory)  # what a killed run left, before its frontier is read
    try:
        interrupted = fetch_crawl(store, plan, settings, extract, progress, recrawl, state)
    except KeyboardInterrupt:
        if state.crawl_id is None:
            raise
        interrupted = True
    except BaseException:
        _store_journal(store, state, settings, progress, fold=True)
        raise
    assert state.crawl_id is not None  # set before anything could be fetched
    _store_journal(store, state, settings, progress, fold=False)  # _finish folds it
    return _finish(
        store, state.crawl_id, settings, extract, progress, started,
        interrupted=interrupted, resumed=state.resumed,
    )  # fmt: skip


def _store_journal(
    store: Store,
    state: RunState,
    settings: CrawlSettings,
    progress: CrawlProgress | None,
    *,
    fold: bool,
) -> None:
    """Close the crawl's journal and load it into the store, in this process; ``fold``:
    whether to fold the write-ahead log into the file too (else the caller does, once the
    template pass has run: folding before it as well wrote the links twice)."""
    journal = state.journal
    if journal is None:
        return
    journal.close()
    state.engine = None  # the fetching's objects go before the load needs the memory
    _release_memory(store)
    if progress is not None:
        progress.stage("store", "storing the crawl")
    load_journal(
        store, journal.crawl_id, settings.store_memory, fold=fold,
        on_part=lambda done, total: report_step(progress, "store", done, total),
    )  # fmt: skip


def _finish(
    store: Store,
    crawl_id: int,
    settings: CrawlSettings,
    extract: ExtractSettings,
    progress: CrawlProgress | None,
    started: float,
    *,
    interrupted: bool,
    resumed: bool,
) -> CrawlSummary:
    """Mark the stored crawl finished (or interrupted), run the template pass, fold the
    write-ahead log into the file, summarise."""
    memory = settings.store_memory
    # All under the cap: the log may still hold the whole load (see _store_journal), and
    # a commit outside the cap would fold it uncapped (DuckDB's automatic checkpoint:
    # 336 MB against 188 MB at 2,000 pages).
    with memory_cap(store, memory):
        state = "interrupted" if interrupted else "finished"
        capped(store, memory, lambda: store.finish_crawl(crawl_id, state), what="storing the crawl")
        if not interrupted:
            if progress is not None:
                progress.stage("templates", "finding templates")
            capped(
                store, memory,
                lambda: apply_template_pass(
                    store, crawl_id, extract,
                    on_step=lambda done, total: report_step(progress, "templates", done, total),
                ),
                what="finding templates",
            )  # fmt: skip
        checkpoint(store, memory)
    pages, links, errors, by_status = crawl_totals(store, crawl_id)
    summary = CrawlSummary(
        crawl_id=crawl_id,
        pages=pages,
        links=links,
        errors=errors,
        by_status=by_status,
        seconds=time.monotonic() - started,
        interrupted=interrupted,
        resumed=resumed,
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
    Trimmer().trim()
