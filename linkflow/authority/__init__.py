"""Domain authority from Common Crawl's web graph (docs/formats.md, "Domain authority from
Common Crawl").

::

    ranks = build_ranks(Path("cc-main-2025-jan-feb-mar"), Path("ranks.txt.gz"))

reads a host- or domain-level release (:mod:`.webgraph`), folds hosts to registrable
domains (:mod:`.domains`), computes harmonic centrality (:mod:`.hyperball`) and PageRank of
every domain in memory or on Spark (:mod:`.spark`), and writes them as a Common Crawl ranks
file (:mod:`.ranks`) that ``linkflow import`` reads into ``domain_authority``.
"""

from linkflow.authority.build import ENGINES, build_ranks
from linkflow.authority.domains import DomainGraph, load_domain_graph
from linkflow.authority.hyperball import harmonic_centrality
from linkflow.authority.ranks import DomainRanks, local_ranks, write_ranks

__all__ = [
    "ENGINES",
    "DomainGraph",
    "DomainRanks",
    "build_ranks",
    "harmonic_centrality",
    "load_domain_graph",
    "local_ranks",
    "write_ranks",
]
