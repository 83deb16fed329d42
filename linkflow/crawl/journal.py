"""The crawl journal: a running crawl's batches on disk, loaded into the store in bulk.

A crawl does not write to DuckDB page by page. Each batch (pages, links, text, hreflang,
frontier rows, sitemap entries) is appended as CSV to one file per table in
``<store>.spool/crawl-<id>/``, and a line naming the batch and the committed size of every
file is appended to ``commits.log``. A batch is committed when its line is complete; a
process killed at any moment leaves either the whole batch (its line written) or bytes past
the last committed sizes, which are cut off before anything reads the files.

URL ids are assigned as the batches are written (:meth:`Store.assign_url_ids`), the new
URLs going to the journal's ``urls`` file, so the files hold the rows exactly as the tables
do. The files are written in parts (``pages.0.csv``, ``pages.1.csv`` ...): a part ends once
it holds ``PART_BYTES``, or ``WIDE_PART_BYTES`` of wide rows (rows longer than
``PLAIN_LINE``, such as the text of a 10 MB page). Each commit line also bounds the part's
widest row per file and sums its wide rows, so the load reads every row whatever its
length and sizes its memory cap for them (the rows and their CSV dialect:
:mod:`linkflow.crawl.journal_rows`). :mod:`linkflow.crawl.journal_load` moves each part
into the store in one transaction and deletes the files.

Why: the crawl process then holds neither DuckDB's buffers nor Arrow while it fetches and
parses, so its memory stays flat, and the bulk load runs out of core under one small memory
cap (the ``crawl.store_memory`` setting).

Files are flushed to the operating system on every commit (a killed process loses
nothing), not fsynced: a power cut may lose the last seconds of a crawl, which a resume
fetches again.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import suppress
from pathlib import Path
from typing import IO

from linkflow.crawl.journal_rows import (
    COLUMN_COUNTS,
    LINK_COLUMNS,
    PAGE_COLUMNS,
    PLAIN_LINE,
    Columns,
    CrawlBatch,
    Ids,
    Lines,
    batch_files,
    line_widths,
    widths,
    write_csv,
    write_lines,
)
from linkflow.errors import StoreError
from linkflow.store import Store

__all__ = [
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "CrawlBatch",
    "Journal",
    "journal_dir",
    "journal_root",
    "loaded_seq",
    "part_file",
]

PART_BYTES = 64 * 2**20
"""A journal starts a new part (a new set of files) once its current part holds this many
bytes; each part loads in its own transaction. DuckDB's memory for a load grows with the
rows committed at once, so parts keep the load flat however big the crawl."""

WIDE_PART_BYTES = 16 * 2**20
"""A part also ends once its wide rows hold this many bytes. DuckDB keeps a transaction's
long strings in memory at once, about three times their size (measured: three 10 MB texts
needed a 96 MB cap and 97 MB more resident memory), so wide rows are loaded a few at a time."""

SUFFIX = ".spool"
COMMITS = "commits.log"
CRAWL_DIR = re.compile(r"^crawl-(\d+)$")
LOADED = "spool_loaded:{}"
"""The ``meta`` key recording a crawl's last batch loaded into the store."""


def journal_root(store_path: Path) -> Path:
    """The folder holding the journals of the store at ``store_path``."""
    return store_path.with_name(store_path.name + SUFFIX)


def journal_dir(store_path: Path, crawl_id: int) -> Path:
    """The journal folder of crawl ``crawl_id`` of the store at ``store_path``."""
    return journal_root(store_path) / f"crawl-{crawl_id}"


def part_file(folder: Path, name: str, part: int | None) -> Path:
    """The file of table ``name`` in ``part`` (``None``: a journal written before parts)."""
    return folder / (f"{name}.csv" if part is None else f"{name}.{part}.csv")


def loaded_seq(store: Store, crawl_id: int) -> int:
    """The last batch of ``crawl_id``'s journal loaded into ``store`` (0: none)."""
    value = store.scalar("SELECT value FROM meta WHERE key = ?", [LOADED.format(crawl_id)])
    return int(value) if value is not None else 0


class Journal:
    """The journal of one crawl, open for appending batches (see the module docstring).

    Create it only after the crawl's journal was loaded and emptied
    (:func:`linkflow.crawl.journal_load.load_journal`; the crawl stage does so when it
    starts): batches are numbered on from the last one loaded.
    """

    def __init__(self, store: Store, crawl_id: int) -> None:
        self.store = store
        self.crawl_id = crawl_id
        self.path = journal_dir(store.path, crawl_id)
        self.seq = loaded_seq(store, crawl_id)
        self.urls = int(store.scalar("SELECT count(*) FROM urls"))
        """URLs in the store and the journal so far: the next new URL's id."""
        self.part = 0
        self.url_base = self.urls
        """URLs the store will hold when the current part loads (its first new id)."""
        self._files: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}
        self._widest: dict[str, int] = {}
        self._wide = 0
        self._log: IO[bytes] | None = None
        self._log_size = 0
        self._rows = 0

    def write(self, batch: CrawlBatch) -> None:
        """Append ``batch`` and commit it; returns once it survives the process.

        Raises :class:`StoreError` if the files cannot be written (disk full); the batch is
        then taken back whole, so the journal still ends at its last commit.
        """
        if batch.is_empty():
            return
        if sum(self._sizes.values()) >= PART_BYTES or self._wide >= WIDE_PART_BYTES:
            self._next_part()
        ids = Ids(self.store)
        try:
            self._append(batch_files(batch, ids, self._rows))
        except BaseException as exc:
            # Void the ids this batch handed out; earlier batches' ids stay assigned.
            self.store.drop_url_ids(ids.new)
            if isinstance(exc, OSError):
                raise StoreError(
                    f"{self.path}: cannot write the crawl journal ({exc}); free disk space "
                    "and run the same command again to resume"
                ) from exc
            raise
        self._rows += len(batch.queued) + len(batch.done) + len(batch.sitemaps)
        self.urls += len(ids.new)

    def _next_part(self) -> None:
        for f in self._files.values():
            f.close()
        self._files.clear()
        self._sizes = {}
        self._widest = {}
        self._wide = 0
        self.part += 1
        self.url_base = self.urls

    def _append(self, data: dict[str, Columns | Lines]) -> None:
        if self._log is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._log = open(self.path / COMMITS, "ab")  # noqa: SIM115 - closed in close()
            self._log_size = self._log.tell()
        sizes, widest, wide = dict(self._sizes), dict(self._widest), self._wide
        try:
            for name, columns in data.items():
                f = self._files.get(name)
                if f is None:
                    path = part_file(self.path, name, self.part)
                    f = self._files[name] = open(path, "ab")  # noqa: SIM115
                    self._sizes[name] = sizes[name] = f.tell()
                if isinstance(columns, Lines):
                    write_lines(f, columns)
                else:
                    write_csv(f, columns)
                f.flush()
                written = f.tell() - sizes[name]
                sizes[name] += written
                # No row is longer than what the batch wrote: measure only long batches.
                if written <= PLAIN_LINE:
                    row, long = written, 0
                elif isinstance(columns, Lines):
                    row, long = line_widths(columns)
                else:
                    row, long = widths(name, columns)
                widest[name] = max(widest.get(name, 0), row)
                wide += long
            entry = {
                "seq": self.seq + 1, "part": self.part, "url_base": self.url_base,
                "sizes": sizes, "widest": widest, "wide": wide, "columns": COLUMN_COUNTS,
            }  # fmt: skip
            self._log.write(json.dumps(entry).encode() + b"\n")
            self._log.flush()
        except BaseException:
            self._cut_back()
            raise
        self._sizes, self._widest, self._wide = sizes, widest, wide
        self._log_size = self._log.tell()
        self.seq += 1

    def _cut_back(self) -> None:
        """Cut a half-written batch off, so the next one follows the last commit.

        The files are closed first: a buffer that could not be flushed (disk full) is
        dropped with its file object rather than written after the cut; the next batch
        reopens them."""
        cuts = {part_file(self.path, n, self.part): self._sizes[n] for n in self._files}
        cuts[self.path / COMMITS] = self._log_size
        for f in [*self._files.values(), *([self._log] if self._log else [])]:
            with suppress(OSError):
                f.close()
        self._files.clear()
        self._log = None
        for path, size in cuts.items():
            with suppress(OSError):
                os.truncate(path, size)

    def close(self) -> None:
        """Close the files (what was written stays committed)."""
        for f in self._files.values():
            f.close()
        self._files.clear()
        if self._log is not None:
            self._log.close()
            self._log = None
