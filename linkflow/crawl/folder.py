"""A copy of a site standing in for the public one: a static build folder (Hugo, Jekyll,
MkDocs, Sphinx ...) served as if by a web server, or a server given ``--base-url``.

:class:`FolderFetcher` answers URLs under the site's public base URL from files, the way
common static hosts do: ``dir/`` → ``dir/index.html``; ``dir`` → 301 to ``dir/`` when the
folder has an index; ``page`` → ``page.html`` (clean URLs); a missing file → 404. Redirect
rules in a ``_redirects`` file at the folder's root (Netlify and Cloudflare Pages style:
``/from /to [status]``, exact paths; splats and placeholders are not supported) answer with
their 3xx status. Nothing outside the folder is ever read, and no network is used unless
``check_external`` asks for it. :class:`FolderOrigins` stores ``dir/index.html`` as ``dir/``:
one file is one page, whichever of its two URLs a link names.

A URL on the public host but outside the copy (``/3/license.html`` linked from a build of
``/3.11/``) is stored with no status and the error ``"outside the build folder; not checked"``
(``"outside the base URL; ..."`` for a server, :class:`StandIn`): nothing is known of it, so
it is not a broken link's target. With ``check_external`` its status is asked of the public
site instead (HEAD, no body, never parsed) and stored with ``"...; checked over HTTP"``.
"""

from __future__ import annotations

import mimetypes
import os
import stat
import time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from linkflow.crawl.fetch import Fetcher, Response
from linkflow.crawl.hosts import OriginMap
from linkflow.models import OUTSIDE

if TYPE_CHECKING:
    from linkflow.settings import CrawlSettings

__all__ = [
    "CHECKED",
    "NOT_CHECKED",
    "FolderFetcher",
    "FolderOrigins",
    "PrefixMap",
    "StandIn",
    "check_over_http",
    "directory_url",
    "folder_fetcher",
    "folder_urls",
    "parse_redirects",
    "stand_in",
    "stand_in_origins",
]

_HTML_SUFFIXES = (".html", ".htm")
_INDEX = "index.html"
OUTSIDE_FOLDER, OUTSIDE_BASE = OUTSIDE
NOT_CHECKED = "; not checked"
"""Ends the error of a URL outside the copy that was not fetched."""
CHECKED = "; checked over HTTP"
"""Ends the error of a URL outside the copy whose status the public site gave."""


def parse_redirects(text: str) -> dict[str, tuple[str, int]]:
    """Parse Netlify-style ``_redirects`` rules into ``{from: (to, status)}``.

    Blank lines and ``#`` comments are skipped; a missing status means 301. Never raises.

    >>> parse_redirects("# old\\n/a/  /b/  302\\n/c /d\\n")
    {'/a/': ('/b/', 302), '/c': ('/d', 301)}
    """
    rules: dict[str, tuple[str, int]] = {}
    for raw in text.splitlines():
        parts = raw.split("#", 1)[0].split()
        if len(parts) >= 2:
            code = parts[2].rstrip("!") if len(parts) > 2 else ""
            # A third field that is not a status (``Country=us`` ...) leaves the default 301.
            status = int(code) if code.isdigit() else 301
            rules.setdefault(parts[0], (parts[1], status))
    return rules


def directory_url(url: str) -> str:
    """``url`` with a final ``index.html`` path segment removed (the query is kept):
    the URL a static host serves a folder's index file under.

    >>> directory_url("https://example.com/docs/index.html?v=2")
    'https://example.com/docs/?v=2'
    """
    path, question, query = url.partition("?")
    if path.endswith("/" + _INDEX) and path.count("/") > 2:
        return path[: -len(_INDEX)] + question + query
    return url


class FolderOrigins(OriginMap):
    """The stored URLs of a build folder served at ``public`` (its base URL): a folder's
    ``index.html`` is stored as the folder (``docs/index.html`` → ``docs/``), so a site
    linking both forms has one page for it, with every inlink. Other sites' URLs are left
    as they are. Fetching needs no mapping: the folder serves ``docs/`` from the file.
    """

    __slots__ = ()

    def to_fetch(self, url: str) -> str:
        return url

    def to_public(self, url: str) -> str:
        return directory_url(url) if url.startswith(self.public) else url


class PrefixMap(OriginMap):
    """A server holding the site at its root while the public site has it under a path:
    ``public`` and ``fetch`` are URL prefixes ending in ``/`` (``https://docs.python.org/3.11/``
    ↔ ``http://127.0.0.1:8000/``). A public URL outside the prefix has no fetch URL: it is
    returned as it is, and :class:`StandIn` answers it without asking the server."""

    __slots__ = ()

    def to_fetch(self, url: str) -> str:
        if url.startswith(self.public):
            return self.fetch + url[len(self.public) :]
        return url

    def to_public(self, url: str) -> str:
        if url.startswith(self.fetch):
            return self.public + url[len(self.fetch) :]
        return url

    def outside(self, url: str) -> bool:
        """True for a URL on the public origin but outside the public prefix."""
        return url.startswith(_origin(self.public) + "/") and not url.startswith(self.public)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stand_in_origins(base: str, seed: str) -> OriginMap:
    """How a crawl of ``seed`` maps to the public ``base`` URL (``--base-url``).

    A base with no path, or one the seed's path starts with (the copy serves the public
    paths: ``http://staging/docs/`` for ``https://example.com/docs/``), maps the origins and
    keeps every path. Otherwise the copy holds the site at its root: the seed's origin
    stands for the base URL, path included (``http://127.0.0.1:8000/library/os.html`` is
    ``https://docs.python.org/3.11/library/os.html``). Both normalised URLs.
    """
    base_path = urlsplit(base).path or "/"
    if (
        base_path == "/"
        or urlsplit(seed).path.startswith(base_path)
        or _origin(base) == _origin(seed)
    ):
        return OriginMap(public=_origin(base), fetch=_origin(seed))
    return PrefixMap(public=base if base.endswith("/") else base + "/", fetch=_origin(seed) + "/")


async def check_over_http(fetcher: Fetcher, url: str, where: str) -> Response:
    """The status of ``url`` (outside the copy: ``where`` says how) from the public site.

    A HEAD request (GET when the server answers 405 or 501); the body is dropped and the
    answer carries ``where + CHECKED`` as its error, so it is stored, never parsed. No
    answer at all leaves the URL not checked, with the reason.
    """
    resp = await fetcher.fetch(url, method="HEAD")
    if resp.status in (405, 501):
        resp = await fetcher.fetch(url)
    if resp.status is None:
        reason = f" ({resp.error})" if resp.error else ""
        return Response(url=url, error=where + NOT_CHECKED + reason, elapsed_ms=resp.elapsed_ms)
    resp.body = b""
    resp.error = where + CHECKED
    return resp


class StandIn:
    """The fetcher of a crawl whose server stands in for the public site under a path
    (:class:`PrefixMap`): a public URL outside that path is answered ``"outside the base URL;
    not checked"`` (its robots.txt: 404, nothing to obey) instead of being fetched from the
    public site, unless ``check`` asks for its status (:func:`check_over_http`)."""

    def __init__(self, inner: Fetcher, origins: PrefixMap, *, check: bool) -> None:
        self.inner = inner
        self.origins = origins
        self.check = check

    async def close(self) -> None:
        await self.inner.close()

    async def fetch(self, url: str, *, method: str = "GET") -> Response:
        if not self.origins.outside(url):
            return await self.inner.fetch(url, method=method)
        if urlsplit(url).path == "/robots.txt":
            return await self.inner.fetch(url) if self.check else Response(url=url, status=404)
        if self.check:
            return await check_over_http(self.inner, url, OUTSIDE_BASE)
        return Response(url=url, error=OUTSIDE_BASE + NOT_CHECKED)


def stand_in(origins: OriginMap, fetcher: Fetcher, *, check: bool) -> Fetcher:
    """``fetcher`` for a crawl mapped by ``origins``: wrapped in :class:`StandIn` when a
    server stands in for a public path (:class:`PrefixMap`), else as it is."""
    return StandIn(fetcher, origins, check=check) if isinstance(origins, PrefixMap) else fetcher


def folder_urls(root: Path, base: str) -> list[tuple[str, ...]]:
    """Every HTML file under ``root`` as its URLs under ``base``: the preferred one first,
    then the others that serve the same file (``a/`` and ``a/index.html``; ``b.html`` and
    ``b``), sorted by path (component by component, as paths compare).

    Symbolic links to files count; links to folders are not entered, and unreadable
    folders are skipped, as ``Path.rglob`` does. The listing is made of strings and of
    what ``os.scandir`` already knows of each entry, not of path objects: as paths, the
    Rust docs' 33,768 entries took 1.2 s, at a point where the crawl waits for them."""
    base = base if base.endswith("/") else base + "/"
    found: list[tuple[str, ...]] = []
    for parts in sorted(_html_files(os.fspath(root))):
        rel = "/".join(parts)
        preferred = base + (rel[: -len(_INDEX)] if parts[-1] == _INDEX else rel)
        found.append((preferred, base + rel, base + rel[: rel.rfind(".")]))
    return found


def _html_files(top: str) -> list[tuple[str, ...]]:
    """The path components, below ``top``, of the HTML files under it."""
    found: list[tuple[str, ...]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(top, ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError:
            continue
        for entry in listing:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.is_symlink():
                    folders.append((entry.path, (*parts, name)))
                continue
            dot = name.rfind(".")  # the suffix as Path.suffix has it: not a leading dot
            if 0 < dot < len(name) - 1 and name[dot:].lower() in _HTML_SUFFIXES:
                try:
                    is_file = entry.is_file()
                except OSError:
                    is_file = False
                if is_file:
                    found.append((*parts, name))
    return found


def folder_fetcher(root: Path, base: str, settings: CrawlSettings) -> FolderFetcher:
    """A :class:`FolderFetcher` for a crawl with ``settings``: with ``check_external``, URLs
    outside the folder are checked over HTTP (aiohttp is imported only then)."""
    outside: Fetcher | None = None
    if settings.check_external:
        from linkflow.crawl.httpfetch import HttpFetcher

        outside = HttpFetcher(settings)
    return FolderFetcher(root, base, max_bytes=settings.max_body_bytes, outside=outside)


class FolderFetcher:
    """Serves files of ``root`` for URLs under ``base`` (an absolute URL ending in ``/``).

    ``outside``, if given, answers what the folder cannot: URLs of other hosts as asked (the
    crawl checks external links with HEAD), and URLs of the base's host outside the folder
    (another path, or another scheme or port) through :func:`check_over_http`.
    """

    def __init__(
        self, root: Path, base: str, *, max_bytes: int, outside: Fetcher | None = None
    ) -> None:
        self.root = root.resolve()
        self._root = str(self.root)
        self._inside = self._root if self._root.endswith(os.sep) else self._root + os.sep
        self._real_dirs: dict[str, str] = {}  # the real path of each directory met
        self.base = base if base.endswith("/") else base + "/"
        self._prefix = urlsplit(self.base).path
        self.max_bytes = max_bytes
        self.outside = outside
        rules = self.root / "_redirects"
        try:
            text = rules.read_text("utf-8") if rules.is_file() else ""
        except (OSError, UnicodeDecodeError):
            text = ""  # an unreadable rules file is treated as no rules, like a host would
        self.redirects = {
            src: (dst, status)
            for src, (dst, status) in parse_redirects(text).items()
            if 300 <= status < 400
        }

    async def close(self) -> None:
        if self.outside is not None:
            await self.outside.close()

    async def fetch(self, url: str, *, method: str = "GET") -> Response:
        if self.outside is not None and self._is_outside(url):
            if urlsplit(url).hostname != urlsplit(self.base).hostname:
                return await self.outside.fetch(url, method=method)  # an external link
            return await check_over_http(self.outside, url, OUTSIDE_FOLDER)
        start = time.perf_counter()
        resp = self._answer(url)
        if method == "HEAD":
            resp.body = b""
        resp.elapsed_ms = (time.perf_counter() - start) * 1000.0
        return resp

    def _resolve(self, rel: str) -> tuple[str, os.stat_result | None] | None:
        """The real path of file ``rel`` of the folder (symbolic links followed, as
        ``Path.resolve`` does) and what ``os.stat`` tells of it (``None``: no such file);
        ``None`` when that path is outside the folder.

        The real path of a file's directory is kept: files share directories, and
        resolving one checks every part of its path (a system call each), so each file
        then costs one ``lstat`` of its own name, which also answers what the file is.
        """
        try:
            head, name = os.path.split(os.path.join(self._root, rel))
            if name in ("", ".", ".."):
                real = os.path.realpath(os.path.join(head, name))
                found = None
            else:
                real_head = self._real_dirs.get(head)
                if real_head is None:
                    if len(self._real_dirs) >= _MAX_DIRS:  # junk URLs: keep it bounded
                        self._real_dirs.clear()
                    real_head = self._real_dirs[head] = os.path.realpath(head)
                real = os.path.join(real_head, name)
                found = _stat(real, follow=False)
                if found is not None and stat.S_ISLNK(found.st_mode):
                    real, found = os.path.realpath(real), None
        except (OSError, ValueError):  # NUL bytes, over-long names
            return None
        if real != self._root and not real.startswith(self._inside):
            return None
        return real, found if found is not None else _stat(real)

    def _is_outside(self, url: str) -> bool:
        """True for a URL the folder does not hold: another origin's (``http://`` for an
        ``https://`` base too), or outside the base path. The host's robots.txt is the
        folder's own, whatever the scheme (see :meth:`_answer`)."""
        parts = urlsplit(url)
        if parts.hostname != urlsplit(self.base).hostname:
            return True
        if parts.path == "/robots.txt":
            return False
        return _origin(url) != _origin(self.base) or not parts.path.startswith(self._prefix)

    def _answer(self, url: str) -> Response:
        parts = urlsplit(url)
        if self._is_outside(url):
            return Response(url=url, error=OUTSIDE_FOLDER + NOT_CHECKED)
        if parts.path == "/robots.txt":
            # A site built for a sub-path ships its robots.txt at the folder's root.
            robots = self.root / "robots.txt"
            return self._file(url, robots) if robots.is_file() else Response(url=url, status=404)
        path = parts.path
        alternative = path[:-1] if path.endswith("/") else path + "/"  # hosts match both
        rule = self.redirects.get(path) or self.redirects.get(alternative)
        if rule is None and path.endswith("/"):  # a rule for dir/index.html: FolderOrigins
            rule = self.redirects.get(path + _INDEX)  # stores that URL as dir/
        if rule is not None:
            location = rule[0] if "://" in rule[0] else urljoin(self.base, rule[0])
            return Response(url=url, status=rule[1], headers={"location": location})
        rel = unquote(parts.path[len(self._prefix) :])
        resolved = self._resolve(rel)
        if resolved is None:
            return Response(url=url, status=404)
        target, found = resolved
        if found is not None and stat.S_ISDIR(found.st_mode):
            index = os.path.join(target, _INDEX)
            if not rel.endswith("/") and rel:
                if _is_file(_stat(index)):
                    return _redirect(url, parts.path + "/")
                return Response(url=url, status=404)
            target, found = index, _stat(index)
        elif found is None and not PurePosixPath(rel).suffix:
            target += ".html"
            found = _stat(target)
        if found is None or not stat.S_ISREG(found.st_mode):
            return Response(url=url, status=404)
        return self._file(url, target, found.st_size)

    def _file(self, url: str, path: str | Path, size: int | None = None) -> Response:
        """The file at ``path`` (of ``size`` bytes when known) as a 200 response; a 404 if
        it is gone, and no status but the system's reason if it cannot be read (as a
        request that got no answer: the page is stored with that error)."""
        ctype = mimetypes.guess_type(os.path.basename(path))[0] or "application/octet-stream"
        try:
            with open(path, "rb") as fh:
                # Sized by the file: read(max_bytes + 1) allocates that much for every
                # file, which made reading 3-4 times slower on a build's many small pages.
                if size is None:
                    size = os.fstat(fh.fileno()).st_size
                body = fh.read(min(size, self.max_bytes) + 1)
                if size < len(body) <= self.max_bytes:  # grown since the stat: read on
                    body += fh.read(self.max_bytes + 1 - len(body))
        except FileNotFoundError:  # deleted since it was found
            return Response(url=url, status=404)
        except OSError as exc:  # no permission, an I/O error ...
            reason = exc.strerror or type(exc).__name__
            return Response(url=url, error=f"cannot read the file ({reason}): make it readable")
        if len(body) > self.max_bytes:
            return Response(
                url=url,
                status=200,
                headers={"content-type": ctype},
                error=f"body too large: cut at {self.max_bytes} bytes",
                raw_bytes=len(body),
            )
        return Response(
            url=url, status=200, headers={"content-type": ctype}, body=body, raw_bytes=len(body)
        )


def _stat(path: str, *, follow: bool = True) -> os.stat_result | None:
    """``os.stat`` of ``path`` (``os.lstat`` unless ``follow``); ``None`` when it cannot
    be read (no such file, a name too long, a loop of links ...)."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None


def _is_file(found: os.stat_result | None) -> bool:
    return found is not None and stat.S_ISREG(found.st_mode)


_MAX_DIRS = 10_000


def _redirect(url: str, path: str) -> Response:
    parts = urlsplit(url)
    location = f"{parts.scheme}://{parts.netloc}{path}"
    return Response(url=url, status=301, headers={"location": location})
