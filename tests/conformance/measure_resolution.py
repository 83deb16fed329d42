"""Throughput of URL resolution on the links of the golden pages (real sites' markup).

Run ``python -m tests.conformance.measure_resolution``. Every ``href`` of every page in
``tests/extract/golden`` is resolved against its page URL with :func:`normalize`, with no
cache, so the figure is the resolver's own cost (parse_page memoises most links).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from linkflow.urls import normalize

GOLDEN = Path(__file__).resolve().parent.parent / "extract" / "golden"
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def links() -> list[tuple[str, str]]:
    """``(href, page URL)`` of every link of the golden pages."""
    found = []
    for page in sorted(GOLDEN.glob("*/*.html")):
        base = f"https://{page.parent.name}.example/{page.stem}/"
        text = page.read_text(encoding="utf-8", errors="replace")
        found += [(m.group(1) or m.group(2) or "", base) for m in _HREF.finditer(text)]
    return found


def resolutions_per_second(rounds: int = 5, repeat: int = 20) -> tuple[float, int]:
    """(resolutions/s of CPU time, best of ``rounds``; number of distinct links)."""
    pairs = links() * repeat
    best = 0.0
    for _ in range(rounds):
        start = time.process_time()
        for href, base in pairs:
            normalize(href, base)
        best = max(best, len(pairs) / (time.process_time() - start))
    return best, len(pairs) // repeat


if __name__ == "__main__":
    rate, count = resolutions_per_second()
    print(f"normalize: {rate:,.0f} links/s (CPU, one core) over {count} golden-page links")
