"""Regenerate docs/cli.md and docs/settings.md from the code: `python docs/generate.py`.

tests/test_docs.py fails when the committed files differ from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from linkflow.cli import cli
from linkflow.settings import SETTINGS

DOCS = Path(__file__).parent


def cli_markdown() -> str:
    """Every command's --help, in the order of the group."""
    parts = [
        "# Command line reference\n",
        "Generated from `linkflow COMMAND --help` by `docs/generate.py`; do not edit by hand.\n",
    ]
    width = {"terminal_width": 88, "max_content_width": 88}
    ctx = cli.make_context("linkflow", [], resilient_parsing=True, **width)
    parts.append("## linkflow\n\n```text\n" + cli.get_help(ctx) + "\n```\n")
    for name in cli.list_commands(ctx):
        command = cli.commands[name]
        sub = command.make_context(
            f"linkflow {name}", [], parent=ctx, resilient_parsing=True, **width
        )
        parts.append(f"## linkflow {name}\n\n```text\n{command.get_help(sub)}\n```\n")
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
        "| setting | default | meaning |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        default = list(s.default) if isinstance(s.default, tuple) else s.default
        shown = repr(default).replace("|", "\\|")
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(f"| `{s.key}` | `{shown}` | {s.help} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    (DOCS / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    (DOCS / "settings.md").write_text(settings_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()
