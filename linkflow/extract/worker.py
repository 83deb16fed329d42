"""Parsing as a worker process runs it: one page in, facts or an error message out.

Kept in ``linkflow.extract`` (not ``linkflow.crawl``) so a parse worker imports only the
parser: importing the crawl package would load aiohttp and DuckDB into every worker, some
90 MB of resident memory each.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from contextlib import suppress

from linkflow.extract.parse import parse_page
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

__all__ = ["init_worker", "parse_body"]


def init_worker(parent: int) -> None:
    """Worker initializer (``parent``: the crawler's process id).

    Ctrl-C goes to the whole process group, and the crawler process handles it (committing
    what it has), so workers ignore it. A worker ends with its crawler: were the crawler
    killed (SIGKILL), the pool's queue would keep an idle worker waiting forever, holding
    its memory. On Linux the kernel sends it SIGTERM when the crawler dies; a crawler that
    died before that was arranged is noticed here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


_PR_SET_PDEATHSIG = 1


def parse_body(
    body: bytes,
    url: str,
    content_type: str | None,
    extract: ExtractSettings,
    strip: tuple[str, ...],
) -> PageFacts | str:
    """Parse one page; a parser failure comes back as an error message, never raised.

    A plain module-level function so a process pool can run it.
    """
    try:
        return parse_page(
            body, url, content_type=content_type, settings=extract, strip_params=strip
        )
    except Exception as exc:  # the parser promises not to raise; never let a page kill a crawl
        return f"could not parse: {type(exc).__name__}: {exc}"[:300]
