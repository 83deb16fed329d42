"""Progress of the long stages after the crawl: analyse, report and import.

A stage is a short, known list of steps (build the link graph, solve PageRank, write each
export ...). The code of a stage only says which step starts, through a :data:`Step`
callback (``step("pagerank")``); :class:`Stage` counts and times the steps and tells a
:class:`StageProgress` reporter: :class:`RichStages` draws a live bar on a terminal,
:class:`JsonStages` writes one JSON object per line for logs, and ``None`` reports nothing.

The crawl has its own, richer protocol (:mod:`linkflow.crawl.progress`): pages per second
and a queue, where these stages have steps.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["JsonStages", "RichStages", "Stage", "StageProgress", "Step", "no_step"]

Step = Callable[[str], None]
"""What a stage's code calls as each step starts, with the step's name for people."""


def no_step(name: str) -> None:
    """The :data:`Step` of a stage nobody watches."""


class StageProgress(Protocol):
    """What a stage reports to: ``start`` → ``step``… → ``finish``, once per stage run.

    ``done`` counts the steps finished before the one that starts; ``total`` is the steps
    planned (it grows if a stage takes more than planned, so ``done <= total`` always).
    """

    def start(self, stage: str, total: int) -> None: ...

    def step(self, stage: str, name: str, done: int, total: int) -> None: ...

    def finish(self, stage: str, done: int, seconds: float, *, ok: bool) -> None:
        """The stage ended after ``done`` steps, completely (``ok``) or by an error or
        Ctrl-C; a live display is taken down either way."""


class Stage:
    """One run of stage ``name`` with ``total`` planned steps, as a context manager.

    Calling it (``stage("pagerank")``) starts the next step, so it is the :data:`Step` the
    stage's code takes. Leaving the block finishes the stage, also on an error, so a live
    bar never outlives it. With ``progress=None`` it only counts.
    """

    def __init__(self, name: str, progress: StageProgress | None, total: int) -> None:
        self.name = name
        self.progress = progress
        self.total = max(0, total)
        self.done = 0
        self._started = 0.0
        self._current: str | None = None

    def __enter__(self) -> Stage:
        self._started = time.monotonic()
        if self.progress is not None:
            self.progress.start(self.name, self.total)
        return self

    def __call__(self, name: str) -> None:
        if self._current is not None:
            self.done += 1
        self._current = name
        self.total = max(self.total, self.done + 1)
        if self.progress is not None:
            self.progress.step(self.name, name, self.done, self.total)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        ok = exc_type is None
        if ok and self._current is not None:
            self.done += 1  # the last step ended with the stage
        self._current = None
        if self.progress is not None:
            seconds = round(time.monotonic() - self._started, 3)
            self.progress.finish(self.name, self.done, seconds, ok=ok)


class RichStages:
    """A live bar on stderr: the stage and its step, steps done of planned, elapsed time.

    Transient: it disappears when the stage ends, leaving the command's own output.
    """

    def __init__(self, console: Console | None = None) -> None:
        # rich is imported here: a run reporting elsewhere, or not at all, never loads it.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._task: Any = None

    def start(self, stage: str, total: int) -> None:
        from rich.markup import escape

        self._progress.start()
        self._task = self._progress.add_task(escape(stage), total=total or None)

    def step(self, stage: str, name: str, done: int, total: int) -> None:
        from rich.markup import escape

        if self._task is None:
            return
        # Step names may hold file names: escaped, so no "[...]" in them reads as markup.
        description = f"[bold]{escape(stage)}[/]: {escape(name)}"
        self._progress.update(self._task, description=description, completed=done, total=total)
        self._progress.refresh()  # steps are few and slow: show each one as it starts

    def finish(self, stage: str, done: int, seconds: float, *, ok: bool) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
        self._progress.stop()


class JsonStages:
    """One JSON object per line (``--log-format json``), on stderr by default.

    Events: ``stage_start`` (stage, total), ``stage_progress`` (stage, step, done, total,
    elapsed seconds) and ``stage_finish`` (stage, done, seconds, ok). Steps are few, so
    every one is written.
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self._started = time.monotonic()

    def _emit(self, event: str, **data: Any) -> None:
        self.stream.write(json.dumps({"event": event, **data}, default=str) + "\n")
        self.stream.flush()

    def start(self, stage: str, total: int) -> None:
        self._started = time.monotonic()
        self._emit("stage_start", stage=stage, total=total)

    def step(self, stage: str, name: str, done: int, total: int) -> None:
        elapsed = round(time.monotonic() - self._started, 3)
        self._emit(
            "stage_progress", stage=stage, step=name, done=done, total=total, elapsed=elapsed
        )

    def finish(self, stage: str, done: int, seconds: float, *, ok: bool) -> None:
        self._emit("stage_finish", stage=stage, done=done, seconds=seconds, ok=ok)
