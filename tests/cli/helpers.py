"""The installed ``linkflow`` command run as users run it: a real process, a real signal,
a fixed terminal width; and a slow, endless site on 127.0.0.1 to crawl."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]

_script = shutil.which("linkflow", path=str(Path(sys.executable).parent))
LINKFLOW = [_script] if _script else [sys.executable, "-m", "linkflow"]
"""The console script of the installed package (``python -m linkflow`` without one)."""

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80"}
"""80 columns: click wraps help at min(COLUMNS, 80) - 2, what docs/cli.md shows."""


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``linkflow ARGS...`` to its end."""
    return subprocess.run(
        [*LINKFLOW, *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
        encoding="utf-8", timeout=timeout, check=False,
    )  # fmt: skip


def start(*args: str) -> subprocess.Popen[str]:
    """``linkflow ARGS...`` in the background, stdout and stderr piped."""
    return subprocess.Popen(
        [*LINKFLOW, *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8",
    )  # fmt: skip


def wait_for_pages(proc: subprocess.Popen[str], pages: int) -> None:
    """Block until a crawl run with ``--log-format json`` reports ``pages`` pages."""
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    seen = []
    for line in proc.stderr:
        seen.append(line)
        event = json.loads(line) if line.startswith("{") else {}
        if event.get("event") == "crawl_progress" and event["pages"] >= pages:
            return
        assert time.monotonic() < deadline, "the crawl made no progress:\n" + "".join(seen)
    raise AssertionError("the crawl ended before it could be stopped:\n" + "".join(seen))


def endless_site(delay: float) -> web.Application:
    """Pages ``/0``, ``/1`` ... each linking to three more, each taking ``delay`` seconds: a
    crawl of it runs until it is stopped."""

    async def handler(request: web.Request) -> web.Response:
        name = request.path.strip("/") or "0"
        if not name.isdigit():
            return web.Response(status=404)  # robots.txt, sitemap.xml
        await asyncio.sleep(delay)
        n = int(name)
        links = "".join(f'<p><a href="/{3 * n + i}">page {3 * n + i}</a></p>' for i in (1, 2, 3))
        body = f"<html><head><title>Page {n}</title></head><body><main>{links}</main></body>"
        return web.Response(text=body + "</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    return app
