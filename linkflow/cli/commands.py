"""The commands of ``linkflow``: each is a thin call into :class:`linkflow.audit.Audit`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from linkflow.cli.base import (
    F,
    _audit,
    _overrides,
    _progress,
    audit_option,
    cli,
    crawl_options,
    err_console,
    out_console,
    print_table,
)
from linkflow.settings import SETTINGS

if TYPE_CHECKING:
    from linkflow.audit import Audit


def _money_option(func: F) -> F:
    return click.option(
        "--money",
        "opt_analyse__money",
        multiple=True,
        help="URL pattern of a money page, e.g. '/services/*' (repeatable).",
    )(func)


def _summarise(audit: Audit, report: Path | None) -> None:
    from linkflow.store.summary import audit_summary

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
    for kind, count in s["top_findings"]:
        rows.append((f"  {kind}", f"{count:,}"))
    print_table(f"linkflow audit of {s['site'] or audit.path}", rows)
    if report is not None:
        click.echo(f"report: {report}")


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
    with _audit(audit_dir, _overrides(kwargs)) as a:
        a.crawl(target, recrawl=recrawl, progress=_progress(quiet, log_format))
        a.import_exports([*backlinks, *traffic])
        a.check_known_urls()
        a.analyse()
        report = a.report()
        _summarise(a, report)


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
    with _audit(audit_dir, _overrides(kwargs)) as a:
        a.crawl(target, recrawl=recrawl, progress=_progress(quiet, log_format))
        summary = a.state.crawls[-1]
        if summary.interrupted:
            err_console.print(
                f"crawl interrupted after {summary.pages:,} pages; run the same command "
                "again to resume"
            )


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
def import_(files: tuple[str, ...], audit_dir: Path, competitor: str | None, **kwargs: Any) -> None:
    """Import backlink, traffic or domain-authority exports (format detected from the bytes)."""
    with _audit(audit_dir, _overrides(kwargs)) as a:
        a.import_exports(files, site=competitor or "self")
        for result in a.state.imports:
            fmt = result.format
            click.echo(
                f"{result.path}: {fmt.provider} {fmt.report}, {result.rows:,} rows"
                + (f", {result.rejected:,} rejected" if result.rejected else "")
            )


@cli.command("import-crawl")
@click.argument("inlinks", type=click.Path(exists=True, dir_okay=False))
@click.argument("internal", required=False, type=click.Path(exists=True, dir_okay=False))
@audit_option
def import_crawl(inlinks: str, internal: str | None, audit_dir: Path) -> None:
    """Import a Screaming Frog crawl: All Inlinks export, optionally Internal:All."""
    with _audit(audit_dir) as a:
        a.import_crawl(inlinks, internal)
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
def analyse(audit_dir: Path, **kwargs: Any) -> None:
    """Score link equity and depth, and find every internal and backlink problem."""
    with _audit(audit_dir, _overrides(kwargs), create=False) as a:
        a.analyse()
        _summarise(a, None)


@cli.command()
@audit_option
def suggest(audit_dir: Path) -> None:
    """List the recommended internal links (source, sentence, anchor, gain)."""
    from linkflow.store.summary import suggestions

    with _audit(audit_dir, create=False) as a:
        rows = suggestions(a.store, a.crawl_id())
        if not rows:
            err_console.print("no link suggestions in this audit yet")
            return
        for row in rows:
            click.echo(
                f"{row['rank']:>3}. {row['source_url']} → {row['target_url']} "
                f"[{row['anchor']}] gain {row['gain']:.3g}"
            )


@cli.command()
@audit_option
@click.option("--open", "open_", is_flag=True, help="Open the report in a browser.")
def report(audit_dir: Path, open_: bool) -> None:
    """Write the HTML report (report/index.html) and its CSV exports."""
    with _audit(audit_dir, create=False) as a:
        path = a.report()
    click.echo(f"report: {path}")
    if open_:
        click.launch(str(path))


@cli.command()
@audit_option
@click.option("--table", required=True, help="pages, links, page_metrics, findings, backlinks ...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "parquet"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write.",
)
def export(audit_dir: Path, table: str, fmt: str, output: Path) -> None:
    """Export one table of the audit as CSV (formula-safe), JSON or Parquet."""
    with _audit(audit_dir, create=False) as a:
        rows = a.export(table, fmt, output)
    click.echo(f"{rows:,} rows written to {output}")


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
        a.crawl(target, recrawl=True, progress=_progress(quiet, log_format))
        a.analyse()
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
    from linkflow.crawl import handoff
    from linkflow.demo import DEMO_ORIGIN, DEMO_SITE, demo_exports, serve_site

    # The seed is a server of this process on a free port, another in every run: a fresh
    # process could not carry the crawl on, so it is stored here whatever its size.
    handoff.disable()
    overrides = {"crawl.base_url": DEMO_ORIGIN, "analyse.money": ("/services/*",)}
    with _audit(audit_dir, overrides) as a:
        with serve_site(DEMO_SITE) as base:
            a.crawl(base + "/", recrawl=True, progress=_progress(quiet, "rich"))
            a.import_exports(demo_exports().values())
            a.check_known_urls()
        a.analyse()
        path = a.report()
        _summarise(a, path)


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print as the Markdown table of docs/settings.md.")
def settings_(markdown: bool) -> None:
    """List every setting of linkflow.toml with its default and meaning."""
    if markdown:
        click.echo("| setting | default | meaning |\n|---|---|---|")
        for s in SETTINGS:
            default = list(s.default) if isinstance(s.default, tuple) else s.default
            click.echo(f"| `{s.key}` | `{default!r}` | {s.help} |")
        return
    for s in SETTINGS:
        out_console.print(f"[bold]{s.key}[/] = {escape(repr(s.default))}\n    {escape(s.help)}")
