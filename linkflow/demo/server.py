"""Serve a static site folder like a static host does, on 127.0.0.1, in a background thread.

Behaviour, in the order a request meets it:

1. Only GET and HEAD (405 otherwise). Files whose name starts with ``_`` or ``.`` (such as
   ``_redirects``) are never served.
2. A file at the path is served with its content type (UTF-8 charset for text).
   ``/dir/`` serves ``dir/index.html``; ``/dir`` (a folder) answers 301 to ``/dir/``.
3. A rule of ``_redirects`` (Netlify style: ``/from /to [status]`` per line, ``#`` comments,
   status 301 by default; ``/from`` also matches without or with its trailing slash) answers
   with its status and ``Location``, keeping the query string.
4. Otherwise 404, with ``404.html`` as the body when the folder has one.
"""

from __future__ import annotations

import asyncio
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from linkflow.crawl.folder import parse_redirects

__all__ = ["parse_redirects", "serve_site"]


_TEXT_TYPES = (
    "text/",
    "application/xml",
    "application/json",
    "application/javascript",
    "image/svg+xml",
)
_TYPES = {
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".csv": "text/csv",
}


def _content_type(path: Path) -> tuple[str, str | None]:
    ctype = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    ctype = ctype or "application/octet-stream"
    return ctype, ("utf-8" if ctype.startswith(_TEXT_TYPES) else None)


class _Site:
    """Request handling for one folder; see the module docstring for the rules."""

    def __init__(self, folder: Path) -> None:
        self.root = folder.resolve()
        rules_file = self.root / "_redirects"
        self.rules = parse_redirects(rules_file.read_text("utf-8")) if rules_file.is_file() else {}

    def _local(self, url_path: str) -> Path | None:
        """The file or folder for ``url_path``, or None if hidden or outside the root."""
        parts = [p for p in url_path.split("/") if p]
        if any(p.startswith((".", "_")) or "\\" in p for p in parts):
            return None
        candidate = self.root.joinpath(*parts).resolve()
        return candidate if candidate.is_relative_to(self.root) else None

    def _file(self, path: Path, status: int = 200) -> web.Response:
        ctype, charset = _content_type(path)
        return web.Response(
            body=path.read_bytes(), status=status, content_type=ctype, charset=charset
        )

    def _redirect(self, request: web.Request) -> web.Response | None:
        path = request.path
        alternative = path[:-1] if path.endswith("/") else path + "/"
        rule = self.rules.get(path) or self.rules.get(alternative)
        if rule is None:
            return None
        location = rule[0] + (f"?{request.query_string}" if request.query_string else "")
        return web.Response(status=rule[1], headers={"Location": location})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, headers={"Allow": "GET, HEAD"})
        local = self._local(request.path)
        if local is not None and local.is_dir():
            index = local / "index.html"
            if index.is_file():
                if not request.path.endswith("/"):
                    qs = f"?{request.query_string}" if request.query_string else ""
                    return web.Response(status=301, headers={"Location": request.path + "/" + qs})
                return self._file(index)
        elif local is not None and local.is_file() and not request.path.endswith("/"):
            return self._file(local)
        redirect = self._redirect(request)
        if redirect is not None:
            return redirect
        not_found = self.root / "404.html"
        if not_found.is_file():
            return self._file(not_found, status=404)
        return web.Response(status=404, text="Not found")


@contextmanager
def serve_site(folder: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``folder`` over HTTP while the ``with`` block runs; yield the base URL.

    The server runs an aiohttp application on its own event loop in a daemon thread, bound
    to ``host`` (loopback by default) and ``port`` (0 picks a free port). The base URL has no
    trailing slash, e.g. ``http://127.0.0.1:54321``. Leaving the block stops the server and
    joins the thread. An error while starting (such as a port in use) is raised here.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder to serve")
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _Site(folder).handle)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    ready = threading.Event()
    stop = asyncio.Event()
    state: dict[str, object] = {}

    async def run() -> None:
        try:
            await runner.setup()
            await web.TCPSite(runner, host, port).start()
            state["port"] = runner.addresses[0][1]
        except Exception as exc:  # reported to the caller's thread below
            state["error"] = exc
            ready.set()
            await runner.cleanup()
            return
        ready.set()
        await stop.wait()
        await runner.cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    ready.wait()
    try:
        if "error" in state:
            raise state["error"]  # type: ignore[misc]
        yield f"http://{host}:{state['port']}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join()
        loop.close()
