"""Parse workers: they answer through their pipes, end with the pool, and end with their
crawler even when it is killed outright (SIGKILL)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linkflow.crawl.workers import ParsePool, WorkerLost
from linkflow.linkrows import LinkRows
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

PAGE = b"<html><head><title>T</title></head><body><p><a href='/x'>an x</a></p></body></html>"

POOL = """
import asyncio, time
from linkflow.crawl.workers import ParsePool

async def main():
    pool = ParsePool(2)
    await pool.start()
    print(" ".join(str(p.pid) for p in pool.procs), flush=True)
    time.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _args(url: str) -> tuple[object, ...]:
    return (PAGE, url, "text/html", ExtractSettings(), ())


async def _all_ready(pool: ParsePool) -> None:
    while not all(worker.ready for worker in pool._workers):
        await asyncio.sleep(0.01)


def test_workers_parse_pages_and_end_with_the_pool() -> None:
    async def run() -> tuple[list[tuple[PageFacts, LinkRows] | str], list[int | None]]:
        pool = ParsePool(2)
        await pool.start()
        await asyncio.wait_for(_all_ready(pool), 30)
        urls = [f"http://127.0.0.1/p{i}" for i in range(20)]
        results = await asyncio.gather(*(pool.parse(*_args(u)) for u in urls))
        procs = list(pool.procs)
        await pool.close()
        return results, [p.returncode for p in procs]

    results, codes = asyncio.run(run())
    assert [r[0].title for r in results if isinstance(r, tuple)] == ["T"] * 20
    links = [r[1].urls[0] for r in results if isinstance(r, tuple)]
    assert links == ["http://127.0.0.1/x"] * 20
    assert codes == [0, 0]


def test_a_pool_closed_while_its_workers_start_stops_them_without_waiting() -> None:
    async def run() -> tuple[bool, float, list[int | None]]:
        pool = ParsePool(2)
        await pool.start()
        ready = pool.ready  # the workers are still importing the parser
        begun = time.monotonic()
        procs = list(pool.procs)
        await pool.close()
        return ready, time.monotonic() - begun, [p.returncode for p in procs]

    ready, took, codes = asyncio.run(run())
    assert not ready
    assert took < 0.5
    assert codes == [-signal.SIGKILL] * 2


def test_a_lost_worker_breaks_the_pool_for_every_caller() -> None:
    async def run() -> list[bool]:
        pool = ParsePool(2)
        await pool.start()
        pool.procs[0].kill()
        await pool.procs[0].wait()
        lost = []
        for i in range(4):  # the dead worker is met within two calls; then every call fails
            try:
                await pool.parse(*_args(f"http://127.0.0.1/{i}"))
                lost.append(False)
            except WorkerLost:
                lost.append(True)
        await pool.close()
        return lost

    lost = asyncio.run(run())
    assert lost[-2:] == [True, True]
    assert True in lost[:2]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_workers_exit_when_the_crawler_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"
    script.write_text(POOL)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2
    assert all(_alive(pid) for pid in workers)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)
