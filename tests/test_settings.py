"""Settings: defaults, linkflow.toml, command-line precedence, and clear errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkflow.cli import cli
from linkflow.errors import ConfigError
from linkflow.settings import SETTINGS, Settings, load_settings, settings_toml, toml_value


def test_defaults_match_the_table() -> None:
    s = Settings()
    for row in SETTINGS:
        assert getattr(getattr(s, row.section), row.name) == row.default
        assert row.help.endswith("."), row.key


def test_precedence_flags_then_audit_toml_then_cwd_toml(tmp_path: Path) -> None:
    cwd, audit = tmp_path / "cwd", tmp_path / "audit"
    cwd.mkdir()
    audit.mkdir()
    (cwd / "linkflow.toml").write_text("[crawl]\nmax_pages = 5\nrps = 2\n[graph]\ndamping = 0.7\n")
    (audit / "linkflow.toml").write_text("[crawl]\nmax_pages = 7\n")
    s = load_settings(audit_dir=audit, cwd=cwd, overrides={"crawl.rps": 9.5, "crawl.auth": None})
    assert s.crawl.max_pages == 7
    assert s.crawl.rps == 9.5
    assert s.graph.damping == 0.7
    assert s.crawl.auth == ""


def test_lists_become_tuples(tmp_path: Path) -> None:
    (tmp_path / "linkflow.toml").write_text('[analyse]\nmoney = ["/services/*", "/shop/*"]\n')
    s = load_settings(cwd=tmp_path)
    assert s.analyse.money == ("/services/*", "/shop/*")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[crawl]\nmax_pagez = 5\n", "unknown setting 'crawl.max_pagez'"),
        ("[crawl]\nmax_pages = 'many'\n", "crawl.max_pages must be a int"),
        ("[crawl]\nobey_robots = 1\n", "crawl.obey_robots must be a bool"),
        ("crawl = 3\n", "must be a \\[section\\] table"),
        ("[crawl\n", "not valid TOML"),
    ],
)
def test_bad_toml_names_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "linkflow.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(cwd=tmp_path)
    assert "linkflow.toml" in str(info.value)
    assert "\n" not in str(info.value)


def test_replace_override() -> None:
    s = Settings().replace(graph__weights="uniform")
    assert s.graph.weights == "uniform"
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings().replace(graph__nope=1)


def _defaults_as_toml_data(section: str | None = None) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = {}
    for s in SETTINGS:
        if section in (None, s.section):
            value = list(s.default) if isinstance(s.default, tuple) else s.default
            data.setdefault(s.section, {})[s.name] = value
    return data


def test_printed_settings_are_toml_that_reads_back_as_the_defaults() -> None:
    result = CliRunner().invoke(cli, ["settings"])
    assert result.exit_code == 0, result.output
    assert tomllib.loads(result.output) == _defaults_as_toml_data()
    assert "# Stop after this many pages have been fetched.\nmax_pages = 100000\n" in result.output
    assert "\nobey_robots = true\n" in result.output  # not Python's True
    assert "\nscope = []\n" in result.output

    result = CliRunner().invoke(cli, ["settings", "report", "crawl.rps"])
    assert result.exit_code == 0, result.output
    assert tomllib.loads(result.output) == {
        "crawl": {"rps": 0.0},
        **_defaults_as_toml_data("report"),
    }


def test_printed_settings_can_be_pasted_into_linkflow_toml(tmp_path: Path) -> None:
    (tmp_path / "linkflow.toml").write_text(settings_toml(), encoding="utf-8")
    assert load_settings(cwd=tmp_path) == Settings()


@pytest.mark.parametrize(
    ("value", "toml"),
    [
        (True, "true"),
        (0.85, "0.85"),
        (1e-05, "1e-05"),
        (3, "3"),
        ((), "[]"),
        (("/a", "b"), '["/a", "b"]'),
        ('say "hi"\\\n\t\x7f é', '"say \\"hi\\"\\\\\\u000A\\u0009\\u007F é"'),
    ],
)
def test_toml_value(value: object, toml: str) -> None:
    assert toml_value(value) == toml
    expected = list(value) if isinstance(value, tuple) else value
    assert tomllib.loads(f"v = {toml}")["v"] == expected


def test_unknown_keys_suggest_the_closest_known_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["settings", "crawl.max_pagez"])
    assert result.exit_code == 2
    assert "unknown setting 'crawl.max_pagez'; did you mean 'crawl.max_pages'?" in result.output
    (tmp_path / "linkflow.toml").write_text("[crawl]\nper_host_concurency = 2\n")
    with pytest.raises(ConfigError, match="did you mean 'crawl.per_host_concurrency'"):
        load_settings(cwd=tmp_path)
    with pytest.raises(ConfigError, match="did you mean 'graph.damping'"):
        Settings().replace(graph__dampng=0.5)
    (tmp_path / "linkflow.toml").write_text("max_pages = 5\n")
    with pytest.raises(ConfigError, match=r"'max_pages' must go under its section: \[crawl\]"):
        load_settings(cwd=tmp_path)


def test_crawl_defaults_are_polite() -> None:
    # Screaming Frog's default: 5 requests at once to a site the user may not run.
    assert Settings().crawl.per_host_concurrency == 5
    assert Settings().crawl.per_host_concurrency <= Settings().crawl.concurrency
