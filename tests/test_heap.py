"""The heap settings of linkflow's own processes (glibc only: CI runs on Linux)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from linkflow import heap

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="glibc's allocator")

# Forty blocks of a size (1.5 MB unless told), each followed by a small block that stays:
# once the forty are freed, how many MB of them left the process? An 8 MB block freed first
# raises glibc's moving threshold above them, as a crawl's first big page does.
_PROBE = """
import sys
from linkflow.heap import map_large_blocks
if sys.argv[1] == "on":
    assert map_large_blocks()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 >> 20
size = int(sys.argv[2])
big = bytearray(8 << 20)
del big
blocks, kept = [], []
for _ in range(40):
    blocks.append(bytearray(size))
    kept.append(bytearray(2000))
before = rss()
del blocks
print(before - rss())
"""


def _returned_mb(mode: str, size: int = 3 << 19) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, str(size)], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def test_big_blocks_go_back_to_the_system_once_freed() -> None:
    assert _returned_mb("on") >= 57


def test_the_blocks_of_ordinary_pages_stay_in_the_heap() -> None:
    # Half a megabyte (a documentation page): mapping and faulting in such blocks afresh
    # for every page cost a crawl 5-6 % CPU, so they are left to the heap as glibc has it.
    assert _returned_mb("on", 1 << 19) <= 2


def test_without_it_glibc_keeps_them_after_a_bigger_block_was_freed() -> None:
    # What map_large_blocks is for: the same allocations keep the memory resident.
    assert _returned_mb("off") <= 2


def test_the_parse_worker_and_the_command_line_map_big_blocks() -> None:
    # Both processes are linkflow's own; a library user's process is left alone.
    probe = (
        "import sys, linkflow.heap as heap\n"
        "calls = []\n"
        "heap.map_large_blocks = lambda *a: calls.append(a) or True\n"
        "import linkflow.cli.base as base, linkflow.extract.worker as worker, linkflow.audit\n"
        "assert calls == [], 'importing must not change the allocator'\n"
        "sys.argv = ['linkflow', '--version']\n"
        "try:\n    base.main()\nexcept SystemExit:\n    pass\n"
        "print('cli', len(calls), file=sys.stderr)\n"
        "worker.main()  # its input is empty: it says it is ready and ends\n"
        "print('worker', len(calls), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=False,
        check=True,
    )
    assert out.stderr.decode().split()[-4:] == ["cli", "1", "worker", "2"]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_trimmer_is_due_once_its_interval_has_passed_since_its_last_trim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(heap, "malloc_trim", lambda: calls.append)
    clock = _Clock()
    trimmer = heap.Trimmer(1.0, clock=clock)
    assert not trimmer.due()  # counted from its start
    clock.now += 0.99
    assert not trimmer.due()
    clock.now += 0.01
    assert trimmer.due()
    trimmer.trim()
    assert calls == [0]  # malloc_trim(0): every arena, no pad kept
    assert not trimmer.due()
    clock.now += 0.5
    trimmer.trim()  # told to (a big page): trims at once, and counts from then
    clock.now += 0.9
    assert not trimmer.due()
    clock.now += 0.1
    assert trimmer.due()
    assert calls == [0, 0]


def test_a_trimmer_without_malloc_trim_is_never_due(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "malloc_trim", lambda: None)
    clock = _Clock()
    trimmer = heap.Trimmer(1.0, clock=clock)
    clock.now += 60
    assert not trimmer.due()
    trimmer.trim()  # does nothing, raises nothing


_WORKER_PROBE = """
import sys
from linkflow import heap
every = float(sys.argv[1])
trims = []
class Counted(heap.Trimmer):
    def __init__(self):
        super().__init__(every)
    def trim(self):
        trims.append(1)
        super().trim()
heap.Trimmer = Counted
from linkflow.extract import worker
worker.main()
print("trims", len(trims), file=sys.stderr)
"""


def _worker_trims(every: float, pages: int, big: int = 0) -> int:
    from linkflow.extract.worker import TRIM_BYTES, frame
    from linkflow.settings import ExtractSettings

    page = b"<html><head><title>T</title></head><body><p><a href='/x'>x</a></p></body></html>"
    large = page.replace(b"<p>", b"<p>" + b"word " * (TRIM_BYTES // 5))
    bodies = [page] * pages + [large] * big
    requests = b"".join(
        frame((body, f"http://127.0.0.1/{i}", "text/html", ExtractSettings(), ()))
        for i, body in enumerate(bodies)
    )
    out = subprocess.run(
        [sys.executable, "-c", _WORKER_PROBE, str(every)],
        input=requests,
        capture_output=True,
        check=True,
    )
    return int(out.stderr.decode().split()[-1])


def test_a_parse_worker_trims_after_a_page_once_a_trim_is_due() -> None:
    assert _worker_trims(0.0, pages=5) == 5
    assert _worker_trims(3600.0, pages=5) == 0  # small pages: nothing else calls for one


def test_a_parse_worker_trims_before_and_after_each_big_page() -> None:
    # Before: its parse starts from the smallest heap; after: what it took goes back.
    assert _worker_trims(3600.0, pages=3, big=2) == 4


_PAGE_OUT = """
import importlib.util, shutil, sys
from linkflow.heap import page_out

# A copy of DuckDB's library, mapped by this process alone: the kernel leaves the pages of
# a file other processes map too (this test's runner, which has loaded DuckDB) where they are.
installed = importlib.util.find_spec("_duckdb").origin
library = shutil.copy(installed, sys.argv[1])
spec = importlib.util.spec_from_file_location("_duckdb", library)
module = importlib.util.module_from_spec(spec)
sys.modules["_duckdb"] = module
spec.loader.exec_module(module)
import duckdb
from tests.resident import resident_mb

con = duckdb.connect()
con.execute("SELECT 42").fetchall()
assert sys.modules["_duckdb"].__file__ == library
before = resident_mb(library)
handed = page_out(library)
after = resident_mb(library)
answer = con.execute("SELECT 6 * 7").fetchall()  # the library still runs: its pages come back
print(before, handed >> 20, after, answer[0][0], page_out("/no/such/library.so"))
"""


def test_page_out_hands_back_a_loaded_librarys_pages_and_it_still_runs(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PAGE_OUT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    before, handed, after, answer, unmapped = (int(x) for x in out.stdout.split())
    assert before >= 15  # DuckDB's library, once it has run (45 of its 60 MB in a crawl)
    assert handed >= 40  # its read-only mappings, writable ones left alone
    assert after <= before // 4
    assert answer == 42
    assert unmapped == 0  # a file the process has not mapped: nothing to do
