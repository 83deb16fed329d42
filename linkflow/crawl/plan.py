"""What a crawl run needs, whatever its source: :class:`Plan`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from linkflow.crawl.fetch import Fetcher
from linkflow.crawl.hosts import OriginMap

__all__ = ["Plan"]


@dataclasses.dataclass(slots=True)
class Plan:
    """What one crawl run needs, whatever its source (a site, a build folder)."""

    source: str
    key: list[str]  # identifies "the same crawl" for resume
    seeds: list[str]  # stored (public) form
    origins: OriginMap
    make_fetcher: Callable[[], Fetcher]
    orphans: Callable[[set[str]], list[str]] = lambda _seen: []
    """URLs no link reached (given the URLs seen), visited when the link frontier is empty."""
    check_external: bool = False
    preflight: bool = True
