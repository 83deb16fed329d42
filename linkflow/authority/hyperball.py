"""Harmonic centrality by HyperBall (Boldi & Vigna), vectorised with numpy.

Harmonic centrality of v is ``HC(v) = Σ_{u≠v} 1/d(u, v)``, distances along links *into* v
(``networkx.harmonic_centrality`` on the same directed graph). With ``B_t(v)`` the nodes that
reach v in at most t links, ``B_0(v) = {v}`` and ``B_t(v) = B_{t−1}(v) ∪ ⋃_{u→v} B_{t−1}(u)``,
so ``HC(v) = Σ_t (|B_t(v)| − |B_{t−1}(v)|) / t``. Each step is one pass over the edges whose
source changed in the previous step; the run ends when no ball grows.

Two kinds of counter hold the balls, columns of an m × n matrix:

- ``exact``: a bitset of the ball (m = ⌈n/64⌉ 64-bit words); the union is a bitwise or, the
  size a popcount, and HC equals the exact definition (to float rounding). Memory is n²/4 bytes:
  meant for graphs of up to :data:`EXACT_MAX_NODES` nodes and for tests.
- ``hll``: a HyperLogLog counter of m = 2^``log2m`` registers; node v adds its hash
  (SplitMix64 of v and ``seed``) to its own counter, the union is the register-wise max and
  the size the HyperLogLog estimate (with the small-range correction). Each |B_t(v)| has a
  relative standard error of about 1.04/√m (13 % at m = 64, 9.2 % at the default 128); the
  errors of one node's balls are correlated, so HC(v) carries about the same relative error.
  On random graphs of a few thousand nodes (tests/authority) the Spearman rank correlation
  with exact HC is above 0.95 and the median relative error below 10 % at m = 128.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from linkflow.errors import ConfigError

__all__ = [
    "EXACT_MAX_NODES",
    "HarmonicResult",
    "default_mode",
    "expected_error",
    "harmonic_centrality",
    "hll_estimate",
    "hll_start",
    "splitmix64",
]

EXACT_MAX_NODES = 20_000
"""Largest graph the exact counters accept (two n × n/8 byte matrices: 100 MB)."""
_BLOCK = 1 << 22  # edges per block: one register row gathered for them is 4 MB
_ROWS = 65_536  # rows per block when estimating sizes
Mode = Literal["exact", "hll"]


@dataclass(frozen=True, slots=True)
class HarmonicResult:
    """HC per node (float64), the steps run (the largest distance found), and the mode."""

    values: np.ndarray
    steps: int
    mode: str


def splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on uint64 values (wrapping arithmetic, as in C)."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = z ^ (z >> np.uint64(31))
    return out


def hll_start(nodes: np.ndarray, log2m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Register index and value each node adds to its own counter: the low ``log2m`` bits
    of its hash pick the register, the rest give 1 + its number of trailing zeros."""
    h = splitmix64(np.asarray(nodes, dtype=np.uint64) ^ splitmix64(np.array([seed]))[0])
    index = (h & np.uint64((1 << log2m) - 1)).astype(np.int64)
    rest = h >> np.uint64(log2m)
    low = rest & (~rest + np.uint64(1))  # the lowest set bit (0 when rest is 0)
    zeros = np.where(low > 0, np.log2(np.maximum(low, 1).astype(np.float64)), 64 - log2m)
    return index, (np.rint(zeros) + 1).astype(np.uint8)


def _alpha(m: int) -> float:
    return {16: 0.673, 32: 0.697, 64: 0.709}.get(m, 0.7213 / (1.0 + 1.079 / m))


def hll_estimate(registers: np.ndarray) -> np.ndarray:
    """HyperLogLog size estimate of each row of ``registers`` (n × m, uint8)."""
    n, m = registers.shape
    out = np.empty(n, dtype=np.float64)
    powers = np.ldexp(1.0, -np.arange(256))
    for lo in range(0, n, _ROWS):
        block = registers[lo : lo + _ROWS]
        raw = _alpha(m) * m * m / powers[block].sum(axis=1)
        zeros = (block == 0).sum(axis=1)
        small = (raw <= 2.5 * m) & (zeros > 0)
        linear = m * np.log(m / np.maximum(zeros, 1))
        out[lo : lo + _ROWS] = np.where(small, linear, raw)
    return out


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _sizes(counters: np.ndarray, mode: str) -> np.ndarray:
    """Ball size of each column of ``counters`` (register-major: m × k)."""
    if mode == "exact":  # 64-bit words: popcount of their bytes, node by node
        width = max(1, (1 << 21) // max(counters.shape[0], 1))  # 128 MB of lookups at most
        parts = [
            _POPCOUNT[np.ascontiguousarray(counters[:, lo : lo + width].T).view(np.uint8)].sum(
                axis=1
            )
            for lo in range(0, counters.shape[1], width)
        ]
        return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
    return hll_estimate(counters.T)


def _start(n: int, mode: str, log2m: int, seed: int) -> np.ndarray:
    """The counters at distance 0, register-major (m × n): a column per node, so that a
    step gathers and reduces one contiguous register row at a time (numpy's 1-D
    ``reduceat`` is several times faster than a reduction along the rows of a 2-D array)."""
    nodes = np.arange(n, dtype=np.int64)
    if mode == "exact":
        counters = np.zeros(((n + 63) // 64, n), dtype=np.uint64)
        counters[nodes >> 6, nodes] = np.left_shift(np.uint64(1), (nodes & 63).astype(np.uint64))
        return counters
    counters = np.zeros((1 << log2m, n), dtype=np.uint8)
    index, value = hll_start(nodes, log2m, seed)
    counters[index, nodes] = value
    return counters


def _unique(values: np.ndarray) -> np.ndarray:
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


def harmonic_centrality(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    mode: Mode = "hll",
    log2m: int = 7,
    seed: int = 0,
    max_steps: int | None = None,
) -> HarmonicResult:
    """HC of every node of the graph with edges ``src[i] → dst[i]`` (see the module
    docstring for the modes and their error). ``max_steps`` caps the distance counted."""
    if mode not in ("exact", "hll"):
        raise ConfigError(f"harmonic centrality mode must be 'exact' or 'hll', got {mode!r}")
    if mode == "exact" and n > EXACT_MAX_NODES:
        raise ConfigError(
            f"exact harmonic centrality is for graphs of up to {EXACT_MAX_NODES:,} nodes, "
            f"this one has {n:,}; use the HyperLogLog mode"
        )
    if not 4 <= log2m <= 16:
        raise ConfigError(f"log2m must be in 4..16, got {log2m}")
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    order = np.argsort(dst, kind="stable")
    src, dst = src[order], dst[order]
    union = np.bitwise_or if mode == "exact" else np.maximum
    current = _start(n, mode, log2m, seed)
    following = current.copy()
    size = _sizes(current, mode)
    hc = np.zeros(n, dtype=np.float64)
    changed = np.ones(n, dtype=bool)
    step = 0
    while changed.any() and (max_steps is None or step < max_steps):
        step += 1
        live = changed[src]
        s, d = src[live], dst[live]
        touched: list[np.ndarray] = []
        for lo in range(0, s.size, _BLOCK):
            bs, bd = s[lo : lo + _BLOCK], d[lo : lo + _BLOCK]
            starts = np.flatnonzero(np.r_[True, bd[1:] != bd[:-1]])
            into = bd[starts]
            for register, row in zip(current, following, strict=True):
                merged = union.reduceat(register.take(bs), starts)
                row[into] = union(row[into], merged)
            touched.append(into)
        rows = _unique(np.concatenate(touched)) if touched else np.zeros(0, np.int64)
        grew = rows[np.any(following[:, rows] != current[:, rows], axis=0)]
        changed[:] = False
        changed[grew] = True
        if grew.size:
            grown = following[:, grew]
            new_size = _sizes(grown, mode)
            hc[grew] += (new_size - size[grew]) / step
            size[grew] = new_size
            current[:, grew] = grown
    return HarmonicResult(hc, step if changed.any() or step == 0 else step - 1, mode)


def default_mode(n: int) -> Mode:
    """Exact counters when the graph is small enough, else HyperLogLog."""
    return "exact" if n <= EXACT_MAX_NODES else "hll"


def expected_error(log2m: int) -> float:
    """The relative standard error of one HyperLogLog size estimate, 1.04/√m."""
    return 1.04 / math.sqrt(1 << log2m)
