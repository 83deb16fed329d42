"""``linkflow authority build``: a release folder in, a Common Crawl ranks file out."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from linkflow.authority.domains import load_domain_graph, reverse_name
from linkflow.authority.hyperball import Mode
from linkflow.authority.ranks import DomainRanks, local_ranks, write_ranks
from linkflow.errors import ConfigError
from linkflow.urls import registrable_domain

__all__ = ["ENGINES", "build_ranks", "referring_mask"]

ENGINES = ("local", "spark")


def build_ranks(
    graph_dir: Path,
    out: Path,
    *,
    level: str = "domain",
    engine: str = "local",
    spark_master: str = "local[2]",
    hc_mode: Mode | None = None,
    log2m: int = 7,
) -> DomainRanks:
    """Read the ``level`` graph of the release in ``graph_dir``, rank its domains on
    ``engine`` and write the ranks file ``out``; returns the ranks.

    ``hc_mode`` None picks exact harmonic centrality for graphs of up to
    :data:`~linkflow.authority.hyperball.EXACT_MAX_NODES` domains, HyperLogLog above.
    """
    if engine not in ENGINES:
        raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    graph = load_domain_graph(graph_dir, level)
    if graph.n == 0:
        raise ConfigError(f"{graph_dir}: the {level} graph has no domains; nothing to rank")
    if engine == "local":
        ranks = local_ranks(graph, hc_mode=hc_mode, log2m=log2m)
    else:
        from linkflow.authority.spark import spark_ranks
        from linkflow.engines.spark import spark_session

        spark = spark_session(spark_master)
        work = Path(tempfile.mkdtemp(prefix="linkflow-authority-"))
        try:
            ranks = spark_ranks(spark, graph, work, hc_mode=hc_mode, log2m=log2m)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    write_ranks(ranks, out)
    return ranks


def referring_mask(ranks: DomainRanks, domains: set[str]) -> np.ndarray:
    """True for each ranked domain whose registrable domain is in ``domains`` (the referring
    domains of an audit's backlinks), block by block over the names."""
    parts = []
    names = ranks.graph.names
    for lo in range(0, len(names), 100_000):
        block = names.slice(lo, 100_000).to_pylist()
        parts.append([registrable_domain(reverse_name(name)) in domains for name in block])
    return np.array([flag for part in parts for flag in part], dtype=bool)
