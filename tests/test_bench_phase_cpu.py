"""The crawl bench's CPU by phase: each phase gets the CPU its process tree spent in it."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from crawl_bench import run_measured

# A stand-in crawl that reports its phases as linkflow does (JSON lines on stderr): while
# "fetching" it burns CPU itself, in "store" a child process of its burns CPU, in
# "templates" nothing runs but a sleep.
_CRAWL = textwrap.dedent(
    """
    import json, subprocess, sys, time

    def event(**fields):
        print(json.dumps(fields), file=sys.stderr, flush=True)

    def burn(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    event(event="crawl_start")
    burn(0.6)
    event(event="crawl_stage", stage="store")
    child = "import time\\nend = time.process_time() + 0.6\\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", child], check=True)
    event(event="crawl_stage", stage="templates")
    time.sleep(0.6)
    event(event="crawl_finish", pages=1, seconds=1.8)
    print(json.dumps({"pages": 1, "seconds": 1.8}))
    """
)


def test_each_phase_gets_the_cpu_spent_in_it(tmp_path: Path) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(_CRAWL)
    measured = run_measured([sys.executable, str(script)], events=True)
    phases = measured.phases
    assert measured.result == {"pages": 1, "seconds": 1.8}
    # The CPU burnt in the crawl process itself, and in a child it waited for.
    assert 0.45 <= phases["fetching"].cpu <= 1.2
    assert 0.45 <= phases["store"].cpu <= 1.2
    # A phase that only sleeps spent next to nothing: no CPU leaks into it.
    assert phases["templates"].cpu < 0.2
    assert phases["templates"].seconds >= 0.5
