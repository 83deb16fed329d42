"""Parse workers take requests pipelined: several pages are written to a worker before its
first answer is read, and each answer reaches the caller whose page it is."""

from __future__ import annotations

import asyncio
import errno
import io
import sys
from pathlib import Path

import pytest

from linkflow.crawl.workers import BIG_BYTES, Parked, ParsePool
from linkflow.extract.worker import TRIM_BYTES
from linkflow.linkrows import LinkRows
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")


def _page(title: str, filler: int = 0) -> bytes:
    spans = "<span>x</span>" * filler
    return (
        f"<html><head><title>{title}</title></head><body><p>{spans}"
        f"<a href='/{title}'>to {title}</a></p></body></html>"
    ).encode()


def _args(body: bytes, url: str) -> tuple[object, ...]:
    return (body, url, "text/html", ExtractSettings(), ())


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {key} for {pid}")


def _read(pid: int) -> int:
    """Bytes the process has read so far (``rchar``: its pipe and any file)."""
    return int(Path(f"/proc/{pid}/io").read_text().split()[1])


def test_many_requests_in_flight_to_one_worker_each_get_their_own_answer() -> None:
    async def run() -> list[tuple[PageFacts, LinkRows] | str]:
        pool = ParsePool(1)
        await pool.start()
        titles = [f"t{i}" for i in range(40)]
        # Uneven pages, so a worker that answered out of order would be caught.
        calls = [
            pool.parse(*_args(_page(t, filler=(i % 5) * 2000), f"http://127.0.0.1/{t}"))
            for i, t in enumerate(titles)
        ]
        results = await asyncio.gather(*calls)
        assert len(pool._workers[0].waiting) == 0
        await pool.close()
        return results

    results = asyncio.run(run())
    assert [r[0].title for r in results if isinstance(r, tuple)] == [f"t{i}" for i in range(40)]
    links = [r[1].urls[0] for r in results if isinstance(r, tuple)]
    assert links == [f"http://127.0.0.1/t{i}" for i in range(40)]


def test_a_cancelled_request_leaves_the_pipe_in_step() -> None:
    async def run() -> tuple[list[str | None], bool]:
        pool = ParsePool(1)
        await pool.start()
        first = asyncio.create_task(pool.parse(*_args(_page("a", 20_000), "http://127.0.0.1/a")))
        middle = asyncio.create_task(pool.parse(*_args(_page("b"), "http://127.0.0.1/b")))
        last = asyncio.create_task(pool.parse(*_args(_page("c"), "http://127.0.0.1/c")))
        await asyncio.sleep(0)  # all three written
        middle.cancel()
        done = [await first, await last]
        after = await pool.parse(*_args(_page("d"), "http://127.0.0.1/d"))
        broken = pool.broken
        await pool.close()
        return [r[0].title if isinstance(r, tuple) else None for r in [*done, after]], broken

    titles, broken = asyncio.run(run())
    assert titles == ["a", "c", "d"]
    assert not broken


@linux
def test_big_pages_go_to_the_first_worker_only_and_it_gives_their_memory_back() -> None:
    big = _page("big", filler=BIG_BYTES // 14 * 3)  # about 3 MB of elements
    assert len(big) >= max(BIG_BYTES, TRIM_BYTES)

    async def run() -> tuple[list[str | None], list[int], list[int], int]:
        pool = ParsePool(2)
        await pool.start()
        pids = [p.pid for p in pool.procs]
        while not all(worker.ready for worker in pool._workers):  # both have imported
            await asyncio.sleep(0.01)
        await asyncio.gather(*(pool.parse(*_args(_page("w"), "http://127.0.0.1/")) for _ in pids))
        start_read = [_read(pid) for pid in pids]
        start_rss = _status(pids[0], "VmRSS")
        calls = [pool.parse(*_args(big, f"http://127.0.0.1/big{i}")) for i in range(3)]
        calls += [pool.parse(*_args(_page(f"s{i}"), f"http://127.0.0.1/s{i}")) for i in range(6)]
        results = await asyncio.gather(*calls)
        read = [_read(pid) - before for pid, before in zip(pids, start_read, strict=True)]
        # The worker trims once its answer is written: give it that moment.
        for _ in range(50):
            rss = [_status(pid, "VmRSS") for pid in pids]
            if rss[0] < rss[1] + 20_000:
                break
            await asyncio.sleep(0.1)
        peak = _status(pids[0], "VmHWM")
        await pool.close()
        titles = [r[0].title if isinstance(r, tuple) else None for r in results]
        return titles, read, rss, peak - start_rss

    titles, read, rss, grew = asyncio.run(run())
    assert titles == ["big"] * 3 + [f"s{i}" for i in range(6)]
    assert read[0] > 3 * len(big)  # the first worker read the three big pages
    assert read[1] < BIG_BYTES  # the second one none of them
    assert grew > 30_000  # kB: parsing a big page took memory ...
    assert rss[0] < rss[1] + 20_000  # ... which the first worker handed back


class _Unreadable(io.RawIOBase):
    """A file whose reads fail as a failing disk's do."""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0


def test_big_pages_waiting_for_their_worker_wait_on_disk_and_parse_the_same() -> None:
    big = [_page(f"big{i}", filler=BIG_BYTES // 14 + i) for i in range(3)]
    assert all(len(body) >= BIG_BYTES for body in big)

    async def run() -> tuple[list[str | None], list[str | None], int, object, object]:
        pool = ParsePool(1)
        await pool.start()
        parked = [Parked.of(body) for body in big]
        rest = _args(b"", "http://127.0.0.1/")[1:]
        from_disk = await asyncio.gather(*(pool.parse(p, *rest) for p in parked))
        in_memory = await asyncio.gather(*(pool.parse(body, *rest) for body in big))
        # A file that cannot be read back (a disk error): that page's parse fails with a
        # message, and the pool goes on.
        failed = await pool.parse(Parked(io.BufferedReader(_Unreadable()), len(big[0])), *rest)
        after = await pool.parse(_page("after"), *rest)
        await pool.close()
        for p in parked:
            assert p is not None
            p.close()
        titles = [r[0].title if isinstance(r, tuple) else None for r in from_disk]
        again = [r[0].title if isinstance(r, tuple) else None for r in in_memory]
        links = sum(len(r[1].lines) for r in from_disk if isinstance(r, tuple))
        return titles, again, links, failed, after

    titles, again, links, failed, after = asyncio.run(run())
    assert titles == again == ["big0", "big1", "big2"]
    assert links == 3  # one link a page, as in memory
    assert isinstance(failed, str)
    assert failed.startswith("could not parse: cannot read the page back: [Errno 5]")
    assert isinstance(after, tuple)
    assert after[0].title == "after"


def test_a_parked_body_reads_back_whole_until_closed() -> None:
    body = bytes(range(256)) * 5000
    parked = Parked.of(body)
    assert parked is not None
    assert parked.size == len(body)
    assert parked.read() == body
    assert parked.read() == body  # read again: a lost worker's page is parsed here
    parked.close()
    with pytest.raises(ValueError, match="closed file"):
        parked.read()
