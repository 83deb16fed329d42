"""DuckDB under a memory cap: bulk work that spills to disk instead of growing with the site.

:func:`capped` runs a step under the smallest cap of a ladder that holds it,
:func:`checkpoint` folds the write-ahead log into the file the same way, and
:func:`memory_cap` is the cap itself, with the settings that keep DuckDB lean under it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from linkflow.errors import StoreError
from linkflow.store.db import Store

__all__ = ["STORE_MEMORY", "capped", "checkpoint", "memory_cap"]

STORE_MEMORY = "32MB"
"""DuckDB's memory cap while a journal is loaded: the load spills to disk rather than grow
with the site."""


def checkpoint(store: Store) -> None:
    """Fold the write-ahead log into the file, under the smallest cap of ``_LADDER`` that
    holds the checkpoint.

    Done right after a load: left to the next commit, the checkpoint would run uncapped
    (measured: 370 MB at 20,000 pages). A checkpoint that runs out of memory leaves the
    database unusable in this process (DuckDB 1.5; seen at 32 MB on pages of 300-400
    links), so the store is reopened, which replays the log (nothing committed is lost),
    and the checkpoint is tried again under the next cap. Kept apart from the load's own
    retry, which must never run a committed load twice.
    """
    for limit, larger in itertools.pairwise(_LADDER):
        try:
            with memory_cap(store, str(limit)):
                store.execute("CHECKPOINT")
            return
        except StoreError as exc:
            if not (_out_of_memory(exc) or _invalidated(exc)):
                raise
            store.reopen(memory_limit=larger or "")  # replaying the log under the next cap
    store.execute("CHECKPOINT")


def _invalidated(exc: BaseException) -> bool:
    return "invalidated" in str(exc)


_SIZE = re.compile(r"^\d+(\.\d+)?\s*[KMGT]i?B$")


_LEAN = {
    # Keep a bulk insert's rows in buffer-managed (spillable) memory until commit instead
    # of flushing row groups "optimistically", whose write buffers sit outside the cap:
    # measured on 3.4M links at a 32 MB cap, +47 MB against +76 MB, and faster.
    "enable_optimistic_write": "false",
    # Give freed memory back to the system soon, so the resident size falls after a step.
    "allocator_flush_threshold": "8MB",
    # Each thread holds its own buffers outside the cap; at 20,000 pages the bulk insert
    # ran out of memory with two threads and fitted with one (reading CSV is serial anyway).
    "threads": "1",
    # No automatic checkpoint at a commit under the cap: one that ran out of memory there
    # would leave the database unusable. :func:`checkpoint` runs it explicitly instead.
    "checkpoint_threshold": "1TB",
}


_LADDER = (STORE_MEMORY, "64MB", "128MB", "512MB", None)
"""Memory caps tried in turn by :func:`capped`; ``None`` is DuckDB's default limit."""

_T = TypeVar("_T")


def _out_of_memory(exc: BaseException) -> bool:
    text = str(exc)
    return any(s in text for s in ("Out of Memory", "failed to pin", "could not allocate"))


def capped(store: Store, work: Callable[[], _T]) -> _T:
    """Run ``work`` (one transaction or idempotent steps) under the smallest memory cap of
    ``_LADDER`` it fits in: retried under the next cap if DuckDB runs out of memory.

    The small cap keeps a crawl's memory flat on ordinary sites; some shapes (very
    link-heavy pages) need more for a moment, and a crawl must never fail for that.
    """
    for limit in _LADDER[:-1]:
        try:
            with memory_cap(store, str(limit)):
                return work()
        except StoreError as exc:
            if not _out_of_memory(exc):
                raise
    return work()


@contextmanager
def memory_cap(store: Store, limit: str) -> Iterator[None]:
    """Cap DuckDB's memory (e.g. ``"32MB"``) while the block runs, then restore it.

    Without a cap DuckDB keeps what it reads and writes cached (up to 80 % of RAM), so a
    crawl's memory would grow with the site. Inside the block bulk inserts spill to disk
    and freed memory is returned promptly (``_LEAN``); nested blocks restore the outer cap.
    """
    if not _SIZE.match(limit):
        raise ValueError(f"not a memory size: {limit!r}")
    old_limit = store.memory_limit
    old = {name: str(store.scalar(f"SELECT current_setting('{name}')")) for name in _LEAN}
    store.execute(f"SET memory_limit = '{limit}'")
    store.memory_limit = limit
    for name, value in _LEAN.items():
        store.execute(f"SET {name} = '{value}'")
    try:
        yield
    finally:
        # Set back explicitly: DuckDB 1.5's RESET shows the default again but leaves the
        # cap in force.
        store.memory_limit = old_limit
        store.execute(f"SET memory_limit = '{old_limit}'" if old_limit else "RESET memory_limit")
        for name, value in old.items():
            store.execute(f"SET {name} = '{value}'")
