"""A static build folder (Hugo, Jekyll, MkDocs, Sphinx ...) served as if by a web server.

:class:`FolderFetcher` answers URLs under the site's public origin from files, the way
common static hosts do: ``dir/`` → ``dir/index.html``; ``dir`` → 301 to ``dir/`` when the
folder has an index; ``page`` → ``page.html`` (clean URLs); a missing file → 404. Redirect
rules in a ``_redirects`` file at the folder's root (Netlify and Cloudflare Pages style:
``/from /to [status]``, exact paths; splats and placeholders are not supported) answer with
their 3xx status. Nothing outside the folder is ever read, and no network is used.
"""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from linkflow.crawl.fetch import Response

__all__ = ["FolderFetcher", "folder_urls", "parse_redirects"]

_HTML_SUFFIXES = (".html", ".htm")


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


def _url_path(rel: PurePosixPath) -> str:
    """The URL path of a file relative to the site root (``a/index.html`` → ``a/``)."""
    text = rel.as_posix()
    if rel.name in ("index.html", "index.htm"):
        return text[: -len(rel.name)]
    return text


def folder_urls(root: Path, base: str) -> list[tuple[str, ...]]:
    """Every HTML file under ``root`` as its URLs under ``base``: the preferred one first,
    then the others that serve the same file (``a/`` and ``a/index.html``; ``b.html`` and
    ``b``), sorted by path."""
    base = base if base.endswith("/") else base + "/"
    found: list[tuple[str, ...]] = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() in _HTML_SUFFIXES and path.is_file():
            rel = PurePosixPath(path.relative_to(root).as_posix())
            preferred = base + _url_path(rel)
            found.append((preferred, base + rel.as_posix(), base + rel.with_suffix("").as_posix()))
    return found


class FolderFetcher:
    """Serves files of ``root`` for URLs under ``base`` (an absolute URL ending in ``/``)."""

    def __init__(self, root: Path, base: str, *, max_bytes: int) -> None:
        self.root = root.resolve()
        self.base = base if base.endswith("/") else base + "/"
        self._prefix = urlsplit(self.base).path
        self.max_bytes = max_bytes
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
        return None

    async def fetch(self, url: str, *, method: str = "GET") -> Response:
        start = time.perf_counter()
        resp = self._answer(url)
        if method == "HEAD":
            resp.body = b""
        resp.elapsed_ms = (time.perf_counter() - start) * 1000.0
        return resp

    def _resolve(self, rel: str) -> Path | None:
        try:
            path = (self.root / rel).resolve()
        except (OSError, ValueError):  # NUL bytes, over-long names, symlink loops
            return None
        return path if path.is_relative_to(self.root) else None

    def _answer(self, url: str) -> Response:
        parts = urlsplit(url)
        base = urlsplit(self.base)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return Response(url=url, error="outside the folder's site; not fetched")
        if parts.path == "/robots.txt" and self._prefix != "/":
            # A site built for a sub-path ships its robots.txt at the folder's root.
            robots = self.root / "robots.txt"
            return self._file(url, robots) if robots.is_file() else Response(url=url, status=404)
        if not parts.path.startswith(self._prefix):
            return Response(url=url, error="outside the build folder; not checked")
        path = parts.path
        alternative = path[:-1] if path.endswith("/") else path + "/"  # hosts match both
        rule = self.redirects.get(path) or self.redirects.get(alternative)
        if rule is not None:
            location = rule[0] if "://" in rule[0] else urljoin(self.base, rule[0])
            return Response(url=url, status=rule[1], headers={"location": location})
        rel = unquote(parts.path[len(self._prefix) :])
        target = self._resolve(rel)
        if target is None:
            return Response(url=url, status=404)
        if target.is_dir():
            if not rel.endswith("/") and rel:
                if (target / "index.html").is_file():
                    return _redirect(url, parts.path + "/")
                return Response(url=url, status=404)
            target = target / "index.html"
        elif not target.exists() and not PurePosixPath(rel).suffix:
            target = target.with_name(target.name + ".html")
        if not target.is_file():
            return Response(url=url, status=404)
        return self._file(url, target)

    def _file(self, url: str, path: Path) -> Response:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with path.open("rb") as fh:
            body = fh.read(self.max_bytes + 1)
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


def _redirect(url: str, path: str) -> Response:
    parts = urlsplit(url)
    location = f"{parts.scheme}://{parts.netloc}{path}"
    return Response(url=url, status=301, headers={"location": location})
