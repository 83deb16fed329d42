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

Only processes linkflow starts and owns call it (the command line, ``python -m
linkflow.crawl``, the parse workers): a program that uses linkflow as a library keeps the
allocator it chose.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Final

__all__ = ["LARGE_BLOCK", "malloc_trim", "map_large_blocks"]

LARGE_BLOCK: Final = 1024 * 1024
"""Blocks of this many bytes or more get a memory map of their own, the threshold kept from
moving: big pages' blocks, not those of ordinary pages (see the module docstring)."""

_M_MMAP_THRESHOLD: Final = -3  # mallopt's parameter number, from glibc's malloc.h


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
