"""The audit command's warm-up: later stages' imports run on a thread once fetching ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from linkflow.cli.warm import LATER_MODULES, WarmUp
from linkflow.crawl import CrawlStats
from linkflow.models import CrawlSummary


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, *, crawl_id: int, seeds: list[str], resumed: bool, store: str) -> None:
        self.events.append(("start", (crawl_id, seeds, resumed, store)))

    def update(self, stats: CrawlStats) -> None:
        self.events.append(("update", stats))

    def stage(self, name: str, detail: str) -> None:
        self.events.append(("stage", (name, detail)))

    def finish(self, summary: CrawlSummary) -> None:
        self.events.append(("finish", summary))


def _thread(warm: WarmUp) -> threading.Thread | None:
    return warm.thread


def test_every_event_reaches_the_inner_progress_and_the_thread_starts_at_the_store() -> None:
    inner = _Recorder()
    warm = WarmUp(inner)
    stats = CrawlStats(pages=3, queued=1, in_flight=0, errors=0, links=9, elapsed=0.5, max_pages=10)
    summary = CrawlSummary(crawl_id=7, pages=3, links=9, errors=0)
    warm.start(crawl_id=7, seeds=["https://example.com/"], resumed=False, store="a.duckdb")
    warm.update(stats)
    assert _thread(warm) is None  # nothing runs while pages are fetched
    warm.stage("store", "storing the crawl")
    thread = _thread(warm)
    assert thread is not None
    warm.stage("templates", "finding templates")
    assert warm.thread is thread  # one thread per crawl
    warm.finish(summary)
    warm.wait(timeout=60)
    assert not thread.is_alive()
    assert inner.events == [
        ("start", (7, ["https://example.com/"], False, "a.duckdb")),
        ("update", stats),
        ("stage", ("store", "storing the crawl")),
        ("stage", ("templates", "finding templates")),
        ("finish", summary),
    ]


def test_the_thread_imports_the_later_stages_and_survives_a_missing_module() -> None:
    """In a fresh interpreter: nothing of the later stages is loaded before the store stage,
    everything is after it, and a module that cannot be imported stops nothing."""
    script = textwrap.dedent(
        f"""
        import sys
        from linkflow.cli import warm
        later = {list(LATER_MODULES)!r}
        assert not [m for m in later if m in sys.modules], "loaded too early"
        warm.LATER_MODULES = ("linkflow_no_such_module", *later)
        progress = warm.WarmUp(None)
        progress.stage("store", "storing the crawl")
        progress.thread.join(timeout=120)
        missing = [m for m in later if m not in sys.modules]
        assert not missing, missing
        # ... and the Public Suffix List was read (tldextract reads it at the first lookup)
        from linkflow.urls import _extractor
        assert _extractor()._extractor is not None, "the suffix list was not read"
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_collector_is_off_while_the_thread_imports_and_on_again_after_a_failure() -> None:
    """In a fresh interpreter: every import of the warm-up runs with the cyclic collector
    off, what the imports made is frozen, and the collector is on again at the end even
    though an import failed."""
    script = textwrap.dedent(
        """
        import gc, importlib, sys
        from linkflow.cli import warm
        states = []
        real = importlib.import_module
        def recording(name, package=None):
            states.append(gc.isenabled())
            if name == "linkflow_no_such_module":
                raise ImportError(name)
            return real(name, package)
        warm.importlib.import_module = recording
        warm.LATER_MODULES = ("linkflow_no_such_module", *warm.LATER_MODULES)
        assert gc.isenabled() and gc.get_freeze_count() == 0
        progress = warm.WarmUp(None)
        progress.stage("store", "storing the crawl")
        progress.thread.join(timeout=120)
        assert len(states) > len(warm.ANALYSIS_MODULES), states
        assert not any(states), states
        assert gc.isenabled()
        assert "scipy.sparse" in sys.modules
        assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_http_client_is_imported_early_for_a_url_and_never_for_a_folder(tmp_path: Path) -> None:
    """In fresh interpreters: a URL target starts the HTTP client's import on its thread,
    which ends with aiohttp loaded; a build folder starts nothing and loads nothing."""
    script = textwrap.dedent(
        """
        import sys, threading
        from linkflow.cli.warm import import_http_client
        assert "aiohttp" not in sys.modules
        import_http_client(sys.argv[1])
        threads = [t for t in threading.enumerate() if t.name == "linkflow-http"]
        for t in threads:
            t.join(timeout=120)
        print(len(threads), "aiohttp" in sys.modules, "linkflow.crawl.httpfetch" in sys.modules)
        """
    )
    for target, expected in (
        (str(tmp_path), "0 False False"),
        ("https://example.com/", "1 True True"),
    ):
        out = subprocess.run(
            [sys.executable, "-c", script, target],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == expected, target
