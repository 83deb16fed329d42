"""A parse worker imports the parser with the cyclic garbage collector off, then freezes what
the imports made and turns the collector on for its pages. The worker runs the pool's own
command, with no page to parse, behind a hook that counts every collection and reports the
collector's state once the worker has ended."""

from __future__ import annotations

import subprocess
import sys

from linkflow.crawl.workers import _WORKER

_HOOK = (
    "import atexit, gc, sys; runs = []; "
    "gc.callbacks.append(lambda phase, info: phase == 'start' and runs.append(1)); "
    "atexit.register(lambda: sys.__stderr__.write("
    "f'{len(runs)} {gc.isenabled()} {gc.get_freeze_count()} {gc.get_threshold()[0]}')); "
)


def test_no_collection_while_the_worker_imports_and_the_collector_on_after() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _HOOK + _WORKER],
        input=b"",  # no page: the worker says it is ready and ends with its input
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    collections, enabled, frozen, threshold = done.stderr.decode().split()[-4:]
    assert collections == "0"  # the imports ran with the collector off
    assert enabled == "True"  # and it is on for the pages
    assert int(frozen) > 10_000  # what the imports made is never scanned again
    assert threshold == "10000"
