"""Parse worker processes, fed through pipes (:class:`ParsePool`).

Parsing is the crawl's main cost in CPU, so big crawls parse in worker processes while the
crawl process fetches. A worker is a plain ``python`` running :mod:`linkflow.extract.worker`
with one pipe in and one out, rather than a :mod:`multiprocessing` pool: that needs a
resource-tracker process besides the workers (12 MB resident for the whole run), and a
pool whose parent was killed leaves its workers waiting, whereas a pipe ends with its
parent, so a worker always ends with its crawler.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys

from linkflow.extract.worker import HEADER, frame, unpack
from linkflow.models import PageFacts

__all__ = ["ParsePool", "WorkerLost"]

_WORKER = "from linkflow.extract.worker import main; main()"
STOP_SECONDS = 5.0
"""How long :meth:`ParsePool.close` waits for a worker to end before killing it."""
PAGE_SECONDS = 30.0
SECONDS_PER_MB = 10.0
"""A worker that has not answered a page within ``PAGE_SECONDS`` plus ``SECONDS_PER_MB`` per
megabyte of it is stalled (a 10 MB page parses in a few seconds even on a busy machine)."""


class WorkerLost(Exception):
    """A worker died or its pipe broke: the pool can no longer be used.

    Not a :class:`~linkflow.errors.LinkflowError`: the user never sees it, the crawl goes on
    parsing in its own process."""


class ParsePool:
    """``processes`` parse workers; :meth:`parse` hands a page to an idle one.

    Use ``await pool.start()`` before :meth:`parse` and ``await pool.close()`` at the end.
    Once a worker is lost (killed, out of memory, or stalled: no answer within
    :meth:`deadline`) every worker is ended and :meth:`parse` raises :class:`WorkerLost`
    for every call, including the pages in flight, so the caller parses them and every
    later page in its own process. Every wait therefore ends: an exchange with a worker
    within its deadline, and a wait for an idle worker when some exchange ends.
    """

    def __init__(self, processes: int, *, page_seconds: float | None = None) -> None:
        self.processes = processes
        self.page_seconds = PAGE_SECONDS if page_seconds is None else page_seconds
        self.procs: list[asyncio.subprocess.Process] = []
        self.broken = False
        self._idle: asyncio.Queue[asyncio.subprocess.Process] = asyncio.Queue()

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
            self.procs.append(proc)
            self._idle.put_nowait(proc)

    async def parse(self, *args: object) -> PageFacts | str:
        """Parse one page in a worker (``args`` as for :func:`parse_body`)."""
        if self.broken:
            raise WorkerLost
        proc = await self._idle.get()
        if self._lost_meanwhile():
            # Pass the wake-up on: every caller queued for a worker must learn it, not only
            # as many as there were workers.
            self._idle.put_nowait(proc)
            raise WorkerLost
        assert proc.stdin is not None
        assert proc.stdout is not None
        request = frame(args)
        try:
            async with asyncio.timeout(self.deadline(len(request))):
                proc.stdin.write(request)
                await proc.stdin.drain()
                size = int.from_bytes(await proc.stdout.readexactly(HEADER), "big")
                answer = await proc.stdout.readexactly(size)
            result = pickle.loads(answer)  # our own worker's answer
        except (
            OSError,
            EOFError,
            TimeoutError,
            asyncio.IncompleteReadError,
            pickle.UnpicklingError,
        ) as exc:
            self._lose()
            raise WorkerLost from exc
        except asyncio.CancelledError:
            # Its answer is still on the way, so the pipe is out of step: never reuse it.
            self._lose()
            raise
        self._idle.put_nowait(proc)
        if isinstance(result, str):
            return result
        try:  # page facts come packed (see linkflow.extract.worker.pack)
            return unpack(result)
        except (TypeError, ValueError) as exc:
            self._lose()
            raise WorkerLost from exc

    def _lost_meanwhile(self) -> bool:
        """Whether the pool was lost while this caller waited (read anew after an await)."""
        return self.broken

    def deadline(self, size: int) -> float:
        """Seconds a worker may take to answer a request of ``size`` bytes."""
        return self.page_seconds + SECONDS_PER_MB * size / 1_000_000

    def _lose(self) -> None:
        self.broken = True
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        # Wake the callers waiting for an idle worker: they find the pool broken.
        for proc in self.procs:
            self._idle.put_nowait(proc)

    async def close(self) -> None:
        """End the workers: their input is closed, so each ends after its current page."""
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
        self.procs = []
