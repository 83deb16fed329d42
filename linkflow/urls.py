"""URL normalisation, resolution, scope and registrable domains: pure functions.

Every stage that meets a URL (crawler, extractor, importers) canonicalises it with
:func:`normalize`, so a URL from a backlink export joins the page the crawler fetched.

The canonical form: ``http``/``https`` only; scheme and host lower-cased; IDN hosts in
punycode; default ports and user info removed; dot segments resolved; an empty path becomes
``/``; percent-escapes upper-cased, unreserved characters decoded, other unsafe characters
encoded as UTF-8; the fragment removed; tracking parameters removed; an empty ``?`` dropped.
Query order and trailing slashes are kept: servers may treat them as different pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

__all__ = [
    "Scope",
    "host_of",
    "normalize",
    "origin_of",
    "registrable_domain",
    "remove_dot_segments",
    "replace_origin",
    "split_fragment",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "/:@!$&'()*+,;=%"
_QUERY_SAFE = "/:@!$&'()*+,;=?%"
_WS = re.compile(r"[\t\n\r]")


def _pct_normalise(part: str, safe: str) -> str:
    part = _STRAY_PCT.sub("%25", part)

    def fix(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else "%" + m.group(1).upper()

    return quote(_PCT.sub(fix, part), safe=safe)


def remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` segments as RFC 3986 §5.2.4 says."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                output.append("")
        elif seg == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(seg)
    result = "/".join(output)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def _host(hostname: str) -> str:
    host = hostname.strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _strip_params(query: str, strip: frozenset[str]) -> str:
    if not query or not strip:
        return query
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in strip]
    return "&".join(kept)


@lru_cache(maxsize=64)
def _strip_set(params: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p.lower() for p in params)


def normalize(
    url: str, base: str | None = None, *, strip_params: tuple[str, ...] = ()
) -> str | None:
    """Return the canonical absolute form of ``url`` (resolved against ``base``).

    Returns ``None`` for anything that is not an ``http(s)`` URL with a host (``mailto:``,
    ``javascript:``, malformed input ...). Never raises.

    >>> normalize("HTTP://Example.COM:80/a/./b/../c?utm_source=x#top", strip_params=("utm_source",))
    'http://example.com/a/c'
    """
    try:
        raw = _WS.sub("", url.strip())
        if base is not None:
            raw = urljoin(base, raw)
        parts = urlsplit(raw)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = _host(parts.hostname)
        port = parts.port
    except ValueError:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _pct_normalise(remove_dot_segments(parts.path) or "/", _PATH_SAFE)
    query = _strip_params(parts.query, _strip_set(strip_params))
    query = _pct_normalise(query, _QUERY_SAFE) if query else ""
    return urlunsplit((scheme, netloc, path, query, ""))


def split_fragment(url: str) -> tuple[str, str | None]:
    """Split ``url`` into the part before ``#`` and the fragment (``None`` if absent)."""
    head, sep, frag = url.partition("#")
    return head, (frag if sep else None)


def host_of(url: str) -> str:
    """The host (and non-default port) of a normalised URL."""
    return urlsplit(url).netloc


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a normalised URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def replace_origin(url: str, old_origin: str, new_origin: str) -> str:
    """Move ``url`` from ``old_origin`` to ``new_origin``; other URLs are returned as is."""
    if url == old_origin or url.startswith((old_origin + "/", old_origin + "?")):
        return new_origin + url[len(old_origin) :]
    return url


@lru_cache(maxsize=1)
def _extractor() -> object:
    import tldextract

    # The snapshot bundled with tldextract: no network, ever.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=200_000)
def registrable_domain(host: str) -> str:
    """The registrable domain of ``host`` by the Public Suffix List (``a.b.co.uk`` → ``b.co.uk``).

    IP addresses and hosts without a public suffix are returned unchanged (lower-cased).
    """
    host = host.lower().strip().rstrip(".")
    if ":" in host and not host.startswith("["):
        host = host.split(":", 1)[0]
    result = _extractor()(host)  # type: ignore[operator]
    domain = str(result.top_domain_under_public_suffix)
    return domain or host


class Scope:
    """Which URLs are internal: the seeds' hosts, optionally their subdomains, and prefixes."""

    __slots__ = ("_domains", "_hosts", "_prefixes")

    def __init__(
        self, seeds: Iterable[str], *, subdomains: bool = False, prefixes: Iterable[str] = ()
    ) -> None:
        self._hosts = frozenset(host_of(s) for s in seeds)
        self._prefixes = tuple(prefixes)
        # The Public Suffix List is loaded only for subdomains: it costs 12 MB of memory.
        self._domains = (
            frozenset(registrable_domain(h) for h in self._hosts) if subdomains else None
        )

    @property
    def subdomains(self) -> bool:
        """True if subdomains of the seeds' registrable domains are internal too."""
        return self._domains is not None

    def __repr__(self) -> str:
        return f"Scope(hosts={sorted(self._hosts)}, subdomains={self.subdomains})"

    def contains(self, url: str) -> bool:
        """True if the normalised ``url`` is internal."""
        host = host_of(url)
        if host in self._hosts:
            return True
        if self._domains is not None and registrable_domain(host) in self._domains:
            return True
        return any(url.startswith(p) for p in self._prefixes)
