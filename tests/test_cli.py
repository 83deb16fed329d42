"""The command line, in process: help everywhere, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from linkflow.cli import cli

COMMANDS = [
    "audit", "crawl", "import", "import-crawl", "analyse", "suggest", "report", "export",
    "check", "demo", "settings",
]  # fmt: skip


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_group_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output


def test_commands_are_exactly_the_documented_ones() -> None:
    assert sorted(cli.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {name}" in result.output or f"Usage: linkflow {name}" in result.output
    summary = cli.commands[name].get_short_help_str(200)
    assert len(summary) > 20


@pytest.mark.parametrize("name", ["analyse", "report", "suggest"])
def test_missing_audit_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path, name: str) -> None:
    result = runner.invoke(cli, [name, "--audit", str(tmp_path / "none")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "no audit here" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "none").exists()


def test_verbose_shows_the_traceback(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--verbose", "analyse", "--audit", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "Traceback" in result.output


def test_bad_toml_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    audit = tmp_path / "a"
    audit.mkdir()
    (audit / "linkflow.toml").write_text("[crawl]\nmax_pagez = 3\n")
    result = runner.invoke(cli, ["crawl", "https://127.0.0.1:9/", "--audit", str(audit)])
    assert result.exit_code == 2
    assert "unknown setting 'crawl.max_pagez'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_not_a_url_nor_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["crawl", "no such thing", "--audit", str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "neither an http(s) URL nor a folder" in result.output


def test_folder_without_base_url(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    result = runner.invoke(cli, ["crawl", str(tmp_path / "site"), "--audit", str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "--base-url" in result.output


def test_settings_markdown_lists_every_setting(runner: CliRunner) -> None:
    from linkflow.settings import SETTINGS

    result = runner.invoke(cli, ["settings", "--markdown"])
    assert result.exit_code == 0
    for s in SETTINGS:
        assert f"`{s.key}`" in result.output


def test_version(runner: CliRunner) -> None:
    import linkflow

    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert linkflow.__version__ in result.output


SITE = Path(__file__).parent / "sites" / "broken-anchors" / "site"


def test_check_fails_on_a_broken_link_and_lists_it(runner: CliRunner, tmp_path: Path) -> None:
    args = ["check", str(SITE), "--base-url", "https://site.test", "--quiet"]
    result = runner.invoke(cli, [*args, "--audit", str(tmp_path / "a"), "--fail-on", "broken"])
    assert result.exit_code == 1, result.output
    assert (
        "broken-link\thttps://site.test/\tlinks to https://site.test/nowhere.html" in result.output
    )
    assert "generic-anchor" not in result.output


def test_check_passes_when_the_named_problems_are_absent(runner: CliRunner, tmp_path: Path) -> None:
    args = ["check", str(SITE), "--base-url", "https://site.test", "--quiet"]
    result = runner.invoke(cli, [*args, "--audit", str(tmp_path / "a"), "--fail-on", "redirects"])
    assert result.exit_code == 0, result.output
    assert "ok: 0 problems" in result.output


def test_check_rejects_an_unknown_problem_before_crawling(
    runner: CliRunner, tmp_path: Path
) -> None:
    args = ["check", str(SITE), "--base-url", "https://site.test", "--fail-on", "brokn"]
    result = runner.invoke(cli, [*args, "--audit", str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "unknown problem 'brokn'" in result.output
    assert not (tmp_path / "a").exists()
