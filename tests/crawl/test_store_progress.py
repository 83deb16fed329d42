"""How far the storing has gone: each journal part loaded and each step of the template pass
reach the progress reporters that listen for them, and the others are left alone."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from rich.console import Console

import linkflow.crawl.journal as journal_module
from linkflow.cli.warm import WarmUp
from linkflow.crawl import JsonProgress, RichProgress, crawl_site
from linkflow.crawl.progress import CrawlStats
from linkflow.models import CrawlSummary
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, numbered_site, settings

Serve = Callable[[web.Application], Server]


class _Steps:
    """A reporter with the optional ``step`` method, keeping every call in order: as
    ``(stage, None)`` for a stage, ``(stage, (done, total))`` for a step and ``("finish",
    None)``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[int, int] | None]] = []

    def start(self, **_: object) -> None: ...

    def update(self, stats: CrawlStats) -> None: ...

    def stage(self, name: str, detail: str) -> None:
        self.calls.append((name, None))

    def step(self, name: str, done: int, total: int) -> None:
        self.calls.append((name, (done, total)))

    def finish(self, summary: CrawlSummary) -> None:
        self.calls.append(("finish", None))


class _FourMethods:
    """A reporter written before ``step`` existed."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def start(self, **_: object) -> None: ...

    def update(self, stats: CrawlStats) -> None: ...

    def stage(self, name: str, detail: str) -> None:
        self.stages.append(name)

    def finish(self, summary: CrawlSummary) -> None: ...


def _steps(calls: list[tuple[str, tuple[int, int] | None]], stage: str) -> list[tuple[int, int]]:
    return [step for name, step in calls if name == stage and step is not None]


def test_each_journal_part_and_each_template_step_is_reported(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A part a batch: the journal of this small crawl is then several parts.
    monkeypatch.setattr(journal_module, "PART_BYTES", 1)
    seed = serve(numbered_site(60)).url + "/"
    progress = _Steps()
    with Store.open(tmp_path / "audit.duckdb") as store:
        summary = crawl_site(store, [seed], settings(), EXTRACT, progress=progress)
    assert summary.pages > 60

    stored = _steps(progress.calls, "store")
    parts = stored[0][1]
    assert parts >= 2
    assert stored == [(done, parts) for done in range(parts + 1)]  # 0, 1, ... all, in order
    # The template pass: one step a table it builds (eight), then the writing of the result.
    assert _steps(progress.calls, "templates") == [(done, 9) for done in range(10)]
    # Each stage starts, then its steps come, before the next stage starts.
    assert progress.calls == [
        ("store", None),
        *(("store", step) for step in stored),
        ("templates", None),
        *(("templates", (done, 9)) for done in range(10)),
        ("finish", None),
    ]


def test_a_reporter_without_step_is_left_alone(serve: Serve, tmp_path: Path) -> None:
    seed = serve(numbered_site(10)).url + "/"
    progress = _FourMethods()
    with Store.open(tmp_path / "audit.duckdb") as store:
        summary = crawl_site(store, [seed], settings(), EXTRACT, progress=progress)
    assert summary.pages > 10
    assert progress.stages == ["store", "templates"]


def test_json_steps_come_at_most_once_a_second_but_each_stage_s_first_and_last() -> None:
    stream = io.StringIO()
    reporter = JsonProgress(stream, every=3600.0)
    for done in range(6):
        reporter.step("store", done, 5)
    for done in range(10):
        reporter.step("templates", done, 9)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines == [
        {"event": "crawl_step", "stage": "store", "done": 0, "total": 5},
        {"event": "crawl_step", "stage": "store", "done": 5, "total": 5},
        {"event": "crawl_step", "stage": "templates", "done": 0, "total": 9},
        {"event": "crawl_step", "stage": "templates", "done": 9, "total": 9},
    ]
    every = io.StringIO()
    reporter = JsonProgress(every, every=0.0)
    for done in range(4):
        reporter.step("store", done, 3)
    assert [json.loads(line)["done"] for line in every.getvalue().splitlines()] == [0, 1, 2, 3]


def _bars(reporter: RichProgress) -> list[tuple[str, str, float | None, float]]:
    """The bars shown: label, figures, total and completed."""
    return [
        (task.description, task.fields["counts"], task.total, task.completed)
        for task in reporter._progress.tasks
        if task.visible
    ]


def test_each_stage_after_the_fetching_has_a_bar_of_its_own_with_its_steps() -> None:
    reporter = RichProgress(Console(file=io.StringIO(), width=120))
    reporter.start(crawl_id=1, seeds=["https://example.com/"], resumed=False, store="a.duckdb")
    stats = CrawlStats(
        pages=20, queued=0, in_flight=0, errors=1, links=90, elapsed=2.0, max_pages=99
    )
    reporter.update(stats)
    assert _bars(reporter) == [("crawl", "     20 pages  queue 0  10 pages/s  errors 1", 20, 20)]
    fetching = reporter._progress.tasks[0]
    assert fetching.finished  # its clock has stopped: the stages' bars keep their own

    reporter.stage("store", "storing the crawl")
    store_bar = reporter._progress.tasks[-1]
    assert _bars(reporter) == [("storing the crawl", "", None, 0)]
    assert not store_bar.finished  # no steps known yet: its clock runs
    reporter.step("store", 37, 1200)
    assert _bars(reporter) == [("storing the crawl", "37 of 1,200 journal parts", 1200, 37)]
    reporter.update(stats)  # a late figure of the fetching changes nothing now
    assert _bars(reporter) == [("storing the crawl", "37 of 1,200 journal parts", 1200, 37)]
    reporter.step("templates", 3, 9)  # not this stage's step: ignored
    assert _bars(reporter) == [("storing the crawl", "37 of 1,200 journal parts", 1200, 37)]

    reporter.stage("templates", "finding templates")
    reporter.step("templates", 4, 9)
    assert _bars(reporter) == [("finding templates", "4 of 9 steps", 9, 4)]
    assert reporter._progress.tasks[-1] is not store_bar
    reporter.stage("store", "storing the crawl")
    reporter.step("store", 0, 1)  # one of a kind: no plural
    assert _bars(reporter) == [("storing the crawl", "0 of 1 journal part", 1, 0)]
    reporter.finish(CrawlSummary(crawl_id=1, pages=20, links=90, errors=1))


def test_the_audit_s_warm_up_passes_the_steps_on() -> None:
    inner = _Steps()
    warm = WarmUp(inner)
    warm.step("store", 1, 2)
    assert inner.calls == [("store", (1, 2))]
    WarmUp(_FourMethods()).step("store", 1, 2)  # an inner reporter without step: nothing
    WarmUp(None).step("store", 1, 2)
