"""Kill and resume: a crawl killed (SIGKILL) or interrupted (SIGINT) mid-way and run again
ends with exactly the pages and links of an uninterrupted crawl, none stored twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from linkflow.crawl import crawl_site, recover
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, numbered_site, settings

Serve = Callable[[web.Application], Server]
N_PAGES = 500
ROOT = Path(__file__).resolve().parents[2]


def slow_site() -> web.Application:
    return numbered_site(N_PAGES, delay=0.02)  # slow enough that the kill lands mid-crawl


def run_crawl(store: Path, seed: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "linkflow.crawl",
            str(store),
            seed,
            "--concurrency",
            "4",
            "--log-json",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for_progress(proc: subprocess.Popen[str], min_pages: int) -> None:
    """Block until the crawl reports ``min_pages`` pages (JSON progress on stderr)."""
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    lines = []
    for line in proc.stderr:
        lines.append(line)
        event = json.loads(line) if line.startswith("{") else {"event": "text"}
        if event["event"] == "crawl_progress" and event["pages"] >= min_pages:
            return
        assert time.monotonic() < deadline, "the crawl made no progress"
    raise AssertionError("the crawl ended before it could be stopped:\n" + "".join(lines))


def snapshot(path: Path) -> tuple[set[tuple[str, int]], set[tuple[str, str, int]], int, int]:
    """(url, status) pairs, (src, dst, ordinal) links, and the raw row counts."""
    with Store.open(path) as store:
        crawl_id = store.latest_crawl_id()
        pages = store.query(
            "SELECT u.url, p.status FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE p.crawl_id = ?",
            [crawl_id],
        ).to_pylist()
        links = store.query(
            "SELECT s.url AS src, d.url AS dst, l.ordinal FROM links l "
            "JOIN urls s ON s.id = l.src_id JOIN urls d ON d.id = l.dst_id WHERE l.crawl_id = ?",
            [crawl_id],
        ).to_pylist()
        assert store.crawl_info(crawl_id)["status"] == "finished"
    return (
        {(p["url"], p["status"]) for p in pages},
        {(lk["src"], lk["dst"], lk["ordinal"]) for lk in links},
        len(pages),
        len(links),
    )


def test_sigkill_then_resume_equals_an_uninterrupted_crawl(serve: Serve, tmp_path: Path) -> None:
    srv = serve(slow_site())
    seed = srv.url + "/"
    with Store.open(tmp_path / "full.duckdb") as store:
        crawl_site(store, [seed], settings(concurrency=4), EXTRACT)
    full = snapshot(tmp_path / "full.duckdb")
    assert len(full[0]) > N_PAGES  # every page plus the 404s just past the end

    killed = tmp_path / "killed.duckdb"
    proc = run_crawl(killed, seed)
    wait_for_progress(proc, 60)
    time.sleep(0.4)  # let the first batch (written each second) commit before the kill
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with Store.open(killed) as store:
        recover(store)  # what the killed run committed, as the next crawl or audit loads it
        partial = store.count("pages")
        assert store.crawl_info(1)["status"] == "running"
    assert 0 < partial < len(full[0])

    proc = run_crawl(killed, seed)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    summary = json.loads(out.splitlines()[-1])
    assert summary["resumed"] is True
    assert summary["crawl_id"] == 1
    resumed = snapshot(killed)
    assert resumed[0] == full[0]
    assert resumed[1] == full[1]
    assert resumed[2:] == full[2:]  # no page and no link stored twice


def test_sigint_stops_cleanly_and_resumes(serve: Serve, tmp_path: Path) -> None:
    srv = serve(slow_site())
    seed = srv.url + "/"
    path = tmp_path / "audit.duckdb"
    proc = run_crawl(path, seed)
    wait_for_progress(proc, 40)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    first = json.loads(out.splitlines()[-1])
    assert first["interrupted"] is True
    with Store.open(path) as store:
        assert store.crawl_info(1)["status"] == "interrupted"
        assert store.count("pages") == first["pages"] > 0

    proc = run_crawl(path, seed)
    out, _ = proc.communicate(timeout=120)
    second = json.loads(out.splitlines()[-1])
    assert second["resumed"] is True
    assert second["interrupted"] is False
    pages, _, n_pages, _ = snapshot(path)
    assert n_pages == len(pages) == second["pages"]
    assert (seed, 200) in pages
