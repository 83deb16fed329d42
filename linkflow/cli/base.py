"""The click group, shared options and error handling of the ``linkflow`` command.

Every command works on an audit folder (``--audit DIR``, default ``./linkflow-audit``).
A :class:`~linkflow.errors.LinkflowError` becomes one line on stderr and exit code 2;
``--verbose`` adds the traceback. Ctrl-C exits with code 130 after the stage has stored
what it had.
"""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from linkflow import __version__
from linkflow.errors import LinkflowError
from linkflow.heap import map_large_blocks

if TYPE_CHECKING:  # imported where used: `linkflow --help` loads none of the stages
    from linkflow.audit import Audit
    from linkflow.crawl.progress import CrawlProgress
    from linkflow.progress import StageProgress

__all__ = [
    "RESUME",
    "audit_option",
    "cli",
    "crawl_options",
    "fail",
    "interrupted",
    "main",
    "print_table",
    "progress_options",
]

F = TypeVar("F", bound=Callable[..., Any])

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)

RESUME = "what was stored is kept — run the same command again to resume"
"""What to do after Ctrl-C: every stage commits as it goes, and a crawl resumes."""


def interrupted(what: str = "interrupted", *, then: str = RESUME) -> NoReturn:
    """Say ``what`` stopped and ``then`` what to do, and exit 130 (128 + SIGINT): the code a
    shell or CI runner expects of a program stopped by Ctrl-C, so no script takes the run
    for a success."""
    err_console.print(f"{escape(what)}; {escape(then)}", soft_wrap=True)
    raise click.exceptions.Exit(130)


class _Group(click.Group):
    """Turns LinkflowError into one line + exit 2, and Ctrl-C into exit 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LinkflowError as exc:
            if ctx.meta.get("linkflow.verbose"):
                traceback.print_exc()
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            interrupted()


def audit_option(func: F) -> F:
    """``--audit DIR``: the audit folder every command works on."""
    return click.option(
        "--audit",
        "audit_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("linkflow-audit"),
        show_default=True,
        help="Audit folder (holds audit.duckdb, report/ and linkflow.toml).",
    )(func)


_CRAWL_FLAGS: list[tuple[str, str, dict[str, Any]]] = [
    ("--max-pages", "crawl.max_pages", {"type": int, "help": "Stop after this many pages."}),
    ("--max-depth", "crawl.max_depth", {"type": int, "help": "Do not follow links deeper."}),
    ("--concurrency", "crawl.concurrency", {"type": int, "help": "Requests in flight at once."}),
    ("--rps", "crawl.rps", {"type": float, "help": "Requests per second per host (0: no limit)."}),
    ("--user-agent", "crawl.user_agent", {"help": "User-Agent header and robots.txt agent."}),
    ("--timeout", "crawl.timeout", {"type": float, "help": "Seconds a request may take."}),
    ("--header", "crawl.headers", {"multiple": True, "help": "Extra header 'Name: value'."}),
    ("--auth", "crawl.auth", {"help": "HTTP basic auth 'user:password'."}),
    (
        "--scope",
        "crawl.scope",
        {"multiple": True, "help": "Extra URL prefix to treat as internal."},
    ),
    ("--include", "crawl.include", {"multiple": True, "help": "Only follow URLs matching regex."}),
    ("--exclude", "crawl.exclude", {"multiple": True, "help": "Never follow URLs matching regex."}),
    ("--base-url", "crawl.base_url", {"help": "Public origin of a crawled copy or build folder."}),
]
_CRAWL_SWITCHES: list[tuple[str, str, bool, str]] = [
    ("--subdomains", "crawl.subdomains", True, "Treat subdomains as internal."),
    ("--ignore-robots", "crawl.obey_robots", False, "Ignore robots.txt (your own site only)."),
    ("--sitemap-seed", "crawl.sitemap_seed", True, "Also crawl every URL of the sitemaps."),
    ("--check-external", "crawl.check_external", True, "Check external link targets' status."),
]


def _dest(key: str) -> str:
    return "opt_" + key.replace(".", "__")


def crawl_options(func: F) -> F:
    """The crawl settings as flags; each one overrides linkflow.toml and the default."""
    for flag, key, kwargs in reversed(_CRAWL_FLAGS):
        func = click.option(flag, _dest(key), default=None, **kwargs)(func)
    for flag, key, value, help_text in reversed(_CRAWL_SWITCHES):
        func = click.option(flag, _dest(key), flag_value=value, default=None, help=help_text)(func)
    return progress_options(func)


def progress_options(func: F) -> F:
    """``--quiet`` and ``--log-format``: how a command shows the progress of its stages."""
    func = click.option("--quiet", is_flag=True, help="No progress bar (for CI).")(func)
    return click.option(
        "--log-format",
        type=click.Choice(["rich", "json"]),
        default="rich",
        show_default=True,
        help="Progress as a live bar or as JSON lines on stderr.",
    )(func)


def _overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pull the ``opt_*`` flags out of ``kwargs`` as ``section.name`` overrides."""
    out: dict[str, Any] = {}
    for name in [k for k in kwargs if k.startswith("opt_")]:
        value = kwargs.pop(name)
        if value is not None and value != ():
            out[name[4:].replace("__", ".")] = value
    return out


def _stages(quiet: bool, log_format: str) -> StageProgress | None:
    """The progress of the stages after the crawl: JSON lines, or a live bar on a terminal
    (off one, the bar would only leave blank lines in a log)."""
    from linkflow.progress import JsonStages, RichStages

    if log_format == "json":
        return JsonStages()
    if quiet or not err_console.is_terminal:
        return None
    return RichStages(console=err_console)


def _progress(quiet: bool, log_format: str) -> CrawlProgress | None:
    from linkflow.crawl.progress import JsonProgress, RichProgress

    if log_format == "json":
        return JsonProgress()
    if quiet:
        return None
    return RichProgress(console=err_console)


def _audit(
    audit_dir: Path,
    overrides: dict[str, Any] | None = None,
    *,
    create: bool = True,
    read_only: bool = False,
) -> Audit:
    """The audit in ``audit_dir``; ``read_only`` for commands that only read the store, so
    they run beside each other (DuckDB lets many processes read a file, or one write it)."""
    from linkflow.audit import Audit

    return Audit(audit_dir, overrides=overrides, create=create, read_only=read_only)


# ---------------------------------------------------------------------- the group
@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="linkflow")
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks of errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Audit how authority flows through a website, and which links to add or fix.

    Start with `linkflow audit https://example.com --backlinks ahrefs.csv --money '/services/*'`,
    or `linkflow demo` to see a full audit of a bundled example site.
    """
    ctx.meta["linkflow.verbose"] = verbose


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point. The process ends with it: whatever it leaves alive is
    handed to the interpreter's exit as is."""
    # The collector's default runs a young collection per 700 new container objects: while the
    # stages import their libraries, some 700 collections, five of them full, 0.35 s of an
    # audit of 1,000 pages. Every 10,000 objects: 0.1 s, for 2 % more peak memory.
    gc.set_threshold(10_000, 10, 10)
    # This process is linkflow's own: the big blocks of a crawl's pages go back to the
    # system once freed instead of staying resident (see linkflow.heap).
    map_large_blocks()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="linkflow")
    finally:
        # At exit the interpreter runs full collections over every object still alive (all
        # the modules the stages imported): 0.2 to 0.5 s after an audit. Frozen objects are
        # not scanned: they are still freed by reference counting as their modules are
        # cleared, and only cycles among them are left to the end of the process. Every
        # file and the store are closed by then (with blocks), so nothing is left unflushed.
        gc.freeze()


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    """A two-column summary table on stdout."""
    table = Table(title=escape(title), show_header=False, title_justify="left", box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(escape(key), escape(value))
    out_console.print(table)


def fail(message: str) -> None:
    """Exit 2 with a one-line message (for errors found by the CLI itself)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    sys.exit(2)
