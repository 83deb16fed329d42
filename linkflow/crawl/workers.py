"""Parse worker processes, fed through pipes (:class:`ParsePool`).

Parsing is the crawl's main cost in CPU, so big crawls parse in worker processes while the
crawl process fetches. A worker is a plain ``python`` running :mod:`linkflow.extract.worker`
with one pipe in and one out, rather than a :mod:`multiprocessing` pool: that needs a
resource-tracker process besides the workers (12 MB resident for the whole run), and a
pool whose parent was killed leaves its workers waiting, whereas a pipe ends with its
parent, so a worker always ends with its crawler.

A worker says when it is ready (its first frame, after it has imported the parser): the
pool is started with the crawl, and the crawl parses pages itself until a worker is ready,
so neither waits for the other to start.

Requests are pipelined: a worker answers its requests in the order they came, so the pool
writes a page to a worker's pipe without waiting for its earlier answers, and one reader a
worker hands each answer to the oldest request waiting. A worker then never waits for the
crawl process between two pages (with one request at a time, a worker sat idle while the
crawl process absorbed its last answer and fetched the next page: a third of the time on
the Rust docs).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
import tempfile
from collections import deque
from dataclasses import dataclass, field
from typing import IO

from linkflow.extract.worker import HEADER, frame, unpack
from linkflow.linkrows import LinkRows
from linkflow.models import PageFacts

__all__ = ["BIG_BYTES", "Parked", "ParsePool", "WorkerLost", "unreadable"]

# The collector is off while the worker imports the parser: all that lives as long as the
# worker, and ``main`` freezes it before turning the collector on again.
_WORKER = "import gc; gc.disable(); from linkflow.extract.worker import main; main()"
STOP_SECONDS = 5.0
"""How long :meth:`ParsePool.close` waits for a worker to end before killing it."""
PAGE_SECONDS = 30.0
SECONDS_PER_MB = 10.0
"""A worker that has not answered a page within ``PAGE_SECONDS`` plus ``SECONDS_PER_MB`` per
megabyte of it, counted from its previous answer, is stalled (a 10 MB page parses in a few
seconds even on a busy machine)."""

START_SECONDS = 30.0
"""How long a worker may take to import the parser and say it is ready."""
BIG_BYTES = 1_000_000
"""Requests from this size on are big pages: they all go to the first ready worker."""


class Parked:
    """A big page's body kept in an unnamed temporary file while it waits for its worker.

    Big pages are parsed one at a time, and they come in bursts (the Rust docs' source
    views: up to 16 pages, 31 MB, waiting at once), so waiting in the crawl process's
    memory they made its peak. The file goes when closed, or with the process.
    """

    __slots__ = ("_file", "size")

    def __init__(self, file: IO[bytes], size: int) -> None:
        self._file = file
        self.size = size

    @classmethod
    def of(cls, body: bytes) -> Parked | None:
        """``body`` written to a temporary file; None if it cannot be (a full disk): the
        page then waits in memory, as it would without."""
        try:
            file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        except OSError:
            return None
        try:
            file.write(body)
            file.flush()
        except OSError:
            file.close()
            return None
        return cls(file, len(body))

    def read(self) -> bytes:
        """The body back; raises :class:`OSError` if the file cannot be read."""
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()


def unreadable(exc: OSError) -> str:
    """The parse error of a page whose :class:`Parked` file could not be read back."""
    return f"could not parse: cannot read the page back: {exc}"[:300]


class WorkerLost(Exception):
    """A worker died or its pipe broke: the pool can no longer be used.

    Not a :class:`~linkflow.errors.LinkflowError`: the user never sees it, the crawl goes on
    parsing in its own process."""


@dataclass(slots=True, eq=False)
class _Worker:
    proc: asyncio.subprocess.Process
    waiting: deque[tuple[asyncio.Future[bytes], int]] = field(default_factory=deque)
    """The requests written and not yet answered, oldest first, with their sizes."""
    sent: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None
    ready: bool = False
    """Whether the worker said it has imported the parser."""


class ParsePool:
    """``processes`` parse workers; :meth:`parse` hands a page to the least busy one.

    Use ``await pool.start()`` (it only starts the processes), then :meth:`parse` (which
    first waits for a worker to be ready: :attr:`ready` tells whether it would), and
    ``await pool.close()`` at the end.
    Once a worker is lost (killed, out of memory, or stalled: no answer within
    :meth:`deadline` of its previous one) every worker is ended and :meth:`parse` raises
    :class:`WorkerLost` for every call, including the pages in flight, so the caller parses
    them and every later page in its own process. Every wait therefore ends: each answer is
    read within its deadline, or the pool is lost and every waiting request learns it.
    """

    def __init__(self, processes: int, *, page_seconds: float | None = None) -> None:
        self.processes = processes
        self.page_seconds = PAGE_SECONDS if page_seconds is None else page_seconds
        self.procs: list[asyncio.subprocess.Process] = []
        self.broken = False
        self._workers: list[_Worker] = []
        self._big = asyncio.Lock()
        self._ready = asyncio.Event()
        """Set once a worker is ready, or once the pool is lost."""

    async def start(self) -> None:
        """Start the workers; raises :class:`OSError` if they cannot be started."""
        # The workers import linkflow from wherever this process did.
        paths = [p or os.getcwd() for p in sys.path]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        for _ in range(self.processes):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                _WORKER,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                # Out of the terminal's process group: Ctrl-C is the crawl process's to
                # handle (it commits what it has, then closes the pool).
                start_new_session=True,
            )
            worker = _Worker(proc)
            worker.reader = asyncio.create_task(self._read(worker))
            self.procs.append(proc)
            self._workers.append(worker)

    @property
    def ready(self) -> bool:
        """Whether a worker is ready for pages (never once the pool is lost)."""
        return self._ready.is_set() and not self.broken

    async def wait_ready(self) -> None:
        """Wait until a worker is ready or the pool is lost (:attr:`ready` tells which);
        bounded, as a worker not ready within ``START_SECONDS`` loses the pool."""
        await self._ready.wait()

    async def parse(self, *args: object) -> tuple[PageFacts, LinkRows] | str:
        """Parse one page in a ready worker (``args`` as for :func:`parse_body`, the body
        possibly :class:`Parked`): its facts, whose ``links`` are left empty, and its links
        as the journal stores them; or the parser's error message. Waits for a worker to be
        ready first (bounded: see :meth:`wait_ready`); raises :class:`WorkerLost` once the
        pool is lost."""
        if self._workers and not self._ready.is_set():
            await self._ready.wait()
        ready = [worker for worker in self._workers if worker.ready]
        if self.broken or not ready:
            raise WorkerLost
        body = args[0]
        if isinstance(body, Parked) or (isinstance(body, bytes) and len(body) >= BIG_BYTES):
            # Big pages one at a time, all to one worker: parsing one takes about twenty
            # times its size in memory, and each waiting request is a copy of it.
            async with self._big:
                if isinstance(body, Parked):
                    try:
                        body = body.read()
                    except OSError as exc:
                        return unreadable(exc)
                answer = self._write(ready[0], frame((body, *args[1:])))
                del body, args  # the pipe, or its write buffer, holds the page now
                return await self._answer(ready[0], answer)
        # The fewest requests ahead, not the fewest bytes: sending each page to the worker
        # with the fewest bytes ahead crawled the Rust docs in 84.7 s against 80.8 s
        # (medians of two crawls each, in turns).
        worker = min(ready, key=lambda w: len(w.waiting))
        return await self._answer(worker, self._write(worker, frame(args)))

    def _write(self, worker: _Worker, request: bytes) -> asyncio.Future[bytes]:
        """Write ``request`` (a frame) to ``worker``: the future of its answer."""
        if self.broken:
            raise WorkerLost
        stdin = worker.proc.stdin
        assert stdin is not None
        answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        # A frame is written whole before any other (write() only buffers), so the
        # requests of concurrent callers never interleave.
        worker.waiting.append((answer, len(request)))
        worker.sent.set()
        try:
            stdin.write(request)
        except OSError as exc:
            self._lose()
            raise WorkerLost from exc
        return answer

    async def _answer(
        self, worker: _Worker, answer: asyncio.Future[bytes]
    ) -> tuple[PageFacts, LinkRows] | str:
        """The answer of ``worker`` to a request :meth:`_write` wrote."""
        stdin = worker.proc.stdin
        assert stdin is not None
        try:
            # Bounded as the answers are: the pipe drains as the worker reads its requests.
            budget = sum(self.deadline(size) for _, size in worker.waiting)
            async with asyncio.timeout(budget):
                await stdin.drain()
            data = await answer
            result = pickle.loads(data)  # our own worker's answer
        except (OSError, TimeoutError, pickle.UnpicklingError, EOFError) as exc:
            self._lose()
            raise WorkerLost from exc
        # A cancelled caller leaves its request in the pipe: its answer is read and dropped,
        # so the pipe stays in step.
        if isinstance(result, str):
            return result
        try:  # page facts come packed (see linkflow.extract.worker.pack)
            return unpack(result)
        except (TypeError, ValueError) as exc:
            self._lose()
            raise WorkerLost from exc

    async def _read(self, worker: _Worker) -> None:
        """Hand each of ``worker``'s answers to its oldest waiting request, in order."""
        stdout = worker.proc.stdout
        assert stdout is not None
        try:
            async with asyncio.timeout(START_SECONDS):  # the READY frame
                head = await stdout.readexactly(HEADER)
                await stdout.readexactly(int.from_bytes(head, "big"))
            worker.ready = True
            self._ready.set()
            while True:
                while not worker.waiting:
                    if self.broken:
                        return
                    worker.sent.clear()
                    await worker.sent.wait()
                answer, size = worker.waiting[0]
                async with asyncio.timeout(self.deadline(size)):
                    head = await stdout.readexactly(HEADER)
                    data = await stdout.readexactly(int.from_bytes(head, "big"))
                if self.broken:  # lost meanwhile: its waiting requests have been failed
                    return
                worker.waiting.popleft()
                if not answer.done():  # not cancelled meanwhile
                    answer.set_result(data)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            self._lose()

    def deadline(self, size: int) -> float:
        """Seconds a worker may take to answer a request of ``size`` bytes."""
        return self.page_seconds + SECONDS_PER_MB * size / 1_000_000

    def _lose(self) -> None:
        """End every worker and fail every request waiting for an answer."""
        self.broken = True
        self._ready.set()  # whoever waits for a ready worker learns it will not come
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        for worker in self._workers:
            while worker.waiting:
                answer, _ = worker.waiting.popleft()
                if not answer.done():
                    answer.set_exception(WorkerLost())
            worker.sent.set()

    async def close(self) -> None:
        """End the workers: their input is closed, so each ends after its current page; a
        worker not yet ready (still importing, nothing sent to it) is killed instead, so a
        crawl shorter than a worker's start never waits for it."""
        for worker in self._workers:
            if worker.reader is not None:
                worker.reader.cancel()
            if not worker.ready and not worker.waiting:
                with contextlib.suppress(ProcessLookupError):
                    worker.proc.kill()
        for proc in self.procs:
            if proc.stdin is not None:
                proc.stdin.close()
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), STOP_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        for worker in self._workers:
            if worker.reader is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.reader
        self.procs = []
        self._workers = []
