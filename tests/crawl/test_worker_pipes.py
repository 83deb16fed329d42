"""A parse worker's pipes hold a big page whole: the worker widens both to ``PIPE_BYTES``
where the system allows it, and a file that is no pipe is left as it is."""

from __future__ import annotations

import asyncio
import os
import tempfile

import pytest

from linkflow.crawl.workers import ParsePool
from linkflow.extract.worker import PIPE_BYTES, widen_pipes
from linkflow.settings import ExtractSettings

fcntl = pytest.importorskip("fcntl", reason="pipe sizes are a POSIX matter")
if not hasattr(fcntl, "F_GETPIPE_SZ"):
    pytest.skip("pipe sizes are set on Linux only", allow_module_level=True)

_DEFAULT = 64 * 1024


def _size(fd: int) -> int:
    return int(fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ))


def test_a_pipe_is_widened_and_a_file_left_alone() -> None:
    read, write = os.pipe()
    try:
        assert _size(read) == _DEFAULT
        widen_pipes(read)
        assert _size(read) == _size(write) == PIPE_BYTES  # one pipe, both ends
    finally:
        os.close(read)
        os.close(write)
    with tempfile.TemporaryFile() as f:
        widen_pipes(f.fileno())  # not a pipe: no error, nothing changed
        f.write(b"kept")
        f.seek(0)
        assert f.read() == b"kept"


def test_a_ready_workers_pipes_hold_a_megabyte() -> None:
    async def sizes() -> tuple[int, int, str]:
        pool = ParsePool(1)
        await pool.start()
        try:
            body = b"<title>t</title><p>" + b"x" * (PIPE_BYTES // 2) + b"</p>"
            answer = await pool.parse(body, "http://127.0.0.1/t", "text/html",
                                      ExtractSettings(), ())  # fmt: skip
            proc = pool.procs[0]
            assert proc.stdin is not None
            to_worker = proc.stdin.get_extra_info("pipe").fileno()
            transport = proc._transport  # type: ignore[attr-defined]
            from_worker = transport.get_pipe_transport(1).get_extra_info("pipe").fileno()
            assert not isinstance(answer, str)
            return _size(to_worker), _size(from_worker), answer[0].title or ""
        finally:
            await pool.close()

    to_worker, from_worker, title = asyncio.run(sizes())
    assert title == "t"  # the page crossed and was parsed
    assert to_worker == PIPE_BYTES
    assert from_worker == PIPE_BYTES
