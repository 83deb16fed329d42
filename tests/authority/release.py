"""Small web graph releases written byte for byte as Common Crawl writes them."""

from __future__ import annotations

import gzip
from pathlib import Path

# The five-domain golden graph: reversed names sorted, ids in that order.
DOMAINS = ["com.alpha", "com.beta", "net.delta", "org.gamma", "uk.co.epsilon"]
HOSTS_PER_DOMAIN = [3, 1, 2, 1, 1]
EDGES = [(0, 1), (1, 3), (2, 0), (3, 0)]
# HC(v) = Σ 1/d(u, v) by hand: alpha ← gamma 1, delta 1, beta 2; beta ← alpha 1, gamma 2,
# delta 2; gamma ← beta 1, alpha 2, delta 3; delta and epsilon have no in-links.
HC = {"com.alpha": 2.5, "com.beta": 2.0, "org.gamma": 1 + 1 / 2 + 1 / 3, "net.delta": 0.0,
      "uk.co.epsilon": 0.0}  # fmt: skip


def gz(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress("".join(f"{line}\n" for line in lines).encode(), mtime=0))
    return path


def write_level(
    folder: Path,
    names: list[str],
    edges: list[tuple[int, int]],
    hosts: list[int] | None = None,
    *,
    parts: int = 2,
    prefix: str = "cc-main-2025-jan-feb-mar-domain",
) -> Path:
    """Vertices and edges of one level as ``parts`` gzip part files under ``folder``."""
    vertices = [
        f"{i}\t{name}" + (f"\t{hosts[i]}" if hosts is not None else "")
        for i, name in enumerate(names)
    ]
    links = [f"{a}\t{b}" for a, b in sorted(edges)]
    for kind, rows in (("vertices", vertices), ("edges", links)):
        size = max(1, -(-len(rows) // parts))
        for p in range(parts):
            gz(folder / kind / f"part-{p:05d}.txt.gz", rows[p * size : (p + 1) * size])
    return folder


def golden_release(root: Path) -> Path:
    """A release root holding the golden domain graph under ``domain/``."""
    write_level(root / "domain", DOMAINS, EDGES, HOSTS_PER_DOMAIN)
    return root
