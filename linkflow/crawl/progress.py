"""Crawl progress reporters: a live rich bar, JSON lines for logs, or nothing (``None``).

The engine calls ``start`` once, ``update`` about twice a second, ``stage`` as the run moves
on from fetching to storing, ``step`` (where the reporter has it: see :func:`report_step`)
as the storing goes, and ``finish`` once; a reporter only formats what it is given and never
touches the crawl.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING, Any, Final, Protocol

from linkflow.models import CrawlSummary

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "CrawlProgress",
    "CrawlStats",
    "JsonProgress",
    "RichProgress",
    "StepProgress",
    "report_step",
]

_STEP_UNITS: Final = {"store": ("journal part", "journal parts"), "templates": ("step", "steps")}
"""What the steps of each stage after the fetching count: (one, several)."""


@dataclass(slots=True)
class CrawlStats:
    """A snapshot of a running crawl."""

    pages: int
    queued: int
    in_flight: int
    errors: int
    links: int
    elapsed: float
    max_pages: int

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0


class CrawlProgress(Protocol):
    """What the crawler reports to: ``start`` → ``update``… → ``stage``… → ``finish``."""

    def start(self, *, crawl_id: int, seeds: list[str], resumed: bool, store: str) -> None: ...

    def update(self, stats: CrawlStats) -> None: ...

    def stage(self, name: str, detail: str) -> None:
        """The fetching is over and the run is now at ``name``, ``detail`` saying what for
        people: ``"store"``, the journal loads into the store; ``"templates"``, the
        template pass."""

    def finish(self, summary: CrawlSummary) -> None: ...


class StepProgress(Protocol):
    """A reporter that also hears how far a stage after the fetching has gone."""

    def step(self, name: str, done: int, total: int) -> None:
        """``done`` of the ``total`` steps of stage ``name`` are over (``"store"``: journal
        parts loaded; ``"templates"``: the template pass's steps). Called with ``done`` 0
        when the stage starts and last with ``done == total``."""


def report_step(progress: CrawlProgress | None, name: str, done: int, total: int) -> None:
    """Tell ``progress`` that ``done`` of ``total`` steps of stage ``name`` are over, if it
    has a ``step`` method (:class:`StepProgress`): a reporter written for the four methods
    of :class:`CrawlProgress` goes on working without it."""
    step = getattr(progress, "step", None)
    if callable(step):
        step(name, done, total)


class RichProgress:
    """Live bar (pages, queue, pages/s, errors, elapsed, ETA) and a one-screen summary.

    Once the fetching is over, each stage after it (storing, templates) has a bar of its
    own: its label, its steps where the crawl reports them (:meth:`step`), and its own
    elapsed time and ETA, so a long storing never shows a stopped clock."""

    def __init__(self, console: Console | None = None) -> None:
        # rich is imported here: a crawl reporting elsewhere, or not at all, never loads it.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console or Console(stderr=True)
        self._store = ""
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._task: Any = None
        """The bar of what the run does now: the fetching, then each stage after it."""
        self._stage = ""

    def start(self, *, crawl_id: int, seeds: list[str], resumed: bool, store: str) -> None:
        self._store = store
        verb = "Resuming" if resumed else "Starting"
        self.console.print(f"{verb} crawl {crawl_id} of {', '.join(seeds)}")
        self._progress.start()
        self._task = self._progress.add_task("crawl", total=None, counts=_counts(0, 0, 0.0, 0))

    def update(self, stats: CrawlStats) -> None:
        if self._task is None or self._stage:
            return
        # The total is what is known so far: fetched plus waiting, never above the cap.
        total = min(stats.max_pages, stats.pages + stats.queued + stats.in_flight)
        self._progress.update(
            self._task,
            completed=stats.pages,
            total=max(total, stats.pages),
            counts=_counts(stats.pages, stats.queued, stats.pages_per_second, stats.errors),
        )

    def stage(self, name: str, detail: str) -> None:
        if self._task is None:
            return
        # The bar before goes; the stage's own starts with no steps known (a moving bar).
        self._progress.update(self._task, visible=False)
        self._stage = name
        self._task = self._progress.add_task(detail, total=None, counts="")

    def step(self, name: str, done: int, total: int) -> None:
        """The stage's bar fills with its steps: "storing the crawl ━━━━ 37 of 95 journal
        parts", with the stage's elapsed time and an ETA."""
        if self._task is None or name != self._stage:
            return
        one, several = _STEP_UNITS.get(name, ("step", "steps"))
        counts = f"{done:,} of {total:,} {one if total == 1 else several}"
        self._progress.update(self._task, completed=done, total=total, counts=counts)

    def finish(self, summary: CrawlSummary) -> None:
        from rich.table import Table

        self._progress.stop()
        table = Table(title=f"Crawl {summary.crawl_id}", show_header=False, box=None)
        state = "interrupted" if summary.interrupted else "finished"
        table.add_row("state", state + (" (resumed)" if summary.resumed else ""))
        table.add_row("pages", f"{summary.pages:,}")
        for status, count in sorted(summary.by_status.items()):
            table.add_row(f"  status {status or 'none'}", f"{count:,}")
        table.add_row("links", f"{summary.links:,}")
        table.add_row("errors", f"{summary.errors:,}")
        table.add_row("time", f"{summary.seconds:.1f} s")
        table.add_row("store", self._store)
        self.console.print(table)


def _counts(pages: int, queued: int, rate: float, errors: int) -> str:
    """The fetching bar's figures."""
    return f"{pages:>7,} pages  queue {queued:,}  {rate:.0f} pages/s  errors {errors:,}"


class JsonProgress:
    """One JSON object per line (``--log-format json``), on stderr by default."""

    def __init__(self, stream: IO[str] | None = None, *, every: float = 1.0) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self._last = 0.0
        self._last_step = 0.0

    def _emit(self, event: str, **data: Any) -> None:
        self.stream.write(json.dumps({"event": event, **data}, default=str) + "\n")
        self.stream.flush()

    def start(self, *, crawl_id: int, seeds: list[str], resumed: bool, store: str) -> None:
        self._emit("crawl_start", crawl_id=crawl_id, seeds=seeds, resumed=resumed, store=store)

    def update(self, stats: CrawlStats) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        data = asdict(stats)
        data["pages_per_second"] = round(stats.pages_per_second, 1)
        self._emit("crawl_progress", **data)

    def stage(self, name: str, detail: str) -> None:
        self._emit("crawl_stage", stage=name, detail=detail)

    def step(self, name: str, done: int, total: int) -> None:
        """A ``crawl_step`` event: at most one a second, but always a stage's first and
        last."""
        now = time.monotonic()
        if 0 < done < total and now - self._last_step < self.every:
            return
        self._last_step = now
        self._emit("crawl_step", stage=name, done=done, total=total)

    def finish(self, summary: CrawlSummary) -> None:
        data = asdict(summary)
        data["by_status"] = {str(k): v for k, v in summary.by_status.items()}
        self._emit("crawl_finish", **data)
