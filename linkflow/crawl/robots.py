"""robots.txt rules per origin, read as RFC 9309 and Google's parser read them.

What an answer means follows Google's documented behaviour: a 4xx (or an empty file) allows
everything; a 5xx, a timeout or no answer at all disallows everything, because the site
cannot tell us what it allows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urljoin

from linkflow.crawl.fetch import Fetcher
from linkflow.robotstxt import RobotsTxt
from linkflow.urls import origin_of

__all__ = ["RobotsCache", "RobotsRules"]

_MAX_ROBOTS_BYTES = 500 * 1024  # Google reads the first 500 KiB (RFC 9309 asks for at least that)


@dataclass(slots=True)
class RobotsRules:
    """The rules of one origin: no ``parser`` allows everything, ``deny_all`` nothing."""

    parser: RobotsTxt | None = None
    deny_all: bool = False
    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    note: str = ""
    unreachable: bool = False
    """The server could not be reached at all (connection refused, unknown host)."""

    def allowed(self, url: str, agent: str) -> bool:
        if self.deny_all:
            return False
        if self.parser is None:
            return True
        return self.parser.allowed(url, agent)


def parse_robots(body: str | bytes, agent: str) -> RobotsRules:
    """Rules from the body of a robots.txt file (bytes as served, or text)."""
    parser = RobotsTxt.parse(body)
    return RobotsRules(
        parser=parser, crawl_delay=parser.crawl_delay(agent), sitemaps=list(parser.sitemaps)
    )


class RobotsCache:
    """Fetches each origin's robots.txt once (concurrent callers share the fetch)."""

    def __init__(self, fetcher: Fetcher, agent: str, *, obey: bool = True) -> None:
        self._fetcher = fetcher
        self._agent = agent
        self._obey = obey
        self._rules: dict[str, asyncio.Task[RobotsRules]] = {}
        # The rules of each origin once loaded, read for every URL without awaiting a task.
        self._loaded: dict[str, RobotsRules] = {}

    async def rules(self, url: str) -> RobotsRules:
        """The rules of ``url``'s origin (fetched on first use)."""
        origin = origin_of(url)
        loaded = self._loaded.get(origin)
        if loaded is not None:
            return loaded
        task = self._rules.get(origin)
        if task is None:
            # A task, not a future we set ourselves: a cancelled first caller must not leave
            # the other callers of this origin waiting for ever.
            task = self._rules[origin] = asyncio.ensure_future(self._load(origin))
        rules = await asyncio.shield(task)
        self._loaded[origin] = rules
        return rules

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay of ``url``'s origin if its robots.txt is loaded and obeyed."""
        task = self._rules.get(origin_of(url))
        if not self._obey or task is None or not task.done() or task.cancelled():
            return None
        if task.exception() is not None:
            return None
        return task.result().crawl_delay

    async def allowed(self, url: str) -> bool:
        """True if ``url`` may be fetched (always True when robots.txt is not obeyed)."""
        if not self._obey:
            return True
        rules = self._loaded.get(origin_of(url))
        if rules is None:
            rules = await self.rules(url)
        return rules.allowed(url, self._agent)

    async def _load(self, origin: str) -> RobotsRules:
        url = origin + "/robots.txt"
        resp = await self._fetcher.fetch(url)
        for _ in range(5):  # Google follows up to five redirects for robots.txt
            location = resp.headers.get("location")
            if resp.status not in (301, 302, 303, 307, 308) or not location:
                break
            url = urljoin(url, location)
            resp = await self._fetcher.fetch(url)
        status = resp.status
        if status is None or status >= 500 or status == 429:
            why = resp.error or f"status {status}"
            return RobotsRules(
                deny_all=True,
                note=f"robots.txt unavailable ({why}); all blocked",
                unreachable=status is None and resp.transient,
            )
        if status >= 300:
            return RobotsRules(note=f"robots.txt answered {status}; everything allowed")
        return parse_robots(resp.body[:_MAX_ROBOTS_BYTES], self._agent)
