"""A command-line crawl hands its journal to a fresh process (``exec``) that stores and
finishes it: the result equals a crawl stored in process, a kill at the hand-over resumes,
and the audit command carries on to its report in the fresh process."""

from __future__ import annotations

import io
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
from rich.console import Console

from linkflow.crawl import RichProgress, handoff
from linkflow.settings import CrawlSettings
from linkflow.store import Store
from linkflow.store.spool import CrawlBatch, CrawlSpool, spool_root
from tests.crawl.conftest import Server, numbered_site
from tests.crawl.test_resume import snapshot

Serve = Callable[[web.Application], Server]
ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "tests" / "sites"
N_PAGES = 120


def site() -> web.Application:
    return numbered_site(N_PAGES)


def crawl(store: Path, seed: str, handoff_mb: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "linkflow.crawl", str(store), seed, "--log-json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", handoff.MIN_BYTES_ENV: handoff_mb},
    )


def events(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_a_handed_over_crawl_equals_one_stored_in_process(serve: Serve, tmp_path: Path) -> None:
    seed = serve(site()).url + "/"
    kept = crawl(tmp_path / "kept.duckdb", seed, "off")
    kept_out, kept_err = kept.communicate(timeout=120)
    assert kept.returncode == 0, kept_err
    assert "handoff" not in [e.get("stage") for e in events(kept_err)]

    proc = crawl(tmp_path / "handed.duckdb", seed, "0")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    log = events(err)
    names = [(e["event"], e.get("stage")) for e in log]
    handed_at = names.index(("crawl_stage", "handoff"))
    # The fresh process starts the crawl again as a resume, stores it, and finishes it.
    assert names[handed_at + 1 :] == [
        ("crawl_start", None),
        ("crawl_progress", None),
        ("crawl_stage", "store"),
        ("crawl_stage", "templates"),
        ("crawl_finish", None),
    ]
    assert log[handed_at + 1]["resumed"] is True
    summary = json.loads(out.splitlines()[-1])
    carried = log[handed_at + 2]  # the fetched totals, for the fresh process's bar
    assert carried["pages"] == summary["pages"]
    assert carried["max_pages"] == CrawlSettings().max_pages
    assert summary["resumed"] is False  # the run itself did not resume an earlier one
    assert summary["interrupted"] is False
    assert summary["seconds"] >= log[handed_at - 1]["elapsed"]
    assert summary == {**json.loads(kept_out.splitlines()[-1]), "seconds": summary["seconds"]}
    assert snapshot(tmp_path / "handed.duckdb") == snapshot(tmp_path / "kept.duckdb")
    assert not spool_root(tmp_path / "handed.duckdb").exists()
    assert handoff.ENV not in os.environ


def test_a_kill_at_the_hand_over_resumes_to_the_same_crawl(serve: Serve, tmp_path: Path) -> None:
    seed = serve(site()).url + "/"
    full = crawl(tmp_path / "full.duckdb", seed, "off")
    assert full.wait(120) == 0

    path = tmp_path / "killed.duckdb"
    proc = crawl(path, seed, "0")
    assert proc.stderr is not None
    for line in proc.stderr:
        if '"handoff"' in line:
            break
    proc.send_signal(signal.SIGKILL)  # before, during or after the exec: any of them
    proc.wait(10)

    again = crawl(path, seed, "0")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out.splitlines()[-1])["crawl_id"] == 1
    assert snapshot(path) == snapshot(tmp_path / "full.duckdb")


def test_the_audit_command_carries_on_to_its_report(tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    expected = json.loads((SITES / "orphans-deep" / "expected.json").read_text(encoding="utf-8"))
    proc = subprocess.run(
        [
            sys.executable, "-m", "linkflow", "audit", str(SITES / "orphans-deep" / "site"),
            "--base-url", expected["base_url"], "--audit", str(audit), "--log-format", "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, handoff.MIN_BYTES_ENV: "0"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert ("crawl_stage", "handoff") in [(e["event"], e.get("stage")) for e in events(proc.stderr)]
    assert (audit / "report" / "index.html").is_file()
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        assert store.crawl_info(1)["status"] == "finished"
        assert store.count("pages") == len(expected["depth"])


def test_a_hand_over_is_taken_once_and_only_for_its_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, other = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ticket = handoff.Handoff(
        store=str(mine.resolve()), crawl_id=3, resumed=False, elapsed=1.5,
        pages=10, links=20, errors=0,
    )  # fmt: skip
    raw = json.dumps({field: getattr(ticket, field) for field in ticket.__slots__})
    monkeypatch.setenv(handoff.ENV, raw)
    assert handoff.pending(mine)
    assert not handoff.pending(other)
    assert handoff.take(mine) == ticket
    assert handoff.take(mine) is None  # taken once: a later crawl runs normally

    monkeypatch.setenv(handoff.ENV, raw)
    monkeypatch.setattr(handoff, "_argv", ["python", "-m", "linkflow"])  # as enable() leaves it
    assert handoff.wanted(2**40)
    assert handoff.take(other) is None
    # A process started by a hand-over, even one it cannot carry on, never hands over again:
    # it would run the same command once more, and again.
    assert not handoff.wanted(2**40)
    for stray in ("not json", '{"store": "x"}', "[]"):
        monkeypatch.setenv(handoff.ENV, stray)
        assert not handoff.pending(mine)
        assert handoff.take(mine) is None


@pytest.mark.parametrize(
    ("env", "size", "wanted"),
    [("", 16 * 2**20, True), ("", 2**20, False), ("0", 1, True), ("off", 2**30, False),
     ("2.5", 3 * 2**20, True), ("2.5", 2 * 2**20, False)],
)  # fmt: skip
def test_the_journal_size_that_hands_over(
    monkeypatch: pytest.MonkeyPatch, env: str, size: int, wanted: bool
) -> None:
    monkeypatch.setenv(handoff.MIN_BYTES_ENV, env)
    monkeypatch.setattr(handoff, "_argv", None)
    monkeypatch.setattr(handoff, "_min_bytes", handoff.MIN_BYTES)
    assert not handoff.wanted(size)  # never without enable(): a library caller's process
    handoff.enable(["python", "-m", "linkflow"])
    assert handoff.wanted(size) is wanted


def test_the_demo_stores_its_crawl_in_its_own_process(tmp_path: Path) -> None:
    # Its seed is a server of its own on a free port: a fresh run would crawl another site.
    audit = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "linkflow", "demo", "--audit", str(audit), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, handoff.MIN_BYTES_ENV: "0"},
    )
    assert proc.returncode == 0, proc.stderr
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM crawls") == 1
        assert store.crawl_info(1)["status"] == "finished"


def test_the_bar_comes_back_when_the_hand_over_fails() -> None:
    out = io.StringIO()
    bar = RichProgress(Console(file=out, force_terminal=True, width=100))
    bar.start(crawl_id=1, seeds=["https://example.com/"], resumed=False, store="a.duckdb")
    bar.stage("handoff", "storing the crawl in a fresh process")
    assert "storing the crawl in a fresh process …" in out.getvalue()
    bar.stage("store", "storing the crawl")  # the exec failed: this process stores the crawl
    try:
        assert bar._progress.live.is_started
        assert bar._progress.tasks[0].description == "storing the crawl"
    finally:
        bar._progress.stop()


def test_opening_the_store_leaves_a_handed_over_journal_to_the_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.duckdb"
    with Store.open(path) as store:
        crawl_id = store.new_crawl(source="http", seeds=["https://example.com/"], settings={})
        spool = CrawlSpool(store, crawl_id)
        page = {"url": "https://example.com/", "internal": True, "depth": 0, "status": 200}
        spool.write(CrawlBatch(pages=[page]))
        spool.close()
    ticket = {
        "store": str(path.resolve()), "crawl_id": crawl_id, "resumed": False, "elapsed": 1.0,
        "pages": 1, "links": 0, "errors": 0,
    }  # fmt: skip
    monkeypatch.setenv(handoff.ENV, json.dumps(ticket))
    with handoff.open_store(path) as store:
        assert store.count("pages") == 0  # still in the journal, for the crawl stage
    monkeypatch.delenv(handoff.ENV)
    with handoff.open_store(path) as store:
        assert store.count("pages") == 1  # any other process loads it on opening
    assert not spool_root(path).exists()
