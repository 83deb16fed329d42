"""URL normalisation, resolution, scope and registrable domains: pure functions.

Every stage that meets a URL (crawler, extractor, importers) canonicalises it with
:func:`normalize`, so a URL from a backlink export joins the page the crawler fetched.

Links are resolved as browsers resolve them: by the WHATWG URL Standard, with the
``ada-url`` parser. So a backslash is a slash, ``%2e`` is a dot segment, ``///host`` and
``https:host`` (on an http page) name a host, IPv4 shorthand is expanded, IDN hosts go
through UTS #46 and a host with a forbidden code point (``http://a b/``) is no URL at all.
On a page in a legacy encoding, non-ASCII query characters are written in that encoding.

The canonical form, applied on top: ``http``/``https`` only; scheme and host lower-cased;
IDN hosts in punycode, a trailing dot of the host removed; default ports and user info
removed; dot segments resolved; an empty path becomes ``/``; percent-escapes upper-cased,
unreserved characters decoded, other unsafe characters encoded as UTF-8; in the query,
``'`` is kept as it is (browsers send ``'`` and ``%27`` alike); the fragment removed;
tracking parameters removed; an empty ``?`` dropped. Query order and trailing slashes are
kept: servers may treat them as different pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, urlsplit

import ada_url

from linkflow.encodings import UTF8, encode_query, lookup, needs_query_encoding, output_encoding

__all__ = [
    "Scope",
    "assigned_domain",
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
# A path or query made only of these is already canonical: the common case, checked first.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~/:@!$&'()*+,;=]*")
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9\-._~/:@!$&'()*+,;=?]*")
# What the URL Standard trims from both ends of an input, and removes from anywhere in it.
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


def _pct_normalise(part: str, safe: str, decode: frozenset[str] = _UNRESERVED) -> str:
    part = _STRAY_PCT.sub("%25", part)

    def fix(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in decode else "%" + m.group(1).upper()

    return quote(_PCT.sub(fix, part), safe=safe)


_QUERY_DECODED = _UNRESERVED | {"'"}


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


def _strip_params(query: str, strip: frozenset[str]) -> str:
    if not query or not strip:
        return query
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in strip]
    return "&".join(kept)


@lru_cache(maxsize=64)
def _strip_set(params: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p.lower() for p in params)


def _encode_legacy_query(url: str, encoding: str) -> str:
    """``url`` with its query written in ``encoding``, as the URL parser of such a page does.

    The first ``?`` before any ``#`` starts the query of an http(s) URL, whatever precedes
    it: no part before the query may hold a raw ``?``.
    """
    url = url.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)
    head, hash_, fragment = url.partition("#")
    before, question, query = head.partition("?")
    if not question or not needs_query_encoding(query, encoding):
        return url
    return before + "?" + encode_query(query, encoding) + hash_ + fragment


def _parse(url: str, base: str | None) -> str | None:
    """The WHATWG serialisation of ``url`` resolved against ``base``, or ``None``."""
    try:
        if base is None:
            return str(ada_url.parse_url(url, attributes=("href",))["href"])
        return str(ada_url.join_url(base, url))
    except ValueError:
        pass
    # A base that is no URL at all still leaves an absolute url its meaning.
    if base is not None and not ada_url.check_url(base):
        return _parse(url, None)
    return None


def normalize(
    url: str,
    base: str | None = None,
    *,
    strip_params: tuple[str, ...] = (),
    encoding: str = UTF8,
) -> str | None:
    """Return the canonical absolute form of ``url`` (resolved against ``base``).

    ``encoding`` is the character encoding of the page the link is on (any WHATWG label):
    browsers percent-encode non-ASCII query characters in it. Returns ``None`` for anything
    that is not an ``http(s)`` URL with a host (``mailto:``, ``javascript:``, malformed
    input ...). Never raises.

    >>> normalize("HTTP://Example.COM:80/a/./b/../c?utm_source=x#top", strip_params=("utm_source",))
    'http://example.com/a/c'
    """
    if encoding != UTF8:
        page_encoding = output_encoding(lookup(encoding) or UTF8)
        if page_encoding != UTF8:
            url = _encode_legacy_query(url, page_encoding)
    href = _parse(url, base)
    if href is None:
        return None
    # A special URL serialises as scheme://[userinfo@]host[:port]/path[?query][#fragment],
    # with "/", "?", "#" and "@" percent-encoded wherever they are not delimiters.
    scheme, sep, rest = href.partition("://")
    if scheme not in _DEFAULT_PORTS or not sep:
        return None
    rest = rest.partition("#")[0]
    slash = rest.find("/")
    authority, path_query = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    host = authority.rpartition("@")[2]
    if not host.endswith("]"):
        name, colon, port = host.rpartition(":")
        if colon:
            host = name.rstrip(".") + ":" + port
        else:
            host = host.rstrip(".")
    if not host or host.startswith(":"):
        return None
    path, question, query = path_query.partition("?")
    if not _PLAIN_PATH.fullmatch(path):
        path = _pct_normalise(path, _PATH_SAFE)
    if question:
        query = _strip_params(query, _strip_set(strip_params))
        if query and not _PLAIN_QUERY.fullmatch(query):
            query = _pct_normalise(query, _QUERY_SAFE, _QUERY_DECODED)
    return f"{scheme}://{host}{path}?{query}" if query else f"{scheme}://{host}{path}"


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


def assigned_domain(host: str) -> str:
    """The registrable domain of a lower-case ``host`` (ICANN section of the Public Suffix
    List), or ``""`` when it has none: an IP address, a public suffix itself (``co.uk``) or
    a name without a known suffix (``localhost``).

    Not cached, unlike :func:`registrable_domain`: it is meant for streams of distinct hosts.
    """
    return str(_extractor()(host).top_domain_under_public_suffix)  # type: ignore[operator]


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
