"""The command line, in process: help everywhere, one-line errors, exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkflow.cli import cli

COMMANDS = [
    "audit", "authority", "crawl", "import", "import-crawl", "analyse", "suggest", "verdict",
    "report", "export", "check", "demo", "settings",
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


def test_audit_summary_lists_findings_most_severe_first(runner: CliRunner, tmp_path: Path) -> None:
    from linkflow.analyses.findings_text import SEVERITY
    from linkflow.models import SEVERITIES

    args = ["audit", str(SITE), "--base-url", "https://site.test", "--quiet"]
    result = runner.invoke(cli, [*args, "--audit", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    rows = re.findall(r"^ +([a-z]+(?:-[a-z]+)*) +([\d,]+)", result.output, re.M)
    assert {SEVERITY[kind] for kind, _ in rows} >= {"high", "medium", "low"}, result.output
    order = [(SEVERITIES.index(SEVERITY[kind]), -int(n.replace(",", ""))) for kind, n in rows]
    assert order == sorted(order), result.output
    for kind, n in rows:
        assert re.search(rf"{kind} +{n} {SEVERITY[kind]}\b", result.output), kind


# ---------------------------------------------------------------------- export
LINK_KINDS = {
    "broken-link", "link-to-redirect", "link-to-canonicalised", "link-to-noindex",
    "generic-anchor", "empty-anchor", "naked-url-anchor", "image-link-no-alt",
}  # fmt: skip


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The broken-anchors site crawled and analysed (read by the tests below, never changed)."""
    folder = tmp_path_factory.mktemp("audited") / "a"
    runner = CliRunner()
    args = ["crawl", str(SITE), "--base-url", "https://site.test", "--quiet"]
    for command in (args, ["analyse", "--quiet"]):
        result = runner.invoke(cli, [*command, "--audit", str(folder)])
        assert result.exit_code == 0, result.output
    return folder


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_export_without_table_lists_the_tables_and_their_rows(
    runner: CliRunner, audited: Path
) -> None:
    from linkflow.store import Store

    result = runner.invoke(cli, ["export", "--audit", str(audited)])
    assert result.exit_code == 0, result.output
    with Store.open(audited / "audit.duckdb", read_only=True) as store:
        counts = {t: store.count(t) for t in store.tables()}
    listed = dict(re.findall(r"^([a-z_]+) +([\d,]+) rows?$", result.stdout, re.M))
    assert {t: int(n.replace(",", "")) for t, n in listed.items()} == counts
    assert counts["links"] > 0


def test_export_to_standard_output(runner: CliRunner, audited: Path) -> None:
    import json

    args = ["export", "--audit", str(audited), "--table", "links", "--output", "-"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = _csv(result.stdout_bytes.decode("utf-8"))
    assert rows
    assert all(r["Source"].startswith("https://site.test/") and r["Destination"] for r in rows)
    assert f"{len(rows):,} rows written to standard output" in result.stderr
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == len(rows)


def test_export_format_follows_the_extension(
    runner: CliRunner, audited: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "pages.parquet"
    result = runner.invoke(cli, ["export", "--audit", str(audited), "--table", "pages",
                                 "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows > 0


def test_export_refuses_a_format_the_extension_contradicts(
    runner: CliRunner, audited: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pages.json"
    args = ["export", "--audit", str(audited), "--table", "pages", "--output", str(out)]
    result = runner.invoke(cli, [*args, "--format", "csv"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "pages.json" in result.output
    assert not out.exists()


def test_export_into_a_missing_folder_is_an_error(
    runner: CliRunner, audited: Path, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "pages.csv"
    result = runner.invoke(cli, ["export", "--audit", str(audited), "--table", "pages",
                                 "--output", str(out)])  # fmt: skip
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_findings_export_names_each_link_target(runner: CliRunner, audited: Path) -> None:
    """Through the real analysis: a link finding's target is a column of its own."""
    args = ["export", "--audit", str(audited), "--table", "findings", "--output", "-"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout_bytes.decode("utf-8"))
    kinds = {r["Issue"] for r in rows}
    assert {"broken-link", "generic-anchor", "empty-anchor", "image-link-no-alt"} <= kinds
    for row in rows:
        assert row["Address"].startswith("https://site.test/"), row
        if row["Issue"] in LINK_KINDS:
            assert row["Destination"].startswith("https://site.test/"), row
            assert f"link to {row['Destination']} " in row["Detail"] or (
                f"links to {row['Destination']} " in row["Detail"]
            ), row
        else:
            assert row["Destination"] == "", row
    broken = {r["Destination"] for r in rows if r["Issue"] == "broken-link"}
    assert "https://site.test/nowhere.html" in broken


# ---------------------------------------------------------------------- stage progress
def _events(stderr: str) -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def _stage(events: list[dict[str, object]], stage: str) -> list[dict[str, object]]:
    return [e for e in events if e.get("stage") == stage]


def _check_stage(events: list[dict[str, object]]) -> None:
    """start → progress… → finish, done counting up to the planned total."""
    assert events[0]["event"] == "stage_start"
    assert events[-1]["event"] == "stage_finish"
    assert events[-1]["ok"] is True
    steps = events[1:-1]
    assert steps
    assert all(e["event"] == "stage_progress" for e in steps)
    assert [e["done"] for e in steps] == list(range(len(steps)))
    assert events[-1]["done"] == len(steps) == events[0]["total"]


def test_analyse_and_report_log_their_steps_as_json(
    runner: CliRunner, audited: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(audited, folder)  # analyse writes: the shared audit stays as it is
    result = runner.invoke(cli, ["analyse", "--audit", str(folder), "--log-format", "json"])
    assert result.exit_code == 0, result.output
    analyse = _stage(_events(result.stderr), "analyse")
    _check_stage(analyse)
    assert "solving PageRank" in {e.get("step") for e in analyse}
    result = runner.invoke(cli, ["report", "--audit", str(folder), "--log-format", "json"])
    assert result.exit_code == 0, result.output
    report = _stage(_events(result.stderr), "report")
    _check_stage(report)
    exported = sorted(p.name for p in (folder / "report" / "exports").iterdir())
    steps = [str(e["step"]) for e in report[1:-1]]
    # the page's data is read while the exports run (on another thread), then each export
    # is waited for, then the page is written
    assert steps[0] == "reading the page's data"
    assert steps[-1] == "writing the page"
    assert sorted(steps[1:-1]) == [f"exporting {name}" for name in exported]


def test_import_logs_each_file_and_quiet_shows_nothing(runner: CliRunner, tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "exports"
    files = [str(data / "ahrefs_backlinks.csv"), str(data / "majestic_backlinks.csv")]
    audit = ["--audit", str(tmp_path / "a")]
    result = runner.invoke(cli, ["import", *files, *audit, "--log-format", "json"])
    assert result.exit_code == 0, result.output
    events = _stage(_events(result.stderr), "import")
    _check_stage(events)
    assert {e.get("step") for e in events} >= {"reading ahrefs_backlinks.csv",
                                                "storing majestic_backlinks.csv"}  # fmt: skip
    result = runner.invoke(cli, ["import", *files, *audit, "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_the_rich_bar_shows_the_stage_and_its_step() -> None:
    import io

    from rich.console import Console

    from linkflow.progress import RichStages, Stage

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with Stage("analyse", RichStages(console), total=2) as step:
        step("solving PageRank")
        step("findings [x]")  # a name with brackets is text, not markup
    screen = out.getvalue()
    assert "analyse" in screen
    assert "solving PageRank" in screen
    assert "findings [x]" in screen


def test_a_failed_stage_still_finishes() -> None:
    import io
    import json

    from linkflow.progress import JsonStages, Stage

    def fail_half_way(out: io.StringIO) -> None:
        with Stage("report", JsonStages(out), total=3) as step:
            step("exporting pages.csv")
            raise RuntimeError("disk full")

    out = io.StringIO()
    with pytest.raises(RuntimeError):
        fail_half_way(out)
    last = json.loads(out.getvalue().splitlines()[-1])
    assert (last["event"], last["ok"], last["done"]) == ("stage_finish", False, 0)
