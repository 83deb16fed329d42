"""DuckDB under one memory cap while a crawl is stored: bulk work spills to disk instead of
growing with the site.

:func:`memory_cap` is the cap itself, with the settings that keep DuckDB lean under it;
:func:`capped` runs a step under it and turns DuckDB running out of memory (told by the
exception's type) into a :class:`StoreError` that says which setting to raise;
:func:`checkpoint` folds the write-ahead log into the file under the cap;
:func:`rest_duckdb` hands back the pages of DuckDB's code while the crawl fetches.
"""

from __future__ import annotations

import math
import re
import sys
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

import duckdb

from linkflow.errors import ConfigError, StoreError
from linkflow.heap import page_out
from linkflow.store import Store

__all__ = [
    "cap_bytes",
    "capped",
    "checkpoint",
    "memory_cap",
    "out_of_memory",
    "rest_duckdb",
    "size_bytes",
]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*$", re.IGNORECASE)
_UNITS = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}

_LEAN = {
    # A bulk insert writes its row groups to the file as it goes ("optimistic" writes),
    # so the commit only records where they are: otherwise every row goes through the
    # write-ahead log at commit and is written again by the checkpoint. Measured on a
    # 20,000-page crawl's journal (3.4M links) at the 64 MB cap: 22-24 s against 36 s to
    # load and fold, peak resident 164-170 MB against 161 MB.
    "enable_optimistic_write": "true",
    # Give freed memory back to the system soon, so the resident size falls after a step.
    "allocator_flush_threshold": "8MB",
    # Each thread holds its own buffers outside the cap; at 20,000 pages the bulk insert
    # ran out of memory with two threads and fitted with one (reading CSV is serial anyway).
    # Two threads with insertion order not preserved do fit and are faster, but they raise
    # the crawl's peak, which is this phase: a 20,000-page journal (3.4M links) loaded,
    # passed for templates and folded in 28 s against 35 s, at 199 MB resident against
    # 165 MB (in a process of its own).
    "threads": "1",
    # No automatic checkpoint at a commit: :func:`checkpoint` runs it under the cap.
    "checkpoint_threshold": "1TB",
}

_T = TypeVar("_T")

_IN_FORCE: weakref.WeakKeyDictionary[Store, str] = weakref.WeakKeyDictionary()
"""The cap :func:`memory_cap` holds each store under, with ``_LEAN``, while its block runs."""


def size_bytes(text: str) -> int:
    """Bytes of a memory size such as ``"64MB"``, ``"1.5GB"`` or ``"512MiB"`` (DuckDB's
    units: MB is 10^6 bytes, MiB 2^20). Raises :class:`ValueError` for anything else."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a memory size: {text!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    base = 1024 ** ("kmgt".index(unit[0]) + 1) if "i" in unit else _UNITS[unit[0]]
    return int(number * base)


def cap_bytes(setting: str) -> int:
    """Bytes of the ``crawl.store_memory`` setting; :class:`ConfigError` if it is no size."""
    try:
        return size_bytes(setting)
    except ValueError:
        raise ConfigError(
            f'setting crawl.store_memory must be a memory size like "64MB", got {setting!r}'
        ) from None


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB running out of memory, raised as such or as the cause of a
    :class:`StoreError` (the store wraps DuckDB's errors)."""
    return isinstance(exc, duckdb.OutOfMemoryException) or isinstance(
        exc.__cause__, duckdb.OutOfMemoryException
    )


def _setting(limit: str | int) -> str:
    if isinstance(limit, int):
        return f"{max(1, math.ceil(limit / 10**6))}MB"
    size_bytes(limit)  # only a size reaches the SQL text
    return limit.strip()


def _sets(settings: dict[str, str]) -> str:
    """One ``SET`` statement a setting, as one SQL text (DuckDB runs them in turn)."""
    return "; ".join(f"SET {name} = '{value}'" for name, value in settings.items())


@contextmanager
def memory_cap(store: Store, limit: str | int) -> Iterator[None]:
    """Cap DuckDB's memory (``"32MB"``, or bytes) while the block runs, then restore it.

    Without a cap DuckDB keeps what it reads and writes cached (up to 80 % of RAM), so a
    crawl's memory would grow with the site. Inside the block bulk inserts spill to disk
    and freed memory is returned promptly (``_LEAN``); nested blocks restore the outer cap.
    A block nested in one of the same cap changes nothing and runs no statement (a crawl's
    last steps nest three so: nine statements, each waiting for the interpreter while an
    audit's imports run). Raises :class:`ValueError` for a ``limit`` that is not a size.
    """
    setting = _setting(limit)
    outer = _IN_FORCE.get(store)
    if outer == setting and store.memory_limit == setting:
        yield
        return
    old_limit = store.memory_limit
    # One statement to read the settings and one to write them, not one a setting: each
    # statement hands the interpreter back, and while another thread runs Python (an
    # audit's imports, see linkflow.cli.warm) getting it again takes up to 5 ms.
    row = store.rows(f"SELECT {', '.join(f'current_setting({n!r})' for n in _LEAN)}")[0]
    old = {name: str(value) for name, value in zip(_LEAN, row, strict=True)}
    store.execute(_sets({"memory_limit": setting, **_LEAN}))
    store.memory_limit = setting

    def restore() -> None:
        # Set back explicitly: DuckDB 1.5's RESET shows the default again but leaves the
        # cap in force.
        store.memory_limit = old_limit
        limit = _sets({"memory_limit": old_limit}) if old_limit else "RESET memory_limit"
        store.execute(f"{limit}; {_sets(old)}")

    _IN_FORCE[store] = setting
    try:
        yield
    except BaseException:
        with suppress(StoreError):  # a database DuckDB invalidated takes no more statements
            restore()
        raise
    finally:
        if outer is None:
            _IN_FORCE.pop(store, None)
        else:
            _IN_FORCE[store] = outer
    restore()


def capped(store: Store, limit: str | int, work: Callable[[], _T], *, what: str) -> _T:
    """Run ``work`` under :func:`memory_cap` ``limit``; ``what`` names it for the user.

    Raises :class:`StoreError` saying to raise ``crawl.store_memory`` if DuckDB runs out of
    memory (``work`` must leave nothing half done then: one transaction, or idempotent).
    """
    with memory_cap(store, limit):
        try:
            return work()
        except StoreError as exc:
            if not out_of_memory(exc):
                raise
            raise StoreError(
                f"{store.path}: {what} needs more memory than DuckDB's cap of "
                f"{_setting(limit)}; raise the crawl.store_memory setting (e.g. "
                'store_memory = "256MB" under [crawl] in linkflow.toml) and run the same '
                "command again: what was fetched is kept"
            ) from exc


def checkpoint(store: Store, limit: str | int) -> None:
    """Fold the write-ahead log into the file under :func:`memory_cap` ``limit``.

    Done right after each load: left to a later commit, the checkpoint would run uncapped
    (measured: 370 MB at 20,000 pages). DuckDB invalidates a database whose checkpoint
    fails; what was committed is in the log, which opening the file again replays, so the
    :class:`StoreError` raised then says to run the same command again.
    """

    def fold() -> None:
        try:
            store.execute("CHECKPOINT")
        except StoreError as exc:
            if out_of_memory(exc):
                raise
            raise StoreError(
                f"{store.path}: could not write the stored crawl into the file "
                f"({type(exc.__cause__).__name__}); nothing committed is lost: run the same "
                "command again, with a larger crawl.store_memory setting if this repeats"
            ) from exc

    capped(store, limit, fold, what="writing the stored crawl into the file")


def rest_duckdb() -> int:
    """Hand back the resident pages of DuckDB's compiled library, for a stretch of work
    that does not run it (a crawl's fetching: pages go to the journal, not the store).

    Opening a store leaves some 45 MB of the library's 60 MB resident in the process,
    which the fetching would otherwise carry to its end: a third of the crawl process's
    memory while it fetches. The pages come back as the store runs again, those of the
    code it runs only, partly from the disk: a short crawl loses more time than the memory
    is worth to it (``linkflow.crawl.runner.REST_SECONDS``). Returns how many bytes were
    mapped so; 0 where the system cannot (see :func:`linkflow.heap.page_out`).
    """
    path = getattr(sys.modules.get("_duckdb"), "__file__", None)  # DuckDB's compiled module
    return page_out(path) if isinstance(path, str) else 0
