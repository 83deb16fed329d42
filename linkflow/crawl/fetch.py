"""What a fetcher returns and what it must do: :class:`Response` and :class:`Fetcher`.

The HTTP client is in :mod:`linkflow.crawl.httpfetch`; it is imported only by a crawl that
fetches over HTTP, so a process that only stores or reads a crawl never loads aiohttp.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "MAX_RETRY_AFTER", "RETRY_STATUSES", "Fetcher", "Response", "parse_retry_after",
    "preload_http_client",
]  # fmt: skip

RETRY_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 30.0
"""Longest Retry-After (seconds) honoured; a server asking for more is retried after this."""


@dataclass(slots=True)
class Response:
    """What one request produced. ``status`` is ``None`` when no response arrived."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    elapsed_ms: float = 0.0
    raw_bytes: int = 0
    transient: bool = False
    """True for a network failure worth retrying (refused, reset, disconnected)."""

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class Fetcher(Protocol):
    """Anything that turns a URL into a :class:`Response` (HTTP, a build folder)."""

    async def fetch(self, url: str, *, method: str = "GET") -> Response: ...

    async def close(self) -> None: ...


def parse_retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta seconds only), capped."""
    if value:
        try:
            return max(0.0, min(float(value.strip()), MAX_RETRY_AFTER))
        except ValueError:
            pass  # an HTTP date: rare for 429/503, fall back to our own backoff
    return default


def preload_http_client() -> None:
    """Start importing the HTTP client (aiohttp) on a daemon thread, for a process about to
    crawl over HTTP that has other things to do first (open the audit).

    The crawl imports it first thing, then fetches: 0.14 s in the crawl's path before its
    first request, of which loading the certificates of its SSL contexts (0.04 s) leaves
    the interpreter free, as DuckDB does opening the store. A crawl that gets there first
    waits for the import under way (Python's import lock); one that failed on the thread
    is imported again, and its error reported, by the crawl."""
    threading.Thread(target=_import_http_client, name="linkflow-http", daemon=True).start()


def _import_http_client() -> None:
    with contextlib.suppress(Exception):
        importlib.import_module("linkflow.crawl.httpfetch")
