"""The docs stay true to the code."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import click

from linkflow.cli import cli
from linkflow.settings import SETTINGS
from tests.cli.helpers import run

ROOT = Path(__file__).parent.parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    """Each section of docs/cli.md is what the installed command prints for --help."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = r"^## (linkflow[^\n]*)\n\n```text\n(.*?)\n```$"
    documented = dict(re.findall(section, text, re.M | re.S))
    paths: list[list[str]] = [[], *([name] for name in cli.commands)]
    for name, command in cli.commands.items():  # a group's commands have sections too
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.commands)
    assert sorted(documented) == sorted(" ".join(["linkflow", *p]) for p in paths)
    for path in paths:
        result = run(*path, "--help")
        assert result.returncode == 0, result.stderr
        title = " ".join(["linkflow", *path])
        assert documented[title] == result.stdout.removesuffix("\n"), (
            f"docs/cli.md differs from `{title} --help`: run `python docs/generate.py`"
        )


def test_settings_reference_is_current() -> None:
    expected = _generator().settings_markdown()
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == expected, (
        "docs/settings.md is stale: run `python docs/generate.py`"
    )


def test_settings_reference_shows_defaults_as_toml() -> None:
    """The default column is what linkflow.toml takes, so it can be copied from the page."""
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| `(.*?)` \|", text, re.M))
    assert sorted(rows) == sorted(s.key for s in SETTINGS)
    for s in SETTINGS:
        shown = rows[s.key].replace("\\|", "|")
        if shown.endswith("..."):
            continue  # a long list, cut short in the table
        expected = list(s.default) if isinstance(s.default, tuple) else s.default
        assert tomllib.loads(f"v = {shown}")["v"] == expected, s.key


def test_readme_documents_both_setup_commands_and_every_doc_link_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme

    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).is_file(), f"README links to missing {link}"
