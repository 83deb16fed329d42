"""Two processes on one audit: readers share it; anyone else is told, in one line, which
process holds it and what to do, not DuckDB's lock message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.errors import AuditInUseError, StoreError
from tests.cli.helpers import ROOT, endless_site, run, start, wait_for_pages
from tests.crawl.conftest import Server

SITE = ROOT / "tests" / "sites" / "broken-anchors" / "site"
WAIT = "wait for it to finish or stop it, then try again"


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "lock" not in lines[0].lower(), lines[0]  # DuckDB's words, not the user's
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_crawl_in_progress_is_named_to_every_other_command(tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    with Server(endless_site(delay=0.1)) as server:
        seed = server.url + "/"
        crawl = start("crawl", seed, "--audit", str(audit), "--log-format", "json")
        try:
            wait_for_pages(crawl, 3)
            holder = f"process {crawl.pid} (linkflow crawl)"

            export = run("export", "--audit", str(audit), "--table", "pages",
                         "--output", str(tmp_path / "pages.csv"))  # fmt: skip
            line = _one_line_error(export)
            assert f"audit.duckdb is being written by {holder}; {WAIT}" in line

            second = run("crawl", seed, "--audit", str(audit), "--quiet")
            line = _one_line_error(second)
            assert f"audit.duckdb is in use by {holder}; {WAIT}" in line
        finally:
            crawl.send_signal(signal.SIGINT)
            crawl.communicate(timeout=60)
    assert crawl.returncode == 130


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """An audited site, and a second process that holds it open for reading meanwhile."""
    audit = tmp_path / "audit"
    args = ["audit", str(SITE), "--base-url", "https://site.test", "--quiet"]
    result = CliRunner().invoke(cli, [*args, "--audit", str(audit)])
    assert result.exit_code == 0, result.output
    code = (
        "import sys; from linkflow.store import Store\n"
        "with Store.open(sys.argv[1], read_only=True):\n"
        "    print('open', flush=True); sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(audit / "audit.duckdb")], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline() == "open\n"
    yield audit, proc.pid
    proc.communicate(timeout=30)  # closing its stdin ends it


def test_read_only_commands_share_an_audit(reader: tuple[Path, int], tmp_path: Path) -> None:
    audit, _ = reader
    export = run("export", "--audit", str(audit), "--table", "findings",
                 "--output", str(tmp_path / "findings.csv"))  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert "broken-link" in (tmp_path / "findings.csv").read_text(encoding="utf-8")
    report = run("report", "--audit", str(audit))
    assert report.returncode == 0, report.stderr
    assert (audit / "report" / "index.html").is_file()
    suggest = run("suggest", "--audit", str(audit))
    assert suggest.returncode == 0, suggest.stderr


def test_a_writer_is_told_a_reader_holds_the_audit(reader: tuple[Path, int]) -> None:
    audit, pid = reader
    line = _one_line_error(run("analyse", "--audit", str(audit)))
    assert f"audit.duckdb is in use by process {pid}; {WAIT}" in line  # not a linkflow command


def test_the_holder_is_another_process_when_duckdb_names_none(tmp_path: Path) -> None:
    error = AuditInUseError.from_lock(tmp_path / "audit.duckdb", "IO Error: lock", read_only=True)
    assert isinstance(error, StoreError)
    assert str(error) == f"{tmp_path / 'audit.duckdb'} is being written by another process; {WAIT}"


def test_a_holder_that_is_not_linkflow_is_named_by_its_id() -> None:
    detail = f"Conflicting lock is held in /usr/bin/python3 (PID {os.getpid()})."
    error = AuditInUseError.from_lock(Path("a.duckdb"), detail, read_only=False)
    assert str(error) == f"a.duckdb is in use by process {os.getpid()}; {WAIT}"  # pytest
