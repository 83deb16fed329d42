"""Parsing as a worker process runs it: one page in, facts or an error message out.

A worker is a ``python`` running :func:`main`, started by the crawler
(:class:`linkflow.crawl.workers.ParsePool`). It reads requests from its standard input and
writes answers to its standard output, each one frame: an 8-byte big-endian length, then a
pickle. Its first frame, :data:`READY`, says it has imported the parser. A request is the
argument tuple of :func:`parse_body`; the answer is its result, an
error message or the page facts as :func:`pack` gives them (plain values pickle and unpickle
several times faster than the dataclasses), its links already encoded as the crawl stores
them, so that the crawl process spends no time on them.
The worker ends when its input ends, which is also what happens when the crawler dies,
however it dies.

Kept in ``linkflow.extract`` (not ``linkflow.crawl``) so a parse worker imports only the
parser: importing the crawl package would load aiohttp and DuckDB into every worker, some
90 MB of resident memory each.
"""

from __future__ import annotations

import contextlib
import gc
import pickle
import sys
from typing import Any, BinaryIO

from linkflow.heap import Trimmer, map_large_blocks
from linkflow.linkrows import LinkRows
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

__all__ = [
    "HEADER", "PAGE_FIELDS", "PIPE_BYTES", "READY", "frame", "main", "pack", "parse_body",
    "unpack", "widen_pipes",
]  # fmt: skip

HEADER = 8
"""Bytes of a frame's length prefix."""
READY = None
"""What a worker's first frame holds, before any answer: it has imported the parser."""


def parse_body(
    body: bytes,
    url: str,
    content_type: str | None,
    extract: ExtractSettings,
    strip: tuple[str, ...],
) -> PageFacts | str:
    """Parse one page; a parser failure comes back as an error message, never raised."""
    # Imported here: the crawl's own process parses only when a worker fails, and the
    # parser's imports (selectolax, the compiled walk's checks) would slow every start.
    from linkflow.extract.parse import parse_page

    try:
        return parse_page(
            body, url, content_type=content_type, settings=extract, strip_params=strip
        )
    except Exception as exc:  # the parser promises not to raise; never let a page kill a crawl
        return f"could not parse: {type(exc).__name__}: {exc}"[:300]


PAGE_FIELDS = (
    "title",
    "meta_description",
    "h1",
    "lang",
    "canonical",
    "meta_robots",
    "word_count",
    "content_hash",
    "main_text",
    "links",
    "hreflang",
    "other_scheme_links",
    "schema_types",
)
"""The fields of :class:`PageFacts` in the order :func:`pack` writes them."""

Packed = tuple[Any, ...]


def pack(facts: PageFacts) -> Packed:
    """``facts`` as plain values in :data:`PAGE_FIELDS` order, its links as the crawl
    stores them (their URLs, and their other fields as journal lines: see
    :mod:`linkflow.linkrows`); :func:`unpack` gives them back."""
    rows = LinkRows.of(facts.links)
    return (
        facts.title,
        facts.meta_description,
        facts.h1,
        facts.lang,
        facts.canonical,
        facts.meta_robots,
        facts.word_count,
        facts.content_hash,
        facts.main_text,
        (rows.urls, rows.lines),
        facts.hreflang,
        facts.other_scheme_links,
        facts.schema_types,
    )


def unpack(packed: Packed) -> tuple[PageFacts, LinkRows]:
    """The page facts (without their ``links``) and the link rows :func:`pack` gave
    ``packed`` for; ``TypeError`` or ``ValueError`` if ``packed`` is not such a tuple."""
    *head, (urls, lines), hreflang, other_schemes, schema = packed
    if len(head) != len(PAGE_FIELDS) - 4:
        raise ValueError(f"{len(packed)} fields, not {len(PAGE_FIELDS)}")
    if len(urls) != len(lines):
        raise ValueError(f"{len(urls)} link URLs for {len(lines)} link rows")
    facts = PageFacts(*head)
    facts.hreflang = hreflang
    facts.other_scheme_links, facts.schema_types = other_schemes, schema
    return facts, LinkRows(urls, lines)


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


_GC_THRESHOLD = 10_000
"""Container objects allocated, less those freed, between two collections of the youngest
generation (Python's default is 700). A page allocates thousands (nodes, tuples, region
infos) that live until the page is parsed: at 700 each is scanned several times while
alive; at 10,000 most are freed before a collection (on the Python docs, 1.0-1.4 ms of
collections per page became 0.2 ms)."""


TRIM_BYTES = 1_000_000
"""Before and after a page of this many bytes or more, the worker hands its freed heap back
to the system (otherwise once a second at most: see :class:`linkflow.heap.Trimmer`).
Parsing takes twenty times the page or more (a 3.3 MB page of 19,000 links: 97 MB), and
glibc keeps what was freed: a worker stayed 145 MB resident after its big pages, 38 MB
once trimmed."""


PIPE_BYTES = 1 << 20
"""What the worker asks each of its two pipes to hold (Linux's default is 64 KB): a page or
an answer of up to this size crosses in one write and one read instead of one per 64 KB,
and waits in the pipe rather than in the crawl process's write buffer."""


def widen_pipes(*fds: int) -> None:
    """Ask the pipes ``fds`` to hold :data:`PIPE_BYTES`; where the system has no such call
    or refuses (a lower ``/proc/sys/fs/pipe-max-size``, not a pipe), they stay as they are."""
    try:
        import fcntl  # POSIX only
    except ImportError:
        return
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setting is None:
        return
    for fd in fds:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setting, PIPE_BYTES)


def main() -> None:
    """Answer parse requests until the input ends."""
    import linkflow.extract.parse  # noqa: F401 -- the parser, before READY says it is in

    gc.freeze()  # what the imports made lives as long as the worker: never scan it again
    gc.set_threshold(_GC_THRESHOLD)
    gc.enable()  # the pool starts a worker with it off, for its imports
    map_large_blocks()  # each page's tree and frames go back to the system once freed
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    widen_pipes(inp.fileno(), out.fileno())
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    heap = Trimmer()
    out.write(frame(READY))  # the parser is imported: pages may come
    out.flush()
    while isinstance(args := _read_frame(inp), tuple):
        big = isinstance(args[0], bytes) and len(args[0]) >= TRIM_BYTES
        if big:
            heap.trim()  # a big page's parse starts from the smallest heap
        try:
            result = parse_body(*args)
            out.write(frame(pack(result) if isinstance(result, PageFacts) else result))
            out.flush()
        except BrokenPipeError:  # the crawler is gone
            return
        if big or heap.due():
            del result, args  # the page and its facts go back too
            heap.trim()


if __name__ == "__main__":
    main()
