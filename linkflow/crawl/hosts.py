"""Where a stored URL is fetched from: :class:`OriginMap`."""

from __future__ import annotations

from dataclasses import dataclass

from linkflow.urls import replace_origin

__all__ = ["OriginMap"]


@dataclass(frozen=True, slots=True)
class OriginMap:
    """Where stored URLs are fetched from: ``public`` origin ↔ ``fetch`` origin (or none)."""

    public: str = ""
    fetch: str = ""

    @property
    def same(self) -> bool:
        """Whether stored URLs are fetched from their own origin (no mapping)."""
        return not self.public or self.public == self.fetch

    def to_fetch(self, url: str) -> str:
        if self.same:
            return url
        return replace_origin(url, self.public, self.fetch)

    def to_public(self, url: str) -> str:
        if self.same:
            return url
        return replace_origin(url, self.fetch, self.public)
