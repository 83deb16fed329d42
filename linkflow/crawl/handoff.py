"""Storing a big crawl in a fresh process: the command-line crawl hands its journal over.

When its fetching ends, a crawl process still holds what the fetching left behind: aiohttp
and its imports (about 25 MB) and heap arenas that Python cannot give back, however little
they hold. Loading the journal adds DuckDB's working memory on top of that, so the load was
a crawl's peak. A fresh process that only loads starts at 63 MB instead of 108 MB
(measured at 20,000 pages).

So a command-line crawl whose journal is big enough replaces its own process (``exec``:
same process id, same terminal, same exit status for the caller) with a fresh run of the
same command line, told through the ``LINKFLOW_CRAWL_HANDOFF`` environment variable which
crawl it carries on. That process loads the journal, finishes the crawl and goes on with the
rest of the command, such as an audit's analyses and report. Nothing depends on the
hand-over succeeding: a crawl killed or failing at any point is resumed by running the same
command again, as always, and a failed ``exec`` loads in the same process.

Only the command-line entry points call :func:`enable`: running a library caller's own
command line again would run its own code again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from linkflow.store import Store

__all__ = [
    "ENV",
    "MIN_BYTES_ENV",
    "Handoff",
    "disable",
    "enable",
    "hand_over",
    "open_store",
    "pending",
    "take",
    "wanted",
]

ENV = "LINKFLOW_CRAWL_HANDOFF"
"""Set (as JSON) in the fresh process: the crawl it carries on."""

MIN_BYTES_ENV = "LINKFLOW_HANDOFF_MB"
"""Overrides the journal size (in MB) from which a crawl is handed over; ``off`` never."""

MIN_BYTES = 16 * 2**20
"""Journals smaller than this load in the crawl process: starting a fresh interpreter costs
about half a second and a small load does not reach the crawl's peak anyway."""

_argv: list[str] | None = None
_min_bytes = MIN_BYTES


@dataclasses.dataclass(frozen=True, slots=True)
class Handoff:
    """A crawl whose fetching ended, handed to a fresh process to store and finish."""

    store: str
    """The audit store's absolute path."""
    crawl_id: int
    resumed: bool
    """Whether the run that fetched had resumed an earlier one (for the summary)."""
    elapsed: float
    """Seconds the run had taken when it handed over."""
    pages: int
    links: int
    errors: int


def enable(argv: Sequence[str] | None = None, *, min_bytes: int | None = None) -> None:
    """Let crawls in this process hand big journals to a fresh run of ``argv`` (by default
    the command line this process was started with).

    ``min_bytes`` is the journal size from which they do; the ``LINKFLOW_HANDOFF_MB``
    environment variable wins over it (``0`` always, ``off`` never). Call it only from a
    command-line entry point whose command line, run again, carries on the same work.
    """
    global _argv, _min_bytes
    _argv = list(argv if argv is not None else sys.orig_argv)
    _min_bytes = MIN_BYTES if min_bytes is None else min_bytes
    raw = os.environ.get(MIN_BYTES_ENV, "").strip().lower()
    if raw in ("off", "no", "false"):
        _argv = None
    elif raw:
        try:
            _min_bytes = int(float(raw) * 2**20)
        except ValueError:
            print(f"warning: {MIN_BYTES_ENV}={raw!r} is not a size in MB; ignored", file=sys.stderr)


def disable() -> None:
    """Store every crawl of this process in the process itself (undoes :func:`enable`)."""
    global _argv
    _argv = None


def pending(store_path: Path) -> bool:
    """Whether this process was started to carry on a crawl of the store at ``store_path``
    (so opening it must leave that crawl's journal to :func:`take`'s caller)."""
    raw = os.environ.get(ENV)
    return raw is not None and _parse(raw, store_path) is not None


def open_store(path: Path, *, create: bool = True) -> Store:
    """Open the audit store at ``path`` as :meth:`Store.open` does, except that the journal
    of a crawl this process was started to carry on stays for the crawl stage, which loads
    it with its progress shown."""
    return Store.open(path, create=create, recover=not pending(path))


def take(store_path: Path) -> Handoff | None:
    """The crawl of ``store_path`` this process was started to carry on, once: the variable
    is removed, so neither a later crawl nor a child process sees it again, and hand-overs
    are disabled in this process."""
    raw = os.environ.pop(ENV, None)
    if raw is None:
        return None
    # A process started by a hand-over never hands over again, even a crawl it could not
    # carry on: whatever went wrong, a second exec would only repeat it.
    disable()
    return _parse(raw, store_path)


def _parse(raw: str, store_path: Path) -> Handoff | None:
    try:
        handoff = Handoff(**json.loads(raw))
    except (ValueError, TypeError):
        return None  # not ours to interpret: a stray or hand-written value
    return handoff if Path(handoff.store) == store_path.resolve() else None


def wanted(journal_bytes: int) -> bool:
    """Whether a crawl whose journal holds ``journal_bytes`` is to be handed over."""
    return _argv is not None and sys.platform != "win32" and journal_bytes >= _min_bytes


def hand_over(store: Store, handoff: Handoff) -> None:
    """Replace this process with a fresh run of the command line carrying on ``handoff``.

    ``store`` is closed first (DuckDB's lock must not outlive the old process image). Returns
    only if the ``exec`` fails; the store is then open again and the caller loads in process.
    """
    assert _argv is not None, "hand_over() without enable()"
    env = {**os.environ, ENV: json.dumps(dataclasses.asdict(handoff))}
    store.close()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        os.execve(sys.executable, _argv, env)
    except OSError as exc:
        print(
            f"warning: cannot start a fresh process ({exc}); storing the crawl here",
            file=sys.stderr,
        )
        store.reopen()
