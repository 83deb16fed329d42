"""Ctrl-C: a real SIGINT to a real ``linkflow crawl`` ends it with exit code 130 and says
how to go on; a command whose crawl was interrupted does not carry on as if it were done."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkflow.audit import Audit
from linkflow.cli import cli
from linkflow.models import CrawlSummary
from linkflow.store import Store
from tests.cli.helpers import endless_site, start, wait_for_pages
from tests.crawl.conftest import Server

RESUME = "what was stored is kept — run the same command again to resume"
START_OVER = "run the same command again to start over"  # a recrawl resumes nothing


def test_ctrl_c_in_a_crawl_exits_130_and_says_how_to_resume(tmp_path: Path) -> None:
    audit = tmp_path / "audit"
    with Server(endless_site(delay=0.05)) as server:
        proc = start("crawl", server.url + "/", "--audit", str(audit), "--log-format", "json")
        wait_for_pages(proc, 5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("crawl interrupted after "), err
    assert last.endswith(RESUME), err
    with Store.open(audit / "audit.duckdb", read_only=True) as store:
        assert store.crawl_info(1)["status"] == "interrupted"
        assert store.count("pages") > 0


def _interrupted_crawl(self: Audit, target: str, **kwargs: object) -> Audit:
    """Audit.crawl as it returns when Ctrl-C stopped the fetching."""
    self.state.crawls.append(CrawlSummary(crawl_id=1, pages=7, interrupted=True))
    return self


@pytest.mark.parametrize(
    ("args", "then"),
    [
        (["audit", "https://example.com/"], RESUME),
        (["crawl", "https://example.com/", "--recrawl"], START_OVER),
        (["check", "https://example.com/"], START_OVER),
    ],
)
def test_an_interrupted_crawl_ends_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], then: str
) -> None:
    def no_later_stage(self: Audit, *args: object, **kwargs: object) -> Audit:
        raise AssertionError("a stage ran after the crawl was interrupted")

    monkeypatch.setattr(Audit, "crawl", _interrupted_crawl)
    for stage in ("import_exports", "check_known_urls", "analyse", "report", "check"):
        monkeypatch.setattr(Audit, stage, no_later_stage)
    result = CliRunner().invoke(cli, [*args, "--quiet", "--audit", str(tmp_path / "a")])
    assert result.exit_code == 130, result.output
    assert result.output.strip().splitlines() == [f"crawl interrupted after 7 pages; {then}"]
