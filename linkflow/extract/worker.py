"""Parsing as a worker process runs it: one page in, facts or an error message out.

A worker is a ``python`` running :func:`main`, started by the crawler
(:class:`linkflow.crawl.workers.ParsePool`). It reads requests from its standard input and
writes answers to its standard output, each one frame: an 8-byte big-endian length, then a
pickle. A request is the argument tuple of :func:`parse_body`; the answer is its result.
The worker ends when its input ends, which is also what happens when the crawler dies,
however it dies.

Kept in ``linkflow.extract`` (not ``linkflow.crawl``) so a parse worker imports only the
parser: importing the crawl package would load aiohttp and DuckDB into every worker, some
90 MB of resident memory each.
"""

from __future__ import annotations

import pickle
import sys
from typing import BinaryIO

from linkflow.extract.parse import parse_page
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

__all__ = ["HEADER", "frame", "main", "parse_body"]

HEADER = 8
"""Bytes of a frame's length prefix."""


def parse_body(
    body: bytes,
    url: str,
    content_type: str | None,
    extract: ExtractSettings,
    strip: tuple[str, ...],
) -> PageFacts | str:
    """Parse one page; a parser failure comes back as an error message, never raised."""
    try:
        return parse_page(
            body, url, content_type=content_type, settings=extract, strip_params=strip
        )
    except Exception as exc:  # the parser promises not to raise; never let a page kill a crawl
        return f"could not parse: {type(exc).__name__}: {exc}"[:300]


def frame(obj: object) -> bytes:
    """``obj`` as one frame: its pickle's length (``HEADER`` bytes, big-endian), then it."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(HEADER, "big") + data


def _read_frame(inp: BinaryIO) -> object | None:
    """Read one frame from ``inp``; ``None`` at the end of the input (even mid-frame)."""
    head = inp.read(HEADER)
    if len(head) < HEADER:
        return None
    size = int.from_bytes(head, "big")
    data = inp.read(size)
    if len(data) < size:
        return None
    obj: object = pickle.loads(data)  # frames come from the crawler that started us
    return obj


def main() -> None:
    """Answer parse requests until the input ends."""
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    while isinstance(args := _read_frame(inp), tuple):
        try:
            out.write(frame(parse_body(*args)))
            out.flush()
        except BrokenPipeError:  # the crawler is gone
            return


if __name__ == "__main__":
    main()
