"""robots.txt read as RFC 9309 says and as Google's open-source parser reads it: pure functions.

Lines end at LF, CR or CRLF; a UTF-8 byte-order mark (even a partial one) is skipped; a line
keeps its first 16,663 bytes; ``#`` starts a comment. A line is ``key: value``, or
``key value`` when the colon is missing and there are exactly two words. Keys are matched
by prefix, case-insensitively, with Google's accepted typos (``useragent``, ``disalow`` ...).

Groups: consecutive ``user-agent`` lines open one group, and only an ``allow`` or
``disallow`` line ends the list of its agents; any other line (``sitemap``, ``crawl-delay``,
an unknown key) leaves the group as it is. Rules before the first ``user-agent`` belong to
no group. A ``user-agent`` value is cut to its product token (letters, ``-`` and ``_``:
``Foo Bar`` and ``FooBot/2.1`` are ``Foo`` and ``FooBot``); ``*`` (alone or followed by
a space) names every crawler.

Which groups apply to a crawler (linkflow's rule, unchanged): a group whose token occurs
in the crawler's User-Agent string at the start of a word, case-insensitively; the longest
such token wins and every group naming it applies. Otherwise the ``*`` groups apply.

Rules: ``*`` matches any characters, a final ``$`` anchors the end; the longest matching
pattern decides, ``allow`` winning a tie; an empty pattern matches nothing. Patterns are
compared with the URL's path and query as they are, after writing the pattern's non-ASCII
bytes as upper-case percent-escapes. An allowed ``.../index.htm(l)`` also allows ``.../``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["Line", "RobotsTxt", "parse_lines", "path_of"]

MAX_LINE_BYTES = 2083 * 8 - 1
"""Bytes kept of a line: eight times the longest URL browsers accept, less the terminator."""

_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\n\x0b\x0c\r"
_LINE_END = re.compile(rb"\r\n|\r|\n")
_PCT = re.compile(rb"%[0-9A-Fa-f]{2}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_TOKEN = re.compile(r"[A-Za-z_-]*")
_WORD_CHAR = re.compile(r"[\w-]")
_KEYS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    ("user-agent", (b"user-agent", b"useragent", b"user agent")),
    ("allow", (b"allow",)),
    ("disallow", (b"disallow", b"dissallow", b"dissalow", b"disalow", b"diasllow", b"disallaw")),
    ("sitemap", (b"sitemap", b"site-map")),
    ("crawl-delay", (b"crawl-delay", b"crawl delay")),
)


@dataclass(frozen=True, slots=True)
class Line:
    """A directive line: ``kind`` is one of the keys above, or ``"other"`` for any other."""

    number: int
    kind: str
    key: str
    value: str


def _split_lines(body: bytes) -> list[bytes]:
    skipped = 0
    while skipped < len(_BOM) and body[skipped : skipped + 1] == _BOM[skipped : skipped + 1]:
        skipped += 1
    return [line[:MAX_LINE_BYTES] for line in _LINE_END.split(body[skipped:])]


def _key_and_value(line: bytes) -> tuple[bytes, bytes] | None:
    line = line.split(b"#", 1)[0].strip(_WHITESPACE)
    if not line:
        return None
    sep = line.find(b":")
    if sep < 0:
        # Google accepts "Disallow /x" for "Disallow: /x", if the line has two words only.
        words = line.split()
        if len(words) != 2:
            return None
        return words[0], words[1]
    key = line[:sep].strip(_WHITESPACE)
    return (key, line[sep + 1 :].strip(_WHITESPACE)) if key else None


def _kind(key: bytes) -> str:
    lowered = key.lower()
    for kind, prefixes in _KEYS:
        if lowered.startswith(prefixes):
            return kind
    return "other"


def _escape_pattern(value: bytes) -> str:
    """Non-ASCII bytes as ``%XX``, escapes upper-cased (``/café`` → ``/caf%C3%A9``)."""
    value = _PCT.sub(lambda m: m.group(0).upper(), value)
    value = _HIGH_BYTE.sub(lambda m: b"%%%02X" % m.group(0)[0], value)
    return value.decode("ascii")


def parse_lines(body: bytes | str) -> list[Line]:
    """Every directive line of a robots.txt body, numbered from 1. Never raises."""
    data = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
    found: list[Line] = []
    for number, raw in enumerate(_split_lines(data), start=1):
        pair = _key_and_value(raw)
        if pair is None:
            continue
        key, value = pair
        kind = _kind(key)
        text = (
            _escape_pattern(value)
            if kind in ("allow", "disallow")
            else value.decode("utf-8", "replace")
        )
        found.append(Line(number, kind, key.decode("utf-8", "replace"), text))
    return found


def path_of(url: str) -> str:
    """The path, params and query of ``url`` that rules are matched with; ``/`` if none.

    As Google's ``GetPathParamsQuery``: the scheme and authority are dropped (also from a
    URL without a scheme), as is the fragment.
    """
    start = 2 if url.startswith("//") else 0
    early = min((i for i in (url.find(c, start) for c in "/?;") if i >= 0), default=-1)
    scheme_end = url.find("://", start)
    if scheme_end < 0 or (0 <= early < scheme_end):
        scheme_end = start
    else:
        scheme_end += 3
    path_start = min((i for i in (url.find(c, scheme_end) for c in "/?;") if i >= 0), default=-1)
    if path_start < 0:
        return "/"
    hash_pos = url.find("#", start)
    if 0 <= hash_pos < path_start:
        return "/"
    path = url[path_start : hash_pos if hash_pos >= 0 else len(url)]
    return path if path.startswith("/") else "/" + path


def _matches(path: str, pattern: str) -> bool:
    """True if ``pattern`` (with ``*`` and a final ``$``) matches the start of ``path``."""
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    if "*" not in pattern:
        return path == pattern if anchored else path.startswith(pattern)
    parts = pattern.split("*")
    if not path.startswith(parts[0]):
        return False
    pos = len(parts[0])
    # Leftmost occurrences are enough: any later one would only leave less room for the rest.
    for part in parts[1:-1]:
        pos = path.find(part, pos)
        if pos < 0:
            return False
        pos += len(part)
    last = parts[-1]
    if anchored:
        return len(path) - len(last) >= pos and path.endswith(last)
    return path.find(last, pos) >= 0


def _priority(path: str, kind: str, pattern: str) -> int:
    """The length of ``pattern`` if it matches ``path``, else -1 (Google's match priority)."""
    if _matches(path, pattern):
        return len(pattern)
    slash = pattern.rfind("/")
    if kind == "allow" and slash >= 0 and pattern[slash:].startswith("/index.htm"):
        index_dir = pattern[: slash + 1] + "$"  # an allowed index page allows its directory
        return len(index_dir) if _matches(path, index_dir) else -1
    return -1


@dataclass(slots=True)
class _Group:
    tokens: list[str] = field(default_factory=list)  # lower-cased; "*" for every crawler
    rules: list[tuple[str, str]] = field(default_factory=list)  # (allow|disallow, pattern)
    crawl_delay: float | None = None


def _token(value: str) -> str:
    if value.startswith("*") and (len(value) == 1 or value[1].isspace()):
        return "*"
    match = _TOKEN.match(value)
    return match.group(0).lower() if match else ""


def _agent_score(token: str, agent: str) -> int:
    """``len(token)`` if ``token`` starts a word of ``agent`` (both lower-case), else 0."""
    index = agent.find(token)
    while index >= 0:
        if index == 0 or not _WORD_CHAR.match(agent[index - 1]):
            return len(token)
        index = agent.find(token, index + 1)
    return 0


class RobotsTxt:
    """The groups, rules and sitemaps of one robots.txt file."""

    __slots__ = ("_chosen", "_groups", "_starts", "sitemaps")

    def __init__(self, lines: list[Line]) -> None:
        self._groups: list[_Group] = []
        self.sitemaps: list[str] = [line.value for line in lines if line.kind == "sitemap"]
        self._chosen: dict[str, tuple[list[_Group], bool]] = {}
        self._starts: dict[str, tuple[str, ...]] = {}
        group: _Group | None = None
        closed = True  # an allow/disallow line ends the agents of the group
        for line in lines:
            if line.kind == "user-agent":
                if closed:
                    group = _Group()
                    self._groups.append(group)
                    closed = False
                assert group is not None
                group.tokens.append(_token(line.value))
            elif group is None:
                continue  # a rule before any user-agent line applies to no crawler
            elif line.kind in ("allow", "disallow"):
                group.rules.append((line.kind, line.value))
                closed = True
            elif line.kind == "crawl-delay" and group.crawl_delay is None:
                group.crawl_delay = _delay(line.value)

    @classmethod
    def parse(cls, body: bytes | str) -> RobotsTxt:
        """Read a robots.txt body. Never raises: any bytes are some robots.txt."""
        return cls(parse_lines(body))

    def _groups_for(self, agent: str) -> tuple[list[_Group], bool]:
        """The groups that apply to ``agent``, and whether they name it (not just ``*``)."""
        cached = self._chosen.get(agent)
        if cached is not None:
            return cached
        lowered = agent.strip().lower()
        best = max(
            (_agent_score(t, lowered) for g in self._groups for t in g.tokens if t and t != "*"),
            default=0,
        )
        if best:
            tokens = {t for g in self._groups for t in g.tokens if t != "*" and len(t) == best}
            winner = next(t for t in sorted(tokens) if _agent_score(t, lowered))
            chosen = ([g for g in self._groups if winner in g.tokens], True)
        else:
            chosen = ([g for g in self._groups if "*" in g.tokens], False)
        self._chosen[agent] = chosen
        return chosen

    def allowed(self, url: str, agent: str) -> bool:
        """True if ``agent`` may fetch ``url`` (an escaped URL, as it is requested)."""
        path = path_of(url)
        if path == "/robots.txt":
            return True  # RFC 9309: the robots.txt file itself is always allowed
        starts = self._starts.get(agent)
        if starts is None:
            starts = self._starts[agent] = _starts(self._groups_for(agent)[0])
        if not path.startswith(starts):
            return True  # no disallow rule can match: most URLs of a site, in one call
        groups, _ = self._groups_for(agent)
        best = {"allow": 0, "disallow": 0}
        for group in groups:
            for kind, pattern in group.rules:
                best[kind] = max(best[kind], _priority(path, kind, pattern))
        return best["disallow"] <= best["allow"]

    def crawl_delay(self, agent: str) -> float | None:
        """The first valid ``Crawl-delay`` of the groups that apply to ``agent``, if any."""
        groups, _ = self._groups_for(agent)
        return next((g.crawl_delay for g in groups if g.crawl_delay is not None), None)


def _starts(groups: list[_Group]) -> tuple[str, ...]:
    """What a path starts with when a disallow rule of ``groups`` matches it: each pattern's
    text before its first ``*`` (or its final ``$``). A path that starts with none of them
    is allowed, whatever the allow rules say (see :func:`_priority`)."""
    found = {
        pattern.removesuffix("$").partition("*")[0]
        for group in groups
        for kind, pattern in group.rules
        if kind == "disallow"
    }
    return tuple(sorted(found))


def _delay(value: str) -> float | None:
    try:
        delay = float(value)
    except ValueError:
        return None
    return delay if math.isfinite(delay) and delay >= 0 else None
