"""Per-host helpers of the crawl: where a stored URL is fetched from, and request spacing."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from linkflow.urls import replace_origin

__all__ = ["HostGate", "OriginMap"]


@dataclass(frozen=True, slots=True)
class OriginMap:
    """Where stored URLs are fetched from: ``public`` origin ↔ ``fetch`` origin (or none)."""

    public: str = ""
    fetch: str = ""

    def to_fetch(self, url: str) -> str:
        if not self.public or self.public == self.fetch:
            return url
        return replace_origin(url, self.public, self.fetch)

    def to_public(self, url: str) -> str:
        if not self.public or self.public == self.fetch:
            return url
        return replace_origin(url, self.fetch, self.public)


class HostGate:
    """Spaces request starts to one host at least ``interval`` seconds apart."""

    __slots__ = ("interval", "next_at")

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next_at = 0.0

    async def wait(self) -> None:
        if self.interval <= 0:
            return
        now = time.monotonic()
        start = max(now, self.next_at)
        self.next_at = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
