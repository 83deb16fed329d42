"""Loading the later stages' code while a crawl is stored, for commands that run them all.

After its pages are fetched, a crawl loads its journal into DuckDB on one thread, which
leaves the interpreter free (DuckDB releases it while it works) and, on a machine of two
cores or more, a core idle. The later stages of an audit first import their libraries
(SciPy's sparse matrices, pyarrow, the Public Suffix List, segtok: about a second
on a small machine, paid by every audit however small its site). :class:`WarmUp` imports
them on a thread in that gap, so the analysis starts with them loaded.

Only imports run on the thread, and the first reading of the Public Suffix List (which
tldextract defers to its first lookup): they change nothing the stages compute, and a
module that fails to import there is imported again, and its error reported, where it is
used.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from linkflow.crawl.fetch import preload_http_client
from linkflow.crawl.progress import report_step

if TYPE_CHECKING:
    from linkflow.crawl import CrawlProgress, CrawlStats
    from linkflow.models import CrawlSummary

__all__ = ["ANALYSIS_MODULES", "LATER_MODULES", "WarmUp", "import_http_client", "warm_up"]

ANALYSIS_MODULES = (
    "linkflow.analyses.backlinks",
    "linkflow.analyses.internal",
    "linkflow.analyses.persist",
    "linkflow.analyses.verdict",
    "tldextract",
)
"""What ``analyse`` imports first: once these are in, the Public Suffix List read and pandas
loaded (see :func:`warm_up`), the analysis can start while the rest are imported."""
LATER_MODULES = (*ANALYSIS_MODULES, "linkflow.recommend.stage", "linkflow.report")
"""What ``analyse``, ``suggest`` and ``report`` import first (the last two lazily, inside
the functions that use them), in the order they need them."""


def warm_up() -> None:
    """Import :data:`LATER_MODULES`, read the Public Suffix List and let pyarrow load
    pandas where it is installed, in the order the stages need them; an import that fails
    is left for its user to repeat and report.

    The cyclic garbage collector is off meanwhile, and what is alive at the end is frozen
    (never scanned again): the imports make hundreds of thousands of objects that live as
    long as the process, and with the collector on they were scanned by young collections
    as they came, 45 ms of the interpreter's time in a PostgreSQL docs audit (80 ms of
    collections in all, 35 ms without these). The collector is on again afterwards, even
    when an import fails.
    """
    gc.disable()
    try:
        _warm_up()
    finally:
        gc.freeze()
        gc.enable()


def _warm_up() -> None:
    _import(ANALYSIS_MODULES)
    with contextlib.suppress(Exception):
        from linkflow.urls import assigned_domain

        # The Public Suffix List is read at its first lookup, not when imported (20-40 ms).
        assigned_domain("example.com")
    with contextlib.suppress(Exception):
        import pyarrow

        # The stages' first Arrow-to-NumPy conversion makes pyarrow look for pandas, and
        # import it where it is installed (a third of a second).
        pyarrow.array([0]).to_numpy()
    _import(LATER_MODULES)  # the rest: a module already imported is one dictionary lookup


def _import(modules: tuple[str, ...]) -> None:
    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def import_http_client(target: str) -> None:
    """Start importing the HTTP client while the command opens the audit, when ``target``
    is crawled over HTTP (it is no folder): see
    :func:`linkflow.crawl.fetch.preload_http_client`."""
    if not Path(target).is_dir():
        preload_http_client()


class WarmUp:
    """A crawl progress that passes every event on to ``inner`` (if any) and, once the
    fetching is over (the ``store`` stage), starts :func:`warm_up` on a daemon thread."""

    def __init__(self, inner: CrawlProgress | None) -> None:
        self.inner = inner
        self.thread: threading.Thread | None = None

    def start(self, *, crawl_id: int, seeds: list[str], resumed: bool, store: str) -> None:
        if self.inner is not None:
            self.inner.start(crawl_id=crawl_id, seeds=seeds, resumed=resumed, store=store)

    def update(self, stats: CrawlStats) -> None:
        if self.inner is not None:
            self.inner.update(stats)

    def stage(self, name: str, detail: str) -> None:
        if name == "store" and self.thread is None:
            self.thread = threading.Thread(target=warm_up, name="linkflow-warm-up", daemon=True)
            self.thread.start()
        if self.inner is not None:
            self.inner.stage(name, detail)

    def step(self, name: str, done: int, total: int) -> None:
        report_step(self.inner, name, done, total)

    def finish(self, summary: CrawlSummary) -> None:
        if self.inner is not None:
            self.inner.finish(summary)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the imports to end, so a command that stops early (an error, Ctrl-C)
        never exits with an import half done on another thread."""
        if self.thread is not None:
            self.thread.join(timeout)
