"""Domain ranks (harmonic centrality and PageRank) and Common Crawl's ranks file format.

The file is what Common Crawl publishes (``cc-webgraph``'s ``JoinSortRanks``), so
``linkflow import`` reads it and it can be shared: gzip (when the name ends in ``.gz``),
TAB-separated, the header ``#harmonicc_pos #harmonicc_val #pr_pos #pr_val #host_rev``
(plus ``#n_hosts`` when the host counts are known), one row per domain sorted by harmonic
centrality position. Positions are 1-based, the highest value first, ties in the order of
the reversed names; harmonic centrality is kept and ranked as a 32-bit float and written as
Java's ``Float.toString`` writes it (``3.4626736E7``), PageRank as ``Double.toString``.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkflow.authority.domains import DomainGraph
from linkflow.authority.hyperball import Mode, default_mode, harmonic_centrality
from linkflow.errors import ReportError
from linkflow.graph.model import from_edges
from linkflow.graph.pagerank import pagerank

__all__ = [
    "HEADER",
    "DomainRanks",
    "java_float_text",
    "local_ranks",
    "positions",
    "write_ranks",
]

HEADER = ("#harmonicc_pos", "#harmonicc_val", "#pr_pos", "#pr_val", "#host_rev")
DAMPING = 0.85
TOLERANCE = 1e-6
_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class DomainRanks:
    """Per domain (index = domain id): harmonic centrality (float32) and PageRank (sums to
    1), with the graph they were computed on."""

    graph: DomainGraph
    harmonic: np.ndarray
    pagerank: np.ndarray
    hc_mode: str


def positions(values: np.ndarray) -> np.ndarray:
    """1-based rank of each value, the highest first; equal values in index order."""
    order = np.lexsort((np.arange(values.size), -values.astype(np.float64)))
    out = np.empty(values.size, dtype=np.int64)
    out[order] = np.arange(1, values.size + 1)
    return out


def local_ranks(
    graph: DomainGraph,
    *,
    hc_mode: Mode | None = None,
    log2m: int = 7,
    seed: int = 0,
    tolerance: float = TOLERANCE,
) -> DomainRanks:
    """Harmonic centrality (:mod:`~linkflow.authority.hyperball`; exact on small graphs
    unless ``hc_mode`` says) and PageRank (damping 0.85, uniform teleport, within
    ``tolerance`` relative error) of every domain, in memory."""
    mode = hc_mode or default_mode(graph.n)
    hc = harmonic_centrality(graph.n, graph.src, graph.dst, mode=mode, log2m=log2m, seed=seed)
    link_graph = from_edges(graph.n, graph.src, graph.dst)
    pr = pagerank(link_graph, damping=DAMPING, tolerance=tolerance).scores
    return DomainRanks(graph, hc.values.astype(np.float32), pr, mode)


def _java(text: str, value: float) -> str:
    """Java's ``toString`` of a float from its shortest digits as Arrow writes them."""
    if value == 0:
        return "0.0"
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + int(exp or 0)  # value = 0.<digits> × 10^point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def java_float_text(values: np.ndarray) -> list[str]:
    """Each value as Java writes it: ``Float.toString`` for float32, else ``Double.toString``
    (shortest digits that read back to the value; E-notation outside [10⁻³, 10⁷))."""
    kind = pa.float32() if values.dtype == np.float32 else pa.float64()
    texts = pc.cast(pa.array(values, kind), pa.string()).to_pylist()
    return [_java(t, float(v)) for t, v in zip(texts, values.tolist(), strict=True)]


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=6)
    return path.open("w", encoding="utf-8", newline="\n")


def write_ranks(ranks: DomainRanks, path: Path, keep: np.ndarray | None = None) -> Path:
    """Write ``ranks`` as a Common Crawl ranks file (see the module docstring); with
    ``keep`` (a bool per domain) only those rows, their positions still among all domains."""
    graph = ranks.graph
    hc_pos, pr_pos = positions(ranks.harmonic), positions(ranks.pagerank)
    order = np.argsort(hc_pos)
    if keep is not None:
        order = order[np.asarray(keep, dtype=bool)[order]]
    header = HEADER + (("#n_hosts",) if graph.n_hosts is not None else ())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _open(path) as out:
            out.write("\t".join(header) + "\n")
            for lo in range(0, order.size, _ROWS):
                rows = order[lo : lo + _ROWS]
                columns = [
                    hc_pos[rows].astype(str).tolist(),
                    java_float_text(ranks.harmonic[rows]),
                    pr_pos[rows].astype(str).tolist(),
                    java_float_text(ranks.pagerank[rows]),
                    graph.names.take(pa.array(rows)).to_pylist(),
                ]
                if graph.n_hosts is not None:
                    columns.append(graph.n_hosts[rows].astype(str).tolist())
                out.writelines("\t".join(cells) + "\n" for cells in zip(*columns, strict=True))
    except OSError as exc:
        raise ReportError(f"{path}: cannot write the ranks file ({exc.strerror})") from None
    return path
