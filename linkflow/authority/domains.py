"""The domain graph: Common Crawl's domain-level graph as is, or its host graph folded.

Folding follows Common Crawl's own ``HostToDomainGraph``: each host maps to its registrable
domain by the ICANN section of the Public Suffix List (the bundled snapshot, no network);
a host with none (an IP address, a bare public suffix such as ``co.uk``) is dropped with
its edges; domains are numbered in the order of their reversed names; an edge between two
hosts of one domain is dropped (no self-loops) and parallel edges become one. A domain-level
release is read with the same last two rules applied, so both levels give one graph shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.authority.webgraph import find_graph_files, iter_edges, read_vertices
from linkflow.urls import assigned_domain

__all__ = ["DomainGraph", "fold_hosts", "load_domain_graph", "reverse_name", "simple_edges"]


@dataclass(frozen=True, slots=True)
class DomainGraph:
    """Domains (``names``: reversed, ``com.example``, sorted; index = id), hosts per domain
    (None when the release does not say), and the edges: int64 ``src``/``dst`` sorted by
    (src, dst), unique, no self-loops."""

    names: pa.Array | pa.ChunkedArray
    n_hosts: np.ndarray | None
    src: np.ndarray
    dst: np.ndarray

    @property
    def n(self) -> int:
        return len(self.names)


def reverse_name(name: str) -> str:
    """``com.example.www`` ↔ ``www.example.com`` (its own inverse)."""
    return ".".join(reversed(name.split(".")))


def simple_edges(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``src``/``dst`` without self-loops and duplicates, sorted by (src, dst)."""
    keep = src != dst
    keys = np.sort(src[keep].astype(np.int64) * n + dst[keep])
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys
    return keys // max(n, 1), keys % max(n, 1)


def fold_hosts(hosts: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Host id → domain id (-1: the host has no registrable domain), the domains' reversed
    names in id order, and the number of hosts of each domain."""
    chunks = []
    for chunk in hosts.chunks:
        domains = (assigned_domain(reverse_name(h)) for h in chunk.to_pylist())
        chunks.append(pa.array([reverse_name(d) if d else None for d in domains], pa.string()))
    folded = pa.chunked_array(chunks, pa.string())
    unique = pc.unique(folded).drop_null()
    names = unique.take(pc.sort_indices(unique))
    index = pc.index_in(folded, value_set=names)
    host_to_domain = pc.fill_null(index, -1).to_numpy().astype(np.int64)
    counts = np.bincount(host_to_domain[host_to_domain >= 0], minlength=len(names))
    return host_to_domain, names, counts.astype(np.int64)


def load_domain_graph(folder: Path, level: str = "domain") -> DomainGraph:
    """Read the ``level`` graph of the release in ``folder`` as a :class:`DomainGraph`
    (see the module docstring for the folding rules)."""
    files = find_graph_files(folder, level)
    names, counts = read_vertices(files.vertices)
    if level == "host":
        host_to_domain, domains, counts = fold_hosts(names)
        n = len(domains)
        srcs, dsts = [], []
        for src, dst in iter_edges(files.edges, len(names)):
            s, d = host_to_domain[src], host_to_domain[dst]
            keep = (s >= 0) & (d >= 0) & (s != d)
            # each block deduplicated at once, so host-level edges are never all in memory
            s, d = simple_edges(n, s[keep], d[keep])
            srcs.append(s)
            dsts.append(d)
        names_out: pa.Array | pa.ChunkedArray = domains
    else:
        n = len(names)
        blocks = [simple_edges(n, s, d) for s, d in iter_edges(files.edges, n)]
        srcs, dsts = [b[0] for b in blocks], [b[1] for b in blocks]
        names_out = names  # chunked: a large release exceeds one array's 2 GB of text
    empty = np.zeros(0, dtype=np.int64)
    src, dst = simple_edges(
        n, np.concatenate(srcs) if srcs else empty, np.concatenate(dsts) if dsts else empty
    )
    return DomainGraph(names_out, counts, src, dst)
