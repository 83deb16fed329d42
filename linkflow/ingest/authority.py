"""Authority on one 0–100 scale, whatever the provider (docs/formats.md, "Authority").

=================  ==========================================  ===========================
scale              providers and metric                        to linkflow 0–100
=================  ==========================================  ===========================
``direct``         Ahrefs DR/UR, Semrush Authority Score,      as is, clipped to 0–100
                   Majestic Trust Flow, Moz DA/PA
``opr``            DomCop Open PageRank (0–10)                 × 10
``cc_rank``        Common Crawl harmonic-centrality position   100 · (1 − ln r / ln 10⁸)
``million_rank``   Tranco, Majestic Million, other top-1M      100 · (1 − ln r / ln 10⁶)
=================  ==========================================  ===========================

Rank scales are logarithmic because authority falls off like a power law with rank: rank 1
scores 100, rank 1,000 scores 50 on a top-million list, and ranks past the list size score 0.
"""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["RANK_SIZES", "SCALES", "SCALE_RANGES", "scale_authority", "scale_authority_py"]

RANK_SIZES = {"cc_rank": 1e8, "million_rank": 1e6}
"""List size N of each rank scale: rank N (or worse) scores 0."""
SCALES = ("direct", "opr", *RANK_SIZES)

SCALE_RANGES: dict[str, tuple[float | None, float | None]] = {
    "direct": (0.0, 100.0), "opr": (0.0, 10.0), "cc_rank": (1.0, None), "million_rank": (1.0, None),
}  # fmt: skip
"""The values a provider metric of each scale can take (``None``: unbounded); an import
rejects a row whose metric is outside, instead of clipping it into 0–100."""


def scale_authority(values: pa.Array | pa.ChunkedArray, scale: str) -> pa.Array | pa.ChunkedArray:
    """Map a provider metric (float64, nulls kept) to linkflow's 0–100 authority scale."""
    if scale == "direct":
        scaled = values
    elif scale == "opr":
        scaled = pc.multiply(values, 10.0)
    elif scale in RANK_SIZES:
        ranks = pc.max_element_wise(values, 1.0)
        scaled = pc.multiply(
            pc.subtract(1.0, pc.divide(pc.ln(ranks), math.log(RANK_SIZES[scale]))), 100.0
        )
    else:
        raise ValueError(f"unknown authority scale {scale!r}; one of {SCALES}")
    clipped = pc.min_element_wise(pc.max_element_wise(scaled, 0.0), 100.0)
    # The element-wise min/max skip nulls: without this a missing metric would read as 0.
    return pc.if_else(pc.is_null(values), pa.scalar(None, pa.float64()), clipped)


def scale_authority_py(value: float, scale: str) -> float:
    """Reference for :func:`scale_authority` on one value."""
    if scale == "direct":
        scaled = value
    elif scale == "opr":
        scaled = value * 10.0
    else:
        scaled = 100.0 * (1.0 - math.log(max(value, 1.0)) / math.log(RANK_SIZES[scale]))
    return min(max(scaled, 0.0), 100.0)
