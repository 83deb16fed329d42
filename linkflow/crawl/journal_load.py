"""Loading a crawl journal (:mod:`linkflow.crawl.journal`) into the store, exactly once.

Each part of a journal loads in one transaction: a plain ``INSERT ... SELECT`` from
``read_csv`` per table (no join), which also records the part's last batch as loaded in
``meta``. A crash between parts, or between the last part and the deletion of the files, is
recognised by that mark, so no batch is ever loaded twice. The write-ahead log is folded
into the file once at the end, and on the way whenever it passes ``WAL_BYTES`` or a part
held wide rows. Everything runs under one DuckDB memory cap, the ``crawl.store_memory``
setting (:mod:`linkflow.crawl.memory`).

:func:`recover` loads whatever a killed crawl left: the crawl stage calls it when it starts,
and :class:`linkflow.Audit` when it opens the store, so every reader sees the committed
batches.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from linkflow.crawl.journal import (
    COMMITS,
    CRAWL_DIR,
    LOADED,
    journal_dir,
    journal_root,
    loaded_seq,
    part_file,
)
from linkflow.crawl.journal_rows import FILES, PLAIN_LINE, UNRECORDED_COUNTS
from linkflow.crawl.memory import cap_bytes, capped, checkpoint
from linkflow.errors import StoreError
from linkflow.settings import CrawlSettings
from linkflow.store import Store

__all__ = ["load_journal", "recover"]

DEFAULT_MEMORY = CrawlSettings().store_memory

WIDE_FACTOR = 3
"""DuckDB's memory for a part's wide rows, per byte of them: it holds a transaction's long
strings at once, about three times over (see ``WIDE_PART_BYTES``)."""

WIDE_BASE = 32 * 2**20
"""What a part with wide rows needs besides them (measured: one 10 MB text loads under a
48 MB cap, not under 32 MB)."""

WAL_BYTES = 256 * 2**20
"""The write-ahead log is folded into the file during a load once it holds this much.
Folding it once at the end rather than after every part made the file a quarter smaller
and the load's peak lower (2,000 pages of 300-400 links: +84 MB against +108 MB at a 64 MB
cap); the bound keeps what a crash leaves to replay, which opening the file does uncapped,
small."""


@dataclass(frozen=True, slots=True)
class _Part:
    """A journal part as its last complete commit line left it."""

    part: int | None
    seq: int
    url_base: int
    sizes: dict[str, int]
    widest: dict[str, int] = field(default_factory=dict)
    """A bound on the longest row of each file (absent in journals of older versions)."""
    wide: int = 0
    """Bytes of the part's rows longer than ``PLAIN_LINE``."""
    columns: dict[str, int] = field(default_factory=dict)
    """Columns of each file as written (the first ones of ``FILES``); absent: all of them."""


def _committed(folder: Path) -> list[_Part]:
    """Each part of a journal with its last complete commit line, in order."""
    log = folder / COMMITS
    if not log.exists():
        return []
    parts: dict[int | None, _Part] = {}
    for line in log.read_bytes().split(b"\n"):
        try:
            entry = json.loads(line)
            sizes = {str(k): int(v) for k, v in entry["sizes"].items()}
            widest = {str(k): int(v) for k, v in entry.get("widest", {}).items()}
            part = None if entry.get("part") is None else int(entry["part"])
            columns = {str(k): int(v) for k, v in entry.get("columns", UNRECORDED_COUNTS).items()}
            parts[part] = _Part(
                part, int(entry["seq"]), int(entry["url_base"]), sizes, widest,
                int(entry.get("wide", 0)), columns,
            )  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # the torn last line of a killed process, or the empty tail
    return list(parts.values())


def _truncate(folder: Path, part: _Part) -> dict[str, Path]:
    """Cut a part's files back to their committed size; return the non-empty ones by table."""
    files: dict[str, Path] = {}
    for name in FILES:
        path = part_file(folder, name, part.part)
        size = part.sizes.get(name, 0)
        if path.exists() and path.stat().st_size > size:
            with open(path, "r+b") as f:
                f.truncate(size)
        if size:
            files[name] = path
    return files


def _scan(name: str, path: Path, widest: int, count: int | None = None) -> str:
    """``read_csv`` of one journal file, reading rows up to ``widest`` bytes long, of the
    first ``count`` columns of ``FILES[name]`` (all of them by default)."""
    known = list(FILES[name].items())[:count]
    columns = ", ".join(f"'{c}': '{t}'" for c, t in known)
    literal = str(path).replace("'", "''")
    # DuckDB reads a line only whole, into one buffer: both sized for the widest row.
    line = max(PLAIN_LINE, widest + 64)
    return (
        f"read_csv('{literal}', header = false, auto_detect = false, delim = ',', "
        "quote = '\"', escape = '\"', new_line = '\\n', allow_quoted_nulls = false, "
        f"max_line_size = {line}, buffer_size = {line}, columns = {{{columns}}})"
    )


def _load(store: Store, crawl_id: int, files: dict[str, Path], part: _Part) -> None:
    for table, path in files.items():  # in FILES order: urls first
        crawl = "" if table == "urls" else f"{int(crawl_id)} AS crawl_id, "
        scan = _scan(table, path, part.widest.get(table, 0), part.columns.get(table))
        if "n" in FILES[table]:
            select = f"SELECT {crawl}* EXCLUDE (n) FROM {scan} ORDER BY n"
        else:
            select = f"SELECT {crawl}* FROM {scan}"
        store.execute(f"INSERT INTO {table} BY NAME {select}")


def _load_part(store: Store, crawl_id: int, folder: Path, part: _Part, memory: int) -> None:
    """Check that ``part`` follows what the store holds, cut its files to their committed
    size, and load it in one transaction under the memory cap."""
    have = int(store.scalar("SELECT count(*) FROM urls"))
    if have != part.url_base:
        raise StoreError(
            f"{folder}: this crawl journal numbers URLs from {part.url_base} but the store has "
            f"{have}; it cannot be loaded. Move the folder away and run the crawl again"
        )
    files = _truncate(folder, part)
    # Wide rows are held in memory whole: a part holding some gets what they need.
    cap = max(memory, WIDE_FACTOR * part.wide + WIDE_BASE) if part.wide else memory

    def load() -> None:
        with store.transaction():
            _load(store, crawl_id, files, part)
            store.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [LOADED.format(crawl_id), str(part.seq)],
            )

    capped(store, cap, load, what="storing the crawl")
    wal = store.path.with_name(store.path.name + ".wal")
    if part.wide or (wal.exists() and wal.stat().st_size >= WAL_BYTES):
        checkpoint(store, cap)  # long strings are folded under the cap they were loaded with


def load_journal(
    store: Store,
    crawl_id: int,
    memory: str = DEFAULT_MEMORY,
    *,
    fold: bool = True,
    on_part: Callable[[int, int], None] | None = None,
) -> bool:
    """Load the committed batches of ``crawl_id``'s journal into ``store``; delete it.

    Each part loads in its own transaction under a DuckDB memory cap of ``memory`` (a size
    such as ``"64MB"``), which also records the part's last batch as loaded, so a load
    stopped between parts goes on with the next part. Returns True if rows were loaded.
    The write-ahead log is folded into the file at the end, under the same cap, unless
    ``fold`` is False: then the caller must keep every later commit under a cap until it
    checkpoints (outside one, DuckDB's automatic checkpoint would fold the log uncapped).
    Safe to call at any time and any number of times. Raises :class:`StoreError` if the
    journal does not follow the store, or DuckDB runs out of memory (the journal then stays,
    and a run with a larger ``crawl.store_memory`` loads it), and :class:`ConfigError` if
    ``memory`` is not a size. ``on_part(done, total)`` hears of the parts to load: with
    ``done`` 0 before the first, then after each.
    """
    limit = cap_bytes(memory)
    folder = journal_dir(store.path, crawl_id)
    if not folder.exists():
        return False
    loaded = False
    done = loaded_seq(store, crawl_id)
    # The parts loaded before the process stopped are skipped.
    parts = [part for part in _committed(folder) if part.seq > done]
    if on_part is not None:
        on_part(0, len(parts))
    for n, part in enumerate(parts, 1):
        try:
            _load_part(store, crawl_id, folder, part, limit)
        except BaseException:
            store.forget_urls()  # the rest of the journal stays on disk for the next attempt
            raise
        loaded = True
        if on_part is not None:
            on_part(n, len(parts))
    if loaded and fold:
        checkpoint(store, limit)
    shutil.rmtree(folder)
    root = folder.parent
    if root.exists() and not any(root.iterdir()):
        root.rmdir()
    return loaded


def recover(store: Store, memory: str = DEFAULT_MEMORY) -> list[int]:
    """Load every journal a killed crawl left beside ``store``; return their crawl ids.

    Call it on a store opened writable before reading crawl data: a crawl killed mid-way
    left committed batches in its journal, which the store does not hold yet.
    """
    root = journal_root(store.path)
    if not root.is_dir():
        return []
    done = []
    for folder in sorted(root.iterdir()):
        match = CRAWL_DIR.match(folder.name)
        if match and load_journal(store, int(match.group(1)), memory):
            done.append(int(match.group(1)))
    return done
