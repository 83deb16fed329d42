"""Time `linkflow audit` end to end on one site, stage by stage.

Runs the real command (``python -m linkflow audit TARGET --log-format json``) into a fresh
audit folder and stamps each JSON progress line as it arrives, so the wall and CPU seconds
split into the stages a user waits through:

- **start-up**: from the process start to the crawl's first event (imports, settings,
  opening the store);
- **crawl**: the crawl, from its start to its finish event;
- **between**: the imports and the check of known URLs;
- **analyse**, **suggest**, **report**: each stage from its start to its finish event;
- **summary + exit**: the printed summary and the process's exit.

CPU is the whole process tree's (the crawl's parse workers included), read from /proc at
each event, so this runs on Linux. With ``--steps`` the steps inside each stage are shown
too. The site must be served already, e.g. the PostgreSQL 15 docs by nginx::

    python bench/audit_bench.py http://127.0.0.1:8103/ --runs 3
    python bench/audit_bench.py tests/sites/trapped-blog -- --base-url https://example.com
    python bench/audit_bench.py --demo            # `linkflow demo` instead

Arguments after ``--`` go to ``linkflow audit`` as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")

STAGES = ["start-up", "crawl", "between", "analyse", "suggest", "report", "summary + exit"]


def _proc_cpu(pid: int) -> float:
    """CPU seconds of process ``pid`` and its waited-for children (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # Fields after the name: state is [0]; utime, stime, cutime, cstime are [11:15].
    return sum(int(x) for x in fields[11:15]) / TICK


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                out.extend(int(x) for x in f.read().split())
        except OSError:
            continue
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and every live descendant (and the ones they waited for)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _proc_cpu(current)
        todo.extend(_children(current))
    return total


@dataclass
class Mark:
    """One progress event: when it came (seconds since the start) and the tree's CPU then."""

    event: str
    name: str
    wall: float
    cpu: float


@dataclass
class Run:
    """One run's marks and totals."""

    wall: float
    cpu: float
    marks: list[Mark] = field(default_factory=list)
    pages: int = 0

    def stages(self) -> dict[str, tuple[float, float]]:
        """``stage -> (wall, cpu)`` between the marks that bound it (absent stages: 0)."""
        points: dict[str, tuple[float, float]] = {"begin": (0.0, 0.0)}
        for m in self.marks:
            points.setdefault(f"{m.event}:{m.name}", (m.wall, m.cpu))
        points["end"] = (self.wall, self.cpu)
        bounds = {
            "start-up": ("begin", "crawl_start:fetching"),
            "crawl": ("crawl_start:fetching", "crawl_finish:"),
            "between": ("crawl_finish:", "stage_start:analyse"),
            "analyse": ("stage_start:analyse", "stage_finish:analyse"),
            "suggest": ("stage_start:suggest", "stage_finish:suggest"),
            "report": ("stage_start:report", "stage_finish:report"),
            "summary + exit": ("stage_finish:report", "end"),
        }
        out: dict[str, tuple[float, float]] = {}
        for stage, (a, b) in bounds.items():
            if a in points and b in points:
                out[stage] = (points[b][0] - points[a][0], points[b][1] - points[a][1])
            else:
                out[stage] = (0.0, 0.0)
        return out

    def steps(self) -> list[tuple[str, float, float]]:
        """``(stage: step, wall, cpu)`` for each phase of the crawl (fetching, then each
        ``crawl_stage``) and each step of the stages after it."""
        out: list[tuple[str, float, float]] = []
        phase: Mark | None = None
        for m in self.marks:
            if phase is not None and m.event in ("crawl_stage", "crawl_finish"):
                out.append((f"crawl: {phase.name}", m.wall - phase.wall, m.cpu - phase.cpu))
                phase = None
            if m.event in ("crawl_start", "crawl_stage"):
                phase = m
        open_step: Mark | None = None
        for m in self.marks:
            if open_step is not None and m.event in ("stage_progress", "stage_finish"):
                out.append((open_step.name, m.wall - open_step.wall, m.cpu - open_step.cpu))
                open_step = None
            if m.event == "stage_progress":
                open_step = m
        return out


def run_once(cmd: list[str], env: dict[str, str]) -> Run:
    """Run ``cmd`` and stamp its JSON progress lines (stderr) as they arrive."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    stdout: list[str] = []
    reader = threading.Thread(target=lambda: stdout.extend(proc.stdout or []), daemon=True)
    reader.start()
    marks: list[Mark] = []
    errors: list[str] = []
    pages = 0
    last_cpu = 0.0
    for line in proc.stderr:
        now = time.perf_counter() - start
        try:
            event = json.loads(line)
        except ValueError:
            errors.append(line)
            continue
        kind = event.get("event", "")
        if kind == "crawl_progress":
            continue
        last_cpu = max(last_cpu, tree_cpu(proc.pid))
        name = event.get("stage") if kind.startswith("stage_") else ""
        if kind == "crawl_start":
            name = "fetching"
        elif kind == "crawl_stage":
            name = str(event.get("stage", ""))
        if kind == "stage_progress":
            name = f"{event['stage']}: {event['step']}"
        if kind == "crawl_finish":
            pages = int(event.get("pages", 0))
        marks.append(Mark(kind, name or "", now, last_cpu))
    proc.wait()
    wall = time.perf_counter() - start
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{''.join(errors[-20:])}")
    return Run(wall=wall, cpu=cpu, marks=marks, pages=pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", help="URL or build folder to audit")
    parser.add_argument("--demo", action="store_true", help="time `linkflow demo` instead")
    parser.add_argument("--runs", type=int, default=1, help="runs; the median is printed")
    parser.add_argument("--steps", action="store_true", help="also the steps of each stage")
    parser.add_argument("--keep", type=Path, default=None, help="keep the last audit here")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    if not args.demo and not args.target:
        parser.error("give a TARGET or --demo")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs: list[Run] = []
    for _ in range(max(1, args.runs)):
        folder = Path(tempfile.mkdtemp(prefix="audit-bench-"))
        try:
            audit = ["--audit", str(folder / "audit")]
            if args.demo:
                # `demo` has no --log-format: its stages still print nothing to a pipe, so
                # only the totals are measured.
                cmd = [sys.executable, "-m", "linkflow", "demo", *audit, "--quiet", *extra]
            else:
                cmd = [sys.executable, "-m", "linkflow", "audit", args.target, *audit,
                       "--log-format", "json", *extra]  # fmt: skip
            runs.append(run_once(cmd, env))
            if args.keep is not None:
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.copytree(folder / "audit", args.keep)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    _print(args.target or "demo", runs, steps=args.steps)
    return 0


def _print(target: str, runs: list[Run], *, steps: bool) -> None:
    n = len(runs)
    pages = runs[-1].pages
    print(f"linkflow audit {target}: {pages:,} pages, median of {n} run{'s' * (n > 1)}")
    print(f"{'stage':<40} {'wall s':>8} {'cpu s':>8}")
    per_run = [r.stages() for r in runs]
    for stage in STAGES:
        wall = median(s[stage][0] for s in per_run)
        cpu = median(s[stage][1] for s in per_run)
        if wall or cpu:
            print(f"{stage:<40} {wall:>8.2f} {cpu:>8.2f}")
    if steps:
        for name, wall, cpu in runs[-1].steps():
            print(f"  {name[:38]:<38} {wall:>8.2f} {cpu:>8.2f}")
    print(f"{'total':<40} {median(r.wall for r in runs):>8.2f} {median(r.cpu for r in runs):>8.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
