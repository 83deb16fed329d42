"""Storing a crawl: the command-line crawl loads its journal in its own process, a kill while
storing resumes to the same crawl, opening an audit loads what a killed crawl left, and the
crawl's error count follows the one rule of what an error page is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from linkflow import Audit
from linkflow.crawl import crawl_site
from linkflow.crawl.journal import CrawlBatch, Journal, journal_root
from linkflow.crawl.journal_load import load_journal
from linkflow.crawl.progress import CrawlStats
from linkflow.errors import ConfigError
from linkflow.models import CrawlSummary
from linkflow.store import Store
from tests.crawl.conftest import EXTRACT, Server, numbered_site, page, settings
from tests.crawl.test_crawl import site
from tests.crawl.test_resume import snapshot

Serve = Callable[[web.Application], Server]
ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "tests" / "sites"
N_PAGES = 120


def crawl(store: Path, seed: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "linkflow.crawl", str(store), seed, "--log-json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def events(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def stages(found: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The events as (event, stage), the steps of the storing checked and left out: each
    stage after the fetching reports its first step (0 done) and its last (all done)."""
    steps = [e for e in found if e["event"] == "crawl_step"]
    for stage, total in (("store", 1), ("templates", 9)):  # one journal part; 8 tables + write
        mine = [(e["done"], e["total"]) for e in steps if e["stage"] == stage]
        assert mine[0] == (0, total), (stage, mine)
        assert mine[-1] == (total, total), (stage, mine)
    return [(e["event"], e.get("stage")) for e in found if e["event"] != "crawl_step"]


def test_a_command_line_crawl_stores_its_journal_in_its_own_process(
    serve: Serve, tmp_path: Path
) -> None:
    seed = serve(numbered_site(N_PAGES)).url + "/"
    with Store.open(tmp_path / "in-process.duckdb") as store:
        crawl_site(store, [seed], settings(), EXTRACT)
    proc = crawl(tmp_path / "cli.duckdb", seed)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    names = stages(events(err))
    assert names[0] == ("crawl_start", None)
    assert names.count(("crawl_start", None)) == 1  # one run, never started over
    assert names[-3:] == [
        ("crawl_stage", "store"),
        ("crawl_stage", "templates"),
        ("crawl_finish", None),
    ]
    summary = json.loads(out.splitlines()[-1])
    assert summary["resumed"] is False
    assert summary["interrupted"] is False
    assert summary["pages"] > N_PAGES  # every page plus the 404s just past the end
    assert snapshot(tmp_path / "cli.duckdb") == snapshot(tmp_path / "in-process.duckdb")
    assert not journal_root(tmp_path / "cli.duckdb").exists()


@pytest.mark.parametrize(
    ("event", "stage"), [("crawl_stage", "store"), ("crawl_start", None)], ids=["storing", "start"]
)
def test_a_kill_resumes_to_the_same_crawl(
    serve: Serve, tmp_path: Path, event: str, stage: str | None
) -> None:
    """Killed while the journal loads (before, during or after the load), or as the crawl
    starts (before any batch is written: the resumed crawl starts from its seeds)."""
    seed = serve(numbered_site(N_PAGES)).url + "/"
    full = crawl(tmp_path / "full.duckdb", seed)
    assert full.wait(120) == 0

    path = tmp_path / "killed.duckdb"
    proc = crawl(path, seed)
    assert proc.stderr is not None
    for line in proc.stderr:
        found = json.loads(line) if line.startswith("{") else {"event": ""}
        if (found["event"], found.get("stage")) == (event, stage):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)

    again = crawl(path, seed)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out.splitlines()[-1])["crawl_id"] == 1
    assert snapshot(path) == snapshot(tmp_path / "full.duckdb")


def test_opening_an_audit_loads_the_journal_a_killed_crawl_left(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    for read_only in (False, True):
        with Store.open(path) as store:
            crawl_id = store.new_crawl(source="http", seeds=["https://example.com/"], settings={})
            journal = Journal(store, crawl_id)
            page_row = {"url": f"https://example.com/{crawl_id}", "internal": True, "status": 200}
            journal.write(CrawlBatch(pages=[page_row]))
            journal.close()
        with Store.open(path, read_only=True) as store:
            assert store.count("pages", crawl_id=crawl_id) == 0  # still in the journal
        with Audit(tmp_path, read_only=read_only) as audit:
            assert audit.store.count("pages", crawl_id=crawl_id) == 1
        assert not journal_root(path).exists()


def test_the_crawl_command_stores_the_crawl_in_its_own_process(tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    expected = json.loads((SITES / "orphans-deep" / "expected.json").read_text(encoding="utf-8"))
    proc = subprocess.run(
        [
            sys.executable, "-m", "linkflow", "crawl", str(SITES / "orphans-deep" / "site"),
            "--base-url", expected["base_url"], "--audit", str(audit), "--log-format", "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = stages(events(proc.stderr))
    assert names.count(("crawl_start", None)) == 1
    assert names[-3:] == [
        ("crawl_stage", "store"),
        ("crawl_stage", "templates"),
        ("crawl_finish", None),
    ]
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        assert store.crawl_info(1)["status"] == "finished"
        assert store.count("pages") == len(expected["depth"])
    assert not journal_root(audit / "audit.duckdb").exists()


class _Last:
    """A progress reporter keeping the last figures it was given."""

    def __init__(self) -> None:
        self.stats: CrawlStats | None = None

    def start(self, **_: object) -> None: ...

    def update(self, stats: CrawlStats) -> None:
        self.stats = stats

    def stage(self, name: str, detail: str) -> None: ...

    def finish(self, summary: CrawlSummary) -> None: ...


def test_errors_are_error_pages_not_pages_robots_txt_kept_out(serve: Serve, store: Store) -> None:
    async def robots(_: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private\n")

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500, text="oops")

    srv = serve(
        site(
            {
                "/robots.txt": robots,
                "/": page("Home", "/a", "/missing", "/gone", "/private", "/broken"),
                "/a": page("A"),
                "/broken": broken,
            }
        )
    )
    progress = _Last()
    summary = crawl_site(store, [srv.url + "/"], settings(), EXTRACT, progress=progress)
    # Two 404s and a 500 are errors; the page robots.txt disallows was never asked for.
    assert summary.by_status == {200: 2, 404: 2, 500: 1, 0: 1}
    assert summary.errors == 3
    assert progress.stats is not None
    assert progress.stats.errors == summary.errors  # the bar counts what the summary does


def test_a_store_memory_that_is_no_size_is_a_settings_error(store: Store) -> None:
    with pytest.raises(ConfigError, match=r"crawl\.store_memory must be a memory size"):
        crawl_site(store, ["https://example.com/"], settings(store_memory="lots"), EXTRACT)
    with pytest.raises(ConfigError, match=r"crawl\.store_memory must be a memory size"):
        load_journal(store, 1, "64 megs")


def test_from_the_load_to_the_checkpoint_every_statement_runs_under_the_cap(
    serve: Serve, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log is folded into the file once, after the template pass; until then it holds
    the whole load, and a commit outside the cap would let DuckDB's automatic checkpoint
    fold it uncapped. So every statement from the first row loaded to the CHECKPOINT runs
    with the cap set, and the log is folded by the end."""
    seen: list[tuple[str, str]] = []
    for name in ("execute", "rows", "scalar"):
        method = getattr(Store, name)

        def spy(self: Store, sql: str, *args: Any, _method: Any = method) -> Any:
            seen.append((" ".join(sql.split()), self.memory_limit))
            return _method(self, sql, *args)

        monkeypatch.setattr(Store, name, spy)
    seed = serve(numbered_site(30)).url + "/"
    crawl_site(store, [seed], settings(store_memory="48MB"), EXTRACT)
    sqls = [sql for sql, _ in seen]
    first = next(i for i, sql in enumerate(sqls) if sql.startswith("INSERT INTO links"))
    last = max(i for i, sql in enumerate(sqls) if sql == "CHECKPOINT")
    assert sqls.count("CHECKPOINT") == 1  # once, not after the load and again at the end
    assert any(sql.startswith("UPDATE links SET position") for sql in sqls[first:last])
    outside = [
        sql
        for sql, cap in seen[first : last + 1]
        if cap != "48MB" and not sql.startswith(("SET ", "RESET ", "SELECT current_setting"))
    ]
    assert outside == []
    wal = store.path.with_name(store.path.name + ".wal")
    assert not wal.exists() or wal.stat().st_size < 64 * 1024
