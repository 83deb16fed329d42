"""The audit store: one DuckDB file per audit, opened through :class:`Store`.

Writes go in as Arrow batches (one ``INSERT ... BY NAME`` per batch); reads come back as
Arrow tables. DuckDB commits are durable, so a killed process loses only the open
transaction, never what was committed before it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

import duckdb

from linkflow.errors import AuditInUseError, SchemaVersionError, StoreError
from linkflow.store.migrations import MIGRATIONS, SCHEMA_VERSION
from linkflow.store.params import Params, run

if TYPE_CHECKING:
    import pyarrow as pa

    Rows: TypeAlias = pa.Table | Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]
    """What :meth:`Store.append` takes: Arrow, columns by name, or rows as mappings."""

# pyarrow is imported where Arrow is produced or consumed, not here: a crawl writes its
# batches as CSV and never needs it, and it costs ~40 MB of resident memory to import.

__all__ = ["RESULT_TABLES", "TABLES", "Store"]

TABLES = (
    "urls", "crawls", "pages", "links", "hreflang", "sitemap_urls", "page_text", "frontier",
    "imports", "backlinks", "traffic", "domain_authority",
    "analysis_runs", "page_metrics", "findings", "flow_paths", "verdict", "actions",
    "suggestions", "fixes", "whatif", "whatif_pages",
    "backlink_counts", "domain_counts", "queries", "referring_domains", "backlink_targets",
    "anchor_profile", "link_velocity", "backlink_spread", "spam_flags", "link_gap",
)  # fmt: skip
"""Every table of the current schema, in the order of ``schema.sql`` (``meta`` aside)."""

RESULT_TABLES = ("page_metrics", "findings", "suggestions")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _as_arrow(data: Rows) -> pa.Table:
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, Mapping):
        return pa.table(dict(data))
    rows = list(data)
    # from_pylist takes the columns of the first row only; a key first seen later would be lost.
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])


_UNITS = {"KiB": 2**-10, "MiB": 1, "GiB": 2**10, "TiB": 2**20, "PiB": 2**30}


def _megabytes(display: str) -> str:
    """``"18.8 GiB"`` → ``"19251MB"``; ``""`` for a form DuckDB did not use here."""
    number, _, unit = display.partition(" ")
    try:
        return f"{int(float(number) * _UNITS[unit] * 2**20 / 10**6)}MB"
    except (ValueError, KeyError):
        return ""


ROW_GROUP_SIZE = 32_768
"""Rows per DuckDB row group written by linkflow (DuckDB's default: 122,880). A row group
is built and compressed whole in memory; links carry megabytes of text per 100,000 rows, so
a quarter of the default cut the peak of loading a crawl by about 40 MB (0.7M links) for a
file about 2 % larger."""


class _NeedsUpgrade(Exception):
    """A file opened read-only has an older schema (handled inside :meth:`Store.open`)."""


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection whose default database is the file at ``path``.

    The file is attached (not opened by ``connect``) because only ``ATTACH`` takes a row
    group size; the temporary directory is then set to where ``connect`` would put it. Raises
    :class:`AuditInUseError` if another process holds the file, :class:`StoreError` if it
    cannot be opened for another reason.
    """
    con = duckdb.connect()
    try:
        literal = str(path).replace("'", "''")
        con.execute(f"SET temp_directory = '{literal}.tmp'")
        mode = ", READ_ONLY" if read_only else ""
        con.execute(f"ATTACH '{literal}' AS audit (ROW_GROUP_SIZE {ROW_GROUP_SIZE}{mode})")
        con.execute("USE audit")
    except duckdb.Error as exc:
        con.close()
        if isinstance(exc, duckdb.IOException) and "Could not set lock" in str(exc):
            # DuckDB's own message names a lock and a PID; users need who holds it and what to do.
            raise AuditInUseError.from_lock(path, str(exc), read_only=read_only) from exc
        raise StoreError(f"{path}: cannot open the audit store ({exc})") from exc
    except BaseException:
        con.close()
        raise
    return con


class Store:
    """An open audit file. Use :meth:`open`; close it (or use ``with``) when done.

    Stages run their own SQL through :meth:`query`, :meth:`rows`, :meth:`scalar` and
    :meth:`execute` (errors become :class:`StoreError`), write Arrow with :meth:`append` and
    :meth:`replace`, and show Arrow tables to SQL with :meth:`registered`. The connection
    itself stays private to this package.
    """

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, *, read_only: bool) -> None:
        self.path = path
        self.con = con
        self.read_only = read_only
        self._url_cache: dict[str, int] | None = None
        self.memory_limit = ""
        """DuckDB's memory limit as linkflow last set it (see ``linkflow.crawl.memory``)."""
        self._lock = threading.RLock()
        self._depth = 0

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, read_only: bool = False) -> Store:
        """Open (or create) the audit file at ``path`` and bring its schema up to date.

        It does not load the journal a killed crawl left beside the file: the crawl stage
        does (``linkflow.crawl.recover``), when a crawl starts and when an audit is opened.

        Raises :class:`StoreError` if the file cannot be opened, and
        :class:`SchemaVersionError` if a newer linkflow wrote it.
        """
        path = Path(path)
        if not path.exists() and (read_only or not create):
            raise StoreError(
                f"{path}: no audit here; run `linkflow audit` or `linkflow crawl` first"
            )
        if not read_only:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a file where a folder should be, no permission ...
                problem = f"{path}: cannot make its folder ({exc.strerror}: {exc.filename})"
                raise StoreError(f"{problem}; choose another audit folder") from None
        con = _connect(path, read_only=read_only)
        store = cls(path, con, read_only=read_only)
        try:
            store._configure()
            store._migrate()
        except _NeedsUpgrade:
            # A reader of a file an older linkflow wrote: upgrade it once (a short write,
            # which fails with AuditInUseError if a writer holds it), then read as asked.
            con.close()
            cls.open(path, create=False).close()
            return cls.open(path, read_only=True)
        except BaseException:
            con.close()
            raise
        return store

    def _configure(self) -> None:
        # linkflow draws its own progress; DuckDB's bar would interleave with it on stdout.
        self.con.execute("SET enable_progress_bar = false")
        # DuckDB shows its limit rounded ("18.8 GiB"); setting it once in whole megabytes
        # gives a value that can be restored exactly after a temporary cap.
        self.memory_limit = _megabytes(str(self.scalar("SELECT current_setting('memory_limit')")))
        if self.memory_limit:
            self.con.execute(f"SET memory_limit = '{self.memory_limit}'")

    def close(self) -> None:
        """Close the file; later calls fail."""
        self.con.close()

    def interrupt(self) -> None:
        """Stop the statement this handle runs, from another thread (it raises StoreError)."""
        self.con.interrupt()

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A second handle on the file, for reading on another thread within the block: its
        statements run beside this handle's, each seeing what was committed when it began."""
        with self._lock:
            con = self.con.cursor()
        try:
            con.execute("USE audit")
            yield Store(self.path, con, read_only=True)
        finally:
            con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def _migrate(self) -> None:
        has_meta = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta' "
            "AND database_name = current_database() AND schema_name = 'main'"
        ).fetchone()
        version = 0
        if has_meta and has_meta[0]:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.path}: written by a newer linkflow (schema {version}, this one reads "
                f"up to {SCHEMA_VERSION}); upgrade linkflow to open it"
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise _NeedsUpgrade
        with self.transaction():
            if version == 0:
                schema = resources.files("linkflow.store").joinpath("schema.sql").read_text()
                self.con.execute(schema)
            else:
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    self.con.execute(MIGRATIONS[step])
            run(
                self.con,
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                [str(SCHEMA_VERSION)],
            )

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all of them are stored, or none (nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.con.execute("BEGIN TRANSACTION")
            self._depth = 1
            cache_before = None if self._url_cache is None else len(self._url_cache)
            try:
                yield
            except BaseException:
                self._depth = 0
                self.con.execute("ROLLBACK")
                if cache_before is not None:
                    self._url_cache = None  # ids handed out in the rolled-back work are void
                raise
            self._depth = 0
            try:
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                # A commit can fail (out of memory while writing); the work is then void.
                with suppress(duckdb.Error):
                    self.con.execute("ROLLBACK")
                self._url_cache = None
                raise StoreError(f"{self.path}: could not commit ({exc})") from exc

    # ------------------------------------------------------------------ URL dictionary
    def _urls(self) -> dict[str, int]:
        if self._url_cache is None:
            self._url_cache = dict(self.con.execute("SELECT url, id FROM urls").fetchall())
        return self._url_cache

    def assign_url_ids(self, urls: Iterable[str]) -> tuple[list[int], dict[str, int]]:
        """Ids of ``urls``, giving URLs never seen the next free ids WITHOUT storing them.

        Returns ``(ids, new)``: the caller must store the ``new`` URLs as ``urls`` rows
        with those ids (the crawl journal does so when it is loaded) before anything else
        adds URLs; :meth:`forget_urls` voids the assignment if that cannot happen.
        """
        with self._lock:
            cache = self._urls()
            new: dict[str, int] = {}
            out: list[int] = []
            for url in urls:
                uid = cache.get(url)
                if uid is None:
                    uid = cache[url] = new[url] = len(cache)
                out.append(uid)
            return out, new

    def url_ids(self, urls: Sequence[str]) -> list[int]:
        """Ids of ``urls`` (normalised strings), adding the ones never seen before."""
        with self._lock:
            out, new = self.assign_url_ids(urls)
            if new:
                parts = [urlsplit(u) for u in new]
                try:
                    self.append(
                        "urls",
                        {
                            "id": list(new.values()),
                            "url": list(new.keys()),
                            "host": [p.netloc for p in parts],
                            "path": [p.path or "/" for p in parts],
                        },
                    )
                except BaseException:
                    self._url_cache = None
                    raise
            return out

    def drop_url_ids(self, new: Mapping[str, int]) -> None:
        """Take back the ``new`` ids of the latest :meth:`assign_url_ids` call (never stored)."""
        with self._lock:
            if self._url_cache is not None:
                for url in new:
                    self._url_cache.pop(url, None)

    def forget_urls(self) -> None:
        """Drop the cached URL dictionary (after ``urls`` rows were added in SQL)."""
        with self._lock:
            self._url_cache = None

    def lookup_url_ids(self, urls: Sequence[str]) -> list[int | None]:
        """Ids of ``urls`` without adding any (``None`` for a URL never seen)."""
        cache = self._urls()
        return [cache.get(u) for u in urls]

    def urls_by_id(self, ids: Sequence[int]) -> list[str]:
        """The URL strings of ``ids``."""
        if not ids:
            return []
        rel = self.con.execute(
            "SELECT u.url FROM unnest(?) WITH ORDINALITY AS t(id, n) JOIN urls u USING (id) "
            "ORDER BY n",
            [list(ids)],
        ).fetchall()
        return [r[0] for r in rel]

    # ------------------------------------------------------------------ generic I/O
    def append(self, table: str, data: Rows) -> int:
        """Insert rows (matched to columns by name; missing columns take their defaults)."""
        arrow = _as_arrow(data)
        if arrow.num_rows == 0:
            return 0
        self._check_table(table)
        with self._lock:
            self.con.register("_lf_batch", arrow)
            try:
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _lf_batch")
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: cannot write to {table} ({exc})") from exc
            finally:
                self.con.unregister("_lf_batch")
        return int(arrow.num_rows)

    def delete(self, table: str, **where: Any) -> None:
        """Delete the rows of ``table`` whose columns equal the given values."""
        self._check_table(table)
        clause = " AND ".join(f"{col} = ?" for col in where) or "TRUE"
        with self._lock:
            run(self.con, f"DELETE FROM {table} WHERE {clause}", list(where.values()))

    def replace(self, table: str, data: Rows, **where: Any) -> int:
        """Replace the rows matching ``where`` (e.g. ``crawl_id=3``) with ``data``, atomically."""
        with self.transaction():
            self.delete(table, **where)
            return self.append(table, data)

    def read(self, table: str, columns: Sequence[str] | None = None, **where: Any) -> pa.Table:
        """Rows of ``table`` (optionally only ``columns``) whose columns equal ``where``."""
        self._check_table(table)
        cols = ", ".join(columns) if columns else "*"
        clause = " AND ".join(f"{col} = ?" for col in where) or "TRUE"
        return self.query(f"SELECT {cols} FROM {table} WHERE {clause}", list(where.values()))

    @contextmanager
    def registered(self, name: str, table: pa.Table) -> Iterator[None]:
        """Make the Arrow ``table`` visible to SQL as the view ``name`` for the block."""
        self._check_table(name)
        with self._lock:
            self.con.register(name, table)
            try:
                yield
            finally:
                self.con.unregister(name)

    def query(self, sql: str, params: Params = None) -> pa.Table:
        """Run one SQL statement and return its result as Arrow."""
        with self._lock:
            try:
                return run(self.con, sql, params).to_arrow_table()
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: query failed ({exc})") from exc

    def execute(self, sql: str, params: Params = None) -> None:
        """Run one SQL statement for its effect (DDL, INSERT ... SELECT); nothing is fetched."""
        with self._lock:
            try:
                run(self.con, sql, params)
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: statement failed ({exc})") from exc

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run one SQL statement and return its rows as tuples (no Arrow involved)."""
        with self._lock:
            try:
                return run(self.con, sql, params).fetchall()
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: query failed ({exc})") from exc

    def scalar(self, sql: str, params: Params = None) -> Any:
        """Run one SQL statement and return the first column of its first row (or None)."""
        with self._lock:
            try:
                row = run(self.con, sql, params).fetchone()
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: query failed ({exc})") from exc
        return None if row is None else row[0]

    def count(self, table: str, **where: Any) -> int:
        """Number of rows of ``table`` matching ``where``."""
        self._check_table(table)
        clause = " AND ".join(f"{col} = ?" for col in where) or "TRUE"
        return int(
            self.scalar(f"SELECT count(*) FROM {table} WHERE {clause}", list(where.values()))
        )

    def tables(self) -> list[str]:
        """Names of the tables in this file (schema tables first, then any others)."""
        rows = self.con.execute(  # tables and views, as information_schema.tables has them
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "UNION ALL SELECT view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal"
        ).fetchall()
        names = {r[0] for r in rows} - {"meta"}
        return [t for t in TABLES if t in names] + sorted(names - set(TABLES))

    def _check_table(self, table: str) -> None:
        if not table.isidentifier():
            raise StoreError(f"{table!r} is not a table name")

    # ------------------------------------------------------------------ crawls
    def new_crawl(
        self, *, source: str, seeds: Sequence[str], settings: Mapping[str, Any], base_url: str = ""
    ) -> int:
        """Record the start of a crawl and return its id."""
        with self.transaction():
            crawl_id = int(self.scalar("SELECT coalesce(max(id), 0) + 1 FROM crawls"))
            self.execute(
                "INSERT INTO crawls (id, source, seeds, base_url, settings_json, started_at, "
                "status) VALUES (?, ?, ?, ?, ?, ?, 'running')",
                [crawl_id, source, json.dumps(list(seeds)), base_url or None,
                 json.dumps(dict(settings), default=str, sort_keys=True), _now()],
            )  # fmt: skip
        return crawl_id

    def finish_crawl(self, crawl_id: int, status: str = "finished") -> None:
        """Mark a crawl finished (or ``interrupted``)."""
        with self._lock:
            run(
                self.con,
                "UPDATE crawls SET status = ?, finished_at = ? WHERE id = ?",
                [status, _now(), crawl_id],
            )

    def latest_crawl_id(self) -> int | None:
        """The newest crawl's id, or ``None`` if nothing was crawled or imported yet."""
        value = self.scalar("SELECT max(id) FROM crawls")
        return None if value is None else int(value)

    def crawl_info(self, crawl_id: int) -> dict[str, Any]:
        """The ``crawls`` row of ``crawl_id`` as a dict (seeds decoded)."""
        with self._lock:
            cur = run(self.con, "SELECT * FROM crawls WHERE id = ?", [crawl_id])
            names = [d[0] for d in cur.description or ()]
            row = cur.fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no crawl {crawl_id}")
        info: dict[str, Any] = dict(zip(names, row, strict=True))
        info["seeds"] = json.loads(info["seeds"])
        return info
