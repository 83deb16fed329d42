"""The commands of ``linkflow``: each is a thin call into :class:`linkflow.audit.Audit`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from linkflow.cli.base import (
    RESUME,
    F,
    _audit,
    _overrides,
    _progress,
    _stages,
    audit_option,
    cli,
    crawl_options,
    interrupted,
    print_table,
    progress_options,
)
from linkflow.settings import select_settings, settings_toml, toml_value

if TYPE_CHECKING:
    from linkflow.audit import Audit
    from linkflow.crawl import CrawlProgress


def _money_option(func: F) -> F:
    func = click.option(
        "--money-file",
        "opt_analyse__money_file",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="File of money page patterns, one a line ('pattern' or 'pattern = weight').",
    )(func)
    return click.option(
        "--money",
        "opt_analyse__money",
        multiple=True,
        help="URL pattern of a money page, e.g. '/services/*', optionally with a revenue "
        "weight: '/pricing/ = 3' (repeatable).",
    )(func)


def _print_verdict(audit: Audit) -> None:
    """The stored verdict and its actions, as plain lines (none before an analysis)."""
    from linkflow.errors import ConfigError

    try:
        verdict = audit.verdict()
    except ConfigError:
        return
    for line in verdict.lines():
        click.echo(line)


def _summarise(audit: Audit, report: Path | None) -> None:
    from linkflow.report.summary import audit_summary

    s = audit_summary(audit.store, audit.crawl_id())
    rows = [
        ("Pages", f"{s['pages']:,} ({s['internal_pages']:,} internal, {s['errors']:,} errors)"),
        ("Links", f"{s['links']:,}"),
        (
            "Findings",
            ", ".join(f"{k}: {v:,}" for k, v in s["findings_by_severity"].items()) or "none",
        ),
        ("Backlinks", f"{s['backlinks']:,} from {s['referring_domains']:,} referring domains"),
    ]
    for kind, count, severity in _by_severity(s["top_findings"]):
        rows.append((f"  {kind}", f"{count:,} {severity}"))
    print_table(f"linkflow audit of {s['site'] or audit.path}", rows)
    _print_verdict(audit)
    if report is not None:
        click.echo(f"report: {report}")


def _by_severity(top: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """``(kind, count)`` pairs as ``(kind, count, severity)``, most severe first, then the
    most frequent: five broken links matter more than three hundred generic anchors."""
    from linkflow.analyses.findings_text import SEVERITY
    from linkflow.models import SEVERITIES

    rank = {name: i for i, name in enumerate(SEVERITIES)}
    rows = [(kind, count, SEVERITY.get(kind, "")) for kind, count in top]
    return sorted(rows, key=lambda r: (rank.get(r[2], len(rank)), -r[1], r[0]))


def _crawl(a: Audit, target: str, *, recrawl: bool, progress: CrawlProgress | None) -> None:
    """Crawl ``target``; a crawl stopped by Ctrl-C ends the command with exit code 130.

    The crawl catches Ctrl-C itself (to commit what it fetched) and returns an interrupted
    summary; the command must not carry on as if the crawl were complete.
    """
    a.crawl(target, recrawl=recrawl, progress=progress)
    summary = a.state.crawls[-1]
    if summary.interrupted:
        # A recrawl starts over whatever was stored: only a plain crawl picks up again.
        then = "run the same command again to start over" if recrawl else RESUME
        interrupted(f"crawl interrupted after {summary.pages:,} pages", then=then)


# ---------------------------------------------------------------------- audit
@cli.command()
@click.argument("target")
@audit_option
@click.option(
    "--backlinks",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Backlink export (Ahrefs, Semrush, Majestic, Moz, GSC, Bing ...).",
)
@click.option(
    "--traffic",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Traffic export (Search Console pages, GA4 pages).",
)
@_money_option
@click.option("--recrawl", is_flag=True, help="Start a new crawl even if one can be resumed.")
@crawl_options
def audit(
    target: str,
    audit_dir: Path,
    backlinks: tuple[str, ...],
    traffic: tuple[str, ...],
    recrawl: bool,
    quiet: bool,
    log_format: str,
    **kwargs: Any,
) -> None:
    """Run the whole audit of TARGET (a URL, or a build folder with --base-url).

    Crawls, imports the exports, analyses, writes the report and prints a summary.
    """  # fmt: skip
    from linkflow.cli.warm import WarmUp, import_http_client

    import_http_client(target)
    stages = _stages(quiet, log_format)
    warm = WarmUp(_progress(quiet, log_format))
    try:
        with _audit(audit_dir, _overrides(kwargs)) as a:
            _crawl(a, target, recrawl=recrawl, progress=warm)
            a.import_exports([*backlinks, *traffic], progress=stages)
            a.check_known_urls()
            a.analyse(progress=stages)
            a.suggest(progress=stages)
            report = a.report(progress=stages)
            _summarise(a, report)
    finally:
        warm.wait()


# ---------------------------------------------------------------------- stages
@cli.command()
@click.argument("target")
@audit_option
@click.option("--recrawl", is_flag=True, help="Start a new crawl in the same audit.")
@crawl_options
def crawl(
    target: str, audit_dir: Path, recrawl: bool, quiet: bool, log_format: str, **kwargs: Any
) -> None:
    """Crawl TARGET (a URL, or a static build folder with --base-url) into the audit.

    A crawl stopped by Ctrl-C or killed resumes when the same command runs again.
    """  # fmt: skip
    from linkflow.cli.warm import import_http_client

    import_http_client(target)
    with _audit(audit_dir, _overrides(kwargs)) as a:
        _crawl(a, target, recrawl=recrawl, progress=_progress(quiet, log_format))


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@audit_option
@click.option(
    "--competitor",
    default=None,
    metavar="LABEL",
    help="The files are a competitor's backlinks (for the link gap).",
)
@click.option(
    "--column-map",
    "opt_ingest__column_map",
    multiple=True,
    metavar="FIELD=HEADER",
    help="For a generic CSV: which header holds source_url, target_url, anchor ...",
)
@click.option(
    "--base-url",
    default=None,
    metavar="ORIGIN",
    help="The site's origin, for exports of page paths (GA4) [default: the audit's crawl origin].",
)
@progress_options
def import_(
    files: tuple[str, ...],
    audit_dir: Path,
    competitor: str | None,
    base_url: str | None,
    quiet: bool,
    log_format: str,
    **kwargs: Any,
) -> None:
    """Import backlink, traffic or domain-authority exports (format detected from the bytes).

    A row with a value that cannot be read is rejected: the first ones are printed with
    their line, all are counted in the audit's imports table.
    """  # fmt: skip
    with _audit(audit_dir, _overrides(kwargs)) as a:
        a.import_exports(
            files, site=competitor or "self", site_origin=base_url,
            progress=_stages(quiet, log_format),
        )  # fmt: skip
        for result in a.state.imports:
            fmt = result.format
            click.echo(
                f"{result.path}: {fmt.provider} {fmt.report}, {result.rows:,} rows"
                + (f", {result.rejected:,} rejected" if result.rejected else "")
            )
            for reject in result.rejects[:_REJECTS_SHOWN]:
                click.echo(f"  line {reject['line']}: {reject['reason']} ({reject['value']!r})")
            if result.rejected > _REJECTS_SHOWN:
                more = result.rejected - _REJECTS_SHOWN
                click.echo(f"  and {more:,} more (the imports table keeps the first 20)")


_REJECTS_SHOWN = 3
"""Rejected lines ``linkflow import`` prints per file."""


@cli.command("import-crawl")
@click.argument("inlinks", type=click.Path(exists=True, dir_okay=False))
@click.argument("internal", required=False, type=click.Path(exists=True, dir_okay=False))
@audit_option
@progress_options
def import_crawl(
    inlinks: str, internal: str | None, audit_dir: Path, quiet: bool, log_format: str
) -> None:
    """Import a Screaming Frog crawl: All Inlinks export, optionally Internal:All."""
    with _audit(audit_dir) as a:
        a.import_crawl(inlinks, internal, progress=_stages(quiet, log_format))
        s = a.state.crawls[-1]
        click.echo(f"imported {s.pages:,} pages and {s.links:,} links")


@cli.command()
@audit_option
@_money_option
@click.option(
    "--weights",
    "opt_graph__weights",
    type=click.Choice(["position", "uniform"]),
    default=None,
    help="'uniform' gives classic PageRank (like Link Score).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where the link graph is built and PageRank, click depth and link counts run: in "
    "memory, or on Apache Spark (install linkflow[spark] and Java 17).",
)
@click.option(
    "--spark-master",
    default=None,
    metavar="URL",
    help="Spark master for --engine spark: local[2] (default), spark://host:7077, yarn, "
    "or sc://host:15002 (Spark Connect).",
)
@progress_options
def analyse(
    audit_dir: Path,
    engine: str,
    spark_master: str | None,
    quiet: bool,
    log_format: str,
    **kwargs: Any,
) -> None:
    """Score link equity and depth, and find every internal and backlink problem."""
    with _audit(audit_dir, _overrides(kwargs), create=False) as a:
        a.analyse(progress=_stages(quiet, log_format), engine=engine, spark_master=spark_master)
        _summarise(a, None)


@cli.command()
@audit_option
@click.option(
    "--k",
    "opt_recommend__max_suggestions",
    type=int,
    default=None,
    help="How many links to recommend [default: 50].",
)
@click.option(
    "--max-per-source",
    "opt_recommend__max_new_per_source",
    type=int,
    default=None,
    help="New links on one page at most [default: 3].",
)
@click.option(
    "--max-per-target",
    "opt_recommend__max_new_per_target",
    type=int,
    default=None,
    help="New links to one page at most [default: 10].",
)
@click.option(
    "--what-if",
    "plan",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV plan of link edits (source_url,target_url[,anchor][,action], action add or "
    "remove): print its exact effect on the money pages instead, and store it for the report.",
)
@_money_option
@progress_options
def suggest(
    audit_dir: Path, plan: Path | None, quiet: bool, log_format: str, **kwargs: Any
) -> None:
    """Recommend the internal links that raise the money pages' flow most.

    Each link comes with the sentence to put it in, its anchor and its exact gain; the
    links and the fix lists (orphans, generic anchors, broken links, redirects, dead
    backlinked pages, over-linked pages) are stored in the suggestions and fixes tables.
    Without options, suggestions stored since the last analysis are printed as they are.
    The effect of a --what-if plan is stored in the whatif and whatif_pages tables.
    """  # fmt: skip
    overrides = _overrides(kwargs)
    lines = None
    if plan is not None:  # the effect is stored too, for the report
        with _audit(audit_dir, overrides, create=False) as a:
            lines = a.what_if(plan).lines()
    elif not overrides:
        with _audit(audit_dir, overrides, read_only=True) as a:
            if (stored := a.recommendations()) is not None:
                lines = stored.lines()
    if lines is None:
        with _audit(audit_dir, overrides, create=False) as a:
            lines = a.suggest(progress=_stages(quiet, log_format)).lines()
    for line in lines:
        click.echo(line)


@cli.command()
@audit_option
def verdict(audit_dir: Path) -> None:
    """Print the verdict: internal structure against external authority, each scored 0-100
    and explained, and the actions that move the weaker side most (after `analyse`)."""
    with _audit(audit_dir, read_only=True) as a:
        for line in a.verdict().lines():
            click.echo(line)


@cli.command()
@audit_option
@click.option("--open", "open_", is_flag=True, help="Open the report in a browser.")
@progress_options
def report(audit_dir: Path, open_: bool, quiet: bool, log_format: str) -> None:
    """Write the HTML report (report/index.html) and its CSV exports."""
    with _audit(audit_dir, read_only=True) as a:  # writes files, not the store
        path = a.report(progress=_stages(quiet, log_format))
    click.echo(f"report: {path}")
    if open_:
        click.launch(str(path))


@cli.command()
@audit_option
@click.option("--table", default=None, help="Table to export; without it, the tables are listed.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "parquet"]),
    default=None,
    help="Output format [default: the one the --output extension names, else csv].",
)
@click.option(
    "--output",
    default=None,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File to write, in a folder that exists; '-' writes to standard output.",
)
def export(audit_dir: Path, table: str | None, fmt: str | None, output: Path | None) -> None:
    """Export one table of the audit as CSV (for spreadsheets), JSON or Parquet.

    Without --table, lists the tables and their rows. CSV has URLs, not ids, and Screaming
    Frog's column names (docs/exports.md); JSON and Parquet hold the table as stored.
    """
    from linkflow.errors import ReportError
    from linkflow.report.exports import output_format, table_counts

    if table is None and output is not None:
        raise ReportError(f"{output}: which table? add --table NAME (`linkflow export` lists them)")
    if table is not None and output is None:
        raise ReportError(f"{table}: where to? add --output FILE (--output - for standard output)")
    with _audit(audit_dir, read_only=True) as a:
        if table is None or output is None:
            counts = table_counts(a.store)
            width = max(len(t) for t, _ in counts)
            for name, n in counts:  # plain lines: read by people and by scripts
                click.echo(f"{name:<{width}}  {n:>13,} row{'' if n == 1 else 's'}")
            return
        kind = output_format(output, fmt)
        if str(output) == "-":
            rows = _export_to_stdout(a, table, kind)
            click.echo(f"{rows:,} rows written to standard output", err=True)
            return
        rows = a.export(table, kind, output)
    click.echo(f"{rows:,} rows written to {output}")


def _export_to_stdout(a: Audit, table: str, fmt: str) -> int:
    """Export ``table`` to a temporary file and copy it to standard output: DuckDB writes
    only to files, and a file is written whole or not at all before any byte goes out."""
    import sys
    import tempfile

    sys.stdout.flush()
    out = sys.stdout.buffer
    with tempfile.TemporaryDirectory(prefix="linkflow-export-") as folder:
        path = Path(folder) / f"{table}.{fmt}"
        rows = a.export(table, fmt, path)
        with path.open("rb") as source:
            while chunk := source.read(1 << 20):
                out.write(chunk)
    out.flush()
    return rows


@cli.command()
@click.argument("target")
@audit_option
@click.option(
    "--fail-on",
    default="broken,orphans,redirect-chains,generic-anchors",
    show_default=True,
    help="Comma-separated problems that fail the check.",
)
@_money_option
@crawl_options
def check(
    target: str, audit_dir: Path, fail_on: str, quiet: bool, log_format: str, **kwargs: Any
) -> None:
    """CI gate: crawl TARGET, and exit 1 if any problem named in --fail-on exists."""
    from linkflow.analyses.gate import gate_kinds

    kinds = [k.strip() for k in fail_on.split(",") if k.strip()]
    gate_kinds(kinds)  # an unknown name fails before the crawl, not after it
    with _audit(audit_dir, _overrides(kwargs)) as a:
        _crawl(a, target, recrawl=True, progress=_progress(quiet, log_format))
        a.analyse(progress=_stages(quiet, log_format))
        result = a.check(kinds)
    for row in result.rows:
        # Plain tab-separated lines for CI logs and scripts (and no markup in untrusted text).
        click.echo(f"{row['kind']}\t{row['url'] or ''}\t{row['detail']}")
    verdict = "FAIL" if result.failed else "ok"
    click.echo(f"{verdict}: {len(result.rows):,} problems of kinds {', '.join(kinds)}", err=True)
    if result.failed:
        raise SystemExit(1)


# ---------------------------------------------------------------------- demo, settings
@cli.command()
@audit_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
def demo(audit_dir: Path, quiet: bool) -> None:
    """Audit the bundled demo site (served on 127.0.0.1) and write its report. No internet."""
    from linkflow.demo import DEMO_ORIGIN, DEMO_SITE, demo_exports, serve_site

    overrides = {"crawl.base_url": DEMO_ORIGIN, "analyse.money": ("/services/*",)}
    stages = _stages(quiet, "rich")
    with _audit(audit_dir, overrides) as a:
        with serve_site(DEMO_SITE) as base:
            _crawl(a, base + "/", recrawl=True, progress=_progress(quiet, "rich"))
            a.import_exports(demo_exports().values(), progress=stages)
            a.check_known_urls()
        a.analyse(progress=stages)
        a.suggest(progress=stages)
        path = a.report(progress=stages)
        _summarise(a, path)


@cli.command("settings")
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.option("--markdown", is_flag=True, help="Print as the Markdown table of docs/settings.md.")
def settings_(keys: tuple[str, ...], markdown: bool) -> None:
    """Print the settings as TOML, with their defaults and meanings.

    KEY names one setting (crawl.rps) or a section (crawl); without one, every setting is
    printed. The output is valid linkflow.toml, each meaning a comment: copy the lines you
    want to change into the file.
    """  # fmt: skip
    chosen = select_settings(keys)
    if markdown:
        click.echo("| setting | default | meaning |\n|---|---|---|")
        for s in chosen:
            click.echo(f"| `{s.key}` | `{toml_value(s.default)}` | {s.help} |")
        return
    # Plain text, not rich: rich would wrap long lines and break the TOML.
    click.echo(settings_toml(chosen), nl=False)
