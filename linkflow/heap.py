"""How linkflow's own processes use the C library's heap (glibc; elsewhere nothing changes).

A crawl passes pages of up to megabytes through memory one after another: response bodies,
the frames that carry them to the parse workers, and in each worker the parsed tree and the
page's links. glibc serves an allocation of 128 KB or more with a memory map of its own,
returned to the system when freed, but it raises that threshold to the size of each such
block freed (up to 32 MB): after the first big page, big pages come from the heap, whose
freed memory stays resident, spread between the small objects that outlive them.
:func:`map_large_blocks` fixes the threshold at 1 MB, so blocks of that size or more keep
going back to the system.

Measured crawling the Rust standard library's docs (21,663 pages up to 10 MB) over HTTP, the
two versions in turns: the process tree's peak resident memory 353 and 334 MB before, 317
and 308 MB after (crawl process 131-132 MB against 142-154, the other worker 54-56 against
63-68). At 1 MB rather than glibc's initial 128 KB, the blocks of ordinary pages (the Python
docs' are 100-300 KB) stay in the heap as before: with 128 KB, a crawl of the Python docs
took twice the minor page faults and 5-6 % more CPU; with 1 MB, no more CPU than without
(``bench/ab_speed.py``, 7 rounds in turns: 0.92x on the Python docs, 0.88x on the
PostgreSQL docs, within the noise).

Freed memory below 1 MB stays in the heap, and the small objects that outlive a page keep
whole pages of it from glibc's own trimming (which returns only the top of the heap): the
crawl process held 17-22 MB of freed heap crawling the Rust docs. A :class:`Trimmer`
hands it back (``malloc_trim``) at most once a second, about 3 ms each time; the crawl
process and each parse worker trim so (a worker also before and after each big page), which
took the Rust docs' peak from 320 and 325 MB to 301 and 304 (in turns).

A crawl's fetching never runs DuckDB (its pages go to the journal), yet opening the store
left some 45 MB of DuckDB's 60 MB library resident in the crawl process, a third of its
memory. :func:`page_out` hands the read-only pages of a loaded library back to the system
(Linux's ``MADV_PAGEOUT``): the kernel reclaims them, from the page cache too where no other
process maps them, and they come back as the code runs again, the code that runs only (from
the disk, for those reclaimed). The crawl does so once its fetching has lasted
(``linkflow.crawl.memory.rest_duckdb``).

Only processes linkflow starts and owns call :func:`map_large_blocks` (the command line,
``python -m linkflow.crawl``, the parse workers): a program that uses linkflow as a library
keeps the allocator it chose.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable
from typing import Final

__all__ = [
    "LARGE_BLOCK",
    "TRIM_SECONDS",
    "Trimmer",
    "malloc_trim",
    "map_large_blocks",
    "page_out",
]

LARGE_BLOCK: Final = 1024 * 1024
"""Blocks of this many bytes or more get a memory map of their own, the threshold kept from
moving: big pages' blocks, not those of ordinary pages (see the module docstring)."""

TRIM_SECONDS: Final = 1.0
"""A :class:`Trimmer` trims at most this often unless told to."""

_M_MMAP_THRESHOLD: Final = -3  # mallopt's parameter number, from glibc's malloc.h
_MADV_PAGEOUT: Final = 21  # from Linux's mman.h (5.4 and later); Python's mmap may lack it


def _libc_function(name: str) -> Callable[..., int] | None:
    try:
        # The symbols the interpreter is linked with, C library included: no library
        # search (ctypes.util.find_library runs ldconfig in a child process).
        function: Callable[..., int] = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError, TypeError):
        return None
    return function


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    return _libc_function("malloc_trim")


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Serve every allocation of ``threshold`` bytes or more with its own memory map from
    now on, for the rest of the process; False where the C library cannot."""
    mallopt = _libc_function("mallopt")
    return mallopt is not None and mallopt(_M_MMAP_THRESHOLD, threshold) == 1


class Trimmer:
    """Hands the process's freed heap back to the system: :meth:`trim` whenever
    :meth:`due` says ``every`` seconds have passed since the last time (or the start), or
    when the caller knows it is worth it (after a big page). Where the C library has no
    ``malloc_trim``, it is never due and trimming does nothing."""

    __slots__ = ("_clock", "_last", "_trim", "every")

    def __init__(
        self, every: float = TRIM_SECONDS, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self._clock = clock
        self._trim = malloc_trim()
        self._last = clock()

    def due(self) -> bool:
        """Whether ``every`` seconds have passed since the last trim."""
        return self._trim is not None and self._clock() - self._last >= self.every

    def trim(self) -> None:
        """Trim now (the heap's free pages go back to the system)."""
        if self._trim is not None:
            self._trim(0)
            self._last = self._clock()


def page_out(path: str) -> int:
    """Hand the resident pages of the read-only mappings of the file ``path`` (a library
    the process has loaded) back to the system; returns how many bytes were mapped so.

    Linux's ``MADV_PAGEOUT``: clean pages leave the process, and the page cache too unless
    another process maps them (shared, they cost each process a part only); they come back
    at their next use, from the disk if reclaimed. Nothing is lost, as the kernel never
    discards a page it cannot read again. Measured on DuckDB's 60 MB library: 17.5 MB of it
    left the page cache, and a small storing step that took 7-8 ms took 33-35 ms right
    after, with 37 reads from the disk. For a library that will not run for a while.
    Where the system cannot (another system, an older kernel, no ``/proc``), nothing
    changes and 0 is returned.
    """
    # The advice's number and /proc are Linux's own.
    madvise = _libc_function("madvise") if sys.platform.startswith("linux") else None
    if madvise is None:
        return 0
    done = 0
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            lines = maps.read().splitlines()
    except OSError:
        return 0
    for line in lines:
        # address perms offset dev inode pathname
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or fields[5] != path or "w" in fields[1]:
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        length = ctypes.c_size_t(end - start)  # typed: addresses pass 32 bits otherwise
        if madvise(ctypes.c_void_p(start), length, _MADV_PAGEOUT) == 0:
            done += end - start
    return done
