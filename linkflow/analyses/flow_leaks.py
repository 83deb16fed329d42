"""Low-value URLs and leaks: where authority ends that earns nothing.

:func:`classify_paths` names the class of a URL path (with its query) by the first rule of
:data:`LOW_VALUE_RULES` that matches, or ``""``; ``analyse.low_value`` adds rules
(``class = regex``, tried first). :class:`LowValue` adds up the flow on each class;
:func:`external_leak` is the share of flow a surfer would carry off the site through
external links. Matching runs in Arrow (RE2), so a million URLs cost no Python loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.errors import ConfigError

__all__ = [
    "LOW_VALUE_RULES",
    "LowValue",
    "classify_paths",
    "classify_urls",
    "external_leak",
    "parse_rules",
]

LOW_VALUE_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("tag archive", r"/(tags?|topics?|schlagwort|etiqueta)/"),
    ("category archive", r"/(category|categories|kategorie|categorie|categoria)/"),
    ("author archive", r"/(author|authors|autor)/"),
    ("date archive", r"^/(?:[^?]*/)?(19|20)\d\d/(?:(0?[1-9]|1[0-2])/?)?(?:\d{1,2}/?)?(?:\?|$)"),
    ("paginated", r"(/page/\d+/?(\?|$)|[?&](page|paged|p|pg|start|offset)=\d+)"),
    (
        "faceted",
        r"[?&](sort|order|orderby|filter|filters|color|colour|size|brand|price|"
        r"min_price|max_price|facet|view|f)(\[[^\]]*\])?=",
    ),
    ("search", r"(/search(/|$|\?)|[?&](s|q|query|search)=)"),
    (
        "login",
        r"/(login|log-in|signin|sign-in|signup|sign-up|register|account|my-account|"
        r"wp-login\.php|wp-admin|cart|basket|checkout|warenkorb|panier)(/|$|\?)",
    ),
    (
        "legal",
        r"/(privacy|privacy-policy|terms|terms-of-service|terms-and-conditions|tos|"
        r"legal|imprint|impressum|cookies?|cookie-policy|disclaimer|gdpr|datenschutz|"
        r"agb|mentions-legales|aviso-legal)(/|\.html?|$|\?)",
    ),
    ("feed", r"(/feed/?$|/rss/?$|\.(rss|atom)$|/comments/feed/)"),
)
"""(class, regex) tried in order on the lower-cased path and query of each URL."""


def parse_rules(entries: Iterable[str]) -> list[tuple[str, str]]:
    """``(class, regex)`` of ``class = regex`` entries (from ``analyse.low_value``)."""
    out = []
    for text in entries:
        name, sep, pattern = text.partition("=")
        if not sep or not name.strip() or not pattern.strip():
            raise ConfigError(f"analyse.low_value: {text!r} must be 'class = regex'")
        try:
            re.compile(pattern.strip())
        except re.error as exc:
            raise ConfigError(
                f"analyse.low_value: {pattern.strip()!r} is no regex ({exc})"
            ) from exc
        out.append((name.strip(), pattern.strip()))
    return out


@dataclass(frozen=True, slots=True)
class LowValue:
    """The low-value class of each URL: ``codes[i]`` indexes ``names`` (-1: none)."""

    names: tuple[str, ...]
    codes: np.ndarray

    def name(self, i: int) -> str:
        """The class of URL ``i`` ("" for none)."""
        code = int(self.codes[i])
        return self.names[code] if code >= 0 else ""

    def shares(self, flow: np.ndarray) -> dict[str, float]:
        """Share of ``flow`` on each class that holds a URL, largest first."""
        hit = self.codes >= 0
        sums = np.bincount(self.codes[hit], weights=flow[hit], minlength=len(self.names))
        counts = np.bincount(self.codes[hit], minlength=len(self.names))
        out = {self.names[i]: float(sums[i]) for i in range(len(self.names)) if counts[i]}
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def classify_paths(paths: pa.Array | Sequence[str], extra: Iterable[str] = ()) -> LowValue:
    """The low-value class of each path (with its query): the first matching rule, user
    rules (``extra``) first; case is ignored."""
    array = paths if isinstance(paths, pa.Array) else pa.array(list(paths), pa.string())
    rules = [*parse_rules(extra), *LOW_VALUE_RULES]
    codes = np.full(len(array), -1, dtype=np.int32)
    names: list[str] = []
    for name, rule in rules:
        try:
            hit = pc.match_substring_regex(array, rule, ignore_case=True)
        except pa.ArrowInvalid as exc:
            raise ConfigError(f"analyse.low_value: {rule!r} is not supported ({exc})") from exc
        mask = np.asarray(hit.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
        if name not in names:
            names.append(name)
        codes[mask & (codes < 0)] = names.index(name)
    return LowValue(tuple(names), codes)


def classify_urls(urls: pa.Array | None, extra: Iterable[str] = ()) -> LowValue:
    """:func:`classify_paths` of full URLs (scheme and host are dropped first)."""
    if urls is None:
        return LowValue((), np.zeros(0, dtype=np.int32))
    paths = pc.replace_substring_regex(
        urls, pattern=r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*", replacement=""
    )
    return classify_paths(paths, extra)


def external_leak(
    flow: np.ndarray, damping: float, links: np.ndarray, external: np.ndarray
) -> float:
    """Share of the flow a surfer carries off the site through external links.

    Page i passes on α·π_i; a surfer who picks one of its ``links`` at random leaves by one
    of its ``external`` links with probability external/links. The equity model itself
    ignores external links (as Screaming Frog's Link Score does), so this measures the
    leak; it does not remove it from the flow.
    """
    share = np.divide(external, links, out=np.zeros(flow.size), where=links > 0)
    return float(damping * (flow * share).sum())
