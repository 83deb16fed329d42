"""The crawl loop: breadth-first scheduling, politeness, batching, stop and resume.

Data flow, in order:

1. The scheduler pops ``(url, depth, hops)`` from the frontier (breadth-first) and starts a
   task per URL, at most ``concurrency`` at once; URLs not reached by links (sitemap seeds,
   orphan files) wait in ``later`` until the link frontier is empty.
2. A task checks robots.txt, waits for its host's rate gate, fetches (never following
   redirects) and parses: :func:`linkflow.crawl.page.build_result`.
3. The scheduler absorbs each result: page row and links into the open batch, new in-scope
   URLs into the frontier and the batch's ``queued`` list.
4. A batch is committed to the crawl journal (:class:`linkflow.crawl.journal.Journal`) by
   a background thread, one batch at a time; the scheduler waits only when a second batch
   is full before the first is written, which bounds memory. The journal is loaded into
   the store when the run ends (or, after a kill, when the crawl or the audit is next
   started).

URLs are kept in their stored (public) form everywhere; :class:`OriginMap` turns a stored URL
into the URL to fetch when a staging copy or a local server stands in for the public site.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from linkflow.crawl.fetch import Fetcher, Response
from linkflow.crawl.hosts import OriginMap
from linkflow.crawl.journal import CrawlBatch, Journal
from linkflow.crawl.page import PageResult, build_result, wants_parse
from linkflow.crawl.progress import CrawlProgress, CrawlStats
from linkflow.crawl.robots import RobotsCache
from linkflow.crawl.rows import PageRow
from linkflow.crawl.workers import BIG_BYTES, Parked, ParsePool, WorkerLost, unreadable
from linkflow.extract.worker import parse_body
from linkflow.heap import Trimmer
from linkflow.linkrows import LinkRows
from linkflow.models import BLOCKED, PageFacts
from linkflow.settings import CrawlSettings, ExtractSettings
from linkflow.urls import Scope, host_of, normalize

__all__ = ["Engine", "parse_pool"]

BATCH_PAGES = 25
"""Pages per journal batch. Small on purpose: a batch's links are held as Python objects
until written (about 15 per link), and Python's allocator keeps a megabyte arena for as
long as one object in it lives, so bigger batches left more memory stranded. Measured on
20,000 pages: crawl process 126 MB at 200 pages a batch, 107 MB at 25, no slower."""
BATCH_SECONDS = 1.0
BATCH_BYTES = 8 * 2**20
"""A batch also ends once its pages' bodies hold this many bytes: a batch is committed whole,
and the journal's parts end only between batches, so big pages (whose text and anchors are
loaded into the store a few at a time) are kept few to a batch."""
EXTERNAL_CONCURRENCY = 4
MAX_PARSE_PROCESSES = 4
USE_WORKERS = True
"""False: every page is parsed in the crawl process (tests compare both ways)."""
MAX_CRAWL_DELAY = 30.0
"""Longest robots.txt Crawl-delay honoured (seconds); a hostile value must not stall a crawl."""


@contextlib.asynccontextmanager
async def parse_pool(settings: CrawlSettings) -> AsyncIterator[ParsePool | None]:
    """The crawl's parse workers, ``settings.parse_workers`` of them (0: one a core, at most
    ``MAX_PARSE_PROCESSES``), closed when the block ends, however it ends; ``None`` where
    processes cannot be started (the crawl then parses every page in its own process).

    Entered first thing, before the HTTP client is imported: the workers import the parser
    on the other cores while the crawl process starts, and say when they are ready.
    """
    # A worker a core, the crawl process besides them: with requests pipelined (see
    # linkflow.crawl.workers), on 2 cores two workers crawled the Rust docs in 67 s
    # against 84 s for one, whose worker then waited for the crawl process a third of
    # the time. More than four add memory, not speed.
    processes = settings.parse_workers or min(os.cpu_count() or 1, MAX_PARSE_PROCESSES)
    pool = ParsePool(processes) if USE_WORKERS and processes >= 1 else None
    try:  # a worker started must not outlive the crawl, whatever ends it
        if pool is not None:
            try:
                await pool.start()
            except OSError:  # cannot start processes here: parse in this one
                await pool.close()
                pool = None
        yield pool
    finally:
        if pool is not None:
            await pool.close()


def _is_error(row: PageRow) -> bool:
    """Whether a page row is an error page, by the rule of :data:`linkflow.models.ERROR_PAGE_SQL`
    (so the progress and the stored totals count the same pages)."""
    status, error = row["status"], row["error"]
    return (status is not None and status >= 400) or (error is not None and error != BLOCKED)


class HostGate:
    """Spaces request starts to one host at least ``interval`` seconds apart."""

    __slots__ = ("interval", "next_at")

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next_at = 0.0

    async def wait(self) -> None:
        if self.interval <= 0:
            return
        now = time.monotonic()
        start = max(now, self.next_at)
        self.next_at = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


@dataclass(slots=True)
class _Counters:
    pages: int = 0
    errors: int = 0
    links: int = 0
    started: float = field(default_factory=time.monotonic)


class Engine:
    """One crawl run into a journal: call :meth:`run`; it returns True if stopped early."""

    pools_used: ClassVar[int] = 0
    """How many crawls of this process parsed pages in workers (observability for tests)."""

    def __init__(
        self,
        journal: Journal,
        fetcher: Fetcher,
        *,
        settings: CrawlSettings,
        extract: ExtractSettings,
        scope: Scope,
        origins: OriginMap,
        progress: CrawlProgress | None = None,
        check_external: bool = False,
        robots: RobotsCache | None = None,
        pool: ParsePool | None = None,
    ) -> None:
        self.journal = journal
        self.fetcher = fetcher
        self.settings = settings
        self.extract = extract
        self.scope = scope
        self.origins = origins
        self.progress = progress
        self.check_external = check_external
        self.follow_links = True
        """False in list mode: pages are stored with their links, which are not followed."""
        self.robots = robots or RobotsCache(fetcher, settings.user_agent, obey=settings.obey_robots)
        self.queue: deque[tuple[str, int, int]] = deque()
        self.external: deque[str] = deque()
        self.later: Callable[[], list[str]] = list
        """URLs no link reached (sitemap seeds, orphan files): asked for once, when the
        link frontier is empty, and visited with no depth."""
        self.seen: set[str] = set()
        self._depth: dict[str, int] = {}
        """Depth of each URL in ``queue``, lowered when a shallower page links to it."""
        self._flying: Counter[int] = Counter()
        """Pages in flight from ``queue``, by depth."""
        self.fetched = 0
        self._later_done = False
        self._pool = pool
        """The parse workers (see :func:`parse_pool`, which closes them)."""
        self._pool_used = False
        self.counters = _Counters()
        self._batch = CrawlBatch()
        self._batch_bytes = 0
        self._flushing: asyncio.Task[None] | None = None
        self._last_flush = time.monotonic()
        self._heap = Trimmer()  # used on the writer thread only (see _write)
        self._gates: dict[str, HostGate] = {}
        self._ext_in_flight = 0
        self._include = [re.compile(p) for p in settings.include]
        self._exclude = [re.compile(p) for p in settings.exclude]

    # ------------------------------------------------------------------ frontier
    def restore(
        self, pending: Iterable[tuple[str, int, int]], seen: set[str], fetched: int
    ) -> None:
        """Continue from a stored frontier (see :func:`linkflow.crawl.state.load_frontier`)."""
        self.seen = seen
        self.fetched = fetched
        for url, depth, hops in pending:
            if self.scope.contains(url):
                self.queue.append((url, depth, hops))
                self._depth[url] = depth
            else:
                self.external.append(url)

    def add(self, url: str, depth: int, hops: int = 0, *, force: bool = False) -> bool:
        """Queue ``url`` if new, internal and followable (``force``: skip include/exclude)."""
        if url in self.seen or len(url) > self.settings.max_url_length:
            return False
        if not self.scope.contains(url):
            if not self.check_external:
                return False
            self.external.append(url)
        else:
            if not force and not self._wanted(url):
                return False
            self.queue.append((url, depth, hops))
            self._depth[url] = depth
        self.seen.add(url)
        self._batch.queued.append((url, depth, hops))
        return True

    def _wanted(self, url: str) -> bool:
        if self._include and not any(p.search(url) for p in self._include):
            return False
        return not any(p.search(url) for p in self._exclude)

    def _next(self, in_flight: int) -> tuple[str, int, int, bool] | None:
        if self.external and self._ext_in_flight < EXTERNAL_CONCURRENCY:
            self._ext_in_flight += 1
            return self.external.popleft(), -1, 0, False
        if self.fetched + in_flight >= self.settings.max_pages:
            return None
        if not self.queue and in_flight == 0 and not self._later_done:
            self._later_done = True
            for url in self.later():
                self.add(url, -1)
        if self.queue:
            url, depth, hops = self.queue[0]
            depth = self._depth.get(url, depth)
            if depth > 0 and self._flying and depth > min(self._flying) + 1:
                # A page two clicks shallower is still in flight and may link here: its
                # links are in before this page is fetched, so every page's depth is its
                # fewest clicks from a seed (by induction on the depth).
                return None
            self.queue.popleft()
            del self._depth[url]
            if depth >= 0:
                self._flying[depth] += 1
            return url, depth, hops, True
        return None

    # ------------------------------------------------------------------ one page
    async def _visit(self, url: str, depth: int, hops: int, internal: bool) -> PageResult:
        fetch_url = self.origins.to_fetch(url)
        try:
            resp = await self._request(fetch_url, internal)
        except Exception as exc:  # a fetcher bug must cost one page, never the crawl
            resp = Response(url=fetch_url, error=f"internal error: {type(exc).__name__}: {exc}")
        size = len(resp.body)
        parsed = await self._parse(resp, url) if wants_parse(resp, internal) else None
        resp.body = b""  # bodies never outlive their page
        facts, rows = parsed if isinstance(parsed, tuple) else (parsed, None)
        result = build_result(
            resp,
            url,
            depth,
            hops,
            settings=self.settings,
            to_public=self._to_public,
            internal=internal,
            parsed=facts,
        )
        result.body_bytes = size
        result.links = rows
        return result

    async def _parse(self, resp: Response, url: str) -> tuple[PageFacts, LinkRows] | str:
        """Parse a page in a worker once one is ready, here until then (or once the
        workers are lost); a big page waits for a worker, in a temporary file, rather than
        grow this process by the twenty times its size that parsing it takes."""
        rest = (url, resp.content_type, self.extract, self.settings.strip_params)
        pool = self._pool
        big = len(resp.body) >= BIG_BYTES
        if pool is not None and not pool.ready and big:
            await pool.wait_ready()
        if pool is not None and pool.ready:
            if not self._pool_used:
                self._pool_used = True
                Engine.pools_used += 1
            # A big page waits for its worker on disk (see Parked), not in this process.
            parked = Parked.of(resp.body) if big else None
            if parked is not None:
                resp.body = b""
            try:
                with contextlib.suppress(WorkerLost):  # a worker died: parse here from now on
                    return await pool.parse(parked if parked is not None else resp.body, *rest)
                if parked is not None:
                    resp.body = parked.read()
            except OSError as exc:  # only the read back raises it (the pool's are WorkerLost)
                return unreadable(exc)
            finally:
                if parked is not None:
                    parked.close()
        facts = parse_body(resp.body, *rest)
        return facts if isinstance(facts, str) else (facts, LinkRows.of(facts.links))

    async def _request(self, fetch_url: str, internal: bool) -> Response:
        if not internal:
            resp = await self.fetcher.fetch(fetch_url, method="HEAD")
            if resp.status in (405, 501):
                resp = await self.fetcher.fetch(fetch_url)
            return resp
        if not await self.robots.allowed(fetch_url):
            return Response(url=fetch_url, error=BLOCKED)
        await self._gate(fetch_url).wait()
        return await self.fetcher.fetch(fetch_url)

    def _to_public(self, raw: str | None, base: str) -> str | None:
        if not raw:
            return None
        url = normalize(raw, base, strip_params=self.settings.strip_params)
        return None if url is None else self.origins.to_public(url)

    def _gate(self, url: str) -> HostGate:
        host = host_of(url)
        gate = self._gates.get(host)
        if gate is None:
            interval = 1.0 / self.settings.rps if self.settings.rps > 0 else 0.0
            delay = self.robots.crawl_delay(url)
            if delay:
                interval = max(interval, min(delay, MAX_CRAWL_DELAY))
            gate = self._gates[host] = HostGate(interval)
        return gate

    # ------------------------------------------------------------------ results
    def _absorb(self, result: PageResult) -> None:
        if result.row["internal"] and result.depth >= 0:
            self._flying[result.depth] -= 1
            if not self._flying[result.depth]:
                del self._flying[result.depth]
        batch = self._batch
        batch.pages.append(result.row)
        batch.done.append(result.url)
        self._batch_bytes += result.body_bytes
        self.counters.pages += 1
        if _is_error(result.row):
            self.counters.errors += 1
        if not result.row["internal"]:
            self._ext_in_flight -= 1
        elif result.row["error"] != BLOCKED:
            self.fetched += 1
        if result.redirect is not None:
            self.add(result.redirect, result.depth, result.hops + 1)
        for href, lang in result.hreflang:
            batch.hreflang.append((result.url, href, lang))
        facts = result.facts
        if facts is None:
            return
        if facts.main_text:
            batch.texts.append((result.url, facts.main_text))
        if result.links is None:
            return
        follow = (
            self.follow_links
            and result.follow
            and (result.depth < 0 or result.depth < self.settings.max_depth)
        )
        child_depth = result.depth + 1 if result.depth >= 0 else -1
        self._add_links(result.url, result.links, follow, child_depth)

    def _add_links(self, src: str, found: LinkRows, follow: bool, child_depth: int) -> None:
        """Append a page's links to the batch (their lines as encoded: the crawl's hot loop).

        A page of the Python docs has some 200 links, most of them to pages seen already:
        the links are checked as a whole (set operations, ``map``) and only the new ones
        one at a time.
        """
        origins = self.origins
        urls = found.urls
        dsts = list(urls) if origins.same else [origins.to_public(url) for url in urls]
        lines = found.lines
        limit = self.settings.max_url_length
        if dsts and max(map(len, dsts)) > limit:
            kept = [i for i, d in enumerate(dsts) if len(d) <= limit]
            lines = [lines[i] for i in kept]
            dsts = [dsts[i] for i in kept]
        encoded = self._batch.encoded
        encoded.src.extend([src] * len(dsts))
        encoded.dst.extend(dsts)
        encoded.lines.extend(lines)
        self.counters.links += len(dsts)
        if not follow:
            return
        targets = dict.fromkeys(dsts)  # each once, in the order of the page
        if not targets.keys() <= self.seen:
            seen = self.seen
            for dst in targets:  # in the page's order: the queue's order
                if dst not in seen:
                    self.add(dst, child_depth)
        queued = self._depth
        if child_depth >= 0 and queued:
            # Pages are absorbed in the order their fetch and parse end, not in the order
            # they were queued: a deeper page may have queued a link first.
            for dst in targets.keys() & queued.keys():
                if child_depth < queued[dst]:
                    queued[dst] = child_depth

    async def _flush(self, *, wait: bool = False) -> None:
        """Hand the open batch to the writer thread (one write at a time)."""
        if self._flushing is not None:
            await self._flushing
            self._flushing = None
        batch, self._batch = self._batch, CrawlBatch()
        self._batch_bytes = 0
        self._last_flush = time.monotonic()
        if not batch.is_empty():
            self._flushing = asyncio.create_task(asyncio.to_thread(self._write, batch))
            if wait:
                await self._flushing
                self._flushing = None

    def _write(self, batch: CrawlBatch) -> None:
        """Write ``batch`` to the journal (on the writer thread), then hand the crawl
        process's freed heap back if it is due (see :class:`linkflow.heap.Trimmer`): the
        pages' bodies, their frames to the workers and their answers pass through it."""
        self.journal.write(batch)
        if self._heap.due():
            self._heap.trim()

    def _batch_due(self) -> bool:
        if len(self._batch) >= BATCH_PAGES or self._batch_bytes >= BATCH_BYTES:
            return True
        return time.monotonic() - self._last_flush >= BATCH_SECONDS and (
            self._flushing is None or self._flushing.done()
        )

    # ------------------------------------------------------------------ main loop
    async def run(self, stop: asyncio.Event) -> bool:
        """Crawl until the frontier is empty, ``max_pages`` is reached or ``stop`` is set.

        Returns True if ``stop`` ended the crawl; what was fetched before is committed,
        pages still in flight stay queued in the store and are fetched on resume.
        """
        tasks: set[asyncio.Task[PageResult]] = set()
        stopper = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                while len(tasks) < self.settings.concurrency:
                    item = self._next(len(tasks))
                    if item is None:
                        break
                    tasks.add(asyncio.create_task(self._visit(*item)))
                if not tasks:
                    break
                await asyncio.wait(
                    [*tasks, stopper], timeout=BATCH_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                for task in [t for t in tasks if t.done()]:
                    tasks.discard(task)
                    self._absorb(task.result())
                if self._batch_due():
                    await self._flush()
                self._report(len(tasks))
        finally:
            stopper.cancel()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self._flush(wait=True)
        self._report(0)
        return stop.is_set()

    def _report(self, in_flight: int) -> None:
        if self.progress is None:
            return
        c = self.counters
        self.progress.update(
            CrawlStats(
                pages=c.pages,
                queued=len(self.queue) + len(self.external),
                in_flight=in_flight,
                errors=c.errors,
                links=c.links,
                elapsed=time.monotonic() - c.started,
                max_pages=self.settings.max_pages,
            )
        )
