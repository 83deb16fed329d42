"""Parsing as a worker process runs it: one page in, facts or an error message out.

Kept in ``linkflow.extract`` (not ``linkflow.crawl``) so a parse worker imports only the
parser: importing the crawl package would load aiohttp and DuckDB into every worker, some
90 MB of resident memory each.
"""

from __future__ import annotations

import signal

from linkflow.extract.parse import parse_page
from linkflow.models import PageFacts
from linkflow.settings import ExtractSettings

__all__ = ["ignore_sigint", "parse_body"]


def ignore_sigint() -> None:
    """Worker initializer: Ctrl-C goes to the whole process group, and the crawler process
    handles it (committing what it has), not the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
