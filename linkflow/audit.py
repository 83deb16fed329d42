"""The façade: one audit folder and the pipeline stages wired together.

An audit folder holds ``audit.duckdb`` (the store), ``report/index.html`` with its
``report/exports/``, and optionally ``linkflow.toml``. Every CLI command is a thin call into
:class:`Audit`; Python users do the same::

    from linkflow import Audit

    with Audit("my-audit", overrides={"analyse.money": ["/services/*"]}) as audit:
        audit.crawl("https://example.com").import_exports(["ahrefs.csv"]).analyse()
        print(audit.report())
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from linkflow.crawl import CrawlProgress, check_urls, crawl_folder, crawl_site, recover
from linkflow.crawl.state import crawl_totals, unfetched_known_urls
from linkflow.errors import ConfigError, CrawlError, StoreError
from linkflow.models import CrawlSummary
from linkflow.settings import Settings, load_settings
from linkflow.store import Store
from linkflow.urls import normalize

if TYPE_CHECKING:
    from linkflow.analyses.gate import GateResult
    from linkflow.analyses.internal_result import InternalResult
    from linkflow.analyses.verdict import Verdict
    from linkflow.graph.engine import GraphEngine
    from linkflow.ingest import ImportResult
    from linkflow.progress import StageProgress
    from linkflow.recommend.records import Recommendations, WhatIf

# The importing, analysis and report stages are imported by the methods that run them:
# numpy, scipy and pyarrow would otherwise be resident in a crawl (about 60 MB) that never
# uses them.

__all__ = ["DEFAULT_AUDIT_DIR", "Audit", "AuditState"]

DEFAULT_AUDIT_DIR = Path("linkflow-audit")


@dataclass
class AuditState:
    """What the stages run through this :class:`Audit` object returned, newest last."""

    crawls: list[CrawlSummary] = field(default_factory=list)
    imports: list[ImportResult] = field(default_factory=list)
    analyses: list[Any] = field(default_factory=list)


class Audit:
    """An audit folder. Methods run one stage each and return ``self`` so they chain.

    ``overrides`` maps ``section.name`` settings to values (they win over ``linkflow.toml``);
    with ``create=False`` a missing audit file is an error instead of a new audit. With
    ``read_only=True`` the store is opened for reading (a missing file is an error), so other
    readers can use the audit at the same time; the stages that write to it then fail.
    A ``path`` that is a file (``audit.duckdb`` itself, say) is a :class:`ConfigError`.
    """

    def __init__(
        self,
        path: Path | str = DEFAULT_AUDIT_DIR,
        *,
        settings: Settings | None = None,
        overrides: Mapping[str, Any] | None = None,
        create: bool = True,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        if self.path.is_file():
            hint = f": Audit({str(self.path.parent)!r})" if self.path.suffix == ".duckdb" else ""
            raise ConfigError(
                f"{self.path} is a file; an audit is opened by its folder, the one that holds "
                f"audit.duckdb{hint}"
            )
        self.create = create
        self.read_only = read_only
        self.settings = settings or load_settings(audit_dir=self.path, overrides=overrides)
        self.state = AuditState()
        self._store: Store | None = None
        # The newest internal analysis, kept for the suggestions that follow it (the graph
        # is built once); dropped once they have run.
        self._internal: InternalResult | None = None

    def __repr__(self) -> str:
        return f"Audit({str(self.path)!r})"

    # ------------------------------------------------------------------ store
    @property
    def db_path(self) -> Path:
        return self.path / "audit.duckdb"

    @property
    def report_dir(self) -> Path:
        return self.path / "report"

    @property
    def store(self) -> Store:
        """The audit store, opened (and created) on first use."""
        if self._store is None:
            if self.read_only:
                from linkflow.crawl.journal import journal_root

                store = Store.open(self.db_path, read_only=True)
                if journal_root(self.db_path).exists():
                    # A killed crawl's journal: load it (a write) so the reader sees it all.
                    store.close()
                    store = self._open_writable(create=False)
                self._store = store
            else:
                self._store = self._open_writable(create=self.create)
        return self._store

    def _open_writable(self, *, create: bool) -> Store:
        """Open the store writable and load the journal a killed crawl left beside it."""
        store = Store.open(self.db_path, create=create)
        try:
            recover(store, self.settings.crawl.store_memory)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the store; the audit can be reopened later."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Audit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def crawl_id(self) -> int:
        """The newest crawl's id; :class:`ConfigError` if nothing was crawled yet."""
        crawl_id = self.store.latest_crawl_id()
        if crawl_id is None:
            raise ConfigError(
                f"{self.path}: nothing crawled yet; run `linkflow crawl URL --audit {self.path}`"
            )
        return crawl_id

    # ------------------------------------------------------------------ sources
    def crawl(
        self,
        target: str,
        *,
        recrawl: bool = False,
        progress: CrawlProgress | None = None,
    ) -> Audit:
        """Crawl a site (``https://...``) or read a static build folder."""
        folder = Path(target)
        if "://" not in target and folder.is_dir():
            base_url = self.settings.crawl.base_url
            if not base_url:
                raise ConfigError(
                    f"{target}: a folder needs the site's public address: --base-url https://..."
                )
            summary = crawl_folder(
                self.store, folder, base_url, self.settings.crawl, self.settings.extract,
                progress=progress,
            )  # fmt: skip
        else:
            seed = normalize(target)
            if seed is None:
                raise CrawlError(
                    f"{target}: neither an http(s) URL nor a folder; give e.g. https://example.com"
                )
            summary = crawl_site(
                self.store, [seed], self.settings.crawl, self.settings.extract,
                progress=progress, recrawl=recrawl,
            )  # fmt: skip
        self.state.crawls.append(summary)
        return self

    def import_exports(
        self,
        paths: Iterable[Path | str],
        *,
        site: str = "self",
        site_origin: str | None = None,
        progress: StageProgress | None = None,
    ) -> Audit:
        """Import backlink, traffic or authority exports (format detected from the bytes).

        ``site_origin`` resolves exports of page paths (GA4); by default the newest crawl's
        origin does. ``progress`` hears of each file's steps as the ``import`` stage.
        """
        files = [Path(path) for path in paths]
        if not files:
            return self
        from linkflow.ingest import import_file  # only now: no files, no ingest modules loaded
        from linkflow.progress import Stage

        with Stage("import", progress, total=3 * len(files)) as step:  # 3 steps a file
            for path in files:
                result = import_file(
                    self.store, path, settings=self.settings.ingest, site=site,
                    strip_params=self.settings.crawl.strip_params, site_origin=site_origin,
                    step=step,
                )  # fmt: skip
                self.state.imports.append(result)
        return self

    def check_known_urls(self) -> Audit:
        """Fetch the site's URLs that imports and sitemaps name but no link reached.

        Backlink targets, pages with traffic and sitemap URLs without a page row are fetched
        into the newest crawl (their links are stored, not followed), so the analyses know
        whether each one is a live orphan, a redirect or a dead URL. Skipped when the
        ``crawl.check_known`` setting is off or the crawl came from Screaming Frog. At most
        ``crawl.max_pages`` pages are fetched in all.
        """
        crawl_id = self.crawl_id()
        info = self.store.crawl_info(crawl_id)
        if not self.settings.crawl.check_known or info["source"] not in ("http", "folder"):
            return self
        budget = self.settings.crawl.max_pages - crawl_totals(self.store, crawl_id)[0]
        urls = unfetched_known_urls(self.store, crawl_id, budget)
        if urls:
            check_urls(self.store, crawl_id, urls, self.settings.crawl, self.settings.extract)
        return self

    def import_crawl(
        self,
        inlinks: Path | str,
        internal: Path | str | None = None,
        *,
        progress: StageProgress | None = None,
    ) -> Audit:
        """Import a Screaming Frog crawl (All Inlinks, optionally Internal:All); ``progress``
        hears of it as a one-step ``import`` stage."""
        from linkflow.ingest.screaming_frog import import_screaming_frog
        from linkflow.progress import Stage

        with Stage("import", progress, total=1) as step:
            step(f"reading {Path(inlinks).name}")
            summary = import_screaming_frog(
                self.store, Path(inlinks), Path(internal) if internal else None,
                strip_params=self.settings.crawl.strip_params,
            )  # fmt: skip
        self.state.crawls.append(summary)
        return self

    # ------------------------------------------------------------------ analyses
    def analyse(
        self,
        *,
        progress: StageProgress | None = None,
        engine: str = "local",
        spark_master: str | None = None,
    ) -> Audit:
        """Run the internal analysis, the backlink profile, then the authority flow and the
        verdict, on the newest crawl; ``progress`` hears of each step as the ``analyse``
        stage.

        ``engine`` ``'spark'`` builds the link graph and solves PageRank (uniform and
        backlink-seeded), click depth and link counts on Spark at ``spark_master`` (default
        ``local[2]``) with the same numbers; raises :class:`ConfigError` for another engine
        name, or when pyspark or Java is missing.
        """
        from linkflow.analyses.backlinks import analyse_backlinks
        from linkflow.analyses.internal import run_internal
        from linkflow.analyses.money import prepare_money
        from linkflow.analyses.persist import persist_internal
        from linkflow.analyses.verdict import analyse_flow
        from linkflow.progress import Stage

        crawl_id = self.crawl_id()
        settings = prepare_money(self.settings, self.path)  # money file and weights read once
        with (
            Stage("analyse", progress, total=4 + 3) as step,  # run_internal's 4, then 3 here
            _graph_engine(engine, spark_master) as graph_engine,
        ):
            internal = run_internal(self.store, crawl_id, settings, step=step, engine=graph_engine)
            self._internal = internal
            step("storing metrics and findings")
            self.state.analyses.append(persist_internal(self.store, internal))
            step("backlink profile")
            self.state.analyses.append(analyse_backlinks(self.store, crawl_id, settings))
            step("authority flow")
            verdict = analyse_flow(self.store, internal, settings, engine=graph_engine)
            self.state.analyses.append(verdict)
        return self

    def suggest(
        self,
        *,
        k: int | None = None,
        max_per_source: int | None = None,
        max_per_target: int | None = None,
        progress: StageProgress | None = None,
    ) -> Recommendations:
        """Recommend the internal links that raise the money pages' flow most, and the fix
        lists, for the newest crawl; store them (``suggestions``, ``fixes``) and return them.

        ``k`` and the caps (new links per source page, per target page) default to the
        ``recommend`` settings. Run :meth:`analyse` first; ``progress`` hears of each step
        as the ``suggest`` stage.
        """
        from linkflow.analyses.money import prepare_money
        from linkflow.progress import Stage
        from linkflow.recommend.stage import suggest_links

        settings = prepare_money(self.settings, self.path)
        with Stage("suggest", progress, total=3) as step:
            result = suggest_links(
                self.store, self.crawl_id(), settings, internal=self._internal, k=k,
                max_per_source=max_per_source, max_per_target=max_per_target, step=step,
            )  # fmt: skip
        self._internal = None
        self.state.analyses.append(result)
        return result

    def recommendations(self) -> Recommendations | None:
        """The recommendations :meth:`suggest` stored for the newest crawl, or None when
        there are none or the crawl was analysed again since."""
        from linkflow.recommend.persist import read_recommendations

        return read_recommendations(self.store, self.crawl_id())

    def what_if(self, plan: Path | str) -> WhatIf:
        """The exact effect of a plan of link edits (CSV: ``source_url,target_url[,anchor]
        [,action]``, action ``add`` or ``remove``) on the money pages and the pages that
        lose, on the newest crawl; stored (``whatif``, ``whatif_pages``) in place of the
        crawl's earlier plan, so the report shows it, unless the audit is open read-only.
        The site's flow is left as it is."""
        from linkflow.analyses.money import prepare_money
        from linkflow.recommend.stage import plan_effect

        settings = prepare_money(self.settings, self.path)
        return plan_effect(self.store, self.crawl_id(), settings, Path(plan),
                           internal=self._internal)  # fmt: skip

    def last_what_if(self) -> WhatIf | None:
        """The effect of the last plan :meth:`what_if` stored for the newest crawl, or None
        when there is none or the crawl was analysed again since."""
        from linkflow.recommend.whatif_store import read_what_if

        return read_what_if(self.store, self.crawl_id())

    def verdict(self) -> Verdict:
        """The verdict of the newest crawl, as stored by :meth:`analyse`."""
        from linkflow.analyses.verdict import read_verdict

        return read_verdict(self.store, self.crawl_id())

    def check(self, fail_on: Sequence[str]) -> GateResult:
        """Evaluate the CI gate on the newest crawl (run :meth:`analyse` first)."""
        from linkflow.analyses.gate import gate

        return gate(self.store, self.crawl_id(), fail_on)

    # ------------------------------------------------------------------ presentation
    def report(self, *, progress: StageProgress | None = None) -> Path:
        """Write ``report/index.html`` and its CSV exports; return the report's path.
        ``progress`` hears of each export and of the page as the ``report`` stage."""
        from linkflow.report import write_report

        crawl_id = self.crawl_id()
        with _folding(self.store):
            return write_report(
                self.store, crawl_id, self.report_dir, self.settings.report, progress=progress
            )

    def export(self, table: str, fmt: str, output: Path | str) -> int:
        """Write one table as csv, json or parquet; return the number of rows."""
        from linkflow.report import export_table

        return export_table(self.store, table, fmt, Path(output))


@contextmanager
def _folding(store: Store) -> Iterator[None]:
    """Fold the store's write-ahead log into the file on another thread while the block
    reads it (DuckDB lets reads go on beside a checkpoint), rather than when the store is
    closed: the analysis and suggestions of the PostgreSQL docs' audit took 35-53 ms to
    fold at the close, in the audit's critical path. A read-only audit is not folded. A
    fold that fails (a full disk) is not raised here: the close folds again and reports
    it, or, where DuckDB invalidated the database, the block's own statements fail first;
    what was committed stays in the log, which opening the file again replays."""
    if store.read_only:
        yield
        return
    with store.reader() as reader:
        thread = threading.Thread(target=_fold, args=(reader,), name="linkflow-fold")
        thread.start()
        try:
            yield
        finally:
            thread.join()


def _fold(store: Store) -> None:
    # A checkpoint changes how the file holds its rows, not what they are: a reader's handle
    # may run it.
    with suppress(StoreError):
        store.execute("CHECKPOINT")


@contextmanager
def _graph_engine(name: str, spark_master: str | None) -> Iterator[GraphEngine]:
    """The engine called ``name`` ('local' or 'spark'), closed after use."""
    from linkflow.graph.engine import LOCAL

    if name == "local":
        yield LOCAL
        return
    if name != "spark":
        raise ConfigError(f"--engine must be 'local' or 'spark', got {name!r}")
    from linkflow.engines.spark import DEFAULT_MASTER, SparkEngine

    with SparkEngine(spark_master or DEFAULT_MASTER) as spark:
        yield spark
