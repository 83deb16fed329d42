"""``linkflow authority build``: domain ranks from Common Crawl's web graph."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from linkflow.cli.base import _audit, _stages, audit_option, cli, print_table

if TYPE_CHECKING:
    from linkflow.audit import Audit
    from linkflow.authority import DomainRanks


@cli.group()
def authority() -> None:
    """Domain authority from Common Crawl's web graph."""


@authority.command("build")
@click.option(
    "--graph",
    "graph_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A Common Crawl web graph release folder (with host/ and domain/), or one level's "
    "folder: the vertices and edges part files, or their *.paths.gz lists.",
)
@click.option(
    "--level",
    type=click.Choice(["domain", "host"]),
    default="domain",
    show_default=True,
    help="Which graph to read: the domain graph as is, or the host graph folded to "
    "registrable domains.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where the ranks are computed: in memory, or on Apache Spark.",
)
@click.option(
    "--spark-master",
    default="local[2]",
    show_default=True,
    metavar="URL",
    help="Spark master for --engine spark (local[N], spark://host:7077, yarn ...).",
)
@click.option(
    "--harmonic",
    "hc_mode",
    type=click.Choice(["auto", "exact", "hll"]),
    default="auto",
    show_default=True,
    help="Harmonic centrality by exact counters or HyperLogLog (auto: exact up to 20,000 domains).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ranks file to write, in Common Crawl's format (gzip when the name ends in .gz) "
    "[default with --import: the audit folder's commoncrawl-<level>-ranks.txt.gz].",
)
@click.option(
    "--import",
    "import_",
    is_flag=True,
    help="Also import the ranks into the audit's domain_authority table (as `linkflow "
    "import FILE` would), the authority of backlinks whose export carries none.",
)
@click.option(
    "--referring-only",
    is_flag=True,
    help="With --import, import only the domains found in the audit's imported backlinks "
    "(their positions stay those among all domains; --out keeps every domain).",
)
@audit_option
@click.option("--quiet", is_flag=True, help="No progress output.")
def build(
    graph_dir: Path,
    level: str,
    engine: str,
    spark_master: str,
    hc_mode: str,
    out: Path | None,
    import_: bool,
    referring_only: bool,
    audit_dir: Path,
    quiet: bool,
) -> None:
    """Rank the domains of a Common Crawl web graph by harmonic centrality and PageRank.

    Writes a ranks file in Common Crawl's own format (--out), which `linkflow import`
    reads, and with --import loads it into the audit at once.
    """  # fmt: skip
    from linkflow.authority import build_ranks
    from linkflow.errors import ConfigError

    if out is None and not import_:
        raise ConfigError("say where the ranks go: --out FILE, --import, or both")
    path = out if out is not None else audit_dir / f"commoncrawl-{level}-ranks.txt.gz"
    ranks = build_ranks(
        graph_dir, path, level=level, engine=engine, spark_master=spark_master,
        hc_mode=None if hc_mode == "auto" else hc_mode,  # type: ignore[arg-type]
    )  # fmt: skip
    graph = ranks.graph
    rows = [
        ("Domains", f"{graph.n:,}"),
        ("Links", f"{graph.src.size:,} between distinct domains"),
        ("Harmonic centrality", "exact" if ranks.hc_mode == "exact" else "HyperLogLog"),
        ("Ranks file", str(path)),
    ]
    if import_:
        with _audit(audit_dir) as a:
            source = path
            if referring_only:
                source = _referring_file(
                    a, ranks, audit_dir / f"commoncrawl-{level}-referring.txt.gz"
                )
            a.import_exports([source], progress=_stages(quiet, "rich"))
            result = a.state.imports[-1]
        rows.append(("Imported", f"{result.rows:,} domains into domain_authority"))
    print_table("linkflow authority build", rows)


def _referring_file(audit: Audit, ranks: DomainRanks, path: Path) -> Path:
    """A ranks file of only the domains in ``audit``'s backlinks, written at ``path``."""
    from linkflow.authority.build import referring_mask
    from linkflow.authority.ranks import write_ranks
    from linkflow.errors import ConfigError

    found = audit.store.query(
        "SELECT DISTINCT source_domain FROM backlinks WHERE source_domain IS NOT NULL"
    )
    domains = set(found.column(0).to_pylist())
    if not domains:
        raise ConfigError(
            f"{audit.path}: no backlinks imported yet; import them first, or drop --referring-only"
        )
    return write_ranks(ranks, path, referring_mask(ranks, domains))
