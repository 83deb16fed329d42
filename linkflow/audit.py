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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from linkflow.crawl import CrawlProgress, check_urls, crawl_folder, crawl_site, handoff
from linkflow.errors import ConfigError, CrawlError
from linkflow.models import CrawlSummary
from linkflow.settings import Settings, load_settings
from linkflow.store import Store
from linkflow.store.crawl import crawl_totals
from linkflow.store.known import unfetched_known_urls
from linkflow.urls import normalize

if TYPE_CHECKING:
    from linkflow.analyses.gate import GateResult
    from linkflow.ingest import ImportResult

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
    with ``create=False`` a missing audit file is an error instead of a new audit.
    """

    def __init__(
        self,
        path: Path | str = DEFAULT_AUDIT_DIR,
        *,
        settings: Settings | None = None,
        overrides: Mapping[str, Any] | None = None,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self.create = create
        self.settings = settings or load_settings(audit_dir=self.path, overrides=overrides)
        self.state = AuditState()
        self._store: Store | None = None

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
            self._store = handoff.open_store(self.db_path, create=self.create)
        return self._store

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

    def import_exports(self, paths: Iterable[Path | str], *, site: str = "self") -> Audit:
        """Import backlink, traffic or authority exports (format detected from the bytes)."""
        from linkflow.ingest import import_file

        for path in paths:
            result = import_file(
                self.store, Path(path), settings=self.settings.ingest, site=site,
                strip_params=self.settings.crawl.strip_params,
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

    def import_crawl(self, inlinks: Path | str, internal: Path | str | None = None) -> Audit:
        """Import a Screaming Frog crawl (All Inlinks, optionally Internal:All)."""
        from linkflow.ingest.screaming_frog import import_screaming_frog

        summary = import_screaming_frog(
            self.store, Path(inlinks), Path(internal) if internal else None,
            strip_params=self.settings.crawl.strip_params,
        )  # fmt: skip
        self.state.crawls.append(summary)
        return self

    # ------------------------------------------------------------------ analyses
    def analyse(self) -> Audit:
        """Run the internal analysis, then the backlink profile, on the newest crawl."""
        from linkflow.analyses.backlinks import analyse_backlinks
        from linkflow.analyses.internal import analyse_internal

        crawl_id = self.crawl_id()
        self.state.analyses.append(analyse_internal(self.store, crawl_id, self.settings))
        self.state.analyses.append(analyse_backlinks(self.store, crawl_id, self.settings))
        return self

    def check(self, fail_on: Sequence[str]) -> GateResult:
        """Evaluate the CI gate on the newest crawl (run :meth:`analyse` first)."""
        from linkflow.analyses.gate import gate

        return gate(self.store, self.crawl_id(), fail_on)

    # ------------------------------------------------------------------ presentation
    def report(self) -> Path:
        """Write ``report/index.html`` and its CSV exports; return the report's path."""
        from linkflow.report import write_report

        crawl_id = self.crawl_id()
        return write_report(self.store, crawl_id, self.report_dir, self.settings.report)

    def export(self, table: str, fmt: str, output: Path | str) -> int:
        """Write one table as csv, json or parquet; return the number of rows."""
        from linkflow.report import export_table

        return export_table(self.store, table, fmt, Path(output))
