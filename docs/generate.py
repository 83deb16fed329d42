"""Regenerate docs/cli.md and docs/settings.md from the code: `python docs/generate.py`.

tests/test_docs.py fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import click

from linkflow.cli import cli
from linkflow.settings import SETTINGS, toml_value

DOCS = Path(__file__).parent

COLUMNS = "80"
"""Terminal width the help is rendered at: click wraps help to min(width, 80) - 2 columns,
so this is what a user sees in any terminal of 80 columns or more."""


def _help(path: list[str]) -> str:
    """What ``linkflow PATH --help`` prints, by the same code path as the console script
    (click's test runner would force its own width)."""
    out = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS
    try:
        with contextlib.redirect_stdout(out):
            code = cli.main([*path, "--help"], prog_name="linkflow", standalone_mode=False)
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    if code:
        raise SystemExit(f"linkflow {' '.join(path)} --help failed:\n{out.getvalue()}")
    return out.getvalue().removesuffix("\n")


def command_paths() -> list[list[str]]:
    """``[]``, then each command in the group's order, a group's own commands after it."""
    ctx = cli.make_context("linkflow", [], resilient_parsing=True)
    paths: list[list[str]] = [[]]
    for name in cli.list_commands(ctx):
        paths.append([name])
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.list_commands(ctx))
    return paths


def cli_markdown() -> str:
    """Every command's ``linkflow COMMAND --help``, as printed, in the order of the group."""
    parts = [
        "# Command line reference\n",
        "Generated from `linkflow COMMAND --help` by `docs/generate.py`; do not edit by hand.\n",
    ]
    for path in command_paths():
        title = " ".join(["linkflow", *path])
        parts.append(f"## {title}\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def settings_markdown() -> str:
    """The settings table: `linkflow.toml` sections, defaults and meanings."""
    lines = [
        "# Settings\n",
        "Generated from `linkflow/settings.py` by `docs/generate.py`; do not edit by hand.\n",
        "Settings come from command-line flags, then `linkflow.toml` in the audit folder, then",
        "`linkflow.toml` in the working directory, then these defaults. In `linkflow.toml` each",
        "setting goes in the section named before its dot:\n",
        '```toml\n[crawl]\nmax_pages = 5000\n\n[analyse]\nmoney = ["/services/*"]\n```\n',
        "`linkflow settings` prints every setting in this form, with its meaning as a comment;",
        "`linkflow settings crawl.rps` prints one, ready to paste. The defaults below are written",
        "as they are in `linkflow.toml`.\n",
        "| setting | default | meaning |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        shown = toml_value(s.default).replace("|", "\\|")  # as written in linkflow.toml
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(f"| `{s.key}` | `{shown}` | {s.help} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    (DOCS / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    (DOCS / "settings.md").write_text(settings_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()
