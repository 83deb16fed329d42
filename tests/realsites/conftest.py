"""Real sites nobody here wrote, audited once per site and mode for the whole session.

Debian's HTML documentation of Python 3.11 and PostgreSQL 15 (packages ``python3.11-doc``
and ``postgresql-doc-15``, installed by scripts/system-deps.sh) are audited as build folders
and over HTTP from a server these fixtures start on 127.0.0.1: nginx when it is installed,
else a threaded ``http.server``. A missing package fails the tests: it never skips them.

Audits run lazily, the first time a test asks for one, so each one's time counts against
that test (pytest-timeout) rather than against the session's setup.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from linkflow import Audit
from tests.realsites.truth import SiteTruth


@dataclass(frozen=True)
class Site:
    """A documentation package: where its HTML is and the public URL it is built for."""

    name: str
    package: str
    root: Path
    base: str


SITES = {
    "python": Site(
        "python",
        "python3.11-doc",
        Path("/usr/share/doc/python3.11/html"),
        "https://docs.python.org/3.11/",
    ),
    "postgresql": Site(
        "postgresql",
        "postgresql-doc-15",
        Path("/usr/share/doc/postgresql-doc-15/html"),
        "https://www.postgresql.org/docs/15/",
    ),
}
MODES = ("folder", "http")


def require(site: Site) -> Site:
    """``site``, or a test failure naming the package to install."""
    if not (site.root / "index.html").is_file():
        pytest.fail(
            f"{site.root}: the {site.package} package is not installed; "
            f"run scripts/system-deps.sh (apt-get install {site.package})"
        )
    return site


@dataclass
class AuditRun:
    """One finished audit: its folder, the site and how it was crawled."""

    site: Site
    mode: str
    path: Path
    crawl_id: int
    seconds: float

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        with Audit(self.path, create=False, read_only=True) as audit:
            return list(audit.store.query(sql, params or []).to_pylist())

    def gate(self, *names: str) -> bool:
        """True if ``linkflow check --fail-on NAMES`` fails on this audit."""
        with Audit(self.path, create=False, read_only=True) as audit:
            return audit.check(list(names)).failed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _nginx() -> str | None:
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").is_file():
        found = "/usr/sbin/nginx"
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Servers:
    """One server per site on 127.0.0.1, each serving its site's folder at its root."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.ports: dict[str, int] = {}
        self._nginx: subprocess.Popen[bytes] | None = None
        self._http: list[ThreadingHTTPServer] = []

    def start(self, sites: list[Site]) -> None:
        nginx = _nginx()
        self.ports = {site.name: _free_port() for site in sites}
        if nginx is not None:
            self._start_nginx(nginx, sites)
        else:
            for site in sites:
                handler = partial(_QuietHandler, directory=str(site.root))
                server = ThreadingHTTPServer(("127.0.0.1", self.ports[site.name]), handler)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                self._http.append(server)
        for port in self.ports.values():
            _wait_for(port)

    def _start_nginx(self, nginx: str, sites: list[Site]) -> None:
        mime = Path("/etc/nginx/mime.types")
        types = f"include {mime};" if mime.is_file() else "types { text/html html htm; }"
        temp = " ".join(
            f"{name}_temp_path {self.state / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        servers = " ".join(
            f"server {{ listen 127.0.0.1:{self.ports[s.name]}; root {s.root}; "
            "index index.html; autoindex off; }"
            for s in sites
        )
        conf = self.state / "nginx.conf"
        conf.write_text(
            f"worker_processes 1; pid {self.state / 'nginx.pid'}; "
            f"error_log {self.state / 'error.log'} warn; events {{ worker_connections 256; }} "
            f"http {{ {types} default_type application/octet-stream; access_log off; "
            f"{temp} {servers} }}\n"
        )
        self._nginx = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(self.state), "-e", str(self.state / "error.log"),
             "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        if self._nginx is not None:
            self._nginx.terminate()
            self._nginx.wait(timeout=10)
        for server in self._http:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Base URL (``http://127.0.0.1:PORT/``) of each installed site's server."""
    installed = [site for site in SITES.values() if (site.root / "index.html").is_file()]
    running = _Servers(tmp_path_factory.mktemp("servers"))
    running.start(installed)
    try:
        yield {name: f"http://127.0.0.1:{port}/" for name, port in running.ports.items()}
    finally:
        running.stop()


class Audits:
    """Each (site, mode) audited once, when a test first asks for it."""

    def __init__(self, root: Path, servers: dict[str, str]) -> None:
        self.root = root
        self.servers = servers
        self._done: dict[tuple[str, str], AuditRun] = {}
        self._truth: dict[str, SiteTruth] = {}

    def get(self, name: str, mode: str) -> AuditRun:
        key = (name, mode)
        if key not in self._done:
            site = require(SITES[name])
            path = self.root / f"{name}-{mode}"
            target = str(site.root) if mode == "folder" else self.servers[name]
            started = time.monotonic()
            with Audit(path, overrides={"crawl.base_url": site.base}) as audit:
                audit.crawl(target).analyse()
                crawl_id = audit.crawl_id()
            self._done[key] = AuditRun(site, mode, path, crawl_id, time.monotonic() - started)
        return self._done[key]

    def truth(self, name: str) -> SiteTruth:
        if name not in self._truth:
            site = require(SITES[name])
            self._truth[name] = SiteTruth(site.root, site.base)
        return self._truth[name]


@pytest.fixture(scope="session")
def audits(tmp_path_factory: pytest.TempPathFactory, servers: dict[str, str]) -> Audits:
    return Audits(tmp_path_factory.mktemp("realsites"), servers)
