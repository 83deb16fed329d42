"""Settings: defaults, linkflow.toml, command-line precedence, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkflow.errors import ConfigError
from linkflow.settings import SETTINGS, Settings, load_settings


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
